"""The functions behind `cloudpilot kb ...`: each opens the knowledge base, works, closes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.base import KnowledgeBase, Progress
from knowledge.models import Hit, IngestReport, KbStats

if TYPE_CHECKING:
    from config import Settings


def _s3_client(settings: Settings) -> Callable[[], Any]:
    def build() -> Any:
        # AWS clients are built in one place only (sandbox endpoint, profiles, regions).
        from tools.aws import AwsClients

        return AwsClients(settings.aws).client(
            "s3", settings.aws.regions[0] if settings.aws.regions else None
        )

    return build


def ingest(settings: Settings, paths: Sequence[str | Path], progress: Progress | None = None) -> IngestReport:
    """Index folders, files, s3:// prefixes, "bundled" or "botocore[:svc,...]"."""
    with KnowledgeBase(settings) as kb:
        return kb.ingest(list(paths), progress=progress, s3_client=_s3_client(settings))


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
