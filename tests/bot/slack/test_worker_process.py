"""`serve slack`'s default: agent turns in a separate worker process, acks in the serving one."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.app import build_slack_app
from bot.slack.gate import click_key
from bot.slack.http import SlackHttpServer
from bot.slack.worker_process import ProcessSink, WorkerFailed, load_factory
from store import Store
from store.approvals import ApprovalStore
from tests.bot.slack.conftest import ALICE, BOB, FIXED_NOW, SECRET, SlackDriver, make_settings
from tests.bot.slack.fake_slack import FakeSlack


@pytest.fixture
def driver(tmp_path: Path, fake_slack: FakeSlack, namespace: str) -> Iterator[SlackDriver]:
    settings = make_settings(tmp_path, fake_slack, "redis")
    slack = build_slack_app(
        settings,
        runtime_factory="tests.bot.slack.doubles:context_runtime",
        namespace=namespace,
        now=lambda: FIXED_NOW,
        workers=2,
        worker_nice=0,  # the production default (10) would make this test wait on whatever else runs
    )
    server = SlackHttpServer(slack.app, SECRET, "127.0.0.1", 0)
    server.start()
    store = Store(settings.sqlalchemy_url)  # the same database as the worker: approvals are read here
    yield SlackDriver(fake_slack, slack, server, ApprovalStore(store))
    server.stop()
    slack.close()
    store.close()


def _answers(d: SlackDriver) -> list[str]:
    return [c.args["text"] for c in d.fake.of("chat.update")]


@pytest.mark.slow
def test_conversation_command_and_approval_through_the_worker(driver: SlackDriver) -> None:
    _, root = driver.mention("hello")
    driver.settle()
    driver.message("and then?", thread_ts=root)
    driver.settle()
    assert _answers(driver) == [
        "turn 1: hello (before that: nothing)",
        "turn 2: and then? (before that: hello)",
    ]

    # The worker posts the slash command's root message; the thread it opened is followed.
    driver.command("status?")
    driver.settle()
    posts = driver.fake.of("chat.postMessage")
    (i,) = [n for n, c in enumerate(posts) if "asked" in c.args["text"]]
    assert posts[i].args["text"] == f"<@{ALICE}> asked: status?"
    command_thread = posts[i + 1].args["thread_ts"]  # the placeholder, in the root's thread
    driver.message("more", thread_ts=command_thread)
    driver.settle()
    assert _answers(driver)[-1] == "turn 2: more (before that: status?)"

    driver.mention("change thing-9")
    driver.settle()
    approval_id, message_ts, _ = driver.approval_message()
    driver.click(approval_id, user=ALICE, message_ts=message_ts)  # the requester: refused
    driver.click(approval_id, user=BOB, message_ts=message_ts)
    driver.click(approval_id, user=BOB, message_ts=message_ts)  # double click
    driver.settle()
    approval = driver.approvals.get(approval_id)
    assert approval is not None and (approval.status, approval.decided_by) == ("executed", BOB.lower())
    assert [c.args["ts"] for c in driver.fake.of("chat.update")].count(message_ts) == 1
    assert "four eyes" in driver.fake.of("chat.postEphemeral")[0].args["text"]
    # The worker hands the refused click back to the serving process's key store: Alice may click
    # again; Bob's click decided, so it stays used.
    assert not driver.slack.keys.exists(click_key(approval_id, ALICE))
    assert driver.slack.keys.exists(click_key(approval_id, BOB))


@pytest.mark.slow
def test_a_dead_worker_is_replaced(driver: SlackDriver) -> None:
    sink = driver.slack.sink
    assert isinstance(sink, ProcessSink) and sink.worker_pid is not None
    first = sink.worker_pid
    os.kill(first, signal.SIGKILL)
    # Acks do not wait for the replacement; the message is answered once the new worker is up.
    status, _ = driver.mention("are you there?")
    assert status == 200
    driver.settle()
    assert sink.worker_pid != first
    assert _answers(driver)[-1] == "turn 1: are you there? (before that: nothing)"


def test_worker_that_cannot_start_is_reported(tmp_path: Path, fake_slack: FakeSlack, namespace: str) -> None:
    settings = make_settings(tmp_path, fake_slack, "memory")
    with pytest.raises(WorkerFailed, match="the database is unreachable"):
        build_slack_app(
            settings,
            runtime_factory="tests.bot.slack.broken_runtime:broken_runtime",
            namespace=namespace,
            worker_nice=0,
        )


def test_unknown_runtime_factory_is_refused_before_spawning(
    tmp_path: Path, fake_slack: FakeSlack, namespace: str
) -> None:
    settings = make_settings(tmp_path, fake_slack, "memory")
    with pytest.raises(ValueError, match="no runtime factory"):
        build_slack_app(settings, runtime_factory="tests.bot.slack.doubles:nothing_here", namespace=namespace)
    with pytest.raises(ValueError):
        load_factory("tests.bot.slack.nowhere:thing")
