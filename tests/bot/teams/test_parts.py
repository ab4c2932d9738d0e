"""The Teams parts on their own: the Bot Connector client, a job run twice, the approvers' home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.messages import ApprovalView, Reply
from bot.chat.backend import ChatBackend
from bot.chat.conversation import ConversationRef, MessageRef
from bot.chat.record import JobRecord
from bot.serve.ledger import MemoryLedger
from bot.teams.app import build_teams_app
from bot.teams.backend import TeamsBackend
from bot.teams.connector import BotConnector, ConnectorError
from bot.teams.groups import GroupResolver
from bot.teams.jobs import Answer, decode, encode
from config.teams import TeamsSettings
from store.approvals import ApprovalStore
from store.db import Store
from tests.agent.doubles import call
from tests.bot.teams.conftest import (
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    TENANT,
    Harness,
    TeamsDriver,
    serve,
    teams_settings,
)
from tests.bot.teams.fake_teams import FakeTeams


def test_the_connector_authenticates_once_and_never_sends_its_token_elsewhere(fake_teams: FakeTeams) -> None:
    connector = BotConnector(TeamsSettings(**fake_teams.settings()))
    try:
        for _ in range(3):
            connector.send(fake_teams.service_url, "a:chat", {"type": "message", "text": "hi"})
        assert len([c for c in fake_teams.calls if c.path == "/issuer/token"]) == 1  # cached
        with pytest.raises(ConnectorError, match="not allowed"):
            connector.send("https://evil.example.com/", "a:chat", {"type": "message"})
        assert not any("evil" in c.path for c in fake_teams.calls)
        # Path characters in an id cannot escape the conversation's path.
        with pytest.raises(ConnectorError, match="messageid=1%2F..%2F..%2Fv3/activities answered 404"):
            sneaky = "19:x@thread.tacv2;messageid=1/../../v3"
            connector.send(fake_teams.service_url, sneaky, {"type": "message"})
    finally:
        connector.close()


def test_a_wrong_secret_is_an_error_not_a_post(fake_teams: FakeTeams) -> None:
    connector = BotConnector(TeamsSettings(**fake_teams.settings(app_password="wrong")))
    try:
        with pytest.raises(ConnectorError, match="401"):
            connector.send(fake_teams.service_url, "a:chat", {"type": "message"})
    finally:
        connector.close()


def test_jobs_round_trip_as_json() -> None:
    job = Answer(ALICE, "29:x", "teams:t:c:main", "https://s/", "hi", True, key="k")
    assert decode(json.loads(json.dumps(encode(job)))) == job


def test_a_job_run_again_does_not_ask_or_post_again(harness: Harness) -> None:
    harness.say("only once")
    harness.settle()
    posts = len(harness.fake.sent("POST"))
    # The same job, delivered to the worker again (a queue's retry): its record says it is done.
    root = harness.fake.sent("POST")[0].path.split("messageid=")[1].split("/")[0]
    ref = ConversationRef("teams", CHANNEL, root, TENANT)
    key = f"activity:{ref.conversation_id}:{root}"
    job = Answer(
        ALICE, f"29:{ALICE}", ref.conversation_id, harness.fake.service_url, "only once", False, key=key
    )
    harness.teams.sink.submit(ref.lane, job)
    harness.settle()
    assert harness.planner.seen == ["only once"]
    assert len(harness.fake.sent("POST")) == posts


def test_home_lists_what_waits_for_an_approver(harness: Harness) -> None:
    harness.planner.calls = [call("change_thing", resource_id="res-7")]
    harness.say("change res-7", user=BOB)
    harness.settle()
    harness.planner.calls = []
    harness.say("home", user=CAROL, kind="personal", mention=False)
    harness.settle()
    home = harness.answers()[-1]
    assert "Waiting for your approval (1)" in home and "change_thing on res-7" in home
    harness.say("my approvals", user=BOB, kind="personal", mention=False)
    harness.settle()
    mine = str(json.loads(harness.answers()[-1]))
    assert "Waiting for your approval (0)" in mine and "change_thing on res-7" in mine and "· pending" in mine
    assert harness.planner.seen == ["change res-7"]  # home is answered without a turn


@pytest.mark.slow
def test_the_single_machine_default_answers_from_a_worker_process(
    tmp_path: Path, fake_teams: FakeTeams, namespace: str
) -> None:
    settings = teams_settings(tmp_path, fake_teams)
    teams = build_teams_app(
        settings, queue=False, runtime_factory="tests.bot.chat.doubles:context_runtime", namespace=namespace
    )
    server = serve(teams)
    store = Store(settings.sqlalchemy_url)
    try:
        driver = TeamsDriver(fake_teams, teams, server, ApprovalStore(store))
        driver.say("from the child")
        driver.settle()
        assert "turn 1: from the child" in driver.answers()[-1]
    finally:
        server.stop()
        teams.close()
        store.close()


def test_the_teams_backend_speaks_the_chat_seam(fake_teams: FakeTeams) -> None:
    """`TeamsBackend` through `ChatBackend`'s methods only, against the fake Bot Connector."""
    settings = TeamsSettings(**fake_teams.settings(groups={"oncall": "team:19:ops-team@thread.tacv2"}))
    connector = BotConnector(settings)
    fake_teams.members["19:ops-team@thread.tacv2"] = {CAROL}
    ledger = MemoryLedger()
    backend: ChatBackend = TeamsBackend(
        connector,
        ledger,
        JobRecord(ledger, "job-1"),
        fake_teams.service_url,
        lambda user: {CAROL: "carol"}.get(user, user),
        GroupResolver(settings, connector),
        settings.card_key(),
        TENANT,
    )
    try:
        assert isinstance(backend, ChatBackend) and backend.platform == "teams"
        where = ConversationRef("teams", CHANNEL, "1700000000042", TENANT)
        view = ApprovalView(
            id="ap-1",
            action="close_port",
            resource_id="sg-1",
            plan={"summary": "revoke 22"},
            status="pending",
            requester="bob",
        )
        first = backend.post_reply(where, Reply(text="done", approval=view))
        card = MessageRef(where, ledger.get("job-1")["approval:ap-1"])
        assert first.message_id != card.message_id
        backend.update_approval(card, view.model_copy(update={"status": "executed", "decided_by": "carol"}))
        backend.post_private(CAROL, "only for you")
        user = backend.resolve_user(CAROL, ["oncall", "unmapped"])
        assert user.canonical == "carol" and user.groups == frozenset({"oncall"})
        assert backend.resolve_user(BOB, ["oncall"]).groups == frozenset()
        paths = [(c.method, c.path) for c in fake_teams.to_connector()]
        thread = f"/connector/v3/conversations/{CHANNEL};messageid=1700000000042/activities"
        assert paths[:2] == [("POST", thread), ("POST", thread)]
        assert paths[2] == ("PUT", f"{thread}/{card.message_id}")
        assert ("POST", "/connector/v3/conversations") in paths  # the 1:1 chat for the private notice
        # The same job again: nothing is posted twice.
        again = TeamsBackend(
            connector,
            ledger,
            JobRecord(ledger, "job-1"),
            fake_teams.service_url,
            str,
            GroupResolver(settings, connector),
            settings.card_key(),
            TENANT,
        )
        before = len(fake_teams.to_connector())
        again.post_reply(where, Reply(text="done", approval=view))
        assert len(fake_teams.to_connector()) == before
    finally:
        connector.close()


def test_teams_settings_come_from_the_environment_and_refuse_bad_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    from config import load_settings

    monkeypatch.setenv("CLOUDPILOT_TEAMS__APP_ID", "00000000-0000-0000-0000-0000000000a1")
    monkeypatch.setenv("CLOUDPILOT_TEAMS__APP_PASSWORD", "s3cret")
    settings = load_settings(data_dir=tmp_path)
    assert settings.teams.configured and settings.teams.app_id == "00000000-0000-0000-0000-0000000000a1"
    assert settings.masked()["teams"]["app_password"] == "**********"
    with pytest.raises(ValidationError, match="entra:<group object id>"):
        load_settings(data_dir=tmp_path, teams={"groups": {"oncall": "S0ONCALL"}})
    with pytest.raises(ValidationError, match="not an https URL"):
        load_settings(data_dir=tmp_path, teams={"allowed_service_urls": ["http://evil.example.com/"]})


def test_the_question_is_the_text_without_the_bots_mention_and_markup(harness: Harness) -> None:
    from bot.teams.activity import Message, parse

    body = harness.activity("x")
    body["text"] = "<p><at>CloudPilot</at> is cost &lt; 5 and x > 3 for <at>Bob</at>?&nbsp;</p>"
    parsed = parse(body)
    assert isinstance(parsed, Message)
    assert parsed.text == "is cost < 5 and x > 3 for Bob?"
    assert parsed.envelope.conversation.thread == body["id"]  # a new channel post starts a thread
