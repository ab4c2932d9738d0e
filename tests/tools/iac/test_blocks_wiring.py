"""The library's breadth (AWS resource types counted from the block registry) and the wiring the
newer blocks add between resources: listeners and target groups, origin access control and the
bucket policy it needs, web ACL associations, rule targets and their permissions, scoped roles,
backup selections. Checked on the rendered code, the way a reviewer would read it."""

from __future__ import annotations

import re

import pytest

from tools.base import ToolContext
from tools.iac.blocks import AWS_BLOCKS
from tools.iac.blocks.base import Unit, pascal
from tools.iac.blocks.eventbridge_rule import eventbridge_schedule
from tools.iac.checks import IacEnv, check_code
from tools.iac.compose import compose, render
from tools.iac.features import read_schedule
from tools.iac.generate_iac import GenerateIac, GenerateIacResult

# Compositions of the blocks written before the registry carried examples.
EARLIER = (
    "an HTTP API in front of a lambda in a private subnet writing to a dynamodb table",
    "a lambda triggered by an sqs queue, writing to an s3 bucket",
    "a lambda subscribed to an sns topic",
    "an s3 bucket that triggers a lambda",
    "an sns topic fanning out to an sqs queue",
    "a cloudtrail trail with data events",
    "vpc flow logs to an s3 bucket",
    "an efs file system",
    "elasticache redis",
    "an ecr repository",
    "an rds mysql instance",
    "an aurora postgres serverless v2 cluster",
    "a secret rotated every 30 days",
    "a github actions oidc role with ReadOnlyAccess",
    "an autoscaling group",
    "a step functions state machine that calls a lambda",
)


def _terraform(request: str) -> str:
    code, _ = render(compose(request, "aws"), "terraform", request)
    return code


def _cloudformation(request: str) -> str:
    code, _ = render(compose(request, "aws"), "cloudformation", request)
    return code


def _flat(code: str) -> str:
    """The code with runs of spaces collapsed (terraform fmt aligns the = signs)."""
    return re.sub(r"[ \t]+", " ", code)


def _types(code: str) -> set[str]:
    return set(re.findall(r'^resource "(aws_[a-z0-9_]+)"', code, re.M))


def test_the_aws_blocks_write_at_least_sixty_resource_types() -> None:
    """Issue #15: at least 60 AWS resource types, counted by rendering every block of the registry
    alone and in the compositions its examples name."""
    types: set[str] = set()
    for block in AWS_BLOCKS:
        for request in block.examples:
            types |= _types(_terraform(request))
        if not block.requires:
            comp = compose("", "aws")
            comp.units.append(Unit(block, block.build({}), block.kind, pascal(block.kind)))
            code, _ = render(comp, "terraform", "")
            types |= _types(code)
    for request in EARLIER:
        types |= _types(_terraform(request))
    assert {b.tf_type for b in AWS_BLOCKS} <= types
    assert len(types) >= 60, sorted(types)


def test_every_new_block_has_examples_that_render_clean_code(iac_env: IacEnv) -> None:
    for block in AWS_BLOCKS:
        for request in block.examples:
            for fmt in block.formats:
                code, _ = render(compose(request, "aws"), fmt, request)
                report = check_code(iac_env, code, fmt)
                assert report.ok, (request, fmt, [i.line() for i in report.errors()])


def test_alb_serves_https_with_the_named_certificate_and_redirects_http() -> None:
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
    code = _terraform(f"an ALB in front of an autoscaling group, cert {arn}")
    assert arn in code and '"ELBSecurityPolicy-TLS13-1-2-2021-06"' in code
    assert 'type = "redirect"' in _flat(code) and '"HTTP_301"' in code
    assert "drop_invalid_header_fields = true" in _flat(code)
    # The instances accept the app port only from the load balancer's group.
    assert "security_groups = [aws_security_group.alb_lb.id]" in code
    assert "target_group_arns" in code and "aws_lb_target_group.alb.arn" in code
    without = _terraform("an ALB in front of an autoscaling group")
    assert 'variable "certificate_arn"' in without


def test_alb_in_front_of_a_lambda_registers_it_after_the_permission() -> None:
    code = _terraform("an internal application load balancer in front of a lambda named router")
    assert 'target_type = "lambda"' in _flat(code) and "internal = true" in _flat(code)
    assert 'resource "aws_lb_target_group_attachment"' in code
    assert "aws_lambda_permission.router_from_alb" in code
    cfn = _cloudformation("an internal application load balancer in front of a lambda named router")
    assert "elasticloadbalancing.amazonaws.com" in cfn and "RouterFromAlbPermission" in cfn


def test_cloudfront_reads_the_private_bucket_only_through_origin_access_control() -> None:
    code = _terraform("cloudfront in front of a private s3 bucket named acme-assets serving assets.acme.io")
    assert 'resource "aws_cloudfront_origin_access_control"' in code
    assert "cloudfront.amazonaws.com" in code and "aws_cloudfront_distribution.cloudfront.arn" in code
    assert "block_public_policy" in code and "TLSv1.2_2021" in code and "assets.acme.io" in code
    assert 'viewer_protocol_policy = "redirect-to-https"' in _flat(code)


def test_a_website_bucket_gets_cloudfront_and_stays_private(iac_ctx: ToolContext) -> None:
    result = _ask(iac_ctx, "public s3 bucket for our website named acme-www")
    code = result.code[0].code
    assert result.passed and "Changed from your request" in result.message
    assert 'resource "aws_cloudfront_distribution"' in code and "restrict_public_buckets = true" in code


def test_waf_is_associated_with_the_load_balancer_and_set_on_cloudfront() -> None:
    code = _terraform(
        "a WAF on an ALB in front of an autoscaling group, rate limit 1000 requests per 5 minutes"
    )
    assert 'resource "aws_wafv2_web_acl_association"' in code and "aws_lb.alb.arn" in code
    assert "AWSManagedRulesKnownBadInputsRuleSet" in code and "limit = 1000" in _flat(code)
    assert 'scope = "REGIONAL"' in _flat(code)
    cdn = _terraform("a WAF for a cloudfront distribution in front of bucket acme-cdn")
    assert '"CLOUDFRONT"' in cdn and "web_acl_id" in cdn


def test_eventbridge_targets_get_exactly_their_permission() -> None:
    code = _terraform("an eventbridge rule every day at 2am that triggers a lambda named nightly")
    assert 'schedule_expression = "cron(0 2 * * ? *)"' in code
    assert 'principal = "events.amazonaws.com"' in _flat(code)
    assert "aws_cloudwatch_event_rule.eventbridge_rule.arn" in code
    queue = _terraform(
        "an eventbridge rule on ec2 instance state changes sending to an sqs queue named ec2-events"
    )
    assert '"aws.ec2"' in queue and "AllowRuleEventbridgeRule" in queue
    assert 'resource "aws_instance"' not in queue  # the event names an instance; it builds none
    machine = _terraform(
        "an eventbridge rule that starts a step functions state machine named sync every hour"
    )
    assert "states:StartExecution" in machine and "role_arn" in machine


def test_eventbridge_writes_schedules_as_eventbridge_reads_them() -> None:
    assert eventbridge_schedule("0 2 * * *") == "cron(0 2 * * ? *)"
    assert eventbridge_schedule("0 6 * * 1") == "cron(0 6 ? * MON *)"
    assert eventbridge_schedule("*/15 * * * *") == "rate(15 minutes)"
    assert eventbridge_schedule("0 */6 * * *") == "rate(6 hours)"


def test_the_last_schedule_stated_wins() -> None:
    assert read_schedule("every 6 hours? no, daily at 4am") == ("0 4 * * *", "daily at 4am")
    assert read_schedule("a nightly schedule at 1:30am") == ("30 1 * * *", "at 1:30am")
    assert read_schedule("at 3am every day") == ("0 3 * * *", "at 3am every day")


def test_kinesis_stream_is_encrypted_and_feeds_the_lambda() -> None:
    code = _terraform("a python lambda named enrich triggered by a kinesis stream named clicks with 2 shards")
    assert 'encryption_type = "KMS"' in _flat(code)
    assert "shard_count" in code and 'resource "aws_lambda_event_source_mapping"' in code
    assert "kinesis:GetRecords" in code and "aws_kinesis_stream.clicks.arn" in code


def test_vpc_subnets_nat_and_flow_logs_are_used_by_what_runs_in_it() -> None:
    code = _terraform("a vpc 10.30.0.0/16 with 3 azs and a nat per az, with a lambda in a private subnet")
    assert "10.30.0.0/16" in code and "count = 3" in _flat(code)
    assert 'resource "aws_nat_gateway"' in code and 'resource "aws_flow_log"' in code
    assert "aws_subnet.vpc_private[*].id" in code  # the function is placed in the VPC's subnets
    cfn = _cloudformation("cloudformation vpc with 3 azs")
    assert cfn.count("Type: AWS::EC2::Subnet\n") == 6


def test_ecs_service_runs_private_behind_its_load_balancer() -> None:
    request = "an ecs fargate service running ghcr.io/acme/api:3.2.1 on port 8000 with 3 tasks behind an alb"
    code = _terraform(request)
    assert "ghcr.io/acme/api:3.2.1" in code and "assign_public_ip = false" in _flat(code)
    assert "readonlyRootFilesystem" in code and "desired_count" in code
    assert "aws_security_group.alb_lb.id" in code and "8000" in code
    assert "AmazonECSTaskExecutionRolePolicy" in code


def test_ec2_instance_has_imdsv2_an_encrypted_disk_and_no_public_ip(iac_ctx: ToolContext) -> None:
    code = _terraform("an ec2 instance m7g.large with a 50 GB disk")
    assert 'http_tokens = "required"' in _flat(code)
    assert "associate_public_ip_address = false" in _flat(code) and "encrypted = true" in _flat(code)
    assert "AmazonSSMManagedInstanceCore" in code and "al2023-ami-kernel-default-arm64" in code
    result = _ask(iac_ctx, "ec2 instance with a public ip and ssh open to the world")
    assert result.passed and "Changed from your request" in result.message


def test_backup_selection_names_the_protected_resources() -> None:
    code = _terraform("an aws backup plan for a dynamodb table named ledger, daily at 3am, kept 30 days")
    assert 'schedule = "cron(0 3 * * ? *)"' in _flat(code)
    assert "delete_after = 30" in _flat(code) and "aws_dynamodb_table.ledger.arn" in code
    assert "AWSBackupServiceRolePolicyForBackup" in code and "kms_key_arn" in code


def test_ssm_parameter_secret_value_never_lands_in_the_code() -> None:
    code = _terraform("an ssm parameter /prod/api/token read by a lambda")
    assert '"SecureString"' in code and "sensitive = true" in _flat(code)
    assert "ssm:GetParameter" in code and "aws_ssm_parameter.prod_api_token.arn" in code


def test_route53_alias_points_at_the_load_balancer() -> None:
    code = _terraform("a route53 alias record api.acme.io pointing to an alb")
    assert "api.acme.io" in code and "aws_lb.alb.zone_id" in code
    assert "evaluate_target_health = true" in _flat(code)


def test_rest_api_requires_iam_and_logs_through_the_account_role() -> None:
    code = _terraform("a rest api gateway in front of a lambda named legacy")
    assert 'authorization = "AWS_IAM"' in _flat(code)
    assert 'resource "aws_api_gateway_account"' in code and "xray_tracing_enabled = true" in _flat(code)
    assert "aws_api_gateway_rest_api.rest_api.execution_arn" in code


@pytest.mark.parametrize(
    "request_text",
    [
        "an HTTP API in front of a lambda with a WAF",  # a web ACL cannot be attached to an HTTP API
    ],
)
def test_a_link_that_cannot_be_built_is_reported(request_text: str) -> None:
    comp = compose(request_text, "aws")
    assert any("WAF web ACL" in item for item in comp.not_applied)


def _ask(ctx: ToolContext, request: str) -> GenerateIacResult:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse({"request": request}))
