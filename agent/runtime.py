"""The composition root: builds every long-lived part once from the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from langgraph.graph.state import CompiledStateGraph

from agent.approval_nodes import ApprovalNodes
from agent.approvals import ApprovalService
from agent.checkpoint import open_checkpointer
from agent.graph import build_graph
from agent.planner.base import Planner, PlannerConfigError
from agent.planner.factory import build_planner
from agent.planner.offline import OfflinePlanner
from agent.state import TurnState
from agent.turn_nodes import TurnNodes
from config import Settings
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
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        planner: Planner | None = None,
        tools: list[AnyTool] | None = None,
    ) -> Runtime:
        """Build everything from the settings. The cloud endpoint must already answer: starting a
        sandbox is the front-end's business (`bot.core`), so the agent never imports it."""
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
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
        approval_store = ApprovalStore(store)
        audit = AuditLog(store)
        approvals = ApprovalService(approval_store, audit, settings.approvals, clock)
        chosen = planner or build_planner(chat_model)
        offline = chosen if isinstance(chosen, OfflinePlanner) else OfflinePlanner()
        turn = TurnNodes(ctx, registry, chosen, offline, approvals, settings.llm.max_repair_rounds)
        checkpointer, close_cp = open_checkpointer(settings.checkpoint_target)
        graph = build_graph(turn, ApprovalNodes(ctx, registry, approval_store, audit), checkpointer)
        closers: list[Callable[[], None]] = [services.close, close_cp, store.close]
        return cls(settings, store, ctx, registry, approvals, graph, chosen, closers)

    def close(self) -> None:
        for close in self._closers:
            close()
        self._closers.clear()
