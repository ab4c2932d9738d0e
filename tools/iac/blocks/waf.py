"""WAFv2 web ACL: AWS managed rule groups (common rule set, known bad inputs incl. Log4j, IP
reputation), an optional per-IP rate limit, CloudWatch metrics and sampled requests, logging to
an encrypted log group; associated with the load balancer or REST API stage it protects, or set
on the CloudFront distribution (scope CLOUDFRONT, which AWS only accepts in us-east-1)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, pascal, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

MANAGED = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
OPTIONAL = {
    "sql": "AWSManagedRulesSQLiRuleSet",
    "linux": "AWSManagedRulesLinuxRuleSet",
    "anonymous": "AWSManagedRulesAnonymousIpList",
    "bot": "AWSManagedRulesBotControlRuleSet",
    "admin": "AWSManagedRulesAdminProtectionRuleSet",
}


class WafParams(BlockParams):
    name: str = Field(default="web-acl", pattern=r"^[A-Za-z0-9_-]{1,128}$")
    rate_limit: int | None = Field(default=None, ge=10, le=2_000_000_000)
    rate_window_s: int = 300
    extra_groups: list[str] = Field(default_factory=list)


class Waf(BlockSpec):
    kind: ClassVar[str] = "waf"
    title: ClassVar[str] = "WAF web ACL"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:aws\s+)?wafv?2?(?:\s+web\s+acls?)?\b",
        r"\bweb\s+acls?\b",
        r"\bweb\s+application\s+firewall\b",
    )
    params_model: ClassVar[type[BlockParams]] = WafParams
    tf_type: ClassVar[str] = "aws_wafv2_web_acl"
    cfn_type: ClassVar[str] = "AWS::WAFv2::WebACL"
    design: ClassVar[tuple[str, ...]] = (
        "WAF: AWS managed rule groups (common, known bad inputs incl. Log4j, IP reputation), metrics, "
        "logging to an encrypted log group.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", "alb"), ("attach", "cloudfront"), ("attach", "rest_api")}
    )
    examples: ClassVar[tuple[str, ...]] = (
        "a WAF web ACL on an ALB in front of an autoscaling group, rate limit 1000 requests per 5 minutes",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "acl", "waf")
        if name:
            out["name"] = name
        m = re.search(
            r"\brate[\s-]?limit(?:ed|ing)?\s*(?:of|to|at|=|:)?\s*(\d{2,9})\s*(?:requests?|reqs?)?"
            r"(?:\s*(?:per|/|every|in)\s*(?:(\d{1,2})\s*)?(minutes?|mins?|m|seconds?|s)\b)?",
            text,
            re.I,
        )
        if m:
            out["rate_limit"] = int(m.group(1))
            if m.group(3):
                amount = int(m.group(2) or 1)
                out["rate_window_s"] = amount * (1 if m.group(3).lower().startswith("s") else 60)
        groups = [g for word, g in OPTIONAL.items() if re.search(rf"\b{word}\w*", text, re.I)]
        groups += [g for g in re.findall(r"\bAWSManagedRules\w+", f.text) if g not in MANAGED]
        if groups:
            out["extra_groups"] = list(dict.fromkeys(groups))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: WafParams = u.params
        notes = []
        if p.rate_limit is not None and p.rate_window_s not in (60, 120, 300, 600):
            notes.append(
                f"WAF rate limits count over 1, 2, 5 or 10 minutes: {p.rate_limit} requests per "
                f"{self._window(p)} seconds is applied instead of {p.rate_window_s}."
            )
        if self._scope(u, s) == "CLOUDFRONT" and s.region != "us-east-1":
            notes.append("A web ACL for CloudFront must be created in us-east-1: deploy this there.")
        if not s.out_of(u, "attach"):
            notes.append("The web ACL protects nothing yet: associate it with a load balancer or API stage.")
        return notes

    def _window(self, p: WafParams) -> int:
        return min((60, 120, 300, 600), key=lambda w: abs(w - p.rate_window_s))

    def _scope(self, u: Unit, s: Scene) -> str:
        return "CLOUDFRONT" if any(t.kind == "cloudfront" for t in s.out_of(u, "attach")) else "REGIONAL"

    def _metric(self, name: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", pascal(name))[:128] or "WebAcl"

    def _rules(self, u: Unit, s: Scene) -> list[tuple[str, int, str | None]]:
        """(name, priority, managed group or None for the rate rule)."""
        p: WafParams = u.params
        rules: list[tuple[str, int, str | None]] = []
        if p.rate_limit is not None:
            rules.append(("rate-limit-per-ip", 0, None))
        groups = list(MANAGED) + [g for g in p.extra_groups if g not in MANAGED]
        if any(t.kind == "rest_api" for t in s.out_of(u, "attach")) and OPTIONAL["anonymous"] not in groups:
            groups.append(OPTIONAL["anonymous"])  # APIs: requests hiding behind anonymising proxies
        for i, group in enumerate(groups):
            rules.append((group, i + 1, group))
        return rules

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: WafParams = u.params
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"aws-waf-logs-{p.name}", 365)
        body: list[Any] = [
            ("name", p.name),
            ("description", f"{p.name}: AWS managed rule groups"),
            ("scope", self._scope(u, s)),
            Block("default_action", body=[Block("allow")]),
        ]
        for name, priority, group in self._rules(u, s):
            if group is None:
                statement = Block(
                    "statement",
                    body=[
                        Block(
                            "rate_based_statement",
                            body=[
                                ("limit", p.rate_limit),
                                ("evaluation_window_sec", self._window(p)),
                                ("aggregate_key_type", "IP"),
                            ],
                        )
                    ],
                )
                action = Block("action", body=[Block("block")])
            else:
                statement = Block(
                    "statement",
                    body=[
                        Block(
                            "managed_rule_group_statement",
                            body=[("name", group), ("vendor_name", "AWS")],
                        )
                    ],
                )
                action = Block("override_action", body=[Block("none")])
            body.append(
                Block(
                    "rule",
                    body=[
                        ("name", name),
                        ("priority", priority),
                        action,
                        statement,
                        Block(
                            "visibility_config",
                            body=[
                                ("cloudwatch_metrics_enabled", True),
                                ("metric_name", self._metric(name)),
                                ("sampled_requests_enabled", True),
                            ],
                        ),
                    ],
                )
            )
        body.append(
            Block(
                "visibility_config",
                body=[
                    ("cloudwatch_metrics_enabled", True),
                    ("metric_name", self._metric(p.name)),
                    ("sampled_requests_enabled", True),
                ],
            )
        )
        acl = ref(f"aws_wafv2_web_acl.{u.label}.arn")
        blocks = [
            *logs,
            resource("aws_wafv2_web_acl", u.label, *body),
            resource(
                "aws_wafv2_web_acl_logging_configuration",
                u.label,
                ("resource_arn", acl),
                ("log_destination_configs", [ref(f"aws_cloudwatch_log_group.{u.label}_logs.arn")]),
            ),
        ]
        for target in s.out_of(u, "attach"):
            if target.kind == "cloudfront":
                continue  # the distribution names the ACL itself (web_acl_id)
            arn = (
                ref(f"aws_lb.{target.label}.arn")
                if target.kind == "alb"
                else ref(f"aws_api_gateway_stage.{target.label}.arn")
            )
            blocks.append(
                resource(
                    "aws_wafv2_web_acl_association",
                    f"{u.label}_{target.label}",
                    ("resource_arn", arn),
                    ("web_acl_arn", acl),
                )
            )
        s.output(f"{u.label}_web_acl_arn", acl, "ARN of the web ACL.")
        return blocks

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: WafParams = u.params
        _, out = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"aws-waf-logs-{p.name}", 365)
        rules: list[dict[str, Any]] = []
        for name, priority, group in self._rules(u, s):
            rule: dict[str, Any] = {"Name": name, "Priority": priority}
            if group is None:
                rule["Action"] = {"Block": {}}
                rule["Statement"] = {
                    "RateBasedStatement": {
                        "Limit": p.rate_limit,
                        "EvaluationWindowSec": self._window(p),
                        "AggregateKeyType": "IP",
                    }
                }
            else:
                rule["OverrideAction"] = {"None": {}}
                rule["Statement"] = {"ManagedRuleGroupStatement": {"Name": group, "VendorName": "AWS"}}
            rule["VisibilityConfig"] = {
                "CloudWatchMetricsEnabled": True,
                "MetricName": self._metric(name),
                "SampledRequestsEnabled": True,
            }
            rules.append(rule)
        out[u.lid] = cfn(
            "AWS::WAFv2::WebACL",
            {
                "Name": p.name,
                "Description": f"{p.name}: AWS managed rule groups",
                "Scope": self._scope(u, s),
                "DefaultAction": {"Allow": {}},
                "Rules": rules,
                "VisibilityConfig": {
                    "CloudWatchMetricsEnabled": True,
                    "MetricName": self._metric(p.name),
                    "SampledRequestsEnabled": True,
                },
            },
        )
        out[f"{u.lid}Logging"] = cfn(
            "AWS::WAFv2::LoggingConfiguration",
            {
                "ResourceArn": yamlout.get_att(u.lid, "Arn"),
                "LogDestinationConfigs": [yamlout.get_att(f"{u.lid}Logs", "Arn")],
            },
        )
        for target in s.out_of(u, "attach"):
            if target.kind == "cloudfront":
                continue
            arn = (
                yamlout.ref(target.lid)
                if target.kind == "alb"
                else yamlout.sub(
                    f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}::/restapis/${{{target.lid}}}/stages/"
                    f"${{{target.lid}Stage}}"
                )
            )
            out[f"{u.lid}{target.lid}Association"] = cfn(
                "AWS::WAFv2::WebACLAssociation",
                {"ResourceArn": arn, "WebACLArn": yamlout.get_att(u.lid, "Arn")},
            )
        s.output(f"{u.label}_web_acl_arn", yamlout.get_att(u.lid, "Arn"), "ARN of the web ACL.")
        return out
