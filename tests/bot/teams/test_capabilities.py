"""Every capability from Teams, with the real registry and offline planner over the sandbox (moto):
costs, scan -> fix -> approve -> verified, IaC with its file, cited runbooks, digests and alerts
posted to a Teams channel — the same questions the Slack capability tests ask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.api import DigestRuns
from agent.runtime import Runtime
from agent.turn import Agent
from bot.digests.alerts import AlertRunner
from bot.digests.runner import DigestRunner
from bot.teams.app import build_teams_app
from bot.teams.connector import BotConnector
from bot.teams.digests import FanOutPoster, TeamsPoster
from config import load_settings
from store.findings import FindingStore
from tests.bot.teams.conftest import BOB, CHANNEL, FIXED_NOW, Harness, serve
from tests.bot.teams.fake_teams import FakeTeams

DIGEST_CHANNEL = "19:digests@thread.tacv2"


@pytest.fixture
def e2e(tmp_path: Path, fresh_moto: str, fake_teams: FakeTeams, namespace: str) -> Iterator[Harness]:
    settings = load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15",
        aws={"mode": "sandbox", "endpoint_url": fresh_moto, "regions": ["us-east-1", "eu-west-1"]},
        teams=fake_teams.settings(service_url=fake_teams.service_url, channels={"C0DIGEST": DIGEST_CHANNEL}),
        approvals={"rules": [{"actions": ["*"], "users": ["bob"]}]},
        identities={"bob": [BOB]},
        digests=[{"name": "weekly", "channel": "C0DIGEST", "schedule": "0 9 * * MON"}],
        alerts=[{"name": "new-findings", "kind": "findings", "min_severity": "high", "channel": "C0DIGEST"}],
    )
    runtime = Runtime.build(settings)  # the real registry and planner
    agent = Agent(runtime)
    teams = build_teams_app(settings, agent, namespace=namespace, now=lambda: FIXED_NOW)
    server = serve(teams)
    yield Harness(fake_teams, teams, server, runtime.approvals.approvals, agent)
    server.stop()
    teams.close()
    runtime.close()


def _last(h: Harness, n: int = 1) -> str:
    return " ".join(h.answers()[-n:])


def test_cost_questions(e2e: Harness) -> None:
    _, root = e2e.say("how much did we spend on EC2 last month?")
    e2e.settle()
    first = _last(e2e)
    assert "$16.04" in first and "September 2024" in first
    e2e.say("and on S3?", thread=root)
    e2e.settle()
    assert "Simple Storage Service" in _last(e2e, 2)
    for question in (
        "break down last month by service",
        "any cost spikes recently?",
        "where can we save money?",
    ):
        e2e.say(question)
        e2e.settle()
        answer = _last(e2e)
        assert answer.strip() and "went wrong" not in answer, answer
    assert any("data:image/png;base64," in a for a in e2e.answers()), "a chart is sent as an image"


def test_public_bucket_found_fixed_verified_and_resolved(e2e: Harness) -> None:
    s3 = e2e.agent.rt.ctx.aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="acme-teams-public")
    s3.put_bucket_acl(Bucket="acme-teams-public", ACL="public-read")
    _, root = e2e.say("are any buckets public?")
    e2e.settle()
    assert "acme-teams-public" in _last(e2e)
    e2e.say("fix it", thread=root)
    e2e.settle()
    approval_id, card_id, conversation, data = e2e.approval_card()
    assert conversation == f"{CHANNEL};messageid={root}"
    e2e.post(e2e.invoke("approve", data, user=BOB, card_id=card_id, conversation=conversation))
    e2e.settle()
    assert [r.kind for r in e2e.agent.audit(approval_id)][-2:] == ["execution", "verification"]
    assert e2e.agent.view(approval_id).status == "executed"  # type: ignore[union-attr]
    e2e.say("are any buckets public?", thread=root)
    e2e.settle()
    assert "resolved" in _last(e2e)
    findings = FindingStore(e2e.agent.rt.store)
    public = findings.list(resource_id="acme-teams-public", rule_id="s3-bucket-public", status=None)
    assert [f.status for f in public] == ["resolved"]


def test_runbook_answer_cites_its_sources(e2e: Harness) -> None:
    e2e.say("what is our runbook for a full disk on a database host?")
    e2e.settle()
    answer = _last(e2e)
    assert "Sources" in answer and ".md" in answer


def test_iac_requests_return_validated_code_with_its_file_name(e2e: Harness) -> None:
    e2e.say("write Terraform for a private S3 bucket with versioning")
    e2e.settle()
    answer = _last(e2e, 3)
    assert "aws_s3_bucket_versioning" in answer and '"type": "CodeBlock"' in answer
    assert ".tf`" in answer  # the file's name heads its code


def test_digests_and_alerts_post_to_a_teams_channel(e2e: Harness, fake_teams: FakeTeams) -> None:
    settings = e2e.agent.rt.settings
    connector = BotConnector(settings.teams)
    poster = TeamsPoster(settings.teams, connector)
    runner = DigestRunner(settings, e2e.agent, poster, DigestRuns(e2e.agent.rt.store))
    outcome = runner.send(settings.digests[0])
    assert outcome.ok, outcome.detail
    posts = [c for c in fake_teams.sent("POST") if DIGEST_CHANNEL in c.path]
    root_path = f"/connector/v3/conversations/{DIGEST_CHANNEL}/activities"
    assert posts[0].path == root_path and "Digest weekly" in json.dumps(posts[0].body)
    assert all(";messageid=" in c.path for c in posts[1:]) and len(posts) > len(settings.digests[0].questions)

    class Other:  # another platform's poster (Slack's, in production) that is down
        def post_text(self, channel: str, text: str, thread: str | None = None) -> str:
            raise RuntimeError("that platform is down")

        def post_reply(self, reply: Any, channel: str, thread: str) -> None:
            raise RuntimeError("that platform is down")

        def conversation(self, channel: str, thread: str) -> Any:
            raise RuntimeError("that platform is down")

    before = len(fake_teams.sent("POST"))
    alerts = AlertRunner(settings, e2e.agent, FanOutPoster([Other(), poster], [lambda c: True, poster.maps]))
    outcomes = alerts.run_all()
    assert outcomes and all(o.ok for o in outcomes), [str(o) for o in outcomes]
    assert len(fake_teams.sent("POST")) > before  # the alert reached Teams though the other was down
    connector.close()
