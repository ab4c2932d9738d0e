"""The App Home tab: approvals waiting for me, my recent requests, the latest critical findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from store.finding_types import FindingData, ScanReport, ScopeKey
from store.findings import FindingStore
from tests.bot.slack.conftest import ALICE, BOB, DAVE, MALLORY, Harness

T0 = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)


def open_home(h: Harness, user: str, *, tab: str = "home", event_id: str | None = None) -> None:
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": "1.0"}
    status, _ = h.event(event, event_id=event_id)
    assert status == 200
    h.settle()


def home_of(h: Harness, user: str) -> str:
    """The text of the last Home view published for `user`, section by section."""
    (*_, view) = h.fake.where("views.publish", lambda a: a.get("user_id") == user)
    published: dict[str, Any] = view.args["view"]
    assert published["type"] == "home"
    texts = []
    for block in published["blocks"]:
        if block.get("text"):
            texts.append(block["text"]["text"])
        texts += [e["text"] for e in block.get("elements") or [] if "text" in e]
    return "\n".join(texts)


def part(home: str, title: str) -> str:
    """The lines of one part of the view (up to the next part's title)."""
    titles = ["*Waiting for your approval*", "*Your recent requests*", "*Latest critical findings*"]
    start = home.index(f"*{title}*")
    ends = [home.index(t) for t in titles if home.index(t) > start]
    return home[start : min(ends) if ends else len(home)]


def test_home_lists_what_waits_for_each_approver(harness: Harness) -> None:
    harness.mention("change thing-9", user=ALICE)
    harness.settle()
    approval_id, _, _ = harness.approval_message()

    open_home(harness, BOB)  # named in the policy
    assert approval_id in part(home_of(harness, BOB), "Waiting for your approval")
    open_home(harness, DAVE)  # a member of the policy's @oncall group
    assert approval_id in part(home_of(harness, DAVE), "Waiting for your approval")
    open_home(harness, MALLORY)  # in another group: not an approver
    assert approval_id not in home_of(harness, MALLORY)

    # The requester sees it among their requests, never as waiting for them (four eyes).
    open_home(harness, ALICE)
    alice = home_of(harness, ALICE)
    assert approval_id not in part(alice, "Waiting for your approval")
    mine = part(alice, "Your recent requests")
    assert approval_id in mine and "*pending*" in mine


def test_a_decided_request_leaves_the_approvers_list(harness: Harness) -> None:
    harness.mention("change thing-9", user=ALICE)
    harness.settle()
    approval_id, message_ts, _ = harness.approval_message()
    harness.click(approval_id, user=BOB, message_ts=message_ts)
    harness.settle()
    open_home(harness, DAVE)
    assert approval_id not in home_of(harness, DAVE)
    open_home(harness, ALICE)
    assert "*executed*" in part(home_of(harness, ALICE), "Your recent requests")


def test_home_shows_the_latest_open_critical_findings(harness: Harness) -> None:
    def finding(resource: str, severity: str) -> FindingData:
        return FindingData(
            id=f"f-{resource}",
            rule_id="s3-public",
            title=f"Bucket {resource} is public",
            severity=severity,
            service="s3",
            account="123456789012",
            region="us-east-1",
            resource_id=resource,
            resource_type="bucket",
            detail="public",
        )

    report = ScanReport(
        id="scan-1",
        started_at=T0,
        finished_at=T0 + timedelta(minutes=1),
        account="123456789012",
        covered=[ScopeKey(service="s3")],
    )
    FindingStore(harness.agent.rt.store).record_scan(
        report, [finding("acme-logs", "critical"), finding("acme-web", "high")]
    )
    open_home(harness, ALICE)
    findings = part(home_of(harness, ALICE), "Latest critical findings")
    assert "Bucket acme-logs is public" in findings and "acme-web" not in findings


def test_home_is_published_once_per_event_and_only_for_the_home_tab(harness: Harness) -> None:
    open_home(harness, BOB, tab="messages")
    assert harness.fake.of("views.publish") == []
    open_home(harness, BOB, event_id="EvHOME1")
    open_home(harness, BOB, event_id="EvHOME1")  # Slack's retry of the same event
    assert len(harness.fake.of("views.publish")) == 1
    empty = home_of(harness, BOB)
    assert "Nothing waits for you" in empty and "No open critical findings" in empty


def test_the_manifest_subscribes_to_the_home_tab_and_may_open_dms() -> None:
    from tests.bot.slack.test_manifest import _manifest

    m = _manifest()
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in m["settings"]["event_subscriptions"]["bot_events"]
    assert "im:write" in m["oauth_config"]["scopes"]["bot"]
