"""The Qdrant-server code path (qdrant-client), run against qdrant-client's in-memory mode:
the same ingestion and retrieval code as the embedded store, with the same results."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qdrant_client import QdrantClient

from config import load_settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import Embedder
from knowledge.index import VectorIndex
from knowledge.index_client import ClientIndex


def test_client_index_ingests_and_searches_like_the_embedded_one(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kafka.md").write_text("# Kafka\n\n## Consumer lag\n\nAdd consumers when KAFKA_LAG_HIGH fires.\n")
    (docs / "redis.md").write_text("---\ntags: [cache]\n---\n# Redis\n\n## Evictions\n\nRaise maxmemory.\n")
    client = QdrantClient(location=":memory:")

    def factory(dimension: Callable[[], int], create: bool) -> VectorIndex | None:
        if not create and not client.collection_exists("kb"):
            return None
        return ClientIndex(client, "kb", dimension, location=":memory:")

    settings = load_settings(data_dir=tmp_path / "data")
    with (
        KnowledgeBase(settings, embedder=embedder, index_factory=factory) as remote,
        KnowledgeBase(
            settings.model_copy(update={"data_dir": tmp_path / "edge"}), embedder=embedder
        ) as local,
    ):
        assert remote.search("kafka").hits == []
        for kb in (remote, local):
            assert sorted(kb.ingest([docs]).added) == ["docs/kafka.md", "docs/redis.md"]
            assert kb.ingest([docs]).unchanged == 2
        for query, tag in (("KAFKA_LAG_HIGH", None), ("cache evictions", "cache")):
            a = [(h.source, h.section) for h in remote.search(query, tag=tag).hits]
            b = [(h.source, h.section) for h in local.search(query, tag=tag).hits]
            assert a == b and a
        (docs / "redis.md").unlink()
        assert remote.ingest([docs]).deleted[0].endswith("docs/redis.md")
        assert remote.stats().model_dump(include={"documents", "chunks"}) == {"documents": 1, "chunks": 1}
