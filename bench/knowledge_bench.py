"""Knowledge base benchmark: ingest throughput and query latency on the embedded store.

    python bench/knowledge_bench.py                 # ingest sample + 10k and 50k chunk stores
    python bench/knowledge_bench.py --sizes 10000   # one size only
    python bench/knowledge_bench.py --compare-local # also qdrant-client local mode at 10k

What it measures, each in a fresh child process (so peak memory is per stage):

- ingest: synthetic runbooks (--sample-docs documents of ~10 sections) go through the real
  pipeline (parse, chunk, embed with all-MiniLM-L6-v2 on --threads torch threads, write);
  reports chunks/s and how much of the time was embedding.
- query latency at N chunks: the store is filled with N synthetic chunks whose dense vectors
  are real embeddings of synthetic chunk texts plus noise (embedding 50k texts on one CPU
  thread would take the better part of an hour) and whose lexical vectors come from the
  texts; then 200 questions are run through `KnowledgeBase.search`, end to end (query
  embedding + hybrid query + scoring), and through the store alone, unfiltered and filtered
  by source and by tag. Reports p50/p95 and the peak resident memory of the process.

Every stage has a time limit and the script stops by itself.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVICES = ["checkout-api", "payments", "search", "ledger", "auth", "notifications", "reporting", "ingest"]
ACTIONS = ["restart", "scale out", "roll back", "drain", "fail over", "rotate", "purge", "resize"]
THINGS = [
    "the consumer group",
    "the primary database",
    "the cache cluster",
    "the worker pool",
    "the load balancer target group",
    "the NAT gateway",
    "the log bucket",
    "the message queue",
]
CAUSES = [
    "a memory leak",
    "a full disk",
    "an expired certificate",
    "throttling",
    "a bad deploy",
    "a noisy neighbour",
    "a stuck migration",
    "a DNS change",
]


def _words(rng: random.Random) -> dict[str, str]:
    return {
        "svc": rng.choice(SERVICES),
        "act": rng.choice(ACTIONS),
        "thing": rng.choice(THINGS),
        "cause": rng.choice(CAUSES),
        "code": f"ERR_{rng.choice(['DISK', 'CONN', 'AUTH', 'QUOTA', 'TLS'])}_{rng.randint(100, 999)}",
        "rid": f"i-{rng.getrandbits(48):012x}",
        "sg": f"sg-{rng.getrandbits(32):08x}",
        "n": str(rng.randint(2, 64)),
    }


SENTENCES = [
    "When {svc} reports {code}, check whether {cause} is the reason before you {act} {thing}.",
    "To {act} {thing} for {svc}, run `cpctl {act} {svc} --replicas {n}` and watch the error rate.",
    "Instance {rid} in security group {sg} hosts {thing}; page the {svc} owners if it is unhealthy.",
    "If {code} keeps firing after you {act} {thing}, escalate to the {svc} on-call engineer.",
    "{cause} on {svc} usually shows up first as latency on {thing}, then as {code} errors.",
    "Never {act} {thing} during a change freeze unless the incident commander approves it.",
    "After you {act} {thing}, confirm that {svc} has recovered and record {rid} in the timeline.",
]


def chunk_text(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(rng.choice(SENTENCES).format(**_words(rng)) for _ in range(sentences))


def question(rng: random.Random) -> str:
    w = _words(rng)
    return rng.choice(
        [
            "how do I {act} {thing} for {svc}?",
            "what should I do when {svc} reports {code}?",
            "who do I escalate to about {cause} on {svc}?",
            "is it safe to {act} {thing} during a change freeze?",
        ]
    ).format(**w)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _settings(data_dir: Path, threads: int) -> Any:
    from config import load_settings

    return load_settings(data_dir=data_dir, torch_threads=threads)


def stage_ingest(docs: int, threads: int) -> dict[str, Any]:
    from knowledge.base import KnowledgeBase

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "runbooks"
        folder.mkdir()
        for d in range(docs):
            sections = [
                f"## Section {s}: {rng.choice(ACTIONS)} {rng.choice(THINGS)}\n\n{chunk_text(rng)}\n"
                for s in range(10)
            ]
            (folder / f"runbook-{d:03d}.md").write_text(f"# Runbook {d}\n\n" + "\n".join(sections))
        with KnowledgeBase(_settings(Path(tmp) / "data", threads)) as kb:
            load_started = time.perf_counter()
            _ = kb.embedder.dimension
            load_s = time.perf_counter() - load_started
            report = kb.ingest([folder])
            again = time.perf_counter()
            unchanged = kb.ingest([folder])
            reingest_s = time.perf_counter() - again
    return {
        "stage": "ingest",
        "documents": docs,
        "chunks": report.chunks_written,
        "model_load_s": round(load_s, 2),
        "ingest_s": round(report.seconds, 2),
        "embed_s": round(report.embed_seconds, 2),
        "chunks_per_s": round(report.chunks_written / report.seconds, 1),
        "embed_share": round(report.embed_seconds / report.seconds, 3),
        "reingest_unchanged_s": round(reingest_s, 3),
        "reingest_unchanged": unchanged.unchanged,
        "peak_rss_mib": round(_peak_mib()),
    }


def _fill(kb: Any, chunks: int, rng: random.Random, optimise: bool = True) -> tuple[float, float]:
    """Write `chunks` synthetic chunks in batches; returns (write seconds, optimise seconds)."""
    from knowledge.index import ChunkRecord, doc_version
    from knowledge.lexical import document_vector

    bases_text = [chunk_text(rng) for _ in range(256)]
    bases = kb.embedder.encode(bases_text)
    # An ingest's way in: a writer on the store, published at the end.
    with kb.store().writing() as writer:
        assert writer is not None
        index = writer.index
        gen = np.random.default_rng(11)
        written = 0.0
        batch = 1000
        per_doc = 10
        for start in range(0, chunks, batch):
            size = min(batch, chunks - start)
            noise = gen.normal(scale=0.04, size=(size, bases.shape[1])).astype(np.float32)
            picks = gen.integers(0, len(bases), size=size)
            vecs = bases[picks] + noise
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            records = []
            for i in range(size):
                n = start + i
                doc = f"file:/bench/runbook-{n // per_doc:05d}.md"
                text = chunk_text(rng)
                digest = "0" * 32
                records.append(
                    ChunkRecord(
                        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc}#{n}")),
                        dense=vecs[i],
                        sparse=document_vector(text),
                        payload={
                            "doc_key": doc,
                            "doc_hash": digest,
                            "doc_version": doc_version(doc, digest),
                            "source": f"bench/runbook-{n // per_doc:05d}.md",
                            "kind": "file",
                            "title": f"Runbook {n // per_doc}",
                            "section": f"Section {n % per_doc}",
                            "text": text,
                            "lines": [1, 5],
                            "url": None,
                            "tags": [rng.choice(["database", "network", "security", "cost"])],
                            "chunk": n % per_doc,
                        },
                    )
                )
            started = time.perf_counter()
            index.upsert(records)
            written += time.perf_counter() - started
        index.flush()
        started = time.perf_counter()
        run = getattr(index, "optimize", None)
        if optimise and run is not None:
            run()
        optimise_s = time.perf_counter() - started
        writer.publish = True
    return written, optimise_s


def stage_latency(chunks: int, threads: int, queries: int, optimise: bool = True) -> dict[str, Any]:
    from knowledge.base import KnowledgeBase
    from knowledge.index import Scope
    from knowledge.lexical import query_vector

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(_settings(Path(tmp) / "data", threads)) as kb:
        write_s, optimise_s = _fill(kb, chunks, rng, optimise)
        reading = kb.reading()
        index = reading.__enter__()
        assert index is not None
        texts = [question(rng) for _ in range(queries)]
        vectors = kb.embedder.encode(texts)
        for t in texts[:10]:  # warm-up: caches, thread pools
            kb.search(t)

        def timed(fn: Any) -> list[float]:
            out = []
            for i, t in enumerate(texts):
                started = time.perf_counter()
                fn(i, t)
                out.append((time.perf_counter() - started) * 1000)
            return out

        end_to_end = timed(lambda i, t: kb.search(t, top_k=5))
        embed_only = timed(lambda i, t: kb.embedder.encode_query(t))
        store_only = timed(lambda i, t: index.hybrid(vectors[i], query_vector(t), Scope(), 10, 50))
        sources = tuple(f"bench/runbook-{rng.randrange(chunks // 10):05d}.md" for _ in range(3))
        by_source = timed(
            lambda i, t: index.hybrid(vectors[i], query_vector(t), Scope(sources=sources), 10, 50)
        )
        by_tag = timed(
            lambda i, t: index.hybrid(vectors[i], query_vector(t), Scope(tags=("network",)), 10, 50)
        )
        count = index.count()
        reading.__exit__(None, None, None)

    def summary(values: list[float]) -> dict[str, float]:
        return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(_pct(values, 0.95), 2)}

    return {
        "stage": "latency" if optimise else "latency, segments not optimised",
        "chunks": count,
        "store_write_chunks_per_s": round(chunks / write_s),
        "optimise_s": round(optimise_s, 1),
        "end_to_end": summary(end_to_end),
        "query_embedding": summary(embed_only),
        "store_hybrid": summary(store_only),
        "store_hybrid_filter_source": summary(by_source),
        "store_hybrid_filter_tag": summary(by_tag),
        "peak_rss_mib": round(_peak_mib()),
    }


def stage_local(chunks: int, queries: int) -> dict[str, Any]:
    """qdrant-client's local mode on disk, for comparison (its writes and filters are Python)."""
    import warnings

    from qdrant_client import QdrantClient

    from knowledge.index_client import ClientIndex

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        client = QdrantClient(path=str(Path(tmp) / "local"))
        from knowledge.base import KnowledgeBase

        def factory(dimension: Any, create: bool) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ClientIndex(client, "bench", dimension, location="local")

        with KnowledgeBase(_settings(Path(tmp) / "data", 1), index_factory=factory) as kb:
            write_s, _ = _fill(kb, chunks, rng)
            from knowledge.index import Scope
            from knowledge.lexical import query_vector

            with kb.reading() as opened:
                assert opened is not None
                index = opened
            texts = [question(rng) for _ in range(queries)]
            vectors = kb.embedder.encode(texts)
            plain, filtered = [], []
            for i, t in enumerate(texts):
                started = time.perf_counter()
                index.hybrid(vectors[i], query_vector(t), Scope(), 10, 50)
                plain.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                index.hybrid(vectors[i], query_vector(t), Scope(tags=("network",)), 10, 50)
                filtered.append((time.perf_counter() - started) * 1000)
    return {
        "stage": "qdrant-client local mode",
        "chunks": chunks,
        "store_write_chunks_per_s": round(chunks / write_s),
        "store_hybrid": {"p50_ms": round(statistics.median(plain), 1), "p95_ms": round(_pct(plain, 0.95), 1)},
        "store_hybrid_filter_tag": {
            "p50_ms": round(statistics.median(filtered), 1),
            "p95_ms": round(_pct(filtered, 0.95), 1),
        },
        "peak_rss_mib": round(_peak_mib()),
    }


def _child(args: list[str], timeout: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        return {"stage": " ".join(args), "error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--sample-docs", type=int, default=40, help="documents in the ingest sample")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (settings.torch_threads)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--compare-local", action="store_true")
    parser.add_argument("--no-optimise", action="store_true", help="query the store as written, unoptimised")
    parser.add_argument("--timeout", type=int, default=1500, help="seconds per stage")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, value = args.child[0], int(args.child[1])
        if kind == "ingest":
            out = stage_ingest(value, args.threads)
        elif kind == "latency":
            out = stage_latency(value, args.threads, args.queries, optimise=not args.no_optimise)
        else:
            out = stage_local(value, args.queries)
        print(json.dumps(out))
        return 0
    common = ["--threads", str(args.threads), "--queries", str(args.queries)]
    if args.no_optimise:
        common.append("--no-optimise")
    results = [_child(["ingest", str(args.sample_docs), *common], args.timeout)]
    results += [_child(["latency", str(n), *common], args.timeout) for n in args.sizes]
    if args.compare_local:
        results.append(_child(["local", "10000", *common], args.timeout))
    for r in results:
        print(json.dumps(r))
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
