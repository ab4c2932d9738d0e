"""The LLM planner: a LangChain chat model with the tools bound as OpenAI-style functions."""

from __future__ import annotations

import contextvars
import json
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.planner import answers, prompts
from agent.planner.base import (
    LoopRound,
    PastTurn,
    PlannedCall,
    PlannerConfigError,
    PlannerDecision,
    PlannerTimeout,
    PlannerUnavailable,
    ToolOutcomeView,
    ToolSpec,
)

MUTATING_NOTE = " This tool changes infrastructure; every call waits for a human approval."


def tool_function(spec: ToolSpec) -> dict[str, Any]:
    """A ToolSpec in the OpenAI function-calling format that `bind_tools` accepts."""
    description = spec.description + (MUTATING_NOTE if spec.mutating else "")
    parameters = {k: v for k, v in spec.parameters.items() if k != "title"}
    parameters.setdefault("type", "object")
    parameters.setdefault("properties", {})
    return {
        "type": "function",
        "function": {"name": spec.name, "description": description, "parameters": parameters},
    }


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"... [truncated: {len(text) - limit} more characters not shown]"


def tool_message_content(outcome: ToolOutcomeView, limit: int) -> str:
    """What the model reads of an outcome: status, message and compact data, never over `limit`."""
    parts = [f"status: {outcome.status}"]
    note = prompts.STATUS_NOTES.get(outcome.status)
    if note:
        parts.append(note)
    if outcome.message:
        parts.append(outcome.message)
    head = "\n".join(parts)
    if outcome.data is not None:
        data = json.dumps(outcome.data, default=str, separators=(",", ":"), ensure_ascii=False)
        room = max(limit - len(head) - len("\ndata: "), 200)
        head += "\ndata: " + _truncate(data, room)
    return _truncate(head, limit)


def _text(message: BaseMessage) -> str:
    return message.text.strip()


def _call_dicts(calls: list[PlannedCall]) -> list[dict[str, Any]]:
    """Calls as AIMessage tool calls; ids must be unique so each result pairs with its call."""
    given = {c.id for c in calls if c.id}
    seen: set[str] = set()
    out = []
    for i, call in enumerate(calls, 1):
        call_id = call.id
        if not call_id or call_id in seen:
            call_id = f"call_{i}"
            while call_id in given or call_id in seen:
                call_id += "_"
        seen.add(call_id)
        out.append({"name": call.name, "args": call.args, "id": call_id, "type": "tool_call"})
    return out


class LlmPlanner:
    """Plans with a tool-calling chat model; any provider LangChain supports will do.

    Every method takes an optional `deadline` (a `time.monotonic()` instant): the model call runs
    in a worker thread and is abandoned when the deadline passes (`PlannerTimeout`), because a
    client's own timeout does not stop a server that accepts and never answers."""

    def __init__(self, chat_model: BaseChatModel, max_turns: int = 10, max_tool_chars: int = 4000) -> None:
        self._model = chat_model
        self._max_turns = max_turns
        self._max_tool_chars = max_tool_chars

    @property
    def chat_model(self) -> BaseChatModel:
        return self._model

    def plan(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        now: datetime,
        *,
        deadline: float | None = None,
    ) -> PlannerDecision:
        messages = self._conversation(text, history, now)
        return self._decide(messages, tools, deadline)

    def step(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        now: datetime,
        rounds: list[LoopRound],
        *,
        deadline: float | None = None,
    ) -> PlannerDecision:
        """The next step of the agent loop: the model reads what its earlier calls returned this
        turn (as tool results paired with its calls) and calls more tools or answers."""
        messages = self._conversation(text, history, now)
        for r in rounds:
            calls = _call_dicts(r.calls)
            messages.append(AIMessage(content="", tool_calls=calls))
            for call, content in zip(calls, r.results, strict=True):
                messages.append(ToolMessage(content=content, tool_call_id=call["id"], name=call["name"]))
        return self._decide(messages, tools, deadline)

    def compose(
        self,
        text: str,
        history: list[PastTurn],
        results: list[ToolOutcomeView],
        *,
        deadline: float | None = None,
    ) -> str:
        if not results:
            return answers.compose(results)
        messages = self._conversation(text, history, None)
        calls = _call_dicts([r.call for r in results])
        messages.append(AIMessage(content="", tool_calls=calls))
        for outcome, call in zip(results, calls, strict=True):
            content = tool_message_content(outcome, self._max_tool_chars)
            messages.append(ToolMessage(content=content, tool_call_id=call["id"], name=outcome.call.name))
        reply = self._invoke(self._model, messages, deadline)
        # A model that answers with nothing (or with more tool calls) still owes the user a reply.
        return _text(reply) or answers.compose(results)

    def repair(
        self,
        text: str,
        history: list[PastTurn],
        tools: list[ToolSpec],
        failed: PlannedCall,
        error: str,
        now: datetime,
        *,
        deadline: float | None = None,
    ) -> PlannerDecision:
        messages = self._conversation(text, history, now)
        (call,) = _call_dicts([failed])
        messages.append(AIMessage(content="", tool_calls=[call]))
        note = prompts.REPAIR_NOTE.format(error=_truncate(error, self._max_tool_chars))
        messages.append(ToolMessage(content=note, tool_call_id=call["id"], name=failed.name))
        return self._decide(messages, tools, deadline)

    def _decide(
        self, messages: list[BaseMessage], tools: list[ToolSpec], deadline: float | None = None
    ) -> PlannerDecision:
        bound = self._bind(tools)
        reply = self._invoke(bound, messages, deadline)
        decision, problem = _decision(reply, tools)
        if problem is None:
            return decision
        # One more try with the problem explained; models usually fix malformed calls at once.
        messages = [*messages, AIMessage(content=_text(reply)), HumanMessage(content=problem)]
        reply = self._invoke(bound, messages, deadline)
        decision, problem = _decision(reply, tools)
        if problem is not None and not decision.calls:
            return PlannerDecision(answer="Sorry, I couldn't work out which tool to use. Could you rephrase?")
        return decision

    def _bind(self, tools: list[ToolSpec]) -> Any:
        if not tools:
            return self._model
        try:
            return self._model.bind_tools([tool_function(t) for t in tools])
        except NotImplementedError as exc:
            raise PlannerConfigError(f"the chat model {type(self._model).__name__} can't call tools") from exc

    def _invoke(
        self, runnable: Any, messages: Sequence[BaseMessage], deadline: float | None = None
    ) -> AIMessage:
        from config.metrics import observe_llm  # prometheus_client only once a model is called

        name = type(self._model).__name__.lower()
        provider = next((p for p in ("openai", "anthropic", "ollama") if p in name), name)
        started = time.monotonic()
        try:
            reply = _call_before(deadline, runnable, list(messages))
        except PlannerTimeout:
            observe_llm(provider, time.monotonic() - started, "timeout")
            raise
        except Exception as exc:  # any provider failure: network, auth, rate limit, bad response
            observe_llm(provider, time.monotonic() - started, "error")
            raise PlannerUnavailable(f"the language model failed: {type(exc).__name__}: {exc}") from exc
        observe_llm(provider, time.monotonic() - started)
        if not isinstance(reply, AIMessage):
            raise PlannerUnavailable(f"the language model returned {type(reply).__name__}, not a message")
        return reply

    def _conversation(self, text: str, history: list[PastTurn], now: datetime | None) -> list[BaseMessage]:
        messages: list[BaseMessage] = [SystemMessage(content=prompts.system_prompt(now))]
        for turn in history[-self._max_turns :] if self._max_turns else []:
            messages.append(HumanMessage(content=turn.text))
            summary = _turn_summary(turn, self._max_tool_chars)
            if summary:
                messages.append(AIMessage(content=summary))
        messages.append(HumanMessage(content=text))
        return messages


def _turn_summary(turn: PastTurn, limit: int) -> str:
    """A past turn as plain assistant text: earlier tool calls have no results to pair with."""
    lines = []
    if turn.calls:
        called = "; ".join(f"{c.name}({json.dumps(c.args, default=str, sort_keys=True)})" for c in turn.calls)
        lines.append(f"[tools called: {called}]")
    if turn.answer:
        lines.append(turn.answer)
    if turn.fixable:
        fixes = "; ".join(
            f"remediate(action={f.action}, resource_id={f.resource_id}"
            + (f", region={f.region}" if f.region else "")
            + (f", params={json.dumps(f.params, sort_keys=True)}" if f.params else "")
            + ")"
            + (f" for: {f.title}" if f.title else "")
            for f in turn.fixable
        )
        lines.append(f"[fixable if the user asks: {fixes}]")
    return _truncate("\n".join(lines), limit)


def _decision(reply: AIMessage, tools: list[ToolSpec]) -> tuple[PlannerDecision, str | None]:
    """The reply as a decision, and a problem to report back to the model (or None)."""
    known = {t.name for t in tools}
    calls: list[PlannedCall] = []
    problems: list[str] = []
    for i, call in enumerate(reply.tool_calls, 1):
        if call["name"] not in known:
            problems.append(
                f"there is no tool named {call['name']!r} (available: {', '.join(sorted(known))})"
            )
            continue
        calls.append(
            PlannedCall(name=call["name"], args=dict(call["args"]), id=call.get("id") or f"call_{i}")
        )
    for bad in reply.invalid_tool_calls:
        problems.append(f"the arguments of {bad.get('name') or 'a tool call'} were not valid JSON")
    answer = _text(reply) or None
    problem = prompts.INVALID_CALL_NOTE.format(error="; ".join(problems)) if problems else None
    if problem is not None and calls:
        # The valid calls can run; the broken ones are dropped rather than guessed at.
        return PlannerDecision(calls=calls, answer=answer), None
    return PlannerDecision(calls=calls, answer=answer), problem


def _call_before(deadline: float | None, runnable: Any, messages: list[BaseMessage]) -> Any:
    """`runnable.invoke(messages)`, given up on at `deadline` (monotonic): the call runs in a daemon
    thread that is left behind if the server hangs (the client's own timeout ends it later)."""
    if deadline is None:
        return runnable.invoke(messages)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise PlannerTimeout("the turn's deadline for the language model has passed")
    box: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()  # callbacks and tracing read context variables

    def work() -> None:
        try:
            box["reply"] = context.run(runnable.invoke, messages)
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="cloudpilot-llm-call", daemon=True).start()
    if not done.wait(remaining):
        raise PlannerTimeout(f"the language model did not answer within {remaining:.1f} s")
    if "error" in box:
        raise box["error"]
    return box["reply"]
