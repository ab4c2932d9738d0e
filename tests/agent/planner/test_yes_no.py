"""Yes/no security questions lead with yes or no and the findings that show it."""

from __future__ import annotations

from typing import Any

import pytest

from agent.planner.base import PlannedCall, ToolOutcomeView
from agent.planner.yes_no import yes_no_lead

ROOT = {"title": "Root user has no MFA", "rule_id": "iam-root-mfa", "resource_id": "root", "status": "open"}
PUBLIC = {
    "title": "S3 bucket is publicly accessible",
    "rule_id": "s3-bucket-public",
    "resource_id": "acme-site",
    "status": "open",
}
VERSIONING = {
    "title": "S3 bucket versioning is off",
    "rule_id": "s3-bucket-versioning",
    "resource_id": "acme-logs",
    "status": "open",
}


def scan(*findings: dict[str, Any]) -> list[ToolOutcomeView]:
    return [
        ToolOutcomeView(
            call=PlannedCall(name="security_scan"),
            status="ok",
            message="...",
            data={"findings": list(findings)},
        )
    ]


@pytest.mark.parametrize(
    ("question", "findings", "lead"),
    [
        ("is the root account using MFA?", [ROOT], "No: Root user has no MFA — root."),
        ("is the root account using MFA?", [PUBLIC], "Yes: no open finding about that"),
        (
            "are any buckets public?",
            [PUBLIC, VERSIONING],
            "Yes: S3 bucket is publicly accessible — acme-site.",
        ),
        ("r any s3 buckets public", [VERSIONING], "No: no open finding about that"),
    ],
)
def test_the_answer_leads_with_yes_or_no(question: str, findings: list[dict[str, Any]], lead: str) -> None:
    answer = yes_no_lead(question, scan(*findings))
    assert answer is not None and answer.startswith(lead), answer


def test_only_yes_no_questions_about_scans_get_a_verdict() -> None:
    assert yes_no_lead("list the public buckets", scan(PUBLIC)) is None
    cost = [ToolOutcomeView(call=PlannedCall(name="cost_query"), status="ok", message="$1", data={})]
    assert yes_no_lead("is ec2 expensive?", cost) is None
