"""Which knowledge base to use for a set of settings, given the one already in use.

The caller keeps the knowledge base and its embedding model between calls (the tool context's
services) and hands them back here. The model is the expensive part (seconds to load): it is
reused by every knowledge base built for the same model and thread count, so swapping data
folders never reloads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.base import KnowledgeBase
from knowledge.embeddings import Embedder

if TYPE_CHECKING:
    from config import Settings

Identity = tuple[str, str | None, str, tuple[str, ...]]


def _identity(settings: Settings) -> Identity:
    """What a knowledge base is bound to: another value means another store or corpus."""
    return (
        str(settings.data_dir),
        settings.qdrant_url,
        settings.embedding_model,
        tuple(str(p) for p in settings.knowledge_paths),
    )


def _fits(embedder: Embedder, settings: Settings) -> bool:
    return embedder.model_name == settings.embedding_model and embedder.threads == settings.torch_threads


def knowledge_for(
    settings: Settings, current: KnowledgeBase | None = None, embedder: Embedder | None = None
) -> KnowledgeBase:
    """`current` when it was built for these settings' store and corpus; otherwise a new
    knowledge base (`current` is closed, which deletes its private copy of the store), on
    `embedder` when it runs the configured model on the configured threads."""
    if current is not None:
        if _identity(current.settings) == _identity(settings):
            return current
        current.close()
    if embedder is None or not _fits(embedder, settings):
        embedder = Embedder.from_settings(settings)
    return KnowledgeBase(settings, embedder=embedder)
