"""A job run again posts nothing twice: the record says what is done, and a post whose result was
lost (killed between the call and the record) is found in the thread by the key in its metadata."""

from __future__ import annotations

from pathlib import Path

from slack_sdk import WebClient

from agent.runtime import Runtime
from agent.turn import Agent
from bot.serve.ledger import INTENT, MemoryLedger
from bot.slack.groups import GroupResolver
from bot.slack.jobs import Answer, Click, Incoming, Job, Notice, SlashCommand, decode, encode
from bot.slack.responder import WORKING, SlackResponder, Steps
from tests.bot.slack.conftest import make_settings
from tests.bot.slack.doubles import ContextPlanner
from tests.bot.slack.fake_slack import FakeSlack


def test_jobs_survive_the_trip_through_json() -> None:
    jobs: list[Job] = [
        Answer(Incoming("U1", "C1", "hi", "1.0", "1.0"), key="msg:C1:1.0"),
        SlashCommand("U1", "C1", "costs?", "https://hooks/x", key="command:t"),
        Click("ap-1", True, "U2", "C1", "2.0", key="click:ap-1:U2:3.0"),
        Notice("C1", "U1", "slow down", None, key="notice:msg:C1:1.0"),
    ]
    for job in jobs:
        assert decode(encode(job)) == job


def test_a_post_whose_ts_was_lost_is_found_not_repeated(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-t", base_url=fake_slack.api_url)
    ledger = MemoryLedger()
    steps = Steps(ledger, "msg:C1:1.0", client)
    ts = steps.post("placeholder", "C1", "1.0", text=WORKING)
    assert Steps(ledger, "msg:C1:1.0", client).post("placeholder", "C1", "1.0", text=WORKING) == ts
    # Killed after Slack took the message but before its ts was recorded: only the intent is left.
    ledger.put("msg:C1:1.0", "placeholder", INTENT)
    again = Steps(ledger, "msg:C1:1.0", client).post("placeholder", "C1", "1.0", text=WORKING)
    assert again == ts and len(fake_slack.of("chat.postMessage")) == 1
    assert ledger.get("msg:C1:1.0")["placeholder"] == ts
    # An intent whose post never reached Slack is posted then.
    ledger.put("msg:C1:1.0", "message1", INTENT)
    Steps(ledger, "msg:C1:1.0", client).post("message1", "C1", "1.0", text="more")
    assert len(fake_slack.of("chat.postMessage")) == 2
    # Calls that cannot be looked up run at most once.
    runs: list[int] = []
    ledger.put("msg:C1:1.0", "file0", INTENT)
    Steps(ledger, "msg:C1:1.0", client).once("file0", lambda: runs.append(1))
    assert runs == []


def test_an_answer_job_run_twice_answers_once(tmp_path: Path, fake_slack: FakeSlack) -> None:
    settings = make_settings(tmp_path, fake_slack, "memory")
    planner = ContextPlanner()
    runtime = Runtime.build(settings, planner=planner, tools=[])
    try:
        client = WebClient(token="xoxb-t", base_url=fake_slack.api_url)
        responder = SlackResponder(Agent(runtime), client, GroupResolver(client), lambda c, t: None)
        job = Answer(Incoming("UALICE", "C1", "hello", "5.0", "5.0"), key="msg:C1:5.0")
        responder.run(job)
        responder.run(job)  # a duplicate delivery, or a retry after the last step
        assert planner.seen == ["hello"]
        assert len(fake_slack.of("chat.postMessage")) == 1 and len(fake_slack.of("chat.update")) == 1
        # A rerun after the reply was recorded but before the answer was shown: the turn is not
        # asked again, and the kept reply replaces the placeholder.
        responder.ledger.put("msg:C1:6.0", "placeholder", INTENT)
        second = Answer(Incoming("UALICE", "C1", "again", "6.0", "6.0"), key="msg:C1:6.0")
        steps = Steps(responder.ledger, second.key, client)
        responder._kept_reply(steps, lambda: responder._reply_to(second.incoming))
        responder.run(second)
        assert planner.seen == ["hello", "again"]
        assert fake_slack.of("chat.update")[-1].args["text"] == "turn 1: again (before that: nothing)"
    finally:
        runtime.close()
