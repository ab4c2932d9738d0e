"""The offline planner on single messages: every intent and argument it must understand."""

from __future__ import annotations

from typing import Any

import pytest

from agent.planner import OfflinePlanner, PlannerDecision
from tests.agent.planner.helpers import NOW, assert_valid, summary, tool_specs

Expected = list[tuple[str, dict[str, Any]]]


def plan(text: str) -> PlannerDecision:
    decision = OfflinePlanner().plan(text, [], tool_specs(), NOW)
    for call in decision.calls:
        assert_valid(call)
    return decision


COST_CASES: list[tuple[str, Expected]] = [
    ("how much did we spend on EC2 last month", [("cost_query", {"period": "last_month", "service": "EC2"})]),
    ("What did S3 cost in September?", [("cost_query", {"period": "2024-09", "service": "S3"})]),
    ("break down last month by service", [("cost_query", {"period": "last_month", "group_by": "service"})]),
    ("cost by region last 7 days", [("cost_query", {"period": "last_7_days", "group_by": "region"})]),
    ("spend for team=platform", [("cost_query", {"tags": {"team": "platform"}})]),
    ("costs tagged env:prod this month", [("cost_query", {"period": "this_month", "tags": {"env": "prod"}})]),
    ("cost per account this year", [("cost_query", {"period": "this_year", "group_by": "account"})]),
    ("spend by team tag last month", [("cost_query", {"period": "last_month", "group_by": "tag:team"})]),
    ("cost by tag project", [("cost_query", {"group_by": "tag:project"})]),
    ("monthly spend by team", [("cost_query", {"group_by": "tag:team"})]),
    ("daily cost this month", [("cost_query", {"period": "this_month", "group_by": "day"})]),
    (
        "EC2 spend per day past week",
        [("cost_query", {"period": "last_7_days", "service": "EC2", "group_by": "day"})],
    ),
    ("monthly costs this year", [("cost_query", {"period": "this_year", "group_by": "month"})]),
    ("cost by charge category", [("cost_query", {"group_by": "charge_category"})]),
    (
        "most expensive resources last month",
        [("cost_query", {"period": "last_month", "group_by": "resource"})],
    ),
    (
        "top 5 services by cost last quarter",
        [("cost_query", {"period": "2024-07-01..2024-09-30", "group_by": "service", "top": 5})],
    ),
    ("which services cost the most in May?", [("cost_query", {"period": "2024-05", "group_by": "service"})]),
    (
        "how much did RDS cost in Ireland yesterday",
        [("cost_query", {"period": "yesterday", "service": "RDS", "region": "eu-west-1"})],
    ),
    ("Lambda bill for September 2024", [("cost_query", {"period": "2024-09", "service": "Lambda"})]),
    ("cost of load balancers in 2024-08", [("cost_query", {"period": "2024-08", "service": "ELB"})]),
    (
        "CloudWatch charges last 30 days",
        [("cost_query", {"period": "last_30_days", "service": "CloudWatch"})],
    ),
    (
        "spend from 2024-09-01 to 2024-09-15",
        [("cost_query", {"period": "2024-09-01..2024-09-15"})],
    ),
    ("what did we spend in the last 90 days", [("cost_query", {"period": "last_90_days"})]),
    (
        "cost for account 123456789012 last month",
        [("cost_query", {"period": "last_month", "account": "123456789012"})],
    ),
    ("what did the prod account spend today", [("cost_query", {"period": "today", "account": "prod"})]),
    (
        "what did we spend on Lambda and DynamoDB last month?",
        [
            ("cost_query", {"period": "last_month", "service": "Lambda"}),
            ("cost_query", {"period": "last_month", "service": "DynamoDB"}),
        ],
    ),
    ("how expensive is our VPC in Oregon", [("cost_query", {"service": "VPC", "region": "us-west-2"})]),
    ("EKS and ECS costs", [("cost_query", {"service": "EKS"}), ("cost_query", {"service": "ECS"})]),
    ("CloudFront spend", [("cost_query", {"service": "CloudFront"})]),
    ("SQS and SNS costs", [("cost_query", {"service": "SQS"}), ("cost_query", {"service": "SNS"})]),
    ("KMS cost last year", [("cost_query", {"period": "last_year", "service": "KMS"})]),
    ("route 53 bill", [("cost_query", {"service": "Route 53"})]),
    (
        "how much does DynamoDB cost in Frankfurt",
        [("cost_query", {"service": "DynamoDB", "region": "eu-central-1"})],
    ),
    ("spend in N. Virginia this month", [("cost_query", {"period": "this_month", "region": "us-east-1"})]),
]

INVENTORY_CASES: list[tuple[str, Expected]] = [
    (
        "list our EC2 instances in eu-west-1",
        [("describe_resources", {"resource_type": "ec2_instance", "region": "eu-west-1"})],
    ),
    ("show security groups", [("describe_resources", {"resource_type": "security_group"})]),
    ("what buckets do we have", [("describe_resources", {"resource_type": "s3_bucket"})]),
    (
        "describe sg-0abc1234",
        [("describe_resources", {"resource_type": "security_group", "resource_id": "sg-0abc1234"})],
    ),
    (
        "describe i-0123456789abcdef0",
        [("describe_resources", {"resource_type": "ec2_instance", "resource_id": "i-0123456789abcdef0"})],
    ),
    (
        "show vol-0abc1234 in us-east-1",
        [
            (
                "describe_resources",
                {"resource_type": "ebs_volume", "resource_id": "vol-0abc1234", "region": "us-east-1"},
            )
        ],
    ),
    (
        "describe database prod-db",
        [("describe_resources", {"resource_type": "rds_instance", "resource_id": "prod-db"})],
    ),
    (
        "show me the db orders-1",
        [("describe_resources", {"resource_type": "rds_instance", "resource_id": "orders-1"})],
    ),
    (
        "describe rds instance orders",
        [("describe_resources", {"resource_type": "rds_instance", "resource_id": "orders"})],
    ),
    (
        "describe bucket acme-logs",
        [("describe_resources", {"resource_type": "s3_bucket", "resource_id": "acme-logs"})],
    ),
    (
        "tell me about the acme-logs bucket",
        [("describe_resources", {"resource_type": "s3_bucket", "resource_id": "acme-logs"})],
    ),
    ("show user alice", [("describe_resources", {"resource_type": "iam_user", "resource_id": "alice"})]),
    ("show iam users", [("describe_resources", {"resource_type": "iam_user"})]),
    (
        "list RDS databases in Frankfurt",
        [("describe_resources", {"resource_type": "rds_instance", "region": "eu-central-1"})],
    ),
    (
        "list volumes in Oregon",
        [("describe_resources", {"resource_type": "ebs_volume", "region": "us-west-2"})],
    ),
    ("how many instances do we have?", [("describe_resources", {"resource_type": "ec2_instance"})]),
    ("list the first 10 buckets", [("describe_resources", {"resource_type": "s3_bucket", "limit": 10})]),
    (
        "find instance web-1 in Ireland",
        [
            (
                "describe_resources",
                {"resource_type": "ec2_instance", "resource_id": "web-1", "region": "eu-west-1"},
            )
        ],
    ),
    (
        "list instances and buckets",
        [
            ("describe_resources", {"resource_type": "ec2_instance"}),
            ("describe_resources", {"resource_type": "s3_bucket"}),
        ],
    ),
    (
        "list instances in us-east-1 and eu-west-1",
        [
            ("describe_resources", {"resource_type": "ec2_instance", "region": "us-east-1"}),
            ("describe_resources", {"resource_type": "ec2_instance", "region": "eu-west-1"}),
        ],
    ),
    (
        "sg-0abc1234?",
        [("describe_resources", {"resource_type": "security_group", "resource_id": "sg-0abc1234"})],
    ),
]

SCAN_CASES: list[tuple[str, Expected]] = [
    ("are any buckets public?", [("security_scan", {"services": ["s3"]})]),
    ("run a security scan", [("security_scan", {})]),
    ("scan EC2 in us-east-1", [("security_scan", {"services": ["ec2"], "regions": ["us-east-1"]})]),
    ("any open ports?", [("security_scan", {"services": ["ec2"]})]),
    ("is port 22 open to the world anywhere?", [("security_scan", {"services": ["ec2"]})]),
    (
        "scan s3 and iam in N. Virginia",
        [("security_scan", {"services": ["s3", "iam"], "regions": ["us-east-1"]})],
    ),
    ("is MFA enabled for all users?", [("security_scan", {"services": ["iam"]})]),
    ("any unencrypted volumes?", [("security_scan", {"services": ["ebs"]})]),
    ("are our databases publicly accessible?", [("security_scan", {"services": ["rds"]})]),
    ("audit everything in all regions", [("security_scan", {"regions": []})]),
    ("scan bucket acme-logs", [("security_scan", {"services": ["s3"], "resource_id": "acme-logs"})]),
    (
        "check sg-0123abcd for open ports",
        [("security_scan", {"services": ["ec2"], "resource_id": "sg-0123abcd"})],
    ),
    (
        "how secure are we in Ireland and London?",
        [("security_scan", {"regions": ["eu-west-1", "eu-west-2"]})],
    ),
]

FINDINGS_CASES: list[tuple[str, Expected]] = [
    ("show high severity findings", [("list_findings", {"severity": "high"})]),
    ("list open findings for s3", [("list_findings", {"status": "open", "service": "s3"})]),
    ("critical findings", [("list_findings", {"severity": "critical"})]),
    ("show resolved findings for ec2", [("list_findings", {"status": "resolved", "service": "ec2"})]),
    ("show suppressed findings", [("list_findings", {"status": "suppressed"})]),
    ("all findings with any status", [("list_findings", {"status": None})]),
    (
        "show critical and high findings",
        [("list_findings", {"severity": "critical"}), ("list_findings", {"severity": "high"})],
    ),
    ("findings for sg-0123abcd", [("list_findings", {"resource_id": "sg-0123abcd"})]),
    ("top 10 findings on security groups", [("list_findings", {"limit": 10, "service": "ec2"})]),
    ("what did the last scan find?", [("list_findings", {})]),
]

REMEDIATION_CASES: list[tuple[str, Expected]] = [
    (
        "close port 22 to the world on sg-0123abcd",
        [("remediate", {"action": "revoke_ingress", "resource_id": "sg-0123abcd", "params": {"port": 22}})],
    ),
    (
        "block public access on bucket acme-public-assets",
        [("remediate", {"action": "block_public_access", "resource_id": "acme-public-assets"})],
    ),
    (
        "please make the acme-logs bucket private",
        [("remediate", {"action": "block_public_access", "resource_id": "acme-logs"})],
    ),
    (
        "revoke ssh on sg-0123abcd in eu-west-1",
        [
            (
                "remediate",
                {
                    "action": "revoke_ingress",
                    "resource_id": "sg-0123abcd",
                    "region": "eu-west-1",
                    "params": {"port": 22},
                },
            )
        ],
    ),
    (
        # Several ports of one group: one change (one approval), with the params' `ports` list.
        "close ports 22 and 3389 on sg-0123abcd from 0.0.0.0/0",
        [
            (
                "remediate",
                {
                    "action": "revoke_ingress",
                    "resource_id": "sg-0123abcd",
                    "params": {"ports": [22, 3389], "cidr": "0.0.0.0/0"},
                },
            ),
        ],
    ),
    ("lock down sg-0123abcd", [("remediate", {"action": "revoke_ingress", "resource_id": "sg-0123abcd"})]),
    (
        "can you remove the world-open RDP rule on sg-0123abcd?",
        [("remediate", {"action": "revoke_ingress", "resource_id": "sg-0123abcd", "params": {"port": 3389}})],
    ),
    (
        "enable block public access for s3://acme-data",
        [("remediate", {"action": "block_public_access", "resource_id": "acme-data"})],
    ),
    (
        "fix sg-0123abcd",
        [("remediate", {"action": "revoke_ingress", "resource_id": "sg-0123abcd"})],
    ),
]

KNOWLEDGE_CASES: list[tuple[str, Expected]] = [
    (
        "what is our runbook for a full disk?",
        [("search_knowledge", {"query": "what is our runbook for a full disk"})],
    ),
    ("how do I rotate access keys?", [("search_knowledge", {"query": "how do I rotate access keys"})]),
    ("how do I close port 22?", [("search_knowledge", {"query": "how do I close port 22"})]),
    (
        "should we block public access on bucket acme-logs?",
        [("search_knowledge", {"query": "should we block public access on bucket acme-logs"})],
    ),
    ("what is a security group?", [("search_knowledge", {"query": "what is a security group"})]),
    (
        "who is on-call for the database?",
        [("search_knowledge", {"query": "who is on-call for the database"})],
    ),
    ("incident response procedure", [("search_knowledge", {"query": "incident response procedure"})]),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    COST_CASES + INVENTORY_CASES + SCAN_CASES + FINDINGS_CASES + REMEDIATION_CASES + KNOWLEDGE_CASES,
)
def test_request_becomes_calls(text: str, expected: Expected) -> None:
    decision = plan(text)
    assert summary(decision.calls) == expected
    assert decision.answer is None


@pytest.mark.parametrize("text", ["hi", "Hello!", "hey there", "good morning"])
def test_greetings_answer_without_tools(text: str) -> None:
    decision = plan(text)
    assert decision.calls == []
    assert decision.answer and "CloudPilot" in decision.answer


def test_greeting_before_a_request_is_ignored() -> None:
    assert summary(plan("hi, list buckets").calls) == [("describe_resources", {"resource_type": "s3_bucket"})]


@pytest.mark.parametrize(
    "text", ["help", "what can you do?", "What else can you do", "commands", "who are you?"]
)
def test_help_lists_capabilities_from_the_tool_specs(text: str) -> None:
    decision = plan(text)
    assert decision.calls == []
    assert decision.answer is not None
    for phrase in ("Costs", "Inventory", "Security scans", "Findings", "approves", "Runbooks"):
        assert phrase in decision.answer


def test_help_only_offers_enabled_tools() -> None:
    decision = OfflinePlanner().plan("help", [], tool_specs("cost_query"), NOW)
    assert decision.answer is not None
    assert "Costs" in decision.answer and "Security scans" not in decision.answer


def test_help_describes_unknown_tools_by_their_description() -> None:
    from agent.planner import ToolSpec

    extra = ToolSpec(
        name="generate_iac", description="Writes Terraform. More text.", mutating=False, parameters={}
    )
    decision = OfflinePlanner().plan("help", [], [extra], NOW)
    assert decision.answer is not None and "generate_iac: Writes Terraform" in decision.answer


@pytest.mark.parametrize("text", ["asdf qwerty", "banana", "the weather in Paris is nice?", "42"])
def test_gibberish_gets_a_helpful_answer_and_no_call(text: str) -> None:
    decision = plan(text)
    assert decision.calls == []
    assert decision.answer and "help" in decision.answer


@pytest.mark.parametrize("text", ["asdf qwerty", "banana", "show me the money"])
def test_gibberish_offers_its_likely_readings_as_suggestions(text: str) -> None:
    decision = plan(text)
    assert decision.calls == [] and decision.answer is not None
    assert 2 <= len(decision.suggestions) <= 3
    # The same readings the text lists, for front ends without buttons.
    for suggestion in decision.suggestions:
        assert f"'{suggestion}'" in decision.answer
    # Each suggestion is a request the planner understands.
    for suggestion in decision.suggestions:
        assert plan(suggestion).calls, suggestion


@pytest.mark.parametrize("text", ["help", "what can you do?", "thanks!"])
def test_help_and_small_talk_offer_no_suggestions(text: str) -> None:
    assert plan(text).suggestions == []


def test_thanks_gets_a_short_answer() -> None:
    decision = plan("thanks!")
    assert decision.calls == [] and decision.answer == "Glad to help. Anything else?"


@pytest.mark.parametrize(
    "text",
    [
        "how do I close port 22 on sg-0123abcd?",
        "should I make the acme-logs bucket private?",
        "can we revoke ssh on sg-0123abcd?",
        "is it safe to block public access on bucket acme-logs?",
        "did someone close port 22 on sg-0123abcd?",
        "which security groups allow ssh from the world?",
        "is bucket acme-public-assets public?",
        "describe bucket acme-public-assets",
        "show the ssh rules on sg-0123abcd",
        "what would happen if we closed port 22?",
        "why is port 22 open?",
    ],
)
def test_questions_about_changes_never_remediate(text: str) -> None:
    assert all(call.name != "remediate" for call in plan(text).calls)


@pytest.mark.parametrize(
    "text", ["don't close port 22 on sg-0123abcd", "please do not fix it", "never block public access"]
)
def test_negated_change_requests_change_nothing(text: str) -> None:
    decision = plan(text)
    assert decision.calls == []
    assert decision.answer == "OK, I won't change anything."


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("close port 22", "Which security group"),
        ("block public access", "Which bucket"),
        ("fix it", "nothing fixable"),
        ("delete instance i-0abc1234", "can't make that change"),
    ],
)
def test_change_requests_without_a_target_ask_instead_of_guessing(text: str, phrase: str) -> None:
    decision = plan(text)
    assert decision.calls == []
    assert decision.answer is not None and phrase in decision.answer


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("scan route 53", "don't cover Route 53"), ("list step functions", "can't list Step Functions")],
)
def test_unsupported_services_are_explained(text: str, phrase: str) -> None:
    decision = plan(text)
    assert decision.calls == []
    assert decision.answer is not None and phrase in decision.answer


def test_bucket_names_do_not_trigger_keywords() -> None:
    # "public" inside the name must not turn an inventory request into a scan.
    decision = plan("describe bucket acme-public-assets")
    assert summary(decision.calls) == [
        ("describe_resources", {"resource_type": "s3_bucket", "resource_id": "acme-public-assets"})
    ]


def test_calls_get_distinct_ids() -> None:
    calls = plan("show critical and high findings").calls
    assert [c.id for c in calls] == ["call_1", "call_2"]


def test_a_tool_that_is_not_enabled_is_not_called() -> None:
    decision = OfflinePlanner().plan(
        "how much did we spend last month", [], tool_specs("describe_resources"), NOW
    )
    assert decision.calls == []
    assert decision.answer is not None and "cost_query" in decision.answer


def test_fan_out_is_bounded() -> None:
    text = "cost of EC2 S3 RDS Lambda ELB and VPC in us-east-1 and eu-west-1"
    assert len(plan(text).calls) == 6


def test_an_off_topic_question_goes_to_the_knowledge_base_not_a_guess() -> None:
    from agent.planner.offline import OfflinePlanner
    from tests.agent.planner.helpers import NOW, tool_specs

    decision = OfflinePlanner().plan("who won the football world cup in 1966?", [], tool_specs(), NOW)
    assert [c.name for c in decision.calls] == ["search_knowledge"]
