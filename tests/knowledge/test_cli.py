from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.terminal.kb_commands import kb as kb_group
from config import Settings, load_settings
from knowledge.base import KnowledgeBase


@dataclass
class _State:
    settings: Settings


def test_ingest_and_stats(tmp_path: Path, embedder: object) -> None:
    docs = tmp_path / "runbooks"
    docs.mkdir()
    (docs / "kafka.md").write_text("# Kafka\n\n## Consumer lag\n\nAdd consumers to the group.\n")
    state = _State(load_settings(data_dir=tmp_path / "data", torch_threads=2))
    runner = CliRunner()

    first = runner.invoke(kb_group, ["ingest", str(docs)], obj=state)
    assert first.exit_code == 0, first.output
    assert "1 added, 0 updated, 0 deleted, 0 unchanged; 1 chunks written" in first.stdout
    # Progress goes to stderr, as plain lines when stderr is not a terminal.
    assert first.stderr.splitlines() == [
        "kb ingest: reading 1 file(s)",
        "kb ingest: 1 file(s) read; embedding 1 new chunk(s)",
        "kb ingest: writing the index",
    ]

    again = runner.invoke(kb_group, ["ingest", "--json", str(docs), str(tmp_path / "nope")], obj=state)
    report = json.loads(again.stdout)
    assert report["unchanged"] == 1 and report["skipped"][0]["reason"] == "no such file or folder"

    bad = runner.invoke(kb_group, ["ingest", str(tmp_path / "nope")], obj=state)
    assert bad.exit_code == 1 and "skipped" in bad.output

    stats = runner.invoke(kb_group, ["stats", "--json"], obj=state)
    assert json.loads(stats.stdout)["sources"] == {"runbooks/kafka.md": 1}
    text = runner.invoke(kb_group, ["stats"], obj=state)
    assert "1 documents, 1 chunks in qdrant-edge (embedded)" in text.output


def test_ingest_does_not_follow_links_out_of_the_folder(tmp_path: Path, embedder: object) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "credentials.md").write_text("# Keys\n\naws_secret_access_key = never-indexed\n")
    docs = tmp_path / "runbooks"
    docs.mkdir()
    (docs / "kafka.md").write_text("# Kafka\n\n## Consumer lag\n\nAdd consumers to the group.\n")
    (docs / "creds.md").symlink_to(outside / "credentials.md")
    state = _State(load_settings(data_dir=tmp_path / "data", torch_threads=2))

    result = CliRunner().invoke(kb_group, ["ingest", str(docs)], obj=state)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert "skipped runbooks/creds.md: symlink outside the folder" in result.output
    stats = CliRunner().invoke(kb_group, ["stats", "--json"], obj=state)
    assert json.loads(stats.stdout)["sources"] == {"runbooks/kafka.md": 1}


def test_a_broken_pdf_is_one_line_naming_the_file_and_no_library_noise(
    tmp_path: Path, embedder: object, capfd: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "manuals"
    docs.mkdir()
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (docs / "fake.pdf").write_text("# Not a PDF at all\n\nJust Markdown with the wrong name.\n")
    (docs / "ok.md").write_text("# Kafka\n\n## Consumer lag\n\nAdd consumers to the group.\n")
    state = _State(load_settings(data_dir=tmp_path / "data", torch_threads=2))

    result = CliRunner().invoke(kb_group, ["ingest", str(docs)], obj=state)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    skipped = sorted(line for line in result.stdout.splitlines() if line.strip().startswith("skipped"))
    # One line per file, naming it.
    assert [line.split(":")[0] for line in skipped] == [
        "  skipped manuals/fake.pdf",
        "  skipped manuals/scan.pdf",
    ]
    assert all(": unreadable PDF: " in line for line in skipped)
    # Nothing from pypdf's logger or warnings reached the terminal.
    captured = capfd.readouterr()
    for noise in ("EOF marker", "invalid pdf header", "startxref", "Warning"):
        assert noise not in captured.err and noise not in result.stderr


def test_search_prints_cited_passages_or_no_source(kb: KnowledgeBase) -> None:
    # The CLI opens the store itself, while the session's knowledge base keeps it open too.
    state = _State(kb.settings)
    runner = CliRunner()
    cited = runner.invoke(
        kb_group, ["search", "-k", "2", "how", "do", "I", "roll", "back", "an", "ECS", "service"], obj=state
    )
    assert cited.exit_code == 0, cited.output
    assert cited.output.startswith("[1] bundled/deployment-rollback.md § Amazon ECS (lines ")
    assert "update-service" in cited.output

    none = runner.invoke(kb_group, ["search", "best pizza in town"], obj=state)
    assert none.exit_code == 0 and none.output.startswith("No source found")

    as_json = runner.invoke(kb_group, ["search", "--json", "--tag", "tls", "certificate expired"], obj=state)
    hits = json.loads(as_json.output)
    assert hits and all(h["source"] == "bundled/tls-certificate-expiry.md" for h in hits)

    unknown = runner.invoke(kb_group, ["search", "--source", "nosuch", "disk"], obj=state)
    assert unknown.exit_code == 1 and "no indexed document path contains 'nosuch'" in unknown.output
