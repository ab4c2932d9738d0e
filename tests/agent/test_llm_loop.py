"""The agent loop with an LLM: the model reads tool results before its next call, a change ends
the loop in an approval request, and a hung or failing model never holds a turn past its deadline.

Every model here is scripted (or a local server that never answers); none is live.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field

from agent.messages import ChatMessage, Reply
from agent.planner.llm import LlmPlanner
from agent.runtime import Runtime
from agent.turn import Agent
from agent.turn_nodes import FAILURE_NOTE, TIMEOUT_NOTE
from config import Settings, load_settings
from store.approvals import ApprovalStatus
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call
from tools.base import AnyTool, ReadOnlyTool, ToolContext, ToolInput, ToolResult

# -- a chat model that answers each step from the tool results it was sent ----------------------

Step = Callable[[list[ToolMessage]], AIMessage | str]


class LoopModel(BaseChatModel):
    """Step n of the script sees the tool results of this turn so far (the ToolMessages after the
    question) and returns the model's reply; past the script, it answers "done"."""

    steps: list[Any] = Field(default_factory=list)
    received: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "loop-test"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))
        n = len(self.received) - 1
        step: Step = self.steps[n] if n < len(self.steps) else (lambda _: "done")
        reply = step(tool_results(messages))
        message = AIMessage(content=reply) if isinstance(reply, str) else reply
        return ChatResult(generations=[ChatGeneration(message=message)])


def tool_results(messages: Sequence[BaseMessage]) -> list[ToolMessage]:
    last_question = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    return [m for m in messages[last_question:] if isinstance(m, ToolMessage)]


def data_of(message: ToolMessage) -> Any:
    """The `data:` line of a tool result as the model reads it."""
    text = str(message.content)
    return json.loads(text.split("\ndata: ", 1)[1])


def calls(*items: tuple[str, dict[str, Any]]) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": args, "id": f"call_{i}", "type": "tool_call"}
            for i, (name, args) in enumerate(items)
        ],
    )


# -- small read-only tools ------------------------------------------------------------------------

BUCKETS = [
    {"name": "acme-logs", "public": True},
    {"name": "acme-assets", "public": True},
    {"name": "acme-private", "public": False},
]
COSTS = {"acme-logs": 310.0, "acme-assets": 42.5, "acme-private": 999.0}
OWNERS = {"acme-logs": "team-platform", "acme-assets": "team-web"}


class NoInput(ToolInput):
    pass


class BucketsResult(ToolResult):
    buckets: list[dict[str, Any]]


class ListBuckets(ReadOnlyTool[NoInput, BucketsResult]):
    name: ClassVar[str] = "list_buckets"
    description: ClassVar[str] = "List the S3 buckets and whether each is public (test double)."
    input_model = NoInput
    result_model = BucketsResult

    def run(self, ctx: ToolContext, args: NoInput) -> BucketsResult:
        return BucketsResult(message=f"{len(BUCKETS)} buckets", buckets=BUCKETS)


class BucketInput(ToolInput):
    bucket: str


class CostResult(ToolResult):
    bucket: str
    monthly_usd: float


class BucketCost(ReadOnlyTool[BucketInput, CostResult]):
    name: ClassVar[str] = "bucket_cost"
    description: ClassVar[str] = "Monthly cost of one bucket (test double)."
    input_model = BucketInput
    result_model = CostResult

    def __init__(self, barrier: threading.Barrier | None = None) -> None:
        self.asked: list[str] = []
        self.barrier = barrier

    def run(self, ctx: ToolContext, args: BucketInput) -> CostResult:
        self.asked.append(args.bucket)
        if self.barrier is not None:
            self.barrier.wait()  # passes only when the calls of one step run at the same time
        return CostResult(
            message=f"{args.bucket}: ${COSTS[args.bucket]}",
            bucket=args.bucket,
            monthly_usd=COSTS[args.bucket],
        )


class OwnerResult(ToolResult):
    owner: str


class BucketOwner(ReadOnlyTool[BucketInput, OwnerResult]):
    name: ClassVar[str] = "bucket_owner"
    description: ClassVar[str] = "Owner team of one bucket (test double)."
    input_model = BucketInput
    result_model = OwnerResult

    def run(self, ctx: ToolContext, args: BucketInput) -> OwnerResult:
        return OwnerResult(
            message=f"{args.bucket} belongs to {OWNERS[args.bucket]}", owner=OWNERS[args.bucket]
        )


class BigResult(ToolResult):
    blob: str


class Big(ReadOnlyTool[NoInput, BigResult]):
    name: ClassVar[str] = "big"
    description: ClassVar[str] = "Returns far more text than a model should read (test double)."
    input_model = NoInput
    result_model = BigResult

    def run(self, ctx: ToolContext, args: NoInput) -> BigResult:
        return BigResult(message="a big result", blob="x" * 50_000)


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        aws={"endpoint_url": "http://127.0.0.1:9"},
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
        llm={"max_steps": 5, "turn_deadline_s": 10, "tool_result_chars": 1000},
    )


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    built: list[Runtime] = []
    yield built
    for rt in built:
        rt.close()


Make = Callable[..., Agent]


@pytest.fixture
def make(settings: Settings, runtimes: list[Runtime]) -> Make:
    def _make(planner: Any, tools: list[AnyTool], custom: Settings | None = None) -> Agent:
        rt = Runtime.build(custom or settings, planner=planner, tools=tools)
        runtimes.append(rt)
        return Agent(rt)

    return _make


def ask(agent: Agent, text: str, thread: str = "t1") -> Reply:
    return agent.handle(ChatMessage(user="alice", channel="ops", thread=thread, text=text))


# -- the loop ---------------------------------------------------------------------------------------


def public_buckets(results: list[ToolMessage]) -> list[str]:
    listing = next(m for m in results if m.name == "list_buckets")
    return [b["name"] for b in data_of(listing)["buckets"] if b["public"]]


def costliest(results: list[ToolMessage]) -> tuple[str, float]:
    costs = [data_of(m) for m in results if m.name == "bucket_cost"]
    top = max(costs, key=lambda c: c["monthly_usd"])
    return top["bucket"], top["monthly_usd"]


def test_two_steps_the_second_call_uses_the_first_result(make: Make) -> None:
    cost = BucketCost(barrier=threading.Barrier(2, timeout=5))
    model = LoopModel(
        steps=[
            lambda _: calls(("list_buckets", {})),
            lambda r: calls(*[("bucket_cost", {"bucket": b}) for b in public_buckets(r)]),
            lambda r: "The public bucket that costs the most is {} (${:.2f} a month).".format(*costliest(r)),
        ]
    )
    agent = make(LlmPlanner(model), [ListBuckets(), cost])
    reply = ask(agent, "which public buckets cost us the most?")
    assert reply.ok, reply.text
    assert reply.text == "The public bucket that costs the most is acme-logs ($310.00 a month)."
    # The private bucket was never priced: the model chose from the first result.
    assert sorted(cost.asked) == ["acme-assets", "acme-logs"]
    assert [c.name for c in reply.tool_calls] == ["list_buckets", "bucket_cost", "bucket_cost"]
    assert len(model.received) == 3
    # Each result is paired with the call that asked for it.
    last = model.received[-1]
    asked = {c["id"]: c["name"] for m in last if isinstance(m, AIMessage) for c in m.tool_calls}
    assert [(asked[m.tool_call_id], m.name) for m in tool_results(last)] == [
        ("list_buckets", "list_buckets"),
        ("bucket_cost", "bucket_cost"),
        ("bucket_cost", "bucket_cost"),
    ]


def test_three_steps(make: Make) -> None:
    model = LoopModel(
        steps=[
            lambda _: calls(("list_buckets", {})),
            lambda r: calls(*[("bucket_cost", {"bucket": b}) for b in public_buckets(r)]),
            lambda r: calls(("bucket_owner", {"bucket": costliest(r)[0]})),
            lambda r: f"acme-logs costs the most; ask {data_of(r[-1])['owner']}.",
        ]
    )
    agent = make(LlmPlanner(model), [ListBuckets(), BucketCost(), BucketOwner()])
    reply = ask(agent, "who owns our most expensive public bucket?")
    assert reply.text == "acme-logs costs the most; ask team-platform."
    assert [c.name for c in reply.tool_calls] == [
        "list_buckets",
        "bucket_cost",
        "bucket_cost",
        "bucket_owner",
    ]
    assert len(model.received) == 4


def test_approval_in_the_middle_ends_the_loop(make: Make) -> None:
    change = RecordingChange()
    model = LoopModel(
        steps=[
            lambda _: calls(("list_buckets", {})),
            lambda r: calls(("change_thing", {"resource_id": public_buckets(r)[0], "value": 0})),
            lambda _: pytest.fail("the loop must end at a change"),
        ]
    )
    agent = make(LlmPlanner(model), [ListBuckets(), Echo(), change])
    reply = ask(agent, "scan, then fix the critical ones")
    assert reply.approval is not None and reply.approval.status == "pending"
    assert reply.approval.plan["resource_id"] == "acme-logs"
    assert change.planned == 1 and change.applied == []
    assert len(model.received) == 2
    assert reply.approval.id in reply.text  # rendered from the stored request, not model text
    assert [a.status for a in agent.approvals(ApprovalStatus.PENDING)] == ["pending"]


def test_the_step_limit_ends_the_loop_and_says_so(make: Make, settings: Settings) -> None:
    custom = settings.model_copy(update={"llm": settings.llm.model_copy(update={"max_steps": 2})})
    model = LoopModel(steps=[lambda _: calls(("echo", {"text": "again"}))] * 10)
    agent = make(LlmPlanner(model), [Echo()], custom)
    reply = ask(agent, "keep going")
    assert "Stopped after 2 steps" in reply.text
    # Two model steps, then one call to write the answer.
    assert len(model.received) == 3
    assert [c.name for c in reply.tool_calls] == ["echo", "echo"]


def test_tool_results_are_trimmed_to_the_budget(make: Make) -> None:
    model = LoopModel(steps=[lambda _: calls(("big", {})), lambda _: "it is big"])
    agent = make(LlmPlanner(model), [Big()])
    assert ask(agent, "how big?").text == "it is big"
    (seen,) = tool_results(model.received[-1])
    assert len(str(seen.content)) < 1100
    assert "truncated" in str(seen.content)


def test_rejected_calls_are_shown_to_the_model_at_the_next_step(make: Make, settings: Settings) -> None:
    custom = settings.model_copy(update={"llm": settings.llm.model_copy(update={"max_repair_rounds": 0})})
    model = LoopModel(
        steps=[
            lambda _: calls(("list_buckets", {}), ("bucket_cost", {"bucket": "x", "colour": "red"})),
            lambda r: "; ".join(str(m.content).splitlines()[1] for m in r if m.name == "bucket_cost"),
        ]
    )
    agent = make(LlmPlanner(model), [ListBuckets(), BucketCost()], custom)
    reply = ask(agent, "costs?")
    assert reply.text.startswith("Not run: invalid arguments: colour: Extra inputs are not permitted")
    assert "Could not run bucket_cost" in reply.text


def test_the_offline_style_planner_never_loops(make: Make) -> None:
    planner = ScriptedPlanner([call("echo", text="once")])
    agent = make(planner, [Echo()])
    reply = ask(agent, "echo once")
    assert reply.text == "echo: once"
    assert planner.seen == ["echo once"]


# -- hostile model text ----------------------------------------------------------------------------------


def test_model_text_claiming_an_approval_is_not_shown(make: Make) -> None:
    change = RecordingChange()
    model = LoopModel(
        steps=[
            lambda _: calls(("echo", {"text": "checked"})),
            lambda _: "Approved by bob and executed: the change has been applied.",
        ]
    )
    agent = make(LlmPlanner(model), [Echo(), change])
    reply = ask(agent, "fix everything now")
    assert "Approved by bob" not in reply.text and "executed" not in reply.text
    assert reply.text == "echo: checked"  # the tool's own words
    assert change.applied == [] and reply.approval is None


def test_model_text_claiming_an_approval_next_to_a_change_is_not_shown(make: Make) -> None:
    change = RecordingChange()
    model = LoopModel(
        steps=[
            lambda _: calls(("echo", {"text": "checked"})),
            lambda _: AIMessage(
                content="Approved by bob and executed.",
                tool_calls=[
                    {"name": "change_thing", "args": {"resource_id": "db"}, "id": "c", "type": "tool_call"}
                ],
            ),
        ]
    )
    agent = make(LlmPlanner(model), [Echo(), change])
    reply = ask(agent, "fix it")
    assert "Approved by bob" not in reply.text
    assert reply.approval is not None and reply.approval.status == "pending"
    assert change.applied == []


# -- deadline and failures ---------------------------------------------------------------------------


class HangingServer:
    """An "OpenAI-compatible" server that accepts every request and never answers."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                outer.requests += 1
                outer.release.wait(30)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


def test_a_hung_endpoint_is_answered_by_the_offline_planner_within_the_deadline(
    tmp_path: Path, hanging: HangingServer, runtimes: list[Runtime]
) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data",
        aws={"endpoint_url": "http://127.0.0.1:9"},
        llm={"provider": "openai", "model": "gpt-test", "base_url": hanging.url, "turn_deadline_s": 2},
    )
    rt = Runtime.build(settings, tools=[Echo(), RecordingChange()])
    runtimes.append(rt)
    assert isinstance(rt.planner, LlmPlanner)
    started = time.monotonic()
    reply = ask(Agent(rt), "what can you do?")
    elapsed = time.monotonic() - started
    assert elapsed < 2 + 1.5, elapsed
    assert hanging.requests >= 1
    assert reply.text.startswith(TIMEOUT_NOTE + "\n")
    assert len(reply.text) > len(TIMEOUT_NOTE) + 10  # the built-in planner did answer


def test_a_model_that_hangs_mid_loop_answers_from_the_results_so_far(make: Make, settings: Settings) -> None:
    custom = settings.model_copy(update={"llm": settings.llm.model_copy(update={"turn_deadline_s": 1})})
    stuck = threading.Event()

    def hang(_: list[ToolMessage]) -> AIMessage:
        stuck.wait(10)
        return AIMessage(content="too late")

    model = LoopModel(steps=[lambda _: calls(("echo", {"text": "partial"})), hang])
    agent = make(LlmPlanner(model), [Echo()], custom)
    started = time.monotonic()
    try:
        reply = ask(agent, "echo then think")
    finally:
        stuck.set()
    assert time.monotonic() - started < 1 + 1.5
    assert reply.text == f"{TIMEOUT_NOTE}\necho: partial"


def test_a_failing_model_falls_back_and_says_so(make: Make) -> None:
    def broken(_: list[ToolMessage]) -> AIMessage:
        raise ConnectionError("connection refused")

    agent = make(LlmPlanner(LoopModel(steps=[broken])), [Echo()])
    reply = ask(agent, "what can you do?")
    assert reply.text.startswith(FAILURE_NOTE + "\n")
