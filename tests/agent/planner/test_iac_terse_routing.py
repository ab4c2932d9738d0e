"""Terse IaC requests reach generate_iac; questions about live resources do not (issue #15,
held-out round 4: "sg", "w/", a format tag at either end, a live word inside a name)."""

from __future__ import annotations

import pytest

from agent.planner.intents import is_iac_request


@pytest.mark.parametrize(
    "text",
    [
        "sg for the api: 443 from 10.20.0.0/16 only, tf",
        "cloudwatch log group /aws/lambda/ingest w/ 90 day retention",
        "step functions state machine etl-pipeline kicked off by eventbridge every hour",
        "cfn: lambda python3.12 cost-digest on a cron every weekday 8am",
        "aws transfer family sftp server, tf",
        "serverless.yml for a lambda with an http endpoint",
        "sns topic spend-alerts -> sqs queue audit, terraform",
    ],
)
def test_terse_requests_are_code_requests(text: str) -> None:
    assert is_iac_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "how much did we spend on EC2 last month",
        "list security groups in eu-west-1",
        "which sg is open to the world",
        "close port 22 on sg-0abc123",
        "any cost spikes recently?",
    ],
)
def test_live_questions_are_not(text: str) -> None:
    assert not is_iac_request(text)
