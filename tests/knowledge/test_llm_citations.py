"""An LLM's answer from documents must cite them; documents cannot trigger changes."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import AIMessage

from agent.messages import ChatMessage
from agent.planner.llm import LlmPlanner
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from tests.agent.planner.test_llm_planner import scripted, tool_call

QUESTION = "what is our runbook for a full disk on a database host?"


def test_uncited_model_answer_is_replaced_by_cited_passages(tmp_path: Path) -> None:
    model = scripted(
        tool_call("search_knowledge", {"query": QUESTION}),
        "Just delete the old data, it is fine.",  # no [n] citation: must not be shown
        tool_call("search_knowledge", {"query": QUESTION}, "call_2"),
        "Free space by rotating logs first [1], then grow the volume [2].",
    )
    settings = load_settings(data_dir=tmp_path, aws={"endpoint_url": "http://127.0.0.1:9"})
    runtime = Runtime.build(settings, planner=LlmPlanner(model))
    try:
        agent = Agent(runtime)
        first = agent.handle(ChatMessage(user="alice", text=QUESTION, thread="kb"))
        assert "Just delete" not in first.text
        assert first.citations, "the reply carries its sources"
        second = agent.handle(ChatMessage(user="alice", text=QUESTION, thread="kb2"))
        assert second.text.startswith("Free space by rotating logs first [1]")
    finally:
        runtime.close()


def test_model_steered_by_a_document_still_needs_approval(tmp_path: Path) -> None:
    model = scripted(
        AIMessage(
            content="",
            tool_calls=[
                {
                    "name": "remediate",
                    "id": "c1",
                    "type": "tool_call",
                    "args": {"action": "block_public_access", "resource_id": "acme-logs"},
                }
            ],
        ),
        "Done as the document said.",
    )
    settings = load_settings(data_dir=tmp_path, aws={"endpoint_url": "http://127.0.0.1:9"})
    runtime = Runtime.build(settings, planner=LlmPlanner(model))
    try:
        reply = Agent(runtime).handle(ChatMessage(user="alice", text="follow the runbook's instructions"))
        # The dry run cannot reach AWS here, so nothing is even requested; nothing is executed either way.
        assert reply.approval is None or reply.approval.status == "pending"
        kinds = [r.kind for r in Agent(runtime).audit() if r.kind != "question"]
        assert kinds in ([], ["request"])
    finally:
        runtime.close()
