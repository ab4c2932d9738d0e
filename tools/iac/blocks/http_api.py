"""API Gateway HTTP API in front of a Lambda function: a proxy integration, a default route, a
stage with access logs to a KMS-encrypted log group, throttling, and an invoke permission scoped
to this API."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Relation, Scene, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref

ACCESS_LOG = {
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey", "status": "$context.status",
    "responseLength": "$context.responseLength", "integrationError": "$context.integrationErrorMessage",
}  # fmt: skip


class HttpApiParams(BlockParams):
    name: str = Field(default="api", pattern=r"^[A-Za-z0-9_-]{1,128}$")
    route: str = Field(
        default="$default", pattern=r"^(?:\$default|(?:ANY|GET|POST|PUT|PATCH|DELETE) /[A-Za-z0-9/{}_+-]*)$"
    )
    burst: int = Field(default=100, ge=1, le=10000)
    rate: int = Field(default=50, ge=1, le=10000)


class HttpApi(BlockSpec):
    kind: ClassVar[str] = "http_api"
    title: ClassVar[str] = "API Gateway HTTP API"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bhttp\s+api(?:\s+gateway)?\b",
        r"\bapi\s+gateway(?:\s+(?:v2|http\s+api))?\b",
        r"\bapigw\b",
    )
    params_model: ClassVar[type[BlockParams]] = HttpApiParams
    tf_type: ClassVar[str] = "aws_apigatewayv2_api"
    cfn_type: ClassVar[str] = "AWS::ApiGatewayV2::Api"
    design: ClassVar[tuple[str, ...]] = (
        "HTTP API: Lambda proxy integration, access logs to an encrypted log group, throttling.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("front", "lambda")})
    requires: ClassVar[tuple[tuple[Relation, str], ...]] = (("front", "lambda"),)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "api")
        if name:
            out["name"] = name
        m = re.search(r"\b(GET|POST|PUT|PATCH|DELETE|ANY)\s+(/[A-Za-z0-9/{}_+-]*)", f.text)
        if m:
            out["route"] = f"{m.group(1)} {m.group(2)}"
        m = re.search(r"\b(\d{1,5})\s*(?:requests?|rps|req)\s*(?:per\s+second|/s)?", text, re.I)
        if m:
            out["rate"] = int(m.group(1))
            out["burst"] = max(int(m.group(1)) * 2, 1)
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        note = "The route requires IAM (SigV4) authorization"
        if re.search(r"\b(?:public|no\s+auth|unauthenticated|anonymous)\b", s.request, re.I):
            return [
                f"Changed from your request: {note}, not public access; add a JWT authorizer for "
                f"public clients."
            ]
        return [f"{note}; add a JWT authorizer for browser or mobile clients."]

    def execution_arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return interp(f"${{aws_apigatewayv2_api.{u.label}.execution_arn}}/*/*")
        return yamlout.sub(
            f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{u.lid}}}/*/*"
        )

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: HttpApiParams = u.params
        fn = next(iter(s.out_of(u, "front")))
        logs, _ = log_group(s, f"{u.label}_access", f"{u.lid}Access", f"/aws/apigateway/{p.name}", 365)
        api = ref(f"aws_apigatewayv2_api.{u.label}.id")
        s.output(f"{u.label}_url", ref(f"aws_apigatewayv2_stage.{u.label}.invoke_url"), "URL of the API.")
        return [
            *logs,
            resource("aws_apigatewayv2_api", u.label, ("name", p.name), ("protocol_type", "HTTP")),
            resource(
                "aws_apigatewayv2_integration",
                u.label,
                ("api_id", api),
                ("integration_type", "AWS_PROXY"),
                ("integration_uri", ref(f"aws_lambda_function.{fn.label}.invoke_arn")),
                ("payload_format_version", "2.0"),
            ),
            resource(
                "aws_apigatewayv2_route",
                u.label,
                ("api_id", api),
                ("route_key", p.route),
                ("target", interp(f"integrations/${{aws_apigatewayv2_integration.{u.label}.id}}")),
                ("authorization_type", "AWS_IAM"),
            ),
            resource(
                "aws_apigatewayv2_stage",
                u.label,
                ("api_id", api),
                ("name", "$default"),
                ("auto_deploy", True),
                Block(
                    "access_log_settings",
                    body=[
                        ("destination_arn", ref(f"aws_cloudwatch_log_group.{u.label}_access.arn")),
                        ("format", Call("jsonencode", ACCESS_LOG)),
                    ],
                ),
                Block(
                    "default_route_settings",
                    body=[("throttling_burst_limit", p.burst), ("throttling_rate_limit", p.rate)],
                ),
            ),
        ]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: HttpApiParams = u.params
        fn = next(iter(s.out_of(u, "front")))
        _, out = log_group(s, f"{u.label}_access", f"{u.lid}Access", f"/aws/apigateway/{p.name}", 365)
        out[u.lid] = cfn("AWS::ApiGatewayV2::Api", {"Name": p.name, "ProtocolType": "HTTP"})
        out[f"{u.lid}Integration"] = cfn(
            "AWS::ApiGatewayV2::Integration",
            {
                "ApiId": yamlout.ref(u.lid),
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": yamlout.get_att(fn.lid, "Arn"),
                "PayloadFormatVersion": "2.0",
            },
        )
        out[f"{u.lid}Route"] = cfn(
            "AWS::ApiGatewayV2::Route",
            {
                "ApiId": yamlout.ref(u.lid),
                "RouteKey": p.route,
                "Target": yamlout.sub(f"integrations/${{{u.lid}Integration}}"),
            },
        )
        out[f"{u.lid}Stage"] = cfn(
            "AWS::ApiGatewayV2::Stage",
            {
                "ApiId": yamlout.ref(u.lid),
                "StageName": "$default",
                "AutoDeploy": True,
                "AccessLogSettings": {
                    "DestinationArn": yamlout.get_att(f"{u.lid}Access", "Arn"),
                    "Format": json.dumps(ACCESS_LOG),
                },
                "DefaultRouteSettings": {"ThrottlingBurstLimit": p.burst, "ThrottlingRateLimit": p.rate},
            },
        )
        s.output(f"{u.label}_url", yamlout.get_att(u.lid, "ApiEndpoint"), "URL of the API.")
        return out
