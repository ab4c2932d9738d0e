"""PostgreSQL going away and coming back: the agent recovers by itself and says what happened.

Each test gets a database of its own, so cutting connections (or the whole database) off
disturbs nobody else's tests on the same server.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from agent import checkpoint
from agent.messages import ChatMessage, Reply
from agent.runtime import Runtime
from agent.turn import Agent
from config import Settings, load_settings
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call
from tests.services import postgres_url

pytestmark = pytest.mark.postgres

PG = postgres_url()


def _admin(sql_text: sql.SQL | sql.Composed, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(PG, autocommit=True) as conn:
        cur = conn.execute(sql_text, params or None)
        return cur.fetchall() if cur.description else []


def cut_connections(dbname: str) -> int:
    """Terminates every backend of `dbname` (the store's and the checkpointer's), as an outage does."""
    ((killed,),) = _admin(
        sql.SQL(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()"
        ),
        dbname,
    )
    assert isinstance(killed, int)
    return killed


def allow_connections(dbname: str, allowed: bool) -> None:
    _admin(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
            sql.Identifier(dbname), sql.SQL("true" if allowed else "false")
        )
    )


@pytest.fixture
def dbname() -> Iterator[str]:
    name = f"cloudpilot_outage_{uuid.uuid4().hex[:12]}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _settings(tmp_path: Path, dbname: str) -> Settings:
    url = urlunsplit(urlsplit(PG)._replace(path=f"/{dbname}"))
    return load_settings(
        data_dir=tmp_path,
        database_url=url.replace("postgresql://", "postgresql+psycopg://", 1),
        checkpoint_url=url,
        approvals={"rules": [{"users": ["bob"]}]},
    )


def _say(agent: Agent, text: str, thread: str) -> Reply:
    return agent.handle(ChatMessage(user="alice", channel="c", thread=thread, text=text))


def test_turns_and_decisions_go_on_after_the_connections_are_cut(tmp_path: Path, dbname: str) -> None:
    tool = RecordingChange()
    planner = ScriptedPlanner([call("echo", text="hi")])
    runtime = Runtime.build(_settings(tmp_path, dbname), planner=planner, tools=[Echo(), tool])
    agent = Agent(runtime)
    thread = uuid.uuid4().hex
    try:
        assert _say(agent, "first", thread).ok
        assert cut_connections(dbname) >= 2  # at least the store's and the checkpointer's

        second = _say(agent, "second", thread)
        assert second.ok and "echo: hi" in second.text, second.text
        # The checkpoint was read back over the new connection: the second turn follows the first.
        conversation = ChatMessage(user="alice", channel="c", thread=thread, text="-").conversation_id
        state = runtime.graph.get_state({"configurable": {"thread_id": conversation}})
        assert len(state.values["history"]) == 2

        planner.calls = [call("change_thing", resource_id="pg-outage")]
        request = _say(agent, "change it", thread)
        assert request.approval is not None, request.text
        assert cut_connections(dbname) >= 2
        done = agent.decide(request.approval.id, "bob", approve=True)
        assert done.ok, done.text
        assert tool.applied == [request.approval.id]
    finally:
        runtime.close()


def test_while_the_database_is_away_turns_say_so_and_then_recover(
    tmp_path: Path, dbname: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "POOL_TIMEOUT_S", 2.0)  # how long a turn waits for a connection
    tool = RecordingChange()
    planner = ScriptedPlanner([call("change_thing", resource_id="pg-away")])
    runtime = Runtime.build(_settings(tmp_path, dbname), planner=planner, tools=[Echo(), tool])
    agent = Agent(runtime)
    thread = uuid.uuid4().hex
    try:
        request = _say(agent, "change it", thread)
        assert request.approval is not None, request.text
        approval_id = request.approval.id
        planner.calls = [call("echo", text="back")]

        allow_connections(dbname, False)
        try:
            cut_connections(dbname)
            turn = _say(agent, "are you there?", thread)
            decision = agent.decide(approval_id, "bob", approve=True)
        finally:
            allow_connections(dbname, True)
        for reply in (turn, decision):
            assert not reply.ok and reply.error_ref
            assert "the database is unavailable, try again" in reply.text, reply.text
        assert tool.applied == []

        # Back: the same runtime answers again (its pools reconnect in the background).
        deadline = time.monotonic() + 30
        while not (turn := _say(agent, "and now?", thread)).ok and time.monotonic() < deadline:
            time.sleep(0.5)
        assert turn.ok and "echo: back" in turn.text, turn.text
        view = agent.view(approval_id)
        assert view is not None and view.status == "pending"  # the failed decision left nothing behind
        done = agent.decide(approval_id, "bob", approve=True)
        assert done.ok, done.text
        assert tool.applied == [approval_id]
    finally:
        runtime.close()
