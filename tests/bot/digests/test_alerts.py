"""Alerts with the real agent and tools (the bundled bill with its generated history, moto for
scans) and a real SQL store: a budget over its threshold posts once across runs and restarts,
anomalies are filtered by severity, a new finding after a scan alerts once (and again only after
it was resolved and came back), webhooks are signed and verified by a real HTTP server on
127.0.0.1, a schedule slot runs once across schedulers, and the CLI evaluates once or dry."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agent.messages import Reply
from agent.runtime import Runtime
from agent.turn import Agent
from bot.chat.conversation import ConversationRef
from bot.digests.alerts import AlertRunner, slack_text, webhook_payload
from bot.digests.runner import DigestRunner
from bot.digests.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSender,
    sign,
    verify_signature,
)
from bot.main import cli
from config import Settings, load_settings
from store.alerts import COVERED, SENT, AlertLog
from store.digests import DigestRuns
from tests.conftest import REGIONS
from tools.inventory.aws import AwsClients

NOW = "2024-10-15T09:05:00"
SECRET = "s3cr3t-shared-key"
CHANNEL = "C0ALERTS"


class Board:
    """A chat channel in memory: the digests' Poster."""

    def __init__(self, on_post: Callable[[], None] | None = None) -> None:
        self.posts: list[tuple[str, str, str | None]] = []
        self.on_post = on_post

    def post_text(self, channel: str, text: str, thread: str | None = None) -> str:
        self.posts.append((channel, text, thread))
        if self.on_post:
            self.on_post()
        return f"1728983100.{len(self.posts):06d}"

    def post_reply(self, reply: Reply, channel: str, thread: str) -> None:
        raise AssertionError("alerts post text only")

    def conversation(self, channel: str, thread: str) -> ConversationRef:
        return ConversationRef("board", channel, thread)


def alert_settings(data_dir: Path, moto: str, alerts: list[dict[str, Any]]) -> Settings:
    return load_settings(
        data_dir=data_dir,
        now=NOW,
        cost_demo_history=True,
        aws={"mode": "sandbox", "endpoint_url": moto, "regions": REGIONS},
        alerts=alerts,
    )


@pytest.fixture
def make_agent(fresh_moto: str, tmp_path: Path) -> Iterator[Callable[[list[dict[str, Any]]], Agent]]:
    """Agents on one data dir (one database): a second one is a restart or another replica."""
    made: list[Runtime] = []

    def build(alerts: list[dict[str, Any]]) -> Agent:
        runtime = Runtime.build(alert_settings(tmp_path / "data", fresh_moto, alerts))
        made.append(runtime)
        return Agent(runtime)

    yield build
    for runtime in made:
        runtime.close()


def month_to_date(agent: Agent, **scope: Any) -> Decimal:
    tool = agent.rt.registry["cost_query"]
    result = tool.run(agent.rt.ctx, tool.parse({"period": "this_month", "chart": False, **scope}))  # type: ignore[attr-defined]
    return Decimal(str(result.data()["total"]))


def test_budget_over_threshold_posts_once_across_two_runs_and_a_restart(
    make_agent: Callable[[list[dict[str, Any]]], Agent],
) -> None:
    probe = make_agent([])
    actual = month_to_date(probe)
    assert actual > 0
    amount = (actual / Decimal("1.2")).quantize(Decimal("0.01"))  # 120% used
    alerts: list[dict[str, Any]] = [
        {
            "kind": "budget",
            "name": "monthly",
            "amount": str(amount),
            "thresholds": [50, 80, 100],
            "forecast_thresholds": [100],
            "channel": CHANNEL,
        },
        {"kind": "budget", "name": "lambda", "amount": "1000000", "service": "Lambda", "channel": CHANNEL},
    ]
    board = Board()
    agent = make_agent(alerts)
    runner = AlertRunner(agent.rt.settings, agent, board)
    first = runner.run_all()
    assert [o.ok for o in first] == [True, True]
    [(channel, text, thread)] = board.posts  # one message: the monthly budget; Lambda is far below
    assert (channel, thread) == (CHANNEL, None)
    assert "*Alert monthly* (budget) — 2 new occurrences" in text
    assert "spent in October 2024 so far, 120% of" in text and "(threshold 100%)" in text
    assert "October 2024 is forecast at" in text
    assert "Reply in this thread to ask a follow-up" in text
    [monthly, lambda_] = first
    assert [e.key for d in monthly.deliveries for e in d.events] == [
        "2024-10:actual:100",
        "2024-10:forecast:100",
    ]
    assert lambda_.evaluated == 0 and lambda_.deliveries == []

    assert all(o.posted == 0 for o in runner.run_all())  # the second run: nothing new
    restarted = make_agent(alerts)  # a restart, or another replica on the same database
    assert all(o.posted == 0 for o in AlertRunner(restarted.rt.settings, restarted, board).run_all())
    assert len(board.posts) == 1
    statuses = {r.key: r.status for r in AlertLog(agent.rt.store).recent("monthly")}
    assert statuses == {
        "channel:2024-10:actual:100": SENT,
        "channel:2024-10:actual:50": COVERED,
        "channel:2024-10:actual:80": COVERED,
        "channel:2024-10:forecast:100": SENT,
    }


def test_anomaly_alerts_keep_only_the_severity_asked_for(
    make_agent: Callable[[list[dict[str, Any]]], Agent],
) -> None:
    common = {"kind": "anomaly", "period": "last_90_days", "channel": CHANNEL}
    agent = make_agent(
        [
            {**common, "name": "high", "min_severity": "high"},
            {**common, "name": "medium", "min_severity": "medium"},
        ]
    )
    board = Board()
    runner = AlertRunner(agent.rt.settings, agent, board)
    high, medium = (runner.run(a, dry_run=True) for a in agent.rt.settings.alerts)
    high_events = [e for d in high.deliveries for e in d.events]
    medium_events = [e for d in medium.deliveries for e in d.events]
    assert high_events and all(e.severity in ("critical", "high") for e in high_events)
    assert {e.severity for e in medium_events} >= {"medium"}
    assert {e.key for e in high_events} < {e.key for e in medium_events}
    assert {e.key for e in high_events} == {
        "Amazon Elastic Compute Cloud:2024-07-31",
        "AWS Lambda:2024-08-24",
    }
    assert board.posts == [] and AlertLog(agent.rt.store).recent() == []  # dry: nothing sent or kept
    posted = runner.run(agent.rt.settings.alerts[0])
    assert posted.posted == 2 and len(board.posts) == 1
    assert "Critical cost anomaly: Amazon Elastic Compute Cloud spent" in board.posts[0][1]
    assert runner.run(agent.rt.settings.alerts[0]).posted == 0


def open_ssh(moto: str) -> tuple[str, Any]:
    ec2 = AwsClients(load_settings(aws={"endpoint_url": moto, "regions": REGIONS}).aws).client(
        "ec2", REGIONS[0]
    )
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="bastion", Description="ssh", VpcId=vpc)["GroupId"]
    return group, ec2


SSH = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def test_a_new_finding_after_a_scan_alerts_once(
    make_agent: Callable[[list[dict[str, Any]]], Agent], fresh_moto: str
) -> None:
    agent = make_agent(
        [
            {
                "kind": "findings",
                "name": "critical",
                "min_severity": "high",
                "services": ["ec2"],
                "channel": CHANNEL,
            }
        ]
    )
    [alert] = agent.rt.settings.alerts
    board = Board()
    runner = AlertRunner(agent.rt.settings, agent, board)
    baseline = runner.run(alert)  # what the account has today: alerted once
    assert baseline.ok, baseline.detail
    assert runner.run(alert).posted == 0 and len(board.posts) == min(1, baseline.posted)

    group, ec2 = open_ssh(fresh_moto)
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=SSH)
    before = len(board.posts)
    opened = runner.run(alert)
    [event] = [e for d in opened.deliveries for e in d.events]
    assert event.data["resource_id"] == group and event.severity == "high"
    assert len(board.posts) == before + 1 and group in board.posts[-1][1]
    assert runner.run(alert).posted == 0  # the next scan: still open, not new

    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=SSH)
    assert runner.run(alert).posted == 0  # resolved: released, nothing to post
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=SSH)
    relapse = runner.run(alert)  # it came back: a new occurrence
    assert [e.data["resource_id"] for d in relapse.deliveries for e in d.events] == [group]


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks each request's signature like a real one."""

    def __init__(self, secret: str, fail_first: int = 0) -> None:
        self.requests: list[tuple[dict[str, str], bytes, bool]] = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                valid = verify_signature(secret, headers, body)
                outer.requests.append((headers, body, valid))
                code = 500 if len(outer.requests) <= outer.fail_first else (204 if valid else 401)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/cloudpilot"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(SECRET, fail_first=3)
    yield r
    r.close()


def test_webhook_deliveries_are_signed_verified_and_sent_once(
    make_agent: Callable[[list[dict[str, Any]]], Agent], receiver: Receiver
) -> None:
    agent = make_agent(
        [
            {
                "kind": "anomaly",
                "name": "spikes",
                "period": "last_90_days",
                "min_severity": "critical",
                "webhook_url": receiver.url,
                "webhook_secret": SECRET,
            }
        ]
    )
    [alert] = agent.rt.settings.alerts
    sender = WebhookSender(timeout_s=5, attempts=3, backoff_s=0.0, sleep=lambda _s: None)
    runner = AlertRunner(agent.rt.settings, agent, None, sender=sender)
    down = runner.run(alert)  # the receiver answers 500 three times: failed, kept for a retry
    assert not down.ok and "HTTP 500" in down.detail and len(receiver.requests) == 3
    sent = runner.run(alert)
    assert sent.ok and sent.posted == 2 and len(receiver.requests) == 4
    headers, body, valid = receiver.requests[-1]
    assert valid
    assert headers[SIGNATURE_HEADER.lower()] == sign(SECRET, int(headers[TIMESTAMP_HEADER.lower()]), body)
    assert headers["content-type"] == "application/json"
    delivery = DELIVERY_HEADER.lower()
    assert {h[delivery] for h, _, _ in receiver.requests} == {headers[delivery]}  # the same on retries
    payload = json.loads(body)
    assert (payload["type"], payload["alert"], payload["kind"]) == ("cloudpilot.alert", "spikes", "anomaly")
    assert [e["severity"] for e in payload["events"]] == ["critical", "critical"]
    assert payload["followup"]["question"].startswith("what drove the ")
    assert "thread" not in payload  # no channel configured
    assert runner.run(alert).posted == 0 and len(receiver.requests) == 4  # once
    [row, *_] = AlertLog(agent.rt.store).recent("spikes")
    assert row.attempts == 2 and row.status == SENT


def test_a_signature_is_refused_when_anything_is_off() -> None:
    body = b'{"alert":"x"}'
    now = time.time()
    stamp = int(now)
    good = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(SECRET, stamp, body)}
    assert verify_signature(SECRET, good, body, now=now)
    assert verify_signature(SECRET, {k.lower(): v for k, v in good.items()}, body, now=now)
    assert not verify_signature("other-secret", good, body, now=now)
    assert not verify_signature(SECRET, good, body + b" ", now=now)
    assert not verify_signature(SECRET, good, body, now=now + 301)  # replayed later
    assert not verify_signature(SECRET, {**good, TIMESTAMP_HEADER: "17²"}, body, now=now)
    assert not verify_signature(SECRET, {**good, TIMESTAMP_HEADER: "9" * 5000}, body, now=now)
    assert not verify_signature(SECRET, {**good, SIGNATURE_HEADER: "v1=é"}, body, now=now)
    assert not verify_signature(SECRET, {TIMESTAMP_HEADER: str(stamp)}, body, now=now)


def test_a_schedule_slot_is_evaluated_once_across_schedulers_and_runs_in_the_digest_loop(
    make_agent: Callable[[list[dict[str, Any]]], Agent],
) -> None:
    alerts: list[dict[str, Any]] = [
        {
            "kind": "anomaly",
            "name": "spikes",
            "period": "last_90_days",
            "min_severity": "critical",
            "schedule": "0 9 * * *",
            "channel": CHANNEL,
        }
    ]
    one, two = make_agent(alerts), make_agent(alerts)
    stop = threading.Event()
    board = Board(on_post=stop.set)
    digests = DigestRunner(one.rt.settings, one, board, DigestRuns(one.rt.store))
    digests.also.append(AlertRunner(one.rt.settings, one, board))
    loop = threading.Thread(target=digests.serve, args=(stop, one.rt.ctx.clock.now), daemon=True)
    loop.start()
    loop.join(timeout=120)
    assert not loop.is_alive() and len(board.posts) == 1
    other = AlertRunner(two.rt.settings, two, board)
    assert other.run_due(two.rt.ctx.clock.now()) == []  # the 09:00 slot is taken
    slot = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
    [run] = DigestRuns(one.rt.store).recent("alert:spikes")
    assert (run.slot, run.status) == (slot, "posted")
    assert other.next_runs(two.rt.ctx.clock.now()) == {
        "alert:spikes": datetime(2024, 10, 16, 9, 0, tzinfo=UTC)
    }


def test_the_message_and_payload_shapes(make_agent: Callable[[list[dict[str, Any]]], Agent]) -> None:
    from agent.api import AlertEvaluation, AlertEvent

    agent = make_agent(
        [
            {
                "kind": "findings",
                "name": "f",
                "channel": CHANNEL,
                "webhook_url": "http://x",
                "webhook_secret": "k",
            }
        ]
    )
    [alert] = agent.rt.settings.alerts
    events = [AlertEvent(key=f"f-{i}", severity="high", title=f"High: finding {i}") for i in range(25)]
    evaluation = AlertEvaluation("f", "findings", events, followup="which findings are critical?")
    text = slack_text(alert, evaluation, events)
    assert text.startswith(":warning: *Alert f* (findings) — 25 new occurrences")
    assert "…and 5 more." in text and text.count("• ") == 20
    payload = webhook_payload(
        alert, evaluation, events, datetime(2024, 10, 15, tzinfo=UTC), "1728983100.000001"
    )
    assert payload["thread"] == {"channel": CHANNEL, "ts": "1728983100.000001"}
    assert len(payload["events"]) == 25  # type: ignore[arg-type]


def test_cli_dry_run_then_run_then_history(fresh_moto: str, tmp_path: Path, receiver: Receiver) -> None:
    receiver.fail_first = 0
    env = {
        "CLOUDPILOT_DATA_DIR": str(tmp_path / "data"),
        "CLOUDPILOT_NOW": NOW,
        "CLOUDPILOT_COST_DEMO_HISTORY": "true",
        "CLOUDPILOT_AWS__ENDPOINT_URL": fresh_moto,
        "CLOUDPILOT_AWS__REGIONS": json.dumps(REGIONS),
        "CLOUDPILOT_ALERTS": json.dumps(
            [
                {
                    "kind": "anomaly",
                    "name": "spikes",
                    "period": "last_90_days",
                    "min_severity": "critical",
                    "webhook_url": receiver.url,
                    "webhook_secret": SECRET,
                }
            ]
        ),
        "COLUMNS": "200",
    }
    runner = CliRunner()
    listed = runner.invoke(cli, ["alerts", "list"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0 and "spikes" in listed.output and "webhook" in listed.output
    dry = runner.invoke(cli, ["alerts", "run", "--dry-run"], env=env, catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert "[webhook would send] Critical cost anomaly: Amazon Elastic Compute Cloud" in dry.output
    assert receiver.requests == []
    real = runner.invoke(cli, ["alerts", "run", "spikes"], env=env, catch_exceptions=False)
    assert real.exit_code == 0, real.output
    assert "[webhook sent] Critical cost anomaly" in real.output and len(receiver.requests) == 1
    again = runner.invoke(cli, ["alerts", "run"], env=env, catch_exceptions=False)
    assert "nothing new" in again.output and len(receiver.requests) == 1
    history = runner.invoke(cli, ["alerts", "history"], env=env, catch_exceptions=False)
    assert history.exit_code == 0 and history.output.count("sent") == 2
    unknown = runner.invoke(cli, ["alerts", "run", "nope"], env=env)
    assert unknown.exit_code == 2 and "No alert nope (configured: spikes)" in unknown.output
    no_slack = runner.invoke(
        cli,
        ["alerts", "run"],
        env={
            **env,
            "CLOUDPILOT_ALERTS": json.dumps([{"kind": "budget", "name": "b", "amount": 1, "channel": "C1"}]),
        },
    )
    assert no_slack.exit_code == 1 and "set slack.bot_token" in no_slack.output
