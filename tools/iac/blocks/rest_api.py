"""API Gateway REST API in front of a Lambda function: a regional API with a proxy resource, IAM
authorization on every method, request validation, a stage with X-Ray tracing, access logs to an
encrypted log group and error-level execution logs (through the account's CloudWatch role),
throttling, and an invoke permission scoped to this API."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Relation, Scene, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.blocks.http_api import ACCESS_LOG
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, Comment, interp, ref

PUSH_LOGS = (
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/"
    "AmazonAPIGatewayPushToCloudWatchLogs"
)
# Checks that do not fit an IAM-authorised Lambda proxy (why, for each).
SKIPS = (
    ("CKV_AWS_120", "a stage cache costs per hour and suits only cacheable APIs: enable it per workload"),
    (
        "CKV2_AWS_51",
        "the backend is a Lambda invoked through IAM, not an HTTP endpoint needing a client certificate",
    ),
)
REST_LOG = {**ACCESS_LOG, "routeKey": "$context.resourcePath"}


class RestApiParams(BlockParams):
    name: str = Field(default="api", pattern=r"^[A-Za-z0-9_-]{1,128}$")
    stage: str = Field(default="prod", pattern=r"^[A-Za-z0-9_]{1,128}$")
    burst: int = Field(default=100, ge=1, le=10000)
    rate: int = Field(default=50, ge=1, le=10000)


class RestApi(BlockSpec):
    kind: ClassVar[str] = "rest_api"
    title: ClassVar[str] = "API Gateway REST API"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\brest(?:ful)?\s+api(?:\s+gateway)?\b",
        r"\bapi\s+gateway\s+(?:v1|rest(?:\s+api)?)\b",
    )
    params_model: ClassVar[type[BlockParams]] = RestApiParams
    tf_type: ClassVar[str] = "aws_api_gateway_rest_api"
    cfn_type: ClassVar[str] = "AWS::ApiGateway::RestApi"
    design: ClassVar[tuple[str, ...]] = (
        "REST API: IAM authorization and request validation on every method, X-Ray, access and error "
        "logs to an encrypted log group, throttling.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("front", "lambda")})
    requires: ClassVar[tuple[tuple[Relation, str], ...]] = (("front", "lambda"),)
    examples: ClassVar[tuple[str, ...]] = ("a rest api gateway in front of a lambda with a waf",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "api")
        if name:
            out["name"] = name
        m = re.search(r"\bstage\s+(?:named\s+|called\s+)?[\"'`]?([A-Za-z0-9_]{1,64})", text, re.I)
        if m:
            out["stage"] = m.group(1)
        m = re.search(r"\b(\d{1,5})\s*(?:requests?|rps|req)\s*(?:per\s+second|/s)", text, re.I)
        if m:
            out["rate"] = int(m.group(1))
            out["burst"] = int(m.group(1)) * 2
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        note = "Every method requires IAM (SigV4) authorization"
        if re.search(r"\b(?:public|no\s+auth|unauthenticated|anonymous)\b", s.request, re.I):
            return [
                f"Changed from your request: {note}, not public access; add a Cognito or Lambda "
                "authorizer for public clients."
            ]
        return [f"{note}; add a Cognito or Lambda authorizer for browser or mobile clients."]

    def execution_arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return interp(f"${{aws_api_gateway_rest_api.{u.label}.execution_arn}}/*/*")
        return yamlout.sub(
            f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{u.lid}}}/*/*"
        )

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: RestApiParams = u.params
        s.partition()
        fn = next(iter(s.out_of(u, "front")))
        api = ref(f"aws_api_gateway_rest_api.{u.label}.id")
        logs, _ = log_group(s, f"{u.label}_access", f"{u.lid}Access", f"/aws/apigateway/{p.name}", 365)
        account_role, _ = s.role(u, "apigateway.amazonaws.com", [], [PUSH_LOGS])
        blocks: list[Block] = [
            *logs,
            *account_role,
            # Stage logging needs the account-wide CloudWatch role (one per account and region).
            resource("aws_api_gateway_account", u.label, ("cloudwatch_role_arn", s.role_arn(u))),
            resource(
                "aws_api_gateway_rest_api",
                u.label,
                ("name", p.name),
                Block("endpoint_configuration", body=[("types", ["REGIONAL"])]),
                Block("lifecycle", body=[("create_before_destroy", True)]),
            ),
            resource(
                "aws_api_gateway_request_validator",
                u.label,
                ("rest_api_id", api),
                ("name", "parameters"),
                ("validate_request_parameters", True),
                ("validate_request_body", False),
            ),
            resource(
                "aws_api_gateway_resource",
                f"{u.label}_proxy",
                ("rest_api_id", api),
                ("parent_id", ref(f"aws_api_gateway_rest_api.{u.label}.root_resource_id")),
                ("path_part", "{proxy+}"),
            ),
        ]
        methods = []
        for where, resource_id in (
            ("root", ref(f"aws_api_gateway_rest_api.{u.label}.root_resource_id")),
            ("proxy", ref(f"aws_api_gateway_resource.{u.label}_proxy.id")),
        ):
            blocks.append(
                resource(
                    "aws_api_gateway_method",
                    f"{u.label}_{where}",
                    ("rest_api_id", api),
                    ("resource_id", resource_id),
                    ("http_method", "ANY"),
                    ("authorization", "AWS_IAM"),
                    ("request_validator_id", ref(f"aws_api_gateway_request_validator.{u.label}.id")),
                )
            )
            blocks.append(
                resource(
                    "aws_api_gateway_integration",
                    f"{u.label}_{where}",
                    ("rest_api_id", api),
                    ("resource_id", resource_id),
                    ("http_method", ref(f"aws_api_gateway_method.{u.label}_{where}.http_method")),
                    ("integration_http_method", "POST"),
                    ("type", "AWS_PROXY"),
                    ("uri", ref(f"aws_lambda_function.{fn.label}.invoke_arn")),
                )
            )
            methods += [
                ref(f"aws_api_gateway_method.{u.label}_{where}.id"),
                ref(f"aws_api_gateway_integration.{u.label}_{where}.id"),
            ]
        blocks += [
            resource(
                "aws_api_gateway_deployment",
                u.label,
                ("rest_api_id", api),
                ("triggers", {"redeployment": Call("sha1", Call("jsonencode", methods))}),
                Block("lifecycle", body=[("create_before_destroy", True)]),
            ),
            resource(
                "aws_api_gateway_stage",
                u.label,
                *[Comment(f"checkov:skip={cid}:{why}") for cid, why in SKIPS],
                ("rest_api_id", api),
                ("deployment_id", ref(f"aws_api_gateway_deployment.{u.label}.id")),
                ("stage_name", p.stage),
                ("xray_tracing_enabled", True),
                Block(
                    "access_log_settings",
                    body=[
                        ("destination_arn", ref(f"aws_cloudwatch_log_group.{u.label}_access.arn")),
                        ("format", Call("jsonencode", REST_LOG)),
                    ],
                ),
                ("depends_on", [ref(f"aws_api_gateway_account.{u.label}")]),
            ),
            resource(
                "aws_api_gateway_method_settings",
                u.label,
                ("rest_api_id", api),
                ("stage_name", ref(f"aws_api_gateway_stage.{u.label}.stage_name")),
                ("method_path", "*/*"),
                Comment(f"checkov:skip=CKV_AWS_225:{SKIPS[0][1]}"),
                Block(
                    "settings",
                    body=[
                        ("logging_level", "ERROR"),
                        ("metrics_enabled", True),
                        ("data_trace_enabled", False),
                        ("caching_enabled", False),
                        ("cache_data_encrypted", True),
                        ("throttling_burst_limit", p.burst),
                        ("throttling_rate_limit", p.rate),
                    ],
                ),
            ),
        ]
        s.output(
            f"{u.label}_url", ref(f"aws_api_gateway_stage.{u.label}.invoke_url"), "URL of the API stage."
        )
        return blocks

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: RestApiParams = u.params
        fn = next(iter(s.out_of(u, "front")))
        _, out = log_group(s, f"{u.lid}_access", f"{u.lid}Access", f"/aws/apigateway/{p.name}", 365)
        _, role = s.role(u, "apigateway.amazonaws.com", [], [PUSH_LOGS])
        out.update(role)
        out[f"{u.lid}Account"] = cfn("AWS::ApiGateway::Account", {"CloudWatchRoleArn": s.role_arn(u)})
        out[u.lid] = cfn(
            "AWS::ApiGateway::RestApi", {"Name": p.name, "EndpointConfiguration": {"Types": ["REGIONAL"]}}
        )
        out[f"{u.lid}Validator"] = cfn(
            "AWS::ApiGateway::RequestValidator",
            {
                "RestApiId": yamlout.ref(u.lid),
                "Name": "parameters",
                "ValidateRequestParameters": True,
                "ValidateRequestBody": False,
            },
        )
        out[f"{u.lid}Proxy"] = cfn(
            "AWS::ApiGateway::Resource",
            {
                "RestApiId": yamlout.ref(u.lid),
                "ParentId": yamlout.get_att(u.lid, "RootResourceId"),
                "PathPart": "{proxy+}",
            },
        )
        uri = yamlout.sub(
            f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{fn.lid}.Arn}}/invocations"
        )
        for where, resource_id in (
            ("Root", yamlout.get_att(u.lid, "RootResourceId")),
            ("ProxyAny", yamlout.ref(f"{u.lid}Proxy")),
        ):
            out[f"{u.lid}{where}Method"] = cfn(
                "AWS::ApiGateway::Method",
                {
                    "RestApiId": yamlout.ref(u.lid),
                    "ResourceId": resource_id,
                    "HttpMethod": "ANY",
                    "AuthorizationType": "AWS_IAM",
                    "RequestValidatorId": yamlout.ref(f"{u.lid}Validator"),
                    "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri},
                },
            )
        out[f"{u.lid}Deployment"] = cfn(
            "AWS::ApiGateway::Deployment",
            {"RestApiId": yamlout.ref(u.lid)},
            DependsOn=[f"{u.lid}RootMethod", f"{u.lid}ProxyAnyMethod"],
        )
        out[f"{u.lid}Stage"] = cfn(
            "AWS::ApiGateway::Stage",
            {
                "RestApiId": yamlout.ref(u.lid),
                "DeploymentId": yamlout.ref(f"{u.lid}Deployment"),
                "StageName": p.stage,
                "TracingEnabled": True,
                "AccessLogSetting": {
                    "DestinationArn": yamlout.get_att(f"{u.lid}Access", "Arn"),
                    "Format": json.dumps(REST_LOG),
                },
                "MethodSettings": [
                    {
                        "ResourcePath": "/*",
                        "HttpMethod": "*",
                        "LoggingLevel": "ERROR",
                        "MetricsEnabled": True,
                        "DataTraceEnabled": False,
                        "CachingEnabled": False,
                        "CacheDataEncrypted": True,
                        "ThrottlingBurstLimit": p.burst,
                        "ThrottlingRateLimit": p.rate,
                    }
                ],
            },
            DependsOn=[f"{u.lid}Account"],
            Metadata={"checkov": {"skip": [{"id": cid, "comment": why} for cid, why in SKIPS]}},
        )
        s.output(
            f"{u.label}_url",
            yamlout.sub(f"https://${{{u.lid}}}.execute-api.${{AWS::Region}}.amazonaws.com/{p.stage}"),
            "URL of the API stage.",
        )
        return out
