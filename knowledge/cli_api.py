"""The functions behind `cloudpilot kb ...`: each opens the knowledge base, works, closes it.

AWS access (for s3:// sources) comes from the caller as a client factory: the knowledge
base sits below the tools layer, where AWS clients are built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.base import KnowledgeBase
from knowledge.ingestion import Progress
from knowledge.models import Hit, IngestReport, KbStats

if TYPE_CHECKING:
    from config import Settings


def ingest(
    settings: Settings,
    paths: Sequence[str | Path],
    progress: Progress | None = None,
    s3_client: Callable[[], Any] | None = None,
) -> IngestReport:
    """Index folders, files, s3:// prefixes (with `s3_client`), "bundled" or "botocore[:svc,...]"."""
    with KnowledgeBase(settings) as kb:
        return kb.ingest(list(paths), progress=progress, s3_client=s3_client)


def search(
    settings: Settings, query: str, top_k: int = 5, source: str | None = None, tag: str | None = None
) -> list[Hit]:
    """Hits above the relevance floor (empty: no source found). Indexes the bundled corpus
    and the configured folders first if they are new or changed."""
    with KnowledgeBase(settings) as kb:
        kb.sync_defaults()
        return kb.search(query, top_k=top_k, source=source, tag=tag).hits


def stats(settings: Settings) -> KbStats:
    with KnowledgeBase(settings) as kb:
        return kb.stats()
