"""One knowledge base per process and settings, carried in the tool context's extras.

The embedding model is the expensive part (seconds to load): it is shared by every
knowledge base built for the same model, so swapping data folders never reloads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledge.base import KnowledgeBase
from knowledge.embeddings import Embedder

if TYPE_CHECKING:
    from config import Settings

KB_KEY = "knowledge_base"
EMBEDDER_KEY = "knowledge_embedder"


def _identity(settings: Settings) -> tuple[Any, ...]:
    return (
        str(settings.data_dir),
        settings.qdrant_url,
        settings.embedding_model,
        tuple(str(p) for p in settings.knowledge_paths),
    )


def knowledge_for(extras: dict[str, Any], settings: Settings) -> KnowledgeBase:
    """The cached knowledge base for these settings, built (and the model loaded) on first use."""
    kb = extras.get(KB_KEY)
    if isinstance(kb, KnowledgeBase) and _identity(kb.settings) == _identity(settings):
        return kb
    if isinstance(kb, KnowledgeBase):
        kb.close()
    embedder = extras.get(EMBEDDER_KEY)
    if not (
        isinstance(embedder, Embedder)
        and embedder.model_name == settings.embedding_model
        and embedder.threads == settings.torch_threads
    ):
        embedder = Embedder.from_settings(settings)
        extras[EMBEDDER_KEY] = embedder
    kb = KnowledgeBase(settings, embedder=embedder)
    extras[KB_KEY] = kb
    return kb


def close_knowledge(extras: dict[str, Any]) -> None:
    """Release the store (the embedded one is locked while open). Safe to call twice."""
    kb = extras.pop(KB_KEY, None)
    if isinstance(kb, KnowledgeBase):
        kb.close()
