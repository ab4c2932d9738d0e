"""Reply -> Block Kit within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from agent.messages import ApprovalView, Reply
from bot.slack import blocks as bk
from bot.slack.approval_blocks import decided_message, pending_message, who
from bot.slack.render import MAX_TABLE_ROWS, render_reply
from tools.presentation import Chart, Citation, CodeBlock, Table


def _all_blocks(reply: Reply) -> list[bk.Block]:
    return [b for m in render_reply(reply).messages for b in m.blocks]


def _within_limits(reply: Reply) -> None:
    for message in render_reply(reply).messages:
        assert 1 <= len(message.blocks) <= bk.MAX_BLOCKS
        assert len(message.text) <= bk.FALLBACK_TEXT
        for block in message.blocks:
            if "text" in block:
                limit = bk.HEADER_TEXT if block["type"] == "header" else bk.SECTION_TEXT
                assert len(block["text"]["text"]) <= limit
            for element in block.get("elements", []):
                assert len(element.get("text", "")) <= bk.SECTION_TEXT
            assert len(block.get("elements", [])) <= bk.CONTEXT_ELEMENTS
            assert len(block.get("fields", [])) <= bk.MAX_FIELDS


def test_text_is_escaped_and_bold_converted() -> None:
    (block,) = _all_blocks(Reply(text="**Total**: <script> & co"))
    assert block["text"]["text"] == "*Total*: &lt;script&gt; &amp; co"


def test_failed_reply_is_flagged_with_its_reference() -> None:
    blocks = _all_blocks(Reply(text="Sorry, something went wrong.", ok=False, error_ref="err-1234"))
    assert blocks[0]["text"]["text"].startswith(":warning:")
    assert "err-1234" in json.dumps(blocks[-1])


def test_long_text_is_split_into_sections() -> None:
    reply = Reply(text="\n".join(f"line {i} " + "x" * 80 for i in range(200)))
    blocks = _all_blocks(reply)
    assert len(blocks) > 1
    assert "".join(b["text"]["text"] + "\n" for b in blocks).strip() == reply.text
    _within_limits(reply)


def test_one_enormous_line_is_cut_not_dropped() -> None:
    reply = Reply(text="y" * 10_000)
    assert sum(len(b["text"]["text"]) for b in _all_blocks(reply)) == 10_000
    _within_limits(reply)


def test_huge_answer_is_attached_as_a_file() -> None:
    reply = Reply(text="\n\n".join("z" * 2900 for _ in range(200)))
    rendered = render_reply(reply)
    assert len(rendered.messages) == 3
    assert [f.filename for f in rendered.files] == ["answer.txt"]
    assert rendered.files[0].content is not None and len(rendered.files[0].content) > 500_000
    assert "attached" in json.dumps(rendered.messages[-1].blocks[-1])
    _within_limits(reply)


def test_table_is_aligned_with_numbers_right_aligned() -> None:
    table = Table(
        title="Cost",
        columns=["service", "usd"],
        rows=[["EC2", 1234.5], ["S3", 7.0], ["RDS", None], ["Lambda", 0.25], ["ELB", 3.0]],
        numeric=[1],
    )
    blocks = _all_blocks(Reply(text="Costs:", tables=[table]))
    code = blocks[-1]["text"]["text"]
    lines = code.strip("`\n").splitlines()
    assert lines[0].split() == ["service", "usd"]
    assert lines[2].endswith("1,234.50") and lines[3].endswith("7.00")
    assert len({len(line) for line in lines[2:4]}) == 1  # right-aligned: same width
    assert blocks[-2]["text"]["text"] == "*Cost*"


def test_small_two_column_table_uses_fields() -> None:
    table = Table(title="Owner", columns=["key", "value"], rows=[["team", "payments"], ["env", "prod"]])
    (_, block) = _all_blocks(Reply(text="Tags:", tables=[table]))
    assert [f["text"] for f in block["fields"]] == ["*key*", "*value*", "team", "payments", "env", "prod"]


def test_big_table_is_truncated_and_attached_as_csv() -> None:
    table = Table(
        title="Instances (all)", columns=["id", "type"], rows=[[f"i-{n:04d}", "t3.micro"] for n in range(100)]
    )
    rendered = render_reply(Reply(text="Inventory", tables=[table]))
    text = json.dumps(rendered.messages[0].blocks)
    assert "i-0000" in text and f"i-{MAX_TABLE_ROWS:04d}" not in text
    (csv_file,) = rendered.files
    assert csv_file.filename == "instances-all.csv"
    assert csv_file.content is not None and csv_file.content.decode().count("\n") == 101
    assert "Showing 25 of 100 rows" in text


def test_empty_table_says_so() -> None:
    blocks = _all_blocks(Reply(text="x", tables=[Table(title="Findings", columns=["id"])]))
    assert "no rows" in blocks[-1]["text"]["text"]


def test_code_is_fenced_and_long_code_attached() -> None:
    short = CodeBlock(language="terraform", code='a = "```" && b < c', filename="main.tf")
    blocks = _all_blocks(Reply(text="Here:", code=[short]))
    assert "`main.tf` (terraform)" in blocks[1]["elements"][0]["text"]
    fenced = blocks[2]["text"]["text"]
    assert fenced.startswith("```\n") and fenced.endswith("\n```") and fenced.count("```") == 2
    assert "&lt;" in fenced
    long = CodeBlock(language="python", code="\n".join(f"print({i})" for i in range(2000)))
    rendered = render_reply(Reply(text="Here:", code=[long]))
    assert [f.filename for f in rendered.files] == ["snippet.py"]
    assert "print(14)" in json.dumps(rendered.messages[0].blocks)
    assert "print(15)" not in json.dumps(rendered.messages[0].blocks)


def test_citations_are_context_links(tmp_path: Path) -> None:
    cites = [
        Citation(source=f"doc{i}.md", section="S", url=f"https://x/{i}", lines=(1, 2)) for i in range(12)
    ]
    cites.append(Citation(source="local|notes.md"))
    blocks = _all_blocks(Reply(text="Answer", citations=cites))
    contexts = [b for b in blocks if b["type"] == "context"]
    assert len(contexts) == 2 and len(contexts[0]["elements"]) == 10
    first = contexts[0]["elements"][1]["text"]
    assert first == "[1] <https://x/0|doc0.md § S> (lines 1–2)"
    assert contexts[1]["elements"][-1]["text"] == "[13] local|notes.md"


def test_charts_become_uploads_and_missing_ones_are_mentioned(tmp_path: Path) -> None:
    png = tmp_path / "c.png"
    png.write_bytes(b"\x89PNG")
    reply = Reply(
        text="Chart", charts=[Chart(title="Cost", path=png), Chart(title="Gone", path=tmp_path / "x")]
    )
    rendered = render_reply(reply)
    assert [(f.path, f.title, f.alt_text) for f in rendered.files] == [(png, "Cost", "Cost")]
    assert "could not be attached" in json.dumps(rendered.messages[0].blocks)


def _view(**kw: object) -> ApprovalView:
    base: dict[str, object] = dict(
        id="ap-123",
        action="revoke_ingress",
        resource_id="sg-1",
        plan={"summary": "Close SSH to the world", "changes": [f"rule {i}" for i in range(25)]},
        status="pending",
        requester="UALICE",
        approvers=["UBOB", "@S0ONCALL", "@dbas"],
        expires_at=datetime(2024, 10, 15, 12, 30, tzinfo=UTC),
    )
    base.update(kw)
    return ApprovalView.model_validate(base)


def test_approval_message_has_plan_people_and_buttons() -> None:
    text, blocks = pending_message(_view())
    assert "revoke_ingress" in text and "UALICE" in text
    dumped = json.dumps(blocks)
    assert "<@UBOB>" in dumped and "<!subteam^S0ONCALL>" in dumped and "@dbas" in dumped
    assert "rule 19" in dumped and "rule 20" not in dumped and "5 more changes" in dumped
    assert "<!date^1728995400^" in dumped
    assert blocks[-1]["block_id"] == "approval:ap-123"


def test_decided_message_shows_outcome_without_buttons() -> None:
    text, blocks = decided_message(
        _view(
            status="executed", decided_by="UBOB", result={"applied": "revoked 1 rule", "verification": "ok"}
        )
    )
    assert text == "Approved and applied by UBOB: revoke_ingress on sg-1"
    assert all(b["type"] != "actions" for b in blocks)
    assert "revoked 1 rule" in json.dumps(blocks)
    text, _ = decided_message(_view(status="expired"))
    assert text.startswith("Expired:")


def test_who_mentions_only_ids() -> None:
    assert who("UBOB") == "<@UBOB>" and who("WENTERPRISE") == "<@WENTERPRISE>"
    assert who("@S0ONCALL") == "<!subteam^S0ONCALL>"
    assert who("bob <evil>") == "bob &lt;evil&gt;"
    # Canonical identities are case-folded; plain names and policy entries stay as written.
    assert who("u024be7lh", folded=True) == "<@U024BE7LH>" and who("u024be7lh") == "u024be7lh"
    assert who("bob", folded=True) == "bob"
