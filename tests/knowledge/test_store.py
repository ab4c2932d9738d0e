"""Several processes share one embedded store: they search at the same time, and an ingest
in one of them never stops the others from answering (knowledge/edge_store.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from config import Settings, load_settings
from knowledge.base import KnowledgeBase
from knowledge.edge_store import CURRENT, GENERATIONS, READERS, EdgeStore
from knowledge.embeddings import Embedder
from knowledge.errors import StoreUnavailable
from knowledge.index import ChunkRecord
from knowledge.index_edge import EdgeIndex
from knowledge.lexical import document_vector
from tools.base import ToolContext, ToolStatus
from tools.knowledge.search_knowledge import SearchKnowledge, SearchKnowledgeInput
from tools.services import Services

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = {
    "what is our runbook for a full disk?": "bundled/database-disk-full.md",
    "how do I rotate an access key?": "bundled/access-key-rotation.md",
    "how do I roll back an ECS deploy?": "bundled/deployment-rollback.md",
    "when does the on-call shift change?": "bundled/oncall-escalation.md",
}


def _process(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.knowledge.kb_process", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, processes: list[subprocess.Popen[str]], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        for p in processes:
            if p.poll() is not None:
                raise AssertionError(f"worker exited early: {p.communicate()}")
        assert time.monotonic() < deadline, f"timed out waiting for {path.name}"
        time.sleep(0.05)


@pytest.fixture
def shared(tmp_path: Path, embedder: Embedder) -> Iterator[tuple[Settings, KnowledgeBase]]:
    """A data folder with the bundled corpus indexed, held open by this process the way
    `cloudpilot chat` or the Slack app holds it."""
    settings = load_settings(data_dir=tmp_path / "data", torch_threads=1)
    with KnowledgeBase(settings, embedder=embedder) as kb:
        kb.sync_defaults()
        assert kb.search("what is our runbook for a full disk?").hits
        yield settings, kb


def test_two_processes_answer_runbook_questions_at_the_same_time(
    shared: tuple[Settings, KnowledgeBase], tmp_path: Path
) -> None:
    settings, kb = shared
    signals = tmp_path / "signals"
    signals.mkdir()
    questions = list(QUESTIONS) * 3
    workers = [_process("search", str(settings.data_dir), str(signals), *questions) for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while len(list(signals.glob("ready-*"))) < 2:
            for w in workers:
                assert w.poll() is None, w.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (signals / "go").touch()
        outputs = [w.communicate(timeout=120) for w in workers]
    finally:
        for w in workers:
            w.kill()
    spans = []
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        answers = [json.loads(line) for line in out.splitlines()]
        assert [a["top"] for a in answers] == [QUESTIONS[q] for q in questions], err
        spans.append((answers[0]["started"], answers[-1]["ended"]))
    # Both answered within the same stretch of time (neither waited for the other to exit),
    # while this process kept the store open and kept answering too.
    (a_start, a_end), (b_start, b_end) = spans
    assert a_start < b_end and b_start < a_end
    assert kb.search("how do I rotate an access key?").hits[0].source == "bundled/access-key-rotation.md"


def test_the_cli_searches_while_another_process_holds_the_store(
    shared: tuple[Settings, KnowledgeBase],
) -> None:
    settings, _kb = shared
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.main", "--data-dir", str(settings.data_dir), "kb", "search", "-k", "2"]
        + ["what", "is", "our", "runbook", "for", "a", "full", "disk?"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("[1] bundled/database-disk-full.md"), done.stdout
    assert "in use" not in done.stdout + done.stderr


def test_a_reader_keeps_answering_while_another_process_ingests(
    shared: tuple[Settings, KnowledgeBase], tmp_path: Path
) -> None:
    settings, kb = shared
    folder = tmp_path / "team"
    folder.mkdir()
    for n in range(6):
        (folder / f"service-{n}.md").write_text(
            f"# Service {n}\n\n## Restart\n\nRestart service {n} with `svcctl restart quokka-{n}` "
            "after draining its queue.\n"
        )
    signals = tmp_path / "signals"
    signals.mkdir()
    hold = 6.0  # seconds the ingest stays inside the store's write lock, mid-embedding
    worker = _process("ingest", str(settings.data_dir), str(signals), str(folder), str(hold))
    try:
        _wait_for(signals / "ingesting", [worker])
        holding_until = time.monotonic() + hold - 0.5
        answered, slowest = 0, 0.0
        while worker.poll() is None:
            started = time.perf_counter()
            hits = kb.search("what is our runbook for a full disk?").hits
            slowest = max(slowest, time.perf_counter() - started)
            assert hits and hits[0].source == "bundled/database-disk-full.md"
            if time.monotonic() < holding_until:
                # Mid-ingest: the new documents are not visible before the ingest publishes them.
                assert not any("quokka" in h.text for h in kb.search("svcctl restart quokka-3").hits)
            answered += 1
            time.sleep(0.05)
        out, err = worker.communicate(timeout=60)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    assert len(json.loads(out)["added"]) == 6
    # Never blocked by the ingest: each answer took a fraction of the time it held the store.
    assert answered >= 3 and slowest < hold / 2, (answered, slowest)
    # Published: this process sees the new generation on its next search, without reopening.
    top = kb.search("svcctl restart quokka-3", top_k=1).hits[0]
    assert top.source == "team/service-3.md"


def test_an_ingest_waits_for_another_and_readers_never_do(tmp_path: Path, embedder: Embedder) -> None:
    store = EdgeStore(tmp_path / "kb", lambda: embedder.dimension)
    other = EdgeStore(tmp_path / "kb", lambda: embedder.dimension)
    with store.writing() as writer:
        assert writer is not None
        writer.index.upsert([_record(embedder, "first")])
        writer.publish = True
        with other.writing(wait=False) as busy:
            assert busy is None  # one ingest at a time
        with other.reading() as (index, version):
            assert index is None and version is None  # nothing published yet
    with other.reading() as (index, version):
        assert index is not None and index.count() == 1 and version == store.current()
    store.close()
    other.close()


def test_old_generations_and_copies_of_dead_processes_are_removed(tmp_path: Path, embedder: Embedder) -> None:
    root = tmp_path / "kb"
    reader = EdgeStore(root, lambda: embedder.dimension)
    writer = EdgeStore(root, lambda: embedder.dimension)
    for text in ("one", "two"):
        with writer.writing() as w:
            assert w is not None
            w.index.upsert([_record(embedder, text)])
            w.publish = True
        with reader.reading() as (index, _):
            assert index is not None
    first_generations = sorted(p.name for p in (root / GENERATIONS).iterdir())
    assert first_generations == [writer.current()]
    # A process that died left its private copy behind: the next reader deletes it.
    (root / READERS / "999999-deadbeef.lock").touch()
    (root / READERS / "999999-deadbeef" / "x").mkdir(parents=True)
    late = EdgeStore(root, lambda: embedder.dimension)
    with late.reading() as (index, _):
        assert index is not None and index.count() == 2
    assert not (root / READERS / "999999-deadbeef").exists()
    for store in (reader, writer, late):
        store.close()
    assert list((root / READERS).iterdir()) == []


def test_a_store_from_before_generations_is_converted(tmp_path: Path, embedder: Embedder) -> None:
    root = tmp_path / "kb"
    legacy = EdgeIndex(root, lambda: embedder.dimension)
    legacy.upsert([_record(embedder, "legacy")])
    legacy.close()
    store = EdgeStore(root, lambda: embedder.dimension)
    with store.reading() as (index, _):
        assert index is not None and index.count() == 1
    assert (root / CURRENT).is_file() and not (root / "segments").exists()
    store.close()


def test_a_damaged_store_says_what_is_wrong_and_what_to_do(
    tmp_path: Path, embedder: Embedder, kb_ctx: ToolContext
) -> None:
    settings = load_settings(data_dir=tmp_path / "data", torch_threads=2)
    with KnowledgeBase(settings, embedder=embedder) as kb:
        kb.ingest(["bundled"])
        (kb.edge_path / CURRENT).write_text("no-such-generation\n")
        with pytest.raises(StoreUnavailable, match="damaged.*kb ingest bundled"):
            kb.search("what is our runbook for a full disk?")
    ctx = replace(kb_ctx, settings=settings, services=Services())
    ctx.services.embedder = embedder
    try:
        result = SearchKnowledge().run(
            ctx, SearchKnowledgeInput(query="what is our runbook for a full disk?")
        )
    finally:
        ctx.services.close()
    assert result.status == ToolStatus.ERROR
    assert not result.message.startswith("No source found") and "damaged" in result.message
    # An explicit ingest rebuilds it.
    with KnowledgeBase(settings, embedder=embedder) as kb:
        assert kb.ingest(["bundled"]).added
        assert kb.search("what is our runbook for a full disk?").hits


def _record(embedder: Embedder, text: str) -> ChunkRecord:
    return ChunkRecord(
        id=f"00000000-0000-0000-0000-{abs(hash(text)) % 10**12:012d}",
        dense=embedder.encode_query(text),
        sparse=document_vector(text),
        payload={"doc_key": text, "doc_version": f"{text}\nv1", "source": text, "text": text, "tags": []},
    )
