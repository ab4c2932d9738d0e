"""The LangGraph graph: one graph, two entries (a conversation turn, an approval)."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.approval_nodes import ApprovalNodes
from agent.state import TurnState
from agent.turn_nodes import TurnNodes


def build_graph(
    turn: TurnNodes, approval: ApprovalNodes, checkpointer: BaseCheckpointSaver[Any]
) -> CompiledStateGraph[TurnState, None, TurnState, TurnState]:
    g = StateGraph(TurnState)
    g.add_node("plan", turn.plan)
    g.add_node("guard", turn.guard)
    g.add_node("run_tools", turn.run_tools)
    g.add_node("dry_run", turn.dry_run)
    g.add_node("respond", turn.respond)
    g.add_node("gate", approval.gate)
    g.add_node("apply", approval.apply)
    g.add_node("finish", approval.finish)

    g.add_conditional_edges(
        START, lambda s: "gate" if s.get("kind") == "approval" else "plan", ["plan", "gate"]
    )
    g.add_edge("plan", "guard")
    g.add_conditional_edges("guard", turn.after_guard, ["run_tools", "dry_run", "respond"])
    # The agent loop (LLM planner only): after read-only tools the model plans again with their results.
    g.add_conditional_edges("run_tools", turn.after_tools, ["plan", "dry_run", "respond"])
    g.add_edge("dry_run", "respond")
    g.add_edge("respond", END)
    g.add_conditional_edges("gate", approval.after_gate, ["apply", "finish"])
    g.add_edge("apply", "finish")
    g.add_edge("finish", END)
    return g.compile(checkpointer=checkpointer)
