"""A keyed turn run again (its worker was killed after it wrote its audit records, its job retried)
writes its `question` record and the guard's refusal records once, and the chain still verifies;
a turn without a key is recorded every time, as before. SQLite and PostgreSQL (its own schema, so
that the whole chain checked is this test's)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.messages import ChatMessage
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from tests.agent.doubles import ScriptedPlanner, call
from tests.agent.test_access import TEAM_DATA_RULES, Counted
from tests.services import pg_schema, sqlalchemy_url

Build = Callable[[], Agent]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'agent.db'}"
        return
    with pg_schema("cp_turnaudit") as url:
        yield sqlalchemy_url(url)


DATABASES = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def build(database_url: str, tmp_path: Path) -> Iterator[Build]:
    """Agents on one database: a second one is the worker that reruns the job."""
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=database_url, access=TEAM_DATA_RULES, audit={"key": "k" * 32}
    )
    runtimes: list[Runtime] = []

    def _build() -> Agent:
        # security_scan is refused in team-data, cost_query runs.
        planner = ScriptedPlanner([call("security_scan"), call("cost_query")])
        rt = Runtime.build(settings, planner=planner, tools=[Counted("security_scan"), Counted("cost_query")])
        runtimes.append(rt)
        return Agent(rt)

    yield _build
    for rt in runtimes:
        rt.close()


def _ask(key: str | None, thread: str) -> ChatMessage:
    return ChatMessage(
        user="alice", channel="team-data", thread=thread, text="scan and cost", turn_key=key, platform="slack"
    )


def _kinds(agent: Agent) -> list[str]:
    return [r.kind for r in agent.audit(limit=1000)]


@DATABASES
def test_a_keyed_turn_run_twice_is_recorded_once(build: Build) -> None:
    thread, key = uuid.uuid4().hex, f"msg:C1:{uuid.uuid4().hex}"
    first = build().handle(_ask(key, thread))
    assert "cost_query ran" in first.text and "may not use security_scan" in first.text
    after_first = _kinds(build())
    assert after_first.count("question") == 1 and after_first.count("access_refused") == 1
    # The same job on another worker, after the first was killed past its records.
    again_agent = build()
    again = again_agent.handle(_ask(key, thread))
    assert again.text == first.text
    assert _kinds(again_agent) == after_first
    records = again_agent.audit(limit=1000)
    keys = {r.kind: r.idem_key for r in records}
    assert keys["question"] == f"slack:{key}:question"
    assert (keys["access_refused"] or "").startswith(f"slack:{key}:access_refused:1:0:")
    report = again_agent.verify_audit()
    assert report.ok and report.checked == len(records), report.reason


@DATABASES
def test_unkeyed_turns_and_other_keys_are_recorded_each_time(build: Build) -> None:
    agent, thread = build(), uuid.uuid4().hex
    for key in (None, None, f"k-{uuid.uuid4().hex}", f"k-{uuid.uuid4().hex}"):
        assert "cost_query ran" in agent.handle(_ask(key, thread)).text
    kinds = _kinds(agent)
    assert kinds.count("question") == 4 and kinds.count("access_refused") == 4
    assert [r.idem_key for r in agent.audit(limit=1000)][:2] == [None, None]
    assert agent.verify_audit().ok


@DATABASES
def test_a_keyed_direct_call_records_its_invalid_call_once(build: Build) -> None:
    """The guard's `refused` record of a client's invalid arguments (a forged field), keyed the
    same way when the turn has a key."""
    thread, key = uuid.uuid4().hex, f"call:{uuid.uuid4().hex}"
    forged: dict[str, Any] = {"approved": True}
    for _ in range(2):
        reply = build().call_tool(_ask(key, thread), "cost_query", forged)
        assert not reply.ok and "cost_query ran" not in reply.text
    agent = build()
    refused = [r for r in agent.audit(limit=1000) if r.kind == "refused"]
    assert len(refused) == 1 and (refused[0].idem_key or "").startswith(f"slack:{key}:refused:")
    assert _kinds(agent).count("question") == 1
    assert agent.verify_audit().ok
