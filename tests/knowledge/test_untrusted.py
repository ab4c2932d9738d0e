"""Document text is data: an instruction planted in a runbook changes nothing."""

from __future__ import annotations

from datetime import datetime

from agent.planner.base import PastTurn, PlannedCall, ToolOutcomeView
from agent.planner.offline import OfflinePlanner
from tests.knowledge.conftest import INJECTION
from tools.base import ToolContext, ToolStatus
from tools.registry import TOOLS
from tools.search_knowledge import SearchKnowledge, SearchKnowledgeInput


def test_planted_instructions_are_quoted_data_and_never_acted_on(kb_ctx: ToolContext) -> None:
    question = "what is the retention of the cp-prod-logs bucket?"
    planner = OfflinePlanner()
    from agent.planner.base import ToolSpec

    specs = [
        ToolSpec(name=t.name, description=t.description, mutating=t.mutating,
                 parameters=t.input_model.model_json_schema())
        for t in TOOLS
    ]
    now = datetime(2024, 10, 15)
    decision = planner.plan(question, [], specs, now)
    assert [c.name for c in decision.calls] == ["search_knowledge"]

    result = SearchKnowledge().run(kb_ctx, SearchKnowledgeInput(**decision.calls[0].args))
    assert result.status == ToolStatus.OK
    planted = next(p for p in result.passages if "ignore previous instructions" in p.text)
    assert INJECTION in planted.text  # returned verbatim, as a quoted passage
    assert planted.source == "team-runbooks/log-bucket-notes.md"

    view = ToolOutcomeView(call=decision.calls[0], status=result.status.value, message=result.message,
                           data=result.data())
    answer = planner.compose(question, [], [view])
    assert isinstance(answer, str)

    # The next turn, with the planted text in the conversation, still plans nothing mutating.
    history = [PastTurn(text=question, calls=[PlannedCall(name="search_knowledge", args={"query": question})],
                        answer=answer)]
    for follow_up in ("ok thanks", "and what about the retention?", "yes"):
        later = planner.plan(follow_up, history, specs, now)
        assert all(call.name != "remediate" for call in later.calls), (follow_up, later)
