"""Everything a front-end may use from the layers below the agent, in one place.

Front-ends (`bot/`) import the agent only: the reply's presentation parts, approval and audit
records, the user-facing error type, the admin operations and the planner evaluation suite
(`run_eval`) all come through here, so the tools, the store and the knowledge base can change
shape without touching any chat platform.

What every turn needs is imported with this module; the rest (the evaluation suite, the
knowledge base, alerts, billing ingest, the IAM policy) is imported on first use (PEP 562
`__getattr__` below), so a terminal question does not pay for what it never touches. The
`TYPE_CHECKING` imports give the lazy names their types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.front import (
    ApprovalCard,
    Approvers,
    approval_card,
    approver_groups,
    approvers_of,
    attach_card,
    canonical_user,
    latest_critical_findings,
    names_of,
    recent_requests,
    same_person,
    waiting_for,
)
from store.approvals import ApprovalStatus
from store.audit import AuditRecord, ChainReport
from store.finding_types import StoredFinding as Finding
from tools.base import Fix, UserFacingError
from tools.presentation import Chart, Citation, CodeBlock, Table
from tools.progress import ProgressStep, watch_progress

if TYPE_CHECKING:
    from agent.alerts import AlertEvaluation, AlertEvent, evaluate_alert
    from agent.documents import KbDocument, KbDocumentText
    from agent.evaluation import DEFAULT_CASES_DIR as EVAL_CASES_DIR
    from agent.evaluation import EvalReport, PlannerKind
    from agent.evaluation import run_suite as run_eval
    from agent.turn import Agent
    from config import Settings
    from knowledge.embeddings import EmbeddingError
    from knowledge.errors import KnowledgeError
    from knowledge.ingestion import Progress
    from knowledge.models import Hit, IngestReport, KbStats
    from store.alerts import AlertLog, AlertOccurrence
    from store.digests import DigestRuns
    from tools.cost.manage import StoreStatus as CostStatus
    from tools.cost.writer import IngestReport as CostIngestReport
    from tools.iam_policy import PolicyError, PolicyMode
    from tools.security.catalogue import RuleInfo

__all__ = [
    "AlertEvaluation",
    "AlertEvent",
    "AlertLog",
    "AlertOccurrence",
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
    "KbDocument",
    "KbDocumentText",
    "KbStats",
    "KnowledgeError",
    "PlannerKind",
    "PolicyError",
    "PolicyMode",
    "Progress",
    "ProgressStep",
    "RuleInfo",
    "Table",
    "UserFacingError",
    "cost_ingest",
    "cost_status",
    "agent_now",
    "alert_history",
    "alert_log",
    "digest_runs",
    "evaluate_alert",
    "iam_policy",
    "iam_member_roles_template",
    "kb_document",
    "kb_documents",
    "kb_ingest",
    "kb_search",
    "kb_stats",
    "run_eval",
    "security_rules",
    "watch_progress",
]

# What a chat front-end needs about approval cards, approvers and its home view (agent/front.py).
__all__ += [
    "ApprovalCard",
    "Approvers",
    "Finding",
    "approval_card",
    "approver_groups",
    "approvers_of",
    "attach_card",
    "canonical_user",
    "latest_critical_findings",
    "names_of",
    "recent_requests",
    "same_person",
    "waiting_for",
]


# -- imported on first use -------------------------------------------------------------------------


def _alerts() -> dict[str, Any]:
    from agent.alerts import AlertEvaluation, AlertEvent, evaluate_alert
    from store.alerts import AlertLog, AlertOccurrence

    return {
        "AlertEvaluation": AlertEvaluation,
        "AlertEvent": AlertEvent,
        "evaluate_alert": evaluate_alert,
        "AlertLog": AlertLog,
        "AlertOccurrence": AlertOccurrence,
    }


def _evaluation() -> dict[str, Any]:
    from agent.evaluation import DEFAULT_CASES_DIR, EvalReport, PlannerKind, run_suite

    return {
        "EVAL_CASES_DIR": DEFAULT_CASES_DIR,
        "EvalReport": EvalReport,
        "PlannerKind": PlannerKind,
        "run_eval": run_suite,
    }


def _knowledge() -> dict[str, Any]:
    from knowledge.embeddings import EmbeddingError
    from knowledge.errors import KnowledgeError
    from knowledge.ingestion import Progress
    from knowledge.models import Hit, IngestReport, KbStats

    return {
        "EmbeddingError": EmbeddingError,
        "KnowledgeError": KnowledgeError,
        "Progress": Progress,
        "Hit": Hit,
        "IngestReport": IngestReport,
        "KbStats": KbStats,
    }


def _digests() -> dict[str, Any]:
    from store.digests import DigestRuns

    return {"DigestRuns": DigestRuns}


def _cost() -> dict[str, Any]:
    from tools.cost.manage import StoreStatus
    from tools.cost.writer import IngestReport as WriterReport

    return {"CostStatus": StoreStatus, "CostIngestReport": WriterReport}


def _security() -> dict[str, Any]:
    from tools.security.catalogue import RuleInfo

    return {"RuleInfo": RuleInfo}


def _iam() -> dict[str, Any]:
    from tools.iam_policy import PolicyError, PolicyMode

    return {"PolicyError": PolicyError, "PolicyMode": PolicyMode}


_LAZY: dict[str, Callable[[], dict[str, Any]]] = {
    name: loader
    for loader, names in (
        (_alerts, ("AlertEvaluation", "AlertEvent", "evaluate_alert", "AlertLog", "AlertOccurrence")),
        (_evaluation, ("EVAL_CASES_DIR", "EvalReport", "PlannerKind", "run_eval")),
        (_knowledge, ("EmbeddingError", "KnowledgeError", "Progress", "Hit", "IngestReport", "KbStats")),
        (_digests, ("DigestRuns",)),
        (_cost, ("CostStatus", "CostIngestReport")),
        (_iam, ("PolicyError", "PolicyMode")),
        (_security, ("RuleInfo",)),
    )
    for name in names
}


def __getattr__(name: str) -> Any:
    loader = _LAZY.get(name)
    if loader is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    values = loader()
    globals().update(values)
    return values[name]


# -- admin operations ------------------------------------------------------------------------------


def security_rules() -> list[RuleInfo]:
    """Every security rule: id, service, severity, framework controls, Prowler checks, remediation."""
    from tools.security.catalogue import rule_catalogue

    return rule_catalogue()


def cost_ingest(settings: Settings, sources: Sequence[str], now: datetime) -> CostIngestReport:
    """Load billing exports (files, folders, s3:// prefixes) into the cost store."""
    from tools.cost import manage

    return manage.ingest(settings, sources, now)


def cost_status(settings: Settings, now: datetime) -> CostStatus:
    """Billing periods, rows, providers and the last ingest of the cost store."""
    from tools.cost import manage

    return manage.status(settings, now)


def kb_ingest(
    settings: Settings, paths: Sequence[str | Path], progress: Progress | None = None
) -> IngestReport:
    from knowledge import cli_api as _kb
    from tools.inventory.aws import AwsClients

    # The knowledge base is below the tools layer: AWS access for s3:// paths is handed down.
    return _kb.ingest(settings, paths, progress, s3_client=lambda: AwsClients(settings.aws).client("s3"))


def kb_search(
    settings: Settings, query: str, top_k: int = 5, source: str | None = None, tag: str | None = None
) -> list[Hit]:
    from knowledge import cli_api as _kb

    return _kb.search(settings, query, top_k=top_k, source=source, tag=tag)


def kb_documents(settings: Settings) -> list[KbDocument]:
    """The knowledge base's own documents (bundled runbooks, `knowledge_paths`), with titles."""
    from agent.documents import kb_documents as _documents

    return _documents(settings)


def kb_document(settings: Settings, source: str) -> KbDocumentText | None:
    """One of those documents, whole, with its sections' line ranges for citations."""
    from agent.documents import kb_document as _document

    return _document(settings, source)


def kb_stats(settings: Settings) -> KbStats:
    from knowledge import cli_api as _kb

    return _kb.stats(settings)


def iam_policy(
    settings: Settings, mode: PolicyMode = "all", billing_buckets: Sequence[str] = ()
) -> dict[str, Any]:
    """The least-privilege IAM policy for the registered tools (`cloudpilot iam-policy`), with
    `sts:AssumeRole` on the member-account roles the settings name."""
    from tools.iam_policy import build_policy
    from tools.registry import TOOLS  # every tool family: loaded only when asked

    return build_policy(
        TOOLS,
        mode,
        assume_role_arns=settings.aws.assume_role_arns,
        remediation_role_arns=settings.aws.remediation_role_arns,
        billing_buckets=billing_buckets,
    )


def iam_member_roles_template(remediation: bool = True) -> dict[str, Any]:
    """A CloudFormation template (for a StackSet) with the member-account roles and their policies."""
    from tools.iam_policy import member_roles_template
    from tools.registry import TOOLS

    return member_roles_template(TOOLS, remediation=remediation)


def alert_history(settings: Settings, alert: str | None = None, limit: int = 20) -> list[AlertOccurrence]:
    """The alert occurrences sent (or failed), newest first, without building an agent."""
    from store.alerts import AlertLog
    from store.db import Store

    store = Store(settings.sqlalchemy_url)
    try:
        return AlertLog(store).recent(alert, limit)
    finally:
        store.close()


# -- scheduled work (digests) ------------------------------------------------------------------------


def digest_runs(agent: Agent) -> DigestRuns:
    """The digests' slot claims on the agent's store: each scheduled run is posted once, however
    many schedulers run against the same database."""
    from store.digests import DigestRuns

    return DigestRuns(agent.rt.store)


def alert_log(agent: Agent) -> AlertLog:
    """The alert occurrences' claims on the agent's store (each occurrence is sent once)."""
    from store.alerts import AlertLog

    return AlertLog(agent.rt.store)


def agent_now(agent: Agent) -> datetime:
    """The agent's clock (pinned by `--now` / CLOUDPILOT_NOW), for schedules it runs."""
    return agent.rt.ctx.clock.now()
