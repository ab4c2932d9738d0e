"""The offline planner across turns: follow-ups, "fix it", clarifications; compose and repair."""

from __future__ import annotations

from typing import Any

import pytest

from agent.planner import (
    FixSuggestion,
    OfflinePlanner,
    PastTurn,
    PlannedCall,
    PlannerDecision,
    ToolOutcomeView,
)
from tests.agent.planner.helpers import NOW, assert_valid, summary, tool_specs

SSH = FixSuggestion(
    action="revoke_ingress",
    resource_id="sg-0123abcd",
    region="us-east-1",
    params={"port": 22},
    title="SSH open to the world",
    finding_id="F-1",
)
PUBLIC = FixSuggestion(
    action="block_public_access", resource_id="acme-public-assets", title="Bucket is public", finding_id="F-2"
)


class Conversation:
    """Drives the planner the way the graph does: each turn is remembered as a PastTurn."""

    def __init__(self) -> None:
        self.planner = OfflinePlanner()
        self.history: list[PastTurn] = []

    def say(self, text: str, fixable: list[FixSuggestion] | None = None) -> PlannerDecision:
        decision = self.planner.plan(text, list(self.history), tool_specs(), NOW)
        for call in decision.calls:
            assert_valid(call)
        self.history.append(
            PastTurn(text=text, calls=decision.calls, answer=decision.answer or "", fixable=fixable or [])
        )
        return decision


def calls(decision: PlannerDecision) -> list[tuple[str, dict[str, Any]]]:
    return summary(decision.calls)


def test_cost_follow_ups_change_one_argument_at_a_time() -> None:
    chat = Conversation()
    assert calls(chat.say("how much did we spend on EC2 this month")) == [
        ("cost_query", {"period": "this_month", "service": "EC2"})
    ]
    assert calls(chat.say("and last month?")) == [("cost_query", {"period": "last_month", "service": "EC2"})]
    assert calls(chat.say("what about S3?")) == [("cost_query", {"period": "last_month", "service": "S3"})]
    assert calls(chat.say("and in eu-west-1?")) == [
        ("cost_query", {"period": "last_month", "service": "S3", "region": "eu-west-1"})
    ]
    assert calls(chat.say("by day")) == [
        ("cost_query", {"period": "last_month", "service": "S3", "region": "eu-west-1", "group_by": "day"})
    ]
    assert calls(chat.say("and in all regions?")) == [
        ("cost_query", {"period": "last_month", "service": "S3", "group_by": "day"})
    ]


def test_a_follow_up_that_names_the_same_intent_still_inherits() -> None:
    chat = Conversation()
    chat.say("what did we spend on EC2 in September")
    assert calls(chat.say("and what did RDS cost?")) == [
        ("cost_query", {"period": "2024-09", "service": "RDS"})
    ]


def test_inventory_follow_ups() -> None:
    chat = Conversation()
    chat.say("list our EC2 instances in eu-west-1")
    assert calls(chat.say("what about S3?")) == [
        ("describe_resources", {"resource_type": "s3_bucket", "region": "eu-west-1"})
    ]
    assert calls(chat.say("and in Frankfurt?")) == [
        ("describe_resources", {"resource_type": "s3_bucket", "region": "eu-central-1"})
    ]


def test_a_new_id_replaces_the_previous_type() -> None:
    chat = Conversation()
    chat.say("describe bucket acme-logs")
    assert calls(chat.say("and sg-0123abcd?")) == [
        ("describe_resources", {"resource_id": "sg-0123abcd", "resource_type": "security_group"})
    ]


def test_findings_follow_ups() -> None:
    chat = Conversation()
    chat.say("show high severity findings")
    assert calls(chat.say("only critical ones")) == [("list_findings", {"severity": "critical"})]
    assert calls(chat.say("what about s3?")) == [("list_findings", {"severity": "critical", "service": "s3"})]


def test_scan_follow_up_changes_services() -> None:
    chat = Conversation()
    chat.say("scan s3 in us-east-1")
    assert calls(chat.say("and iam?")) == [("security_scan", {"services": ["iam"], "regions": ["us-east-1"]})]


def test_knowledge_follow_up_extends_the_query() -> None:
    chat = Conversation()
    chat.say("what is our runbook for a full disk?")
    assert calls(chat.say("what about for databases?")) == [
        ("search_knowledge", {"query": "what is our runbook for a full disk for databases"})
    ]


def test_an_explicit_new_request_is_not_a_follow_up() -> None:
    chat = Conversation()
    chat.say("how much did we spend on EC2 last month")
    assert calls(chat.say("and list the buckets")) == [("describe_resources", {"resource_type": "s3_bucket"})]


def test_follow_up_skips_turns_without_calls() -> None:
    chat = Conversation()
    chat.say("cost of EC2 last month")
    chat.say("thanks")
    assert calls(chat.say("and S3?")) == [("cost_query", {"period": "last_month", "service": "S3"})]


def test_follow_up_without_anything_to_follow_is_not_guessed() -> None:
    chat = Conversation()
    chat.say("hi")
    decision = chat.say("and last month?")
    assert decision.calls == [] and decision.answer


def test_follow_up_never_repeats_a_change() -> None:
    chat = Conversation()
    chat.say("close port 22 on sg-0123abcd")
    decision = chat.say("and on sg-0456abcd?")
    assert decision.calls == []
    assert decision.answer is not None and "say it in full" in decision.answer


def test_fix_it_uses_the_previous_turns_finding() -> None:
    chat = Conversation()
    chat.say("are any buckets public?", fixable=[PUBLIC])
    assert calls(chat.say("fix it")) == [
        ("remediate", {"action": "block_public_access", "resource_id": "acme-public-assets"})
    ]


def test_fix_that_reaches_back_past_turns_without_findings() -> None:
    chat = Conversation()
    chat.say("any open ports?", fixable=[SSH])
    chat.say("thanks")
    assert calls(chat.say("please fix that")) == [
        (
            "remediate",
            {
                "action": "revoke_ingress",
                "resource_id": "sg-0123abcd",
                "region": "us-east-1",
                "params": {"port": 22},
            },
        )
    ]


def test_fix_it_without_anything_fixable_asks_which_resource() -> None:
    chat = Conversation()
    chat.say("how much did we spend last month")
    decision = chat.say("fix it")
    assert decision.calls == []
    assert decision.answer is not None and "Which resource" in decision.answer


def test_fix_it_with_several_candidates_asks_then_takes_the_answer() -> None:
    chat = Conversation()
    chat.say("run a security scan", fixable=[SSH, PUBLIC])
    question = chat.say("fix it")
    assert question.calls == []
    assert question.answer is not None
    assert "1. SSH open to the world" in question.answer and "2. Bucket is public" in question.answer
    assert calls(chat.say("the second one")) == [
        ("remediate", {"action": "block_public_access", "resource_id": "acme-public-assets"})
    ]


@pytest.mark.parametrize(
    ("text", "resources"),
    [
        ("fix them", ["sg-0123abcd", "acme-public-assets"]),
        ("fix all", ["sg-0123abcd", "acme-public-assets"]),
        ("fix the bucket", ["acme-public-assets"]),
        ("fix the security group", ["sg-0123abcd"]),
        ("fix #1", ["sg-0123abcd"]),
        ("fix the last one", ["acme-public-assets"]),
        ("fix finding F-2", ["acme-public-assets"]),
        ("remediate sg-0123abcd", ["sg-0123abcd"]),
    ],
)
def test_fix_variants_pick_from_the_findings(text: str, resources: list[str]) -> None:
    chat = Conversation()
    chat.say("run a security scan", fixable=[SSH, PUBLIC])
    decision = chat.say(text)
    assert [c.args["resource_id"] for c in decision.calls] == resources
    assert all(c.name == "remediate" for c in decision.calls)


def test_fix_an_unknown_finding_explains() -> None:
    chat = Conversation()
    chat.say("run a security scan", fixable=[SSH])
    decision = chat.say("fix finding F-9")
    assert decision.calls == []
    assert decision.answer is not None and "F-9" in decision.answer


def test_fix_a_resource_it_cannot_fix_explains() -> None:
    decision = Conversation().say("fix i-0abc1234")
    assert decision.calls == []
    assert decision.answer is not None and "don't know how to fix" in decision.answer


def test_change_request_uses_the_single_matching_finding() -> None:
    chat = Conversation()
    chat.say("run a security scan", fixable=[SSH, PUBLIC])
    assert calls(chat.say("close port 22")) == [
        (
            "remediate",
            {
                "action": "revoke_ingress",
                "resource_id": "sg-0123abcd",
                "params": {"port": 22},
                "region": "us-east-1",
            },
        )
    ]


@pytest.mark.parametrize(
    ("first", "answer", "expected"),
    [
        (
            "close port 22",
            "sg-0123abcd",
            {"action": "revoke_ingress", "resource_id": "sg-0123abcd", "params": {"port": 22}},
        ),
        ("block public access", "acme-logs", {"action": "block_public_access", "resource_id": "acme-logs"}),
        (
            "make a bucket private",
            "bucket acme-logs",
            {"action": "block_public_access", "resource_id": "acme-logs"},
        ),
    ],
)
def test_answering_which_resource_completes_the_change(
    first: str, answer: str, expected: dict[str, Any]
) -> None:
    chat = Conversation()
    assert chat.say(first).calls == []
    assert calls(chat.say(answer)) == [("remediate", expected)]


def test_a_new_question_after_a_clarification_is_not_taken_as_the_answer() -> None:
    chat = Conversation()
    chat.say("close port 22")
    assert calls(chat.say("list security groups")) == [
        ("describe_resources", {"resource_type": "security_group"})
    ]


def test_compose_writes_one_paragraph_per_call() -> None:
    results = [
        ToolOutcomeView(
            call=PlannedCall(name="cost_query"), status="ok", message="EC2 cost $1,234.56 last month."
        ),
        ToolOutcomeView(call=PlannedCall(name="list_findings"), status="no_data", message=""),
        ToolOutcomeView(
            call=PlannedCall(name="security_scan"), status="error", message="Region xx-1 is unknown."
        ),
        ToolOutcomeView(
            call=PlannedCall(name="remediate"), status="approval_required", message="Waiting for approval."
        ),
    ]
    text = OfflinePlanner().compose("q", [], results)
    assert text.split("\n\n") == [
        # The offline planner's cost answers start by saying how the question was read.
        "Understood: all services, last month, billed cost, all accounts.\nEC2 cost $1,234.56 last month.",
        "List findings: no data found.",
        "Security scan failed: Region xx-1 is unknown.",
        "Waiting for approval.",
    ]


def test_compose_with_nothing_run() -> None:
    assert OfflinePlanner().compose("q", [], []) == "There was nothing to run."


def test_repair_explains_the_argument_error_without_retrying() -> None:
    failed = PlannedCall(name="cost_query", args={"period": "2024-02-30..2024-03-05"}, id="call_1")
    decision = OfflinePlanner().repair(
        "cost from 2024-02-30 to 2024-03-05",
        [],
        tool_specs(),
        failed,
        "period: invalid date 2024-02-30.",
        NOW,
    )
    assert decision.calls == []
    assert decision.answer is not None
    assert "invalid date 2024-02-30" in decision.answer
    assert "period" in decision.answer and "group_by" in decision.answer
