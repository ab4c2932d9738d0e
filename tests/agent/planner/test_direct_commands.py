"""Direct commands around the edges: several targets, missing targets, refusals, earlier offers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agent.guard import tool_specs
from agent.planner.base import FixSuggestion, PastTurn
from agent.planner.offline import OfflinePlanner
from tools.registry import TOOLS

NOW = datetime(2024, 10, 15, tzinfo=UTC)
SPECS = tool_specs(TOOLS)
I1, I2 = "i-0123456789abcdef0", "i-0fedcba987654321f"
VOL = "vol-0123456789abcdef0"


def plan(text: str, history: list[PastTurn] | None = None) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    decision = OfflinePlanner().plan(text, history or [], SPECS, NOW)
    return [(c.name, c.args) for c in decision.calls], decision.answer or ""


def test_several_targets_and_a_region() -> None:
    calls, _ = plan(f"stop instances {I1} and {I2} in eu-west-1")
    assert calls == [
        ("remediate", {"action": "stop_instance", "resource_id": I1, "region": "eu-west-1"}),
        ("remediate", {"action": "stop_instance", "resource_id": I2, "region": "eu-west-1"}),
    ]
    calls, _ = plan("enable ebs default encryption in eu-west-1 and us-east-1")
    assert [c[1]["region"] for c in calls] == ["eu-west-1", "us-east-1"]


def test_a_12_digit_account_is_passed_on() -> None:
    calls, _ = plan(f"stop {I1} in account 123456789012")
    assert calls == [("remediate", {"action": "stop_instance", "resource_id": I1, "account": "123456789012"})]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("stop the instance", "Which EC2 instance should I stop?"),
        ("enable versioning", "Which S3 bucket"),
        ("enable ebs default encryption", "In which region?"),
        ("deactivate access key AKIAIOSFODNN7EXAMPLE", "Which IAM user"),
        ("make the snapshot private", "Which EBS snapshot"),
        ("disable public access on the database", "Which RDS"),
        # Words the older actions share keep their meaning.
        ("block public access", "Which bucket"),
        (f"terminate {I1}", "stop it"),
        ("delete instance i-0abc1234", "can't make that change"),
        (f"convert {VOL} to io2", "gp3 or gp2"),
    ],
)
def test_no_guessing(text: str, phrase: str) -> None:
    calls, answer = plan(text)
    assert calls == [] and phrase in answer


def test_a_bare_target_answers_the_question() -> None:
    history = [PastTurn(text="stop the instance")]
    calls, _ = plan(I1, history)
    assert calls == [("remediate", {"action": "stop_instance", "resource_id": I1})]


def test_what_an_earlier_answer_offered() -> None:
    offered = [
        FixSuggestion(action="delete_volume", resource_id=VOL, region="us-east-1", title="Unattached volume"),
        FixSuggestion(action="release_address", resource_id="eipalloc-0123456789abcdef0", region="us-east-1"),
    ]
    history = [PastTurn(text="where can we save money?", fixable=offered)]
    calls, _ = plan("delete the unattached volume", history)
    assert calls == [("remediate", {"action": "delete_volume", "resource_id": VOL, "region": "us-east-1"})]


@pytest.mark.parametrize(
    "text",
    [
        "which instances don't require imdsv2?",
        "list instances that don't use imdsv2",
        "are versioning and encryption enabled on our buckets?",
        "stop suppressing f-0123456789abcdef",
        "change the cost report to show ec2",
    ],
)
def test_read_only_questions_stay_read_only(text: str) -> None:
    calls, _ = plan(text)
    assert all(name != "remediate" for name, _ in calls)


def test_existing_changes_are_unchanged() -> None:
    assert plan("delete the rule on sg-0123abcd")[0] == [
        ("remediate", {"action": "revoke_ingress", "resource_id": "sg-0123abcd"})
    ]
    assert plan("make bucket acme-logs private")[0] == [
        ("remediate", {"action": "block_public_access", "resource_id": "acme-logs"})
    ]
