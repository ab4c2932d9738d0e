"""The composition root: builds every long-lived part once from the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langgraph.graph.state import CompiledStateGraph

from agent.approval_nodes import ApprovalNodes
from agent.approvals import ApprovalService
from agent.checkpoint import open_checkpointer
from agent.execution import Executor
from agent.graph import build_graph
from agent.planner.base import Planner, PlannerConfigError
from agent.planner.factory import build_planner
from agent.planner.offline import OfflinePlanner
from agent.reconciler import Reconciler
from agent.state import TurnState
from agent.turn_nodes import TurnNodes
from config import Clock, Settings
from config.failpoints import Failpoints
from config.identity import Identities
from config.redact import install_log_redaction
from store import Store
from store.approvals import ApprovalStore
from store.audit import AuditLog
from tools import registry as tool_registry
from tools.base import AnyTool, ToolContext
from tools.chat_model import ChatModelConfigError, build_chat_model
from tools.inventory.aws import AwsClients
from tools.services import Services


@dataclass
class Runtime:
    settings: Settings
    store: Store
    ctx: ToolContext
    registry: dict[str, AnyTool]
    approvals: ApprovalService
    graph: CompiledStateGraph[TurnState, None, TurnState, TurnState]
    planner: Planner
    reconciler: Reconciler
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        planner: Planner | None = None,
        tools: list[AnyTool] | None = None,
        safety_clock: Clock | None = None,
    ) -> Runtime:
        """Build everything from the settings. The cloud endpoint must already answer: starting a
        sandbox is the front-end's business (`bot.core`), so the agent never imports it.

        `safety_clock` (tests only) replaces the real clock that approvals and the audit log use;
        the settings' pinned clock never does."""
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # DEBUG turns on botocore's wire logs, which carry access keys and session tokens.
        install_log_redaction()
        try:
            chat_model = build_chat_model(settings.llm)
        except ChatModelConfigError as exc:
            raise PlannerConfigError(str(exc)) from exc
        store = Store(settings.sqlalchemy_url)
        clock = settings.clock()
        services = Services(chat_model=chat_model)
        ctx = ToolContext(
            settings=settings, clock=clock, aws=AwsClients(settings.aws), store=store, services=services
        )
        registry = {t.name: t for t in (tools if tools is not None else tool_registry.TOOLS)}
        audit = AuditLog.from_settings(store, settings.audit)
        approval_store = ApprovalStore(store, audit)
        # Approvals and the audit log run on the real clock whatever `--now` pins for questions.
        real_clock = safety_clock or Clock()
        failpoints = Failpoints(settings.failpoint, Path(settings.data_dir) / "failpoint.hit")
        approvals = ApprovalService(
            approval_store, audit, settings.approvals, real_clock, Identities(settings), failpoints
        )
        executor = Executor(ctx, registry, approval_store, real_clock, failpoints)
        reconciler = Reconciler(approvals, executor, real_clock, settings.approvals.reconcile_grace_s)
        chosen = planner or build_planner(chat_model)
        offline = chosen if isinstance(chosen, OfflinePlanner) else OfflinePlanner()
        turn = TurnNodes(ctx, registry, chosen, offline, approvals, settings.llm.max_repair_rounds)
        checkpointer, close_cp = open_checkpointer(settings.checkpoint_target)
        graph = build_graph(turn, ApprovalNodes(approval_store, executor), checkpointer)
        closers: list[Callable[[], None]] = [services.close, close_cp, store.close]
        return cls(settings, store, ctx, registry, approvals, graph, chosen, reconciler, closers)

    def close(self) -> None:
        for close in self._closers:
            close()
        self._closers.clear()
