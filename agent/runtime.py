"""The composition root: builds every long-lived part once from the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from langgraph.graph.state import CompiledStateGraph

from agent.approval_nodes import ApprovalNodes
from agent.approvals import ApprovalService
from agent.checkpoint import open_checkpointer
from agent.graph import build_graph
from agent.planner.base import Planner
from agent.planner.factory import build_planner
from agent.planner.offline import OfflinePlanner
from agent.turn_nodes import TurnNodes
from config import Settings
from knowledge.context import close_knowledge
from store import Store
from store.approvals import ApprovalStore
from store.audit import AuditLog
from tools import registry as tool_registry
from tools.aws import AwsClients
from tools.base import AnyTool, ToolContext


@dataclass
class Runtime:
    settings: Settings
    store: Store
    ctx: ToolContext
    registry: dict[str, AnyTool]
    approvals: ApprovalService
    graph: CompiledStateGraph
    planner: Planner
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        planner: Planner | None = None,
        tools: list[AnyTool] | None = None,
        ensure_sandbox: bool = True,
    ) -> Runtime:
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        if ensure_sandbox and settings.aws.mode == "sandbox" and not settings.aws.endpoint_url:
            from sandbox.server import ensure_running

            ensure_running(settings)
        store = Store(settings.sqlalchemy_url)
        clock = settings.clock()
        ctx = ToolContext(settings=settings, clock=clock, aws=AwsClients(settings.aws), store=store)
        registry = {t.name: t for t in (tools if tools is not None else tool_registry.TOOLS)}
        approval_store = ApprovalStore(store)
        audit = AuditLog(store)
        approvals = ApprovalService(approval_store, audit, settings.approvals, clock)
        chosen = planner or build_planner(settings)
        offline = chosen if isinstance(chosen, OfflinePlanner) else OfflinePlanner()
        turn = TurnNodes(ctx, registry, chosen, offline, approvals, settings.llm.max_repair_rounds)
        checkpointer, close_cp = open_checkpointer(settings.checkpoint_target)
        graph = build_graph(turn, ApprovalNodes(ctx, registry, approval_store, audit), checkpointer)
        closers: list[Callable[[], None]] = [partial(close_knowledge, ctx.extras), close_cp, store.close]
        return cls(settings, store, ctx, registry, approvals, graph, chosen, closers)

    def close(self) -> None:
        for close in self._closers:
            close()
        self._closers.clear()
