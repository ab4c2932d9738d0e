"""The offline answer quotes whole units of the documents, never stitched into new sentences."""

from __future__ import annotations

from knowledge.answer import ELLIPSIS, by_relevance, compose, excerpt, units
from knowledge.models import Hit

STEPS = """1. Create the second key: `aws iam create-access-key --user-name svc-reporting`.
2. Store the new secret in Secrets Manager and deploy it to every consumer.
3. Watch `get-access-key-last-used` until the old key has not been used for 24 hours.
4. Deactivate the old key: `aws iam update-access-key --access-key-id AKIA... --status Inactive`.
5. Wait 7 days; if nothing broke, delete it: `aws iam delete-access-key --access-key-id AKIA...`.

Deactivating before deleting gives you a way back: an inactive key can be re-activated in seconds."""

RENEWALS = """Renewal depends on the issuer:

- Let's Encrypt certificates are valid for 90 days; certbot renews them every 30 days from cron.
- The internal CA issues short-lived certificates: they are valid for 72 hours
  and the sidecar renews them every 24 hours.
- ACM renews its own certificates 60 days before expiry, provided DNS validation still works.
- Certificates imported into ACM are never renewed by AWS: buy and re-import them yourself.

```bash
certbot renew --dry-run
sudo systemctl reload nginx
```

| Issuer | Lifetime | Renewed |
|---|---|---|
| Let's Encrypt | 90 days | every 30 days |
| Internal CA | 72 hours | every 24 hours |
| ACM | 13 months | 60 days before |

Check the expiry date with `openssl s_client -connect host:443 | openssl x509 -noout -enddate`."""

SYMPTOMS = """- The alert `DB_DISK_FULL` fires when the data volume is more than 90% used for 5 minutes;
  `DB_DISK_WARN` fires at 80%.
- Writes fail with `No space left on device` (errno ENOSPC) in the application logs.
- PostgreSQL logs `PANIC: could not write to file "pg_wal/..."` and may shut down; MySQL
  stops accepting writes and logs `Disk is full writing`."""


def _hit(section: str, text: str, score: float, rank: int, source: str = "runbooks/x.md") -> Hit:
    return Hit(
        chunk_id=f"c{rank}", source=source, title="Doc", section=section, text=text, score=score, rank=rank
    )


def test_units_are_list_items_paragraphs_code_blocks_and_table_rows() -> None:
    kinds = [u.kind for u in units(RENEWALS)]
    assert kinds == ["para", "item", "item", "item", "item", "code", "head", "row", "row", "row", "para"]
    item = units(RENEWALS)[2]
    assert item.lines == (
        "- The internal CA issues short-lived certificates: they are valid for 72 hours",
        "  and the sidecar renews them every 24 hours.",
    )
    assert units(RENEWALS)[5].lines[-1] == "```"


def test_a_short_passage_is_quoted_whole_with_its_markdown() -> None:
    quote = excerpt(SYMPTOMS, "why does postgres panic when the disk is full?")
    assert ELLIPSIS not in quote
    # Whole list items, each on one line; nothing dropped from the middle of the PANIC line.
    assert quote.splitlines() == [
        "- The alert `DB_DISK_FULL` fires when the data volume is more than 90% used for 5 minutes; "
        "`DB_DISK_WARN` fires at 80%.",
        "- Writes fail with `No space left on device` (errno ENOSPC) in the application logs.",
        '- PostgreSQL logs `PANIC: could not write to file "pg_wal/..."` and may shut down; MySQL '
        "stops accepting writes and logs `Disk is full writing`.",
    ]


def test_steps_keep_their_numbers_and_their_own_commands() -> None:
    quote = excerpt(STEPS, "how do I deactivate the old key?", limit=200)
    lines = quote.splitlines()
    deactivate = next(line for line in lines if "Deactivate the old key" in line)
    assert deactivate.startswith("4. ") and "update-access-key" in deactivate
    assert "delete-access-key" not in deactivate
    # Every numbered line is one whole step of the document, with its own number.
    for line in lines:
        if line[:1].isdigit():
            assert line in STEPS.splitlines()


def test_left_out_units_are_marked_and_never_joined() -> None:
    quote = excerpt(RENEWALS, "how often does certbot renew let's encrypt certificates?", limit=260)
    assert (
        "- Let's Encrypt certificates are valid for 90 days; certbot renews them every 30 days from cron."
        in quote
    )
    # The 72-hour lifetime belongs to the internal CA: it is never on the Let's Encrypt line.
    for line in quote.splitlines():
        assert not ("Let's Encrypt" in line and "72 hours" in line)
    assert quote.splitlines()[-1] == ELLIPSIS
    # Units that were apart in the document are separated by a marker line.
    gap = excerpt(RENEWALS, "check the expiry date with openssl s_client", limit=120)
    assert gap.splitlines()[0] == ELLIPSIS and "openssl s_client" in gap


def test_code_blocks_stay_fenced_and_table_rows_keep_their_header() -> None:
    code = excerpt(RENEWALS, "certbot renew dry run", limit=120)
    assert "```bash\ncertbot renew --dry-run\nsudo systemctl reload nginx\n```" in code
    row = excerpt(RENEWALS, "internal CA lifetime, renewed when?", limit=140)
    assert "| Issuer | Lifetime | Renewed |\n|---|---|---|" in row
    assert "| Internal CA | 72 hours | every 24 hours |" in row
    assert "| … | … | … |" in row or "| Let's Encrypt |" in row


def test_lines_of_an_html_page_are_separate_units() -> None:
    text = "Standard change: pre-approved.\nNormal change: needs a second engineer.\nEmergency change: later."
    quote = excerpt(text, "what does a normal change need?", limit=60, lines_are_units=True)
    assert "Normal change: needs a second engineer." in quote.splitlines()
    assert "Standard change: pre-approved. Normal" not in quote


def test_compose_orders_by_score_and_promises_nothing_it_does_not_show() -> None:
    hits = [
        _hit("Glossary", "Runbook: step-by-step instructions.", 0.29, 1),
        _hit("Triage", "1. Confirm which filesystem is full.\n2. Find what grew.", 0.37, 2),
        _hit("Symptoms", SYMPTOMS, 0.47, 3),
        _hit("RDS instances", "Enable storage autoscaling.", 0.35, 4),
        _hit("Prevention", "- Alert at 80% and page at 90%.", 0.31, 5),
    ]
    ordered = by_relevance(hits)
    assert [h.section for h in ordered] == ["Symptoms", "Triage", "RDS instances", "Prevention", "Glossary"]
    answer = compose("what is our runbook for a full disk?", ordered)
    assert answer.index("[1] Doc § Symptoms") < answer.index("[2] Doc § Triage")
    assert "cited below" not in answer
    assert "Also relevant: [4] Doc § Prevention; [5] Doc § Glossary." in answer
    assert "1. Confirm which filesystem is full.\n2. Find what grew." in answer
    assert compose("anything", []).startswith("No source found")
