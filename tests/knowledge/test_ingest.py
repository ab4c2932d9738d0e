from __future__ import annotations

from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.index import split_version
from knowledge.ingestion import IngestProgress


def _write(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n## Steps\n\n{body}\n")
    return path


def _versions(kb: KnowledgeBase) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with kb.reading() as index:
        assert index is not None
        for value in index.facet("doc_version"):
            key, digest = split_version(value)
            out.setdefault(key.rsplit("/", 1)[-1], set()).add(digest)
    return out


def test_reingest_updates_only_changed_new_and_deleted(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    docs = tmp_path / "runbooks"
    _write(docs, "vpn.md", "VPN", "Reconnect the VPN client.")
    _write(docs, "sub/dns.md", "DNS", "Flush the resolver cache.")
    _write(docs, "old.md", "Old", "Obsolete procedure.")
    (docs / "notes.bin").write_bytes(b"\x00\x01")  # not a document type: ignored
    (docs / ".git").mkdir()
    _write(docs / ".git", "x.md", "Hidden", "never indexed")

    events: list[IngestProgress] = []
    first = small_kb.ingest([docs], progress=events.append)
    reading = [(e.files_done, e.files_total) for e in events if e.stage == "reading"]
    embedding = [(e.chunks_done, e.chunks_total) for e in events if e.stage == "embedding"]
    assert reading[0] == (0, 3) and reading[-1] == (3, 3)
    assert embedding[0] == (0, 3) and embedding[-1] == (3, 3)
    assert [e.stage for e in events][-2:] == ["writing", "done"]
    assert sorted(first.added) == ["runbooks/old.md", "runbooks/sub/dns.md", "runbooks/vpn.md"]
    assert first.chunks_written == 3 and not first.skipped

    again = small_kb.ingest([docs])
    assert (again.unchanged, again.chunks_written, again.changed) == (3, 0, False)

    _write(docs, "vpn.md", "VPN", "Reconnect the VPN client, then re-enter your token.")
    (docs / "old.md").unlink()
    _write(docs, "new.md", "New", "A new procedure.")
    third = small_kb.ingest([docs])
    assert third.updated == ["runbooks/vpn.md"]
    assert third.added == ["runbooks/new.md"]
    assert len(third.deleted) == 1 and third.deleted[0].endswith("runbooks/old.md")
    assert third.unchanged == 1 and third.chunks_written == 2

    versions = _versions(small_kb)
    assert sorted(versions) == ["dns.md", "new.md", "vpn.md"]
    assert all(len(v) == 1 for v in versions.values())  # the old vpn.md version is gone
    stats = small_kb.stats()
    assert (stats.documents, stats.chunks) == (3, 3)
    hit = small_kb.search("re-enter your token after reconnecting", top_k=1).hits[0]
    assert hit.source == "runbooks/vpn.md" and "re-enter your token" in hit.text


def test_unreadable_files_are_reported_and_skipped(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _write(docs, "good.md", "Good", "Readable runbook.")
    (docs / "broken.md").write_bytes(b"# Broken\n\xff\xfe\xfa")
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (docs / "empty.txt").write_text("\n\n")
    report = small_kb.ingest([docs, tmp_path / "missing-folder"])
    assert report.added == ["docs/good.md"]
    reasons = {s.source.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert "not UTF-8" in reasons["broken.md"]
    assert "unreadable PDF" in reasons["scan.pdf"]
    assert reasons["empty.txt"] == "no text to index"
    assert reasons["missing-folder"] == "no such file or folder"
    assert small_kb.stats().documents == 1


def test_a_document_that_becomes_unreadable_keeps_its_last_good_version(
    small_kb: KnowledgeBase, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    path = _write(docs, "db.md", "Database", "Promote the replica with pg_ctl promote.")
    small_kb.ingest([docs])
    path.write_bytes(b"# Database\n\xff garbage")
    report = small_kb.ingest([docs])
    assert [s.source for s in report.skipped] == ["docs/db.md"]
    assert not report.deleted
    hits = small_kb.search("pg_ctl promote", top_k=3).hits
    assert hits and "pg_ctl promote" in hits[0].text


def test_single_file_and_bundled_roots_do_not_delete_each_other(
    small_kb: KnowledgeBase, tmp_path: Path
) -> None:
    one = _write(tmp_path, "single.md", "Single", "One file runbook.")
    _write(tmp_path / "folder", "a.md", "A", "Folder runbook.")
    small_kb.ingest([one])
    report = small_kb.ingest([tmp_path / "folder"])
    assert report.added == ["folder/a.md"] and not report.deleted
    assert small_kb.stats().documents == 2


def test_s3_prefix_ingest(small_kb: KnowledgeBase, fresh_moto: str) -> None:
    from config import AwsSettings
    from tools.inventory.aws import AwsClients

    aws = AwsClients(AwsSettings(mode="sandbox", endpoint_url=fresh_moto, regions=["us-east-1"]))
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="team-docs")
    s3.put_object(
        Bucket="team-docs", Key="runbooks/kafka.md", Body=b"# Kafka\n\n## Lag\n\nRaise consumers.\n"
    )
    s3.put_object(Bucket="team-docs", Key="runbooks/image.png", Body=b"\x89PNG")
    s3.put_object(Bucket="team-docs", Key="other/skip.md", Body=b"# Not under the prefix\n")
    report = small_kb.ingest(["s3://team-docs/runbooks/"], s3_client=lambda: s3)
    assert report.added == ["s3://team-docs/runbooks/kafka.md"]
    s3.delete_object(Bucket="team-docs", Key="runbooks/kafka.md")
    assert small_kb.ingest(["s3://team-docs/runbooks/"], s3_client=lambda: s3).deleted == [
        "s3://team-docs/runbooks/kafka.md"
    ]
    missing = small_kb.ingest(["s3://no-such-bucket/x/"], s3_client=lambda: s3)
    assert "cannot list objects" in missing.skipped[0].reason


def test_botocore_api_reference(small_kb: KnowledgeBase) -> None:
    report = small_kb.ingest(["botocore:sts"])
    assert report.added == ["botocore/sts/2011-06-15"] and report.chunks_written > 5
    hits = small_kb.search("what does GetCallerIdentity return?", top_k=3).hits
    top = hits[0]
    assert top.section == "GetCallerIdentity" and "Account" in top.text
    assert top.url == "https://docs.aws.amazon.com/goto/WebAPI/sts-2011-06-15/GetCallerIdentity"
    assert top.lines is None
    assert "no service named" in small_kb.ingest(["botocore:nosuch"]).skipped[0].reason


def test_a_crash_between_write_and_cleanup_is_repaired_by_the_next_ingest(
    small_kb: KnowledgeBase, tmp_path: Path
) -> None:
    """New chunks are written before old ones are deleted; if the process dies in between,
    both versions exist until the next ingest, which keeps only the current one."""
    from knowledge.index import ChunkRecord, doc_version
    from knowledge.lexical import document_vector

    docs = tmp_path / "docs"
    _write(docs, "dns.md", "DNS", "Flush the resolver cache.")
    small_kb.ingest([docs])
    current = small_kb.search("flush the resolver cache", top_k=1).hits[0]
    key = "file:" + (docs / "dns.md").resolve().as_posix()
    stale = ChunkRecord(
        id="00000000-0000-0000-0000-000000000001",
        dense=small_kb.embedder.encode_query("old text"),
        sparse=document_vector("old text"),
        payload={
            "doc_key": key,
            "doc_hash": "old",
            "doc_version": doc_version(key, "old"),
            "source": current.source,
            "title": "DNS",
            "section": "Steps",
            "text": "old text",
            "tags": [],
        },
    )
    with small_kb.store().writing() as writer:
        assert writer is not None
        writer.index.upsert([stale])
        writer.publish = True
    assert len(_versions(small_kb)["dns.md"]) == 2
    report = small_kb.ingest([docs])
    assert report.updated == ["docs/dns.md"]
    assert len(_versions(small_kb)["dns.md"]) == 1 and small_kb.stats().chunks == 1
