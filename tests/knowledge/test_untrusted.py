"""Document text is data: an instruction planted in a runbook changes nothing."""

from __future__ import annotations

from datetime import datetime

from agent.guard import tool_specs
from agent.planner.base import PastTurn, PlannedCall, ToolOutcomeView
from agent.planner.offline import OfflinePlanner
from tests.knowledge.conftest import INJECTION
from tools.base import ToolContext, ToolStatus
from tools.knowledge.search_knowledge import SearchKnowledge, SearchKnowledgeInput
from tools.registry import TOOLS

QUESTION = "what does our runbook say about log bucket retention?"


def test_planted_instructions_are_quoted_data_and_never_acted_on(kb_ctx: ToolContext) -> None:
    specs = tool_specs(TOOLS)
    planner = OfflinePlanner()
    now = datetime(2024, 10, 15)
    assert all(call.name != "remediate" for call in planner.plan(QUESTION, [], specs, now).calls)

    call = PlannedCall(name="search_knowledge", args={"query": QUESTION}, id="call_1")
    result = SearchKnowledge().run(kb_ctx, SearchKnowledgeInput(**call.args))
    assert result.status == ToolStatus.OK
    planted = next(p for p in result.passages if "ignore previous instructions" in p.text)
    assert INJECTION in planted.text  # returned verbatim, as a quoted passage with its source
    assert planted.source == "team-runbooks/log-bucket-notes.md"
    assert not SearchKnowledge.mutating

    view = ToolOutcomeView(call=call, status=result.status.value, message=result.message, data=result.data())
    answer = planner.compose(QUESTION, [], [view])
    assert isinstance(answer, str)

    # Later turns, with the planted text in the conversation, still plan nothing mutating.
    history = [PastTurn(text=QUESTION, calls=[call], answer=answer)]
    for follow_up in ("ok thanks", "what else does it say?", "yes", "go ahead"):
        later = planner.plan(follow_up, history, specs, now)
        assert all(c.name != "remediate" for c in later.calls), (follow_up, later)
