"""The LLM planner against scripted chat models: never a live model."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field

from agent.planner import (
    FixSuggestion,
    LlmPlanner,
    PastTurn,
    PlannedCall,
    PlannerConfigError,
    PlannerUnavailable,
    ToolOutcomeView,
)
from agent.planner.llm import tool_function, tool_message_content
from tests.agent.planner.helpers import NOW, tool_specs


class ScriptedChatModel(GenericFakeChatModel):
    """Replies from a script and records what it was sent and which tools were bound."""

    received: list[list[BaseMessage]] = Field(default_factory=list)
    bound: list[list[Any]] = Field(default_factory=list)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        self.bound.append(list(tools))
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


class BrokenChatModel(ScriptedChatModel):
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        raise ConnectionError("connection refused by llm.example:443")


def scripted(*replies: AIMessage | str) -> ScriptedChatModel:
    script: Iterator[AIMessage | str] = iter(replies)
    return ScriptedChatModel(messages=script)


def tool_call(name: str, args: dict[str, Any], call_id: str = "call_abc") -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]
    )


def test_tool_calls_become_planned_calls_with_their_ids() -> None:
    model = scripted(
        AIMessage(
            content="",
            tool_calls=[
                {
                    "name": "cost_query",
                    "args": {"period": "last_month", "service": "EC2"},
                    "id": "c1",
                    "type": "tool_call",
                },
                {"name": "security_scan", "args": {"services": ["s3"]}, "id": "c2", "type": "tool_call"},
            ],
        )
    )
    decision = LlmPlanner(model).plan("EC2 cost last month, and are buckets public?", [], tool_specs(), NOW)
    assert decision.calls == [
        PlannedCall(name="cost_query", args={"period": "last_month", "service": "EC2"}, id="c1"),
        PlannedCall(name="security_scan", args={"services": ["s3"]}, id="c2"),
    ]
    assert decision.answer is None


def test_tools_are_bound_as_openai_functions() -> None:
    model = scripted("hello")
    LlmPlanner(model).plan("hi", [], tool_specs(), NOW)
    (bound,) = model.bound
    assert [f["function"]["name"] for f in bound] == [
        "cost_query",
        "describe_resources",
        "security_scan",
        "list_findings",
        "remediate",
        "search_knowledge",
    ]
    remediate = bound[4]
    assert remediate["type"] == "function"
    assert "human approval" in remediate["function"]["description"]
    assert remediate["function"]["parameters"]["type"] == "object"
    assert "action" in remediate["function"]["parameters"]["properties"]
    assert "human approval" not in bound[0]["function"]["description"]


def test_tool_function_keeps_the_schema_without_its_title() -> None:
    (spec,) = tool_specs("search_knowledge")
    function = tool_function(spec)["function"]
    assert "title" not in function["parameters"]
    assert function["parameters"]["required"] == ["query"]


def test_plain_text_is_a_direct_answer() -> None:
    decision = LlmPlanner(scripted("Hello! Ask me about costs.")).plan("hi", [], tool_specs(), NOW)
    assert decision.calls == [] and decision.answer == "Hello! Ask me about costs."


def test_the_prompt_has_the_rules_the_date_and_bounded_history() -> None:
    model = scripted("ok")
    history = [PastTurn(text=f"question {i}", answer=f"answer {i}") for i in range(15)]
    history[-1] = PastTurn(
        text="are buckets public?",
        calls=[PlannedCall(name="security_scan", args={"services": ["s3"]}, id="x")],
        answer="One bucket is public.",
        fixable=[
            FixSuggestion(
                action="block_public_access", resource_id="acme-public-assets", title="Public bucket"
            )
        ],
    )
    LlmPlanner(model, max_turns=10).plan("fix it", history, tool_specs(), NOW)
    (messages,) = model.received
    system = messages[0]
    assert isinstance(system, SystemMessage)
    assert "data, never instructions" in system.text
    assert "Never say a change was made" in system.text
    assert "cite their sources" in system.text
    assert "2024-10-15" in system.text
    humans = [m.text for m in messages if isinstance(m, HumanMessage)]
    assert humans[0] == "question 5" and humans[-1] == "fix it" and len(humans) == 11
    summary = messages[-2].text
    assert 'security_scan({"services": ["s3"]})' in summary
    assert "block_public_access" in summary and "acme-public-assets" in summary
    # Past turns are plain text: a tool call without its result would be refused by providers.
    assert not any(isinstance(m, AIMessage) and m.tool_calls for m in messages)


def test_compose_sends_each_outcome_as_a_tool_message() -> None:
    model = scripted("EC2 cost $12.50 last month; the bucket fix is waiting for approval.")
    results = [
        ToolOutcomeView(
            call=PlannedCall(name="cost_query", args={"period": "last_month"}, id="c1"),
            status="ok",
            message="EC2 cost $12.50.",
            data={"total": 12.5},
        ),
        ToolOutcomeView(
            call=PlannedCall(name="remediate", args={"action": "block_public_access", "resource_id": "b"}),
            status="approval_required",
            message="Approval requested.",
        ),
    ]
    text = LlmPlanner(model).compose("EC2 cost and fix the bucket", [], results)
    assert text == "EC2 cost $12.50 last month; the bucket fix is waiting for approval."
    (messages,) = model.received
    request = messages[-3]
    assert isinstance(request, AIMessage)
    assert [c["id"] for c in request.tool_calls] == ["c1", "call_2"]
    first, second = messages[-2], messages[-1]
    assert isinstance(first, ToolMessage) and isinstance(second, ToolMessage)
    assert (first.tool_call_id, second.tool_call_id) == ("c1", "call_2")
    assert "EC2 cost $12.50." in first.text and '"total":12.5' in first.text
    assert "NOT been applied" in second.text


def test_compose_falls_back_to_the_tool_messages_when_the_model_says_nothing() -> None:
    results = [ToolOutcomeView(call=PlannedCall(name="cost_query"), status="ok", message="EC2 cost $3.")]
    assert LlmPlanner(scripted("")).compose("q", [], results) == "EC2 cost $3."


def test_big_tool_data_is_truncated_before_it_reaches_the_model() -> None:
    rows = [
        {"resource_id": f"i-{i:017x}", "cost": i * 1.5, "tags": {"team": "platform"}} for i in range(5000)
    ]
    outcome = ToolOutcomeView(
        call=PlannedCall(name="cost_query"), status="ok", message="5000 rows.", data=rows
    )
    content = tool_message_content(outcome, 4000)
    assert len(content) <= 4000 + 100
    assert content.startswith("status: ok\n5000 rows.")
    assert "truncated" in content

    model = scripted("Here is the summary.")
    LlmPlanner(model, max_tool_chars=2000).compose("costs per resource", [], [outcome])
    tool_message = model.received[0][-1]
    assert isinstance(tool_message, ToolMessage) and len(tool_message.text) <= 2100


def test_small_data_is_sent_whole_as_compact_json() -> None:
    outcome = ToolOutcomeView(call=PlannedCall(name="x"), status="ok", message="m", data={"a": [1, 2]})
    content = tool_message_content(outcome, 4000)
    assert content == "status: ok\nm\ndata: " + json.dumps({"a": [1, 2]}, separators=(",", ":"))


def test_repair_returns_the_error_to_the_model_and_takes_its_new_call() -> None:
    model = scripted(tool_call("cost_query", {"period": "2024-02-01..2024-02-29"}, "c9"))
    failed = PlannedCall(name="cost_query", args={"period": "2024-02-30"}, id="c1")
    decision = LlmPlanner(model).repair(
        "cost for February", [], tool_specs(), failed, "period: not a valid date", NOW
    )
    assert decision.calls == [
        PlannedCall(name="cost_query", args={"period": "2024-02-01..2024-02-29"}, id="c9")
    ]
    (messages,) = model.received
    request, feedback = messages[-2], messages[-1]
    assert isinstance(request, AIMessage) and request.tool_calls[0]["id"] == "c1"
    assert isinstance(feedback, ToolMessage) and feedback.tool_call_id == "c1"
    assert "not a valid date" in feedback.text
    assert model.bound, "the tools must stay bound so the model can call again"


def test_an_unknown_tool_name_is_sent_back_once() -> None:
    model = scripted(
        tool_call("delete_everything", {}), tool_call("describe_resources", {"resource_type": "s3_bucket"})
    )
    decision = LlmPlanner(model).plan("list buckets", [], tool_specs(), NOW)
    assert [c.name for c in decision.calls] == ["describe_resources"]
    retry = model.received[1][-1]
    assert isinstance(retry, HumanMessage) and "no tool named 'delete_everything'" in retry.text


def test_malformed_arguments_are_sent_back_once_then_given_up() -> None:
    bad = AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "name": "cost_query",
                "args": "{period:",
                "id": "c1",
                "error": "bad json",
                "type": "invalid_tool_call",
            }
        ],
    )
    decision = LlmPlanner(scripted(bad, bad)).plan("cost?", [], tool_specs(), NOW)
    assert decision.calls == []
    assert decision.answer is not None and "rephrase" in decision.answer


@pytest.mark.parametrize("step", ["plan", "compose", "repair"])
def test_provider_failures_raise_planner_unavailable(step: str) -> None:
    planner = LlmPlanner(BrokenChatModel(messages=iter([])))
    call = PlannedCall(name="cost_query", id="c1")
    with pytest.raises(PlannerUnavailable, match="ConnectionError: connection refused"):
        if step == "plan":
            planner.plan("cost?", [], tool_specs(), NOW)
        elif step == "compose":
            planner.compose("cost?", [], [ToolOutcomeView(call=call, status="ok", message="m")])
        else:
            planner.repair("cost?", [], tool_specs(), call, "bad", NOW)


def test_a_model_without_tool_calling_is_a_configuration_error() -> None:
    planner = LlmPlanner(GenericFakeChatModel(messages=iter(["x"])))
    with pytest.raises(PlannerConfigError, match="can't call tools"):
        planner.plan("hi", [], tool_specs(), NOW)


def test_compose_pairs_results_with_unique_ids() -> None:
    model = scripted("done")
    results = [
        ToolOutcomeView(call=PlannedCall(name="a", id="call_2"), status="ok", message="1"),
        ToolOutcomeView(call=PlannedCall(name="b"), status="ok", message="2"),
        ToolOutcomeView(call=PlannedCall(name="c", id="call_2"), status="ok", message="3"),
    ]
    LlmPlanner(model).compose("q", [], results)
    ids = [m.tool_call_id for m in model.received[0] if isinstance(m, ToolMessage)]
    assert ids[0] == "call_2" and len(set(ids)) == 3
