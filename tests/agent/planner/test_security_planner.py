"""How the offline planner reads the security requests it gained: score, changes, suppression."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from agent.guard import tool_specs
from agent.planner.base import FixSuggestion, PastTurn
from agent.planner.extract import extract
from agent.planner.intents import Intent, classify
from agent.planner.offline import OfflinePlanner
from tools.registry import TOOLS

TODAY = date(2024, 10, 15)
SPECS = tool_specs(TOOLS)
FID = "f-0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what's our CIS score?", Intent.SCORE),
        ("how compliant are we with PCI DSS?", Intent.SCORE),
        ("compliance score for soc 2", Intent.SCORE),
        ("what changed since the last scan?", Intent.CHANGES),
        ("any new findings since the previous scan?", Intent.CHANGES),
        (f"suppress finding {FID} for 30 days because it is a lab bucket", Intent.SUPPRESS),
        ("mute it for 2 weeks as accepted risk", Intent.SUPPRESS),
        ("don't suppress it", Intent.DECLINE),
        ("how do I suppress a finding?", Intent.KNOWLEDGE),
        ("show suppressed findings", Intent.FINDINGS),
        ("are any buckets public?", Intent.SCAN),
    ],
)
def test_intents(text: str, intent: Intent) -> None:
    assert classify(extract(text, TODAY)).intent == intent


def plan(
    text: str, history: list[PastTurn] | None = None
) -> tuple[list[tuple[str, dict[str, object]]], str | None]:
    decision = OfflinePlanner().plan(text, history or [], SPECS, datetime(2024, 10, 15, tzinfo=UTC))
    return [(c.name, c.args) for c in decision.calls], decision.answer


def test_calls() -> None:
    assert plan("what's our CIS score?")[0] == [("security_score", {"framework": "cis"})]
    assert plan("what's our security score?")[0] == [("security_score", {})]
    assert plan("compliance score for PCI-DSS")[0] == [("security_score", {"framework": "pcidss"})]
    assert plan("what changed since the last scan?")[0] == [("scan_changes", {})]
    assert plan("what changed in the findings since scan-0a1b2c3d4e5f?")[0] == [
        ("scan_changes", {"since_scan_id": "scan-0a1b2c3d4e5f"})
    ]
    assert plan(f"suppress finding {FID} for 30 days because it is a lab bucket")[0] == [
        ("suppress_finding", {"finding_id": FID, "reason": "it is a lab bucket", "days": 30})
    ]
    assert plan(f"please mute {FID} until 2024-12-31 because the vendor fix ships in December.")[0] == [
        (
            "suppress_finding",
            {"finding_id": FID, "reason": "the vendor fix ships in December", "until": "2024-12-31"},
        )
    ]
    # No expiry given: the tool's default (30 days) applies.
    assert plan(f"suppress {FID.upper()} because test account")[0] == [
        ("suppress_finding", {"finding_id": FID, "reason": "test account"})
    ]


def test_suppress_asks_for_what_is_missing() -> None:
    calls, answer = plan("suppress it for a month")
    assert not calls and answer is not None and "Which finding" in answer
    calls, answer = plan(f"suppress finding {FID} for a month")
    assert not calls and answer is not None and "Why should finding" in answer
    fixable = [FixSuggestion(action="block_public_access", resource_id="acme-site", finding_id=FID)]
    history = [PastTurn(text="are any buckets public?", fixable=fixable * 2)]
    assert plan("snooze it for one week because it is the public website", history)[0] == [
        ("suppress_finding", {"finding_id": FID, "reason": "it is the public website", "days": 7})
    ]


def test_unsuppress_requests() -> None:
    for text in (
        f"unsuppress finding {FID}",
        f"un-mute {FID}",
        f"lift the suppression on {FID}",
        f"please remove the suppression of finding {FID.upper()}",
        f"stop suppressing {FID}",
    ):
        assert plan(text)[0] == [("unsuppress_finding", {"finding_id": FID})], text
    assert plan(f"end the snooze on {FID} because the exception was withdrawn")[0] == [
        ("unsuppress_finding", {"finding_id": FID, "reason": "the exception was withdrawn"})
    ]
    calls, answer = plan("lift the suppression")
    assert not calls and answer is not None and "Which finding's suppression" in answer
    # Suppressing still means suppressing.
    assert plan(f"suppress {FID} because lab")[0][0][0] == "suppress_finding"


def test_fix_it_names_a_member_account() -> None:
    fixable = [
        FixSuggestion(
            action="revoke_ingress",
            resource_id="sg-0123abcd",
            region="us-east-1",
            account="111122223333",
            params={"port": 22, "cidr": "0.0.0.0/0"},
            finding_id="f-1",
        )
    ]
    calls, _ = plan("fix it", [PastTurn(text="run a security scan", fixable=fixable)])
    assert calls == [
        (
            "remediate",
            {
                "action": "revoke_ingress",
                "resource_id": "sg-0123abcd",
                "region": "us-east-1",
                "account": "111122223333",
                "params": {"port": 22, "cidr": "0.0.0.0/0"},
            },
        )
    ]


def test_fix_it_counts_one_change_once() -> None:
    fixable = [
        FixSuggestion(
            action="block_public_access", resource_id="acme-site", finding_id="f-1", title="public"
        ),
        FixSuggestion(
            action="block_public_access", resource_id="acme-site", finding_id="f-2", title="no BPA"
        ),
    ]
    calls, _ = plan("fix it", [PastTurn(text="are any buckets public?", fixable=fixable)])
    assert calls == [("remediate", {"action": "block_public_access", "resource_id": "acme-site"})]


def test_fix_it_after_a_question_about_exposure_fixes_the_exposure() -> None:
    fixable = [
        FixSuggestion(action="enable_bucket_encryption", resource_id="acme-site", finding_id="f-2"),
        FixSuggestion(action="block_public_access", resource_id="acme-site", finding_id="f-1"),
    ]
    calls, _ = plan("fix it", [PastTurn(text="are any buckets public?", fixable=fixable)])
    assert calls == [("remediate", {"action": "block_public_access", "resource_id": "acme-site"})]
    calls, answer = plan("fix it", [PastTurn(text="run a security scan", fixable=fixable)])
    assert not calls and answer is not None and "Which one should I fix?" in answer
