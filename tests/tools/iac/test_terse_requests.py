"""Requests typed tersely in chat (held-out round 4 of issue #15): abbreviations, values in the
middle of the sentence, labels and probes. Each test is a class of phrasing, not one sentence."""

from __future__ import annotations

import pytest

from tools.base import ToolContext
from tools.iac.blocks.eventbridge_rule import eventbridge_schedule
from tools.iac.blocks.lambda_function import LambdaFunction
from tools.iac.features import read_features
from tools.iac.generate_iac import GenerateIac, GenerateIacResult


def _ask(ctx: ToolContext, request: str) -> GenerateIacResult:
    tool = GenerateIac()
    return tool.run(ctx, tool.parse({"request": request}))


def _code(result: GenerateIacResult) -> str:
    assert result.passed, result.message
    return result.code[0].code


@pytest.mark.parametrize(
    ("text", "product", "version"),
    [
        ("pg rds 15 instance", "postgres", "15"),
        ("a mysql 8.0 db", "mysql", "8.0"),
        ("redis 7.1", "redis", "7.1"),
    ],
)
def test_a_number_after_a_product_is_its_version_not_a_count(text: str, product: str, version: str) -> None:
    f = read_features(text)
    assert f.versions.get(product) == version
    assert "instance" not in f.counts and "db" not in f.counts


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("on a cron every weekday 8am", "0 8 * * 1-5"),
        ("weekdays at 7:30am", "30 7 * * 1-5"),
        ("mon-fri at 6pm", "0 18 * * 1-5"),
    ],
)
def test_weekday_schedules(text: str, cron: str) -> None:
    assert read_features(text).schedule == cron
    assert eventbridge_schedule(cron).endswith("MON-FRI *)")


def test_plain_hourly_is_a_rate() -> None:
    assert eventbridge_schedule("0 * * * *") == "rate(1 hour)"


def test_names_after_a_runtime_and_with_a_path() -> None:
    assert read_features("lambda python3.12 cost-digest on a cron").name_after("lambda") == "cost-digest"
    assert read_features("ecr repo acme/api, immutable tags").name_after("repo") == "acme/api"


def test_pk_and_sk_name_the_table_keys(iac_ctx: ToolContext) -> None:
    code = _code(_ask(iac_ctx, "dynamodb table 'orders' pk order_id sk created_at, on demand, tf"))
    assert 'hash_key                    = "order_id"' in code or 'hash_key = "order_id"' in code
    assert "created_at" in code and "orders" in code


def test_kubernetes_probes_resources_and_spread(iac_ctx: ToolContext) -> None:
    code = _code(
        _ask(
            iac_ctx,
            "k8s deployment pay, ghcr.io/acme/pay:1.0.0, readiness /ready, liveness /healthz, "
            "requests 250m/256Mi limits 1 cpu/512Mi, spread across zones",
        )
    )
    assert "path: /ready" in code and "path: /healthz" in code
    assert "cpu: 250m" in code and "memory: 256Mi" in code and "memory: 512Mi" in code
    assert "podAntiAffinity" in code and "topology.kubernetes.io/zone" in code


def test_k8s_deploy_abbreviation_and_ns(iac_ctx: ToolContext) -> None:
    code = _code(_ask(iac_ctx, "k8s deploy for worker (ghcr.io/acme/worker:0.9.0), 2 replicas, ns jobs"))
    assert "kind: Deployment" in code and "namespace: jobs" in code and "replicas: 2" in code


def test_ingress_names_its_tls_secret_and_service(iac_ctx: ToolContext) -> None:
    code = _code(_ask(iac_ctx, "ingress for shop.acme.io -> svc shop port 8000, tls secret shop-cert"))
    assert "secretName: shop-cert" in code and "name: shop" in code and "number: 8000" in code


def test_label_selectors_are_traffic_not_an_app(iac_ctx: ToolContext) -> None:
    code = _code(_ask(iac_ctx, "networkpolicy: only pods labelled app=web can reach app=db on 5432, k8s"))
    assert "kind: Deployment" not in code
    assert "app: db" in code and "app: web" in code and "port: 5432" in code


def test_admin_port_open_to_the_world_is_changed_and_said(iac_ctx: ToolContext) -> None:
    result = _ask(iac_ctx, "tf sg with 3389 open to 0.0.0.0/0 for a windows box")
    code = _code(result)
    assert "from_port   = 3389" in code and "Changed from your request" in result.message


def test_an_old_lambda_runtime_is_changed_and_said(iac_ctx: ToolContext) -> None:
    result = _ask(iac_ctx, "lambda in node18 called relay, terraform")
    code = _code(result)
    assert '"nodejs22.x"' in code and "node18" in result.message
    assert "Changed from your request" in result.message


def test_cognito_user_pool_is_built_secure_and_identity_pools_refused(iac_ctx: ToolContext) -> None:
    tf = _code(_ask(iac_ctx, "tf for a cognito user pool named shop-users, mfa optional"))
    assert 'resource "aws_cognito_user_pool" ' in tf and 'resource "aws_cognito_user_pool_client"' in tf
    assert '"shop-users"' in tf and '"OPTIONAL"' in tf and '"ACTIVE"' in tf
    cfn = _code(_ask(iac_ctx, "cognito user pool + app client for the mobile app, cfn"))
    assert "Type: AWS::Cognito::UserPool" in cfn and "GenerateSecret: false" in cfn
    refused = _ask(iac_ctx, "cognito identity pool with guest access")
    assert not refused.code and "Cognito identity pool" in refused.message
    assert "could build the rest" not in refused.message


def test_opensearch_domain_is_private_encrypted_with_fine_grained_access(iac_ctx: ToolContext) -> None:
    tf = _code(_ask(iac_ctx, "tf for an opensearch domain w/ 3 nodes and fine grained access"))
    assert 'resource "aws_opensearch_domain" ' in tf and "instance_count         = 3" in tf
    for setting in ("vpc_options", "node_to_node_encryption", "AUDIT_LOGS", "enforce_https"):
        assert setting in tf
    cfn = _code(_ask(iac_ctx, "opensearch domain named logs-search with 4 data nodes, cfn"))
    assert "Type: AWS::OpenSearchService::Domain" in cfn and "InstanceCount: 4" in cfn
    assert "AvailabilityZoneCount: 2" in cfn


def test_msk_cluster_is_private_with_iam_over_tls(iac_ctx: ToolContext) -> None:
    tf = _code(_ask(iac_ctx, "need an msk cluster for the events pipeline, 3 brokers kafka.m5.large"))
    assert 'resource "aws_msk_cluster" ' in tf and '"kafka.m5.large"' in tf
    assert '"DISABLED"' in tf and 'client_broker = "TLS"' in tf and "unauthenticated = false" in tf
    cfn = _code(_ask(iac_ctx, "managed kafka cluster named clicks with 6 brokers, cloudformation"))
    assert "Type: AWS::MSK::Cluster" in cfn and "NumberOfBrokerNodes: 6" in cfn
    refused = _ask(iac_ctx, "msk serverless cluster for the events team")
    assert not refused.code and "MSK Serverless" in refused.message


def test_sizes_that_grow_and_ephemeral_storage() -> None:
    f = read_features("rds postgres with 50 GB storage growing to at most 200 GB")
    assert (f.size_gb, f.max_size_gb) == (50, 200)
    text = "lambda named resize with 10 GB of ephemeral storage and 3008 MB memory"
    values = LambdaFunction().read(read_features(text), text)
    assert values["ephemeral_mb"] == 10240 and values["memory_mb"] == 3008


def test_queue_age_alarm_reads_the_age_and_the_name_before_the_noun(iac_ctx: ToolContext) -> None:
    assert read_features("the orders queue when the oldest message").name_after("queue") is None
    text = "cloudwatch alarm on the orders queue when the oldest message is older than 10 minutes"
    result = _ask(iac_ctx, text)
    code = _code(result)
    assert '"orders"' in code and "threshold           = 600" in code and not result.not_applied
