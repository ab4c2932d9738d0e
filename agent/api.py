"""Everything a front-end may use from the layers below the agent, in one place.

Front-ends (`bot/`) import the agent only: the reply's presentation parts, approval and audit
records, the user-facing error type, the admin operations and the planner evaluation suite
(`run_eval`) all come through here, so the tools, the store and the knowledge base can change
shape without touching any chat platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.evaluation import DEFAULT_CASES_DIR as EVAL_CASES_DIR
from agent.evaluation import EvalReport, PlannerKind
from agent.evaluation import run_suite as run_eval
from knowledge import cli_api as _kb
from knowledge.embeddings import EmbeddingError
from knowledge.errors import KnowledgeError
from knowledge.ingestion import Progress
from knowledge.models import Hit, IngestReport, KbStats
from store.approvals import ApprovalStatus
from store.audit import AuditRecord, ChainReport
from store.digests import DigestRuns
from tools.base import Fix, UserFacingError
from tools.cost import manage as _cost
from tools.cost.manage import StoreStatus as CostStatus
from tools.cost.writer import IngestReport as CostIngestReport
from tools.inventory.aws import AwsClients
from tools.presentation import Chart, Citation, CodeBlock, Table

if TYPE_CHECKING:
    from config import Settings

__all__ = [
    "ApprovalStatus",
    "AuditRecord",
    "ChainReport",
    "Chart",
    "Citation",
    "CodeBlock",
    "CostIngestReport",
    "CostStatus",
    "DigestRuns",
    "EVAL_CASES_DIR",
    "EmbeddingError",
    "EvalReport",
    "Fix",
    "Hit",
    "IngestReport",
    "KbStats",
    "KnowledgeError",
    "PlannerKind",
    "Progress",
    "Table",
    "UserFacingError",
    "cost_ingest",
    "cost_status",
    "kb_ingest",
    "kb_search",
    "kb_stats",
    "run_eval",
]


def cost_ingest(settings: Settings, sources: Sequence[str], now: datetime) -> CostIngestReport:
    """Load billing exports (files, folders, s3:// prefixes) into the cost store."""
    return _cost.ingest(settings, sources, now)


def cost_status(settings: Settings, now: datetime) -> CostStatus:
    """Billing periods, rows, providers and the last ingest of the cost store."""
    return _cost.status(settings, now)


def kb_ingest(
    settings: Settings, paths: Sequence[str | Path], progress: Progress | None = None
) -> IngestReport:
    # The knowledge base is below the tools layer: AWS access for s3:// paths is handed down.
    return _kb.ingest(settings, paths, progress, s3_client=lambda: AwsClients(settings.aws).client("s3"))


def kb_search(
    settings: Settings, query: str, top_k: int = 5, source: str | None = None, tag: str | None = None
) -> list[Hit]:
    return _kb.search(settings, query, top_k=top_k, source=source, tag=tag)


def kb_stats(settings: Settings) -> KbStats:
    return _kb.stats(settings)
