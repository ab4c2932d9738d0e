"""`cloudpilot audit` (pages, filters, 80 columns) and `cloudpilot audit verify` on a data dir whose
audit log is then tampered with."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.main import cli
from store import Store
from store.audit import AuditLog
from tests.store.audit_helpers import fill

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    runner = CliRunner()

    def _run(*args: str, env: dict[str, str] | None = None) -> Result:
        base = {
            "CLOUDPILOT_DATA_DIR": str(tmp_path),
            "CLOUDPILOT_AWS__ENDPOINT_URL": "http://127.0.0.1:9",
            "COLUMNS": "80",
        }
        return runner.invoke(cli, list(args), env={**base, **(env or {})}, catch_exceptions=False)

    return _run


def seed(data_dir: Path, n: int, key: bytes | None = None) -> Path:
    db = data_dir / "cloudpilot.db"
    store = Store(f"sqlite:///{db}")
    fill(AuditLog(store, key=key), n)
    store.close()
    return db


def tamper(db: Path, statement: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(statement)


def test_verify_exits_0_then_1_after_tampering(run: Run, tmp_path: Path) -> None:
    db = seed(tmp_path, 12)
    ok = run("audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("audit chain intact: 12 records\n")
    tamper(db, "UPDATE audit_log SET actor = 'mallory' WHERE id = 4")
    broken = run("audit", "verify")
    assert broken.exit_code == 1
    assert "audit chain BROKEN at record 4: record 4 does not match its hash" in broken.output
    assert "3 records before it verify" in broken.output
    as_json = run("audit", "verify", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["first_broken_id"] == 4


def test_verify_finds_a_deleted_refusal(run: Run, tmp_path: Path) -> None:
    db = seed(tmp_path, 12)
    tamper(db, "DELETE FROM audit_log WHERE kind = 'refused' AND id = 2")
    out = run("audit", "verify")
    assert out.exit_code == 1
    assert "record 3 does not follow record 1" in out.output


def test_verify_with_the_key_from_the_environment(run: Run, tmp_path: Path) -> None:
    seed(tmp_path, 5, key=b"audit-key")
    assert run("audit", "verify", env={"CLOUDPILOT_AUDIT__KEY": "audit-key"}).exit_code == 0
    assert run("audit", "verify").exit_code == 1  # a keyed chain does not verify as plain SHA-256


def test_an_empty_log_verifies(run: Run) -> None:
    out = run("audit", "verify")
    assert out.exit_code == 0 and out.output == "audit chain intact: 0 records\n"
    listing = run("audit")
    assert listing.exit_code == 0 and listing.output == "No audit records.\n"


def test_audit_lists_newest_first_a_page_at_a_time(run: Run, tmp_path: Path) -> None:
    seed(tmp_path, 120)
    first = run("audit", "--json")
    assert [r["id"] for r in json.loads(first.output)] == list(range(120, 70, -1))
    text = run("audit")
    assert text.exit_code == 0
    assert text.output.rstrip().endswith("Older records: cloudpilot audit --before 71")
    assert max(len(line) for line in text.output.splitlines()) <= 80
    second = run("audit", "--before", "71", "--json")
    assert [r["id"] for r in json.loads(second.output)] == list(range(70, 20, -1))
    last = run("audit", "--before", "21")
    assert "Older records" not in last.output and "revoke_ingress sg-0000" in last.output


def test_audit_filters_and_the_old_approval_form(run: Run, tmp_path: Path) -> None:
    seed(tmp_path, 30)
    story = run("audit", "--approval", "ap-0002", "--json")
    assert story.exit_code == 0
    assert [r["kind"] for r in json.loads(story.output)] == [
        "verification",
        "execution",
        "decision",
        "refused",
        "request",
    ]
    decisions = run("audit", "--kind", "decision", "--actor", "bob", "--limit", "1")
    assert "sg-0022" in decisions.output and "decision=approved" in decisions.output
    assert "Older records: cloudpilot audit --before 23 --kind decision --actor bob --limit 1" in (
        decisions.output
    )
    recent = run("audit", "--since", "2024-10-15T09:25", "--json")
    assert [r["id"] for r in json.loads(recent.output)] == [30, 29, 28, 27, 26]
    assert run("audit", "--kind", "nothing").output == "No audit records match.\n"
    bad = run("audit", "--since", "last tuesday")
    assert bad.exit_code == 2 and "Invalid value for '--since'" in bad.output
