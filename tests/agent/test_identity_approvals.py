"""Four eyes are two people: spellings, look-alikes and aliases of one person count as one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.messages import ChatMessage
from agent.runtime import Runtime
from agent.turn import Agent
from config import load_settings
from tests.agent.doubles import Echo, RecordingChange, ScriptedPlanner, call

Build = Callable[..., Agent]
IDENTITIES = {"bob": ["U024BE7LH", "bob@example.com"], "carol": ["U0CAROL01"]}


@pytest.fixture
def change_tool() -> RecordingChange:
    return RecordingChange()


@pytest.fixture
def build(tmp_path: Path, change_tool: RecordingChange) -> Iterator[Build]:
    runtimes: list[Runtime] = []

    def _build(users: list[str] | None = None, identities: dict[str, Any] | None = None) -> Agent:
        settings = load_settings(
            data_dir=tmp_path / "data",
            now="2024-10-15T12:00:00",
            approvals={"rules": [{"actions": ["*"], "users": users or ["bob", "carol"]}]},
            identities=IDENTITIES if identities is None else identities,
        )
        rt = Runtime.build(
            settings,
            planner=ScriptedPlanner([call("change_thing", resource_id="thing-1", value=3)]),
            tools=[Echo(), change_tool],
        )
        runtimes.append(rt)
        return Agent(rt)

    yield _build
    for rt in runtimes:
        rt.close()


def ask(agent: Agent, user: str) -> str:
    reply = agent.handle(ChatMessage(user=user, channel="c", thread="t1", text="change it"))
    assert reply.approval is not None, reply.text
    return reply.approval.id


@pytest.mark.parametrize("requester", ["bob ", "Bob", " BOB", "ｂｏｂ", "bob@Example.com", "U024BE7LH"])
def test_other_spellings_of_the_approver_are_the_same_person(
    build: Build, change_tool: RecordingChange, requester: str
) -> None:
    agent = build()
    approval_id = ask(agent, requester)
    assert agent.view(approval_id).requester == "bob"  # type: ignore[union-attr]
    refused = agent.decide(approval_id, "bob", approve=True)
    assert not refused.ok and "four eyes" in refused.text
    assert change_tool.applied == []
    assert [r.kind for r in agent.audit(approval_id)] == ["request", "refused"]


def test_slack_id_listed_in_the_policy_is_the_same_person(build: Build, change_tool: RecordingChange) -> None:
    agent = build(users=["bob", "U024BE7LH"])
    approval_id = ask(agent, "U024BE7LH")  # bob on Slack
    refused = agent.decide(approval_id, "bob", approve=True)  # bob in the terminal
    assert not refused.ok and "four eyes" in refused.text
    approval_id = ask(agent, "bob")
    assert not agent.decide(approval_id, "U024BE7LH", approve=True).ok
    assert change_tool.applied == []


@pytest.mark.parametrize("requester", ["bob\u200b", "b\u043eb", "bo\u202eb", "bob smith"])
def test_unsafe_requester_opens_no_request(
    build: Build, change_tool: RecordingChange, requester: str
) -> None:
    agent = build()
    reply = agent.handle(ChatMessage(user=requester, channel="c", thread="t1", text="change it"))
    assert reply.approval is None and not reply.ok
    assert "Refused" in reply.text and "not a valid identity" in reply.text
    assert agent.approvals() == []
    refused = [r for r in agent.audit() if r.kind == "refused"]
    assert len(refused) == 1 and "not a valid identity" in refused[0].detail["reason"]
    assert refused[0].actor.isascii()  # hidden characters are escaped in the audit log


@pytest.mark.parametrize("approver", ["bob\u200b", "b\u043eb", "\u202ebob"])
def test_unsafe_approver_is_refused_and_audited(
    build: Build, change_tool: RecordingChange, approver: str
) -> None:
    agent = build()
    approval_id = ask(agent, "alice")
    refused = agent.decide(approval_id, approver, approve=True)
    assert not refused.ok and "not a valid identity" in refused.text
    assert change_tool.applied == []
    assert agent.view(approval_id).status == "pending"  # type: ignore[union-attr]
    assert [r.kind for r in agent.audit(approval_id)] == ["request", "refused"]


def test_unsafe_approver_of_unknown_request(build: Build) -> None:
    agent = build()
    refused = agent.decide("ap-nope", "b\u043eb", approve=True)
    assert not refused.ok and "not a valid identity" in refused.text


def test_approver_alias_decides_as_the_person(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent, "alice")
    done = agent.decide(approval_id, "U0CAROL01", approve=True)
    assert done.ok, done.text
    assert change_tool.applied == [approval_id]
    assert done.approval is not None and done.approval.decided_by == "carol"


def test_policy_slack_id_authorises_the_terminal_name(build: Build, change_tool: RecordingChange) -> None:
    agent = build(users=["U024BE7LH"])
    approval_id = ask(agent, "alice")
    assert agent.decide(approval_id, "Bob", approve=True).ok
    assert change_tool.applied == [approval_id]


def test_unlisted_person_is_still_refused(build: Build, change_tool: RecordingChange) -> None:
    agent = build()
    approval_id = ask(agent, "alice")
    refused = agent.decide(approval_id, "Mallory", approve=True)
    assert not refused.ok and "not an authorised approver" in refused.text
    assert change_tool.applied == []
