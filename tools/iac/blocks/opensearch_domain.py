"""OpenSearch Service domain: in the private subnets behind a security group (HTTPS from the
private network only), fine-grained access control with an IAM master role (no internal users, no
anonymous access), encrypted at rest with the shared CMK and node to node, HTTPS only with TLS 1.2,
three dedicated master nodes, data nodes across zones, and audit, application and slow logs in
an encrypted log group."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group, log_group_arn
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, Expr, interp, ref

ENGINE = "OpenSearch_2.19"
TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"
LOG_TYPES = ("AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS")


class OpenSearchParams(BlockParams):
    name: str = Field(default="search", pattern=r"^[a-z][a-z0-9-]{2,27}$")
    nodes: int = Field(default=3, ge=2, le=80)
    instance_type: str = Field(default="r6g.large.search", pattern=r"^[a-z0-9]+\.[a-z0-9]+\.search$")
    volume_gb: int = Field(default=100, ge=10, le=24576)

    @property
    def azs(self) -> int:
        return 3 if self.nodes % 3 == 0 else 2


class OpenSearchDomain(BlockSpec):
    kind: ClassVar[str] = "opensearch_domain"
    title: ClassVar[str] = "OpenSearch domain"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:amazon\s+|aws\s+)?(?:opensearch|elasticsearch)(?:\s+service)?(?:\s+(?:domain|cluster))?\b"
        r"(?!\s+serverless)",
    )
    params_model: ClassVar[type[BlockParams]] = OpenSearchParams
    tf_type: ClassVar[str] = "aws_opensearch_domain"
    cfn_type: ClassVar[str] = "AWS::OpenSearchService::Domain"
    default_name: ClassVar[str] = "search"
    design: ClassVar[tuple[str, ...]] = (
        "OpenSearch: private subnets only (HTTPS from the private network), fine-grained access control "
        "with an IAM master role, encryption at rest (shared CMK) and node to node, TLS 1.2 HTTPS only, "
        "3 dedicated masters, data nodes across zones, audit/application/slow logs.",
    )
    examples: ClassVar[tuple[str, ...]] = ("an opensearch domain with 3 data nodes",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "domain", "opensearch")
        if name:
            out["name"] = name.lower()
        m = re.search(r"\b(\d{1,2})\s*(?:x\s+)?(?:data\s+)?(?:nodes?|instances?)\b", text, re.I)
        if m:
            out["nodes"] = int(m.group(1))
        m = re.search(r"(?<![\w.])([a-z]\d[a-z]*\.(?:\d*x?large|medium|small))(?:\.search)?\b", text, re.I)
        if m:
            out["instance_type"] = f"{m.group(1).lower()}.search"
        if f.size_gb:
            out["volume_gb"] = f.size_gb
        return out

    def build(self, values: Any) -> Any:
        p = super().build(values)
        # Data nodes are spread evenly over the zones.
        return p if p.nodes % p.azs == 0 else p.model_copy(update={"nodes": p.nodes + 1})

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: OpenSearchParams = u.params
        said = re.search(r"\b(\d{1,2})\s*(?:x\s+)?(?:data\s+)?(?:nodes?|instances?)\b", u.text, re.I)
        notes = [
            "Sign in to OpenSearch Dashboards as the IAM master role (variable "
            "opensearch_master_role_arn); map other roles to OpenSearch roles there."
        ]
        if said and int(said.group(1)) != p.nodes:
            notes.insert(
                0,
                f"Changed from your request: {p.nodes} data nodes, not {said.group(1)}: data nodes are "
                f"spread evenly over {p.azs} zones.",
            )
        return notes

    def _access_policy(self, s: Scene, master: Any, domain_arn: Any) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": master},
                    "Action": "es:ESHttp*",
                    "Resource": domain_arn,
                }
            ],
        }

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: OpenSearchParams = u.params
        sg, _ = security_group(
            s,
            f"{u.label}_search",
            f"{u.lid}SearchSg",
            f"OpenSearch {p.name}: HTTPS from the private network",
            [(443, s.client_cidr(), "HTTPS from the private network")],
        )
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/opensearch/{p.name}")
        logs_arn = log_group_arn(s, f"{u.label}_logs", f"{u.lid}Logs")
        master = s.var("opensearch_master_role_arn", "string", None, "IAM role that administers OpenSearch.")
        region = ref("data.aws_region.current.region")
        s.data(Block("data", ("aws_region", "current")))
        domain_arn = interp(f"arn:aws:es:${{{region.text}}}:${{{s.account_id().text}}}:domain/{p.name}/*")
        policy: dict[str, Any] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "OpenSearchWritesLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "es.amazonaws.com"},
                    "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
                    "Resource": interp(f"${{{logs_arn.text}}}:*") if isinstance(logs_arn, Expr) else logs_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": s.account_id()}},
                }
            ],
        }
        domain = resource(
            "aws_opensearch_domain",
            u.label,
            ("domain_name", p.name),
            ("engine_version", ENGINE),
            Block(
                "cluster_config",
                body=[
                    ("instance_type", p.instance_type),
                    ("instance_count", p.nodes),
                    ("zone_awareness_enabled", True),
                    Block("zone_awareness_config", body=[("availability_zone_count", p.azs)]),
                    ("dedicated_master_enabled", True),
                    ("dedicated_master_type", "m6g.large.search"),
                    ("dedicated_master_count", 3),
                ],
            ),
            Block(
                "ebs_options",
                body=[("ebs_enabled", True), ("volume_type", "gp3"), ("volume_size", p.volume_gb)],
            ),
            Block("encrypt_at_rest", body=[("enabled", True), ("kms_key_id", s.key_arn())]),
            Block("node_to_node_encryption", body=[("enabled", True)]),
            Block(
                "domain_endpoint_options", body=[("enforce_https", True), ("tls_security_policy", TLS_POLICY)]
            ),
            Block(
                "advanced_security_options",
                body=[
                    ("enabled", True),
                    ("anonymous_auth_enabled", False),
                    ("internal_user_database_enabled", False),
                    Block("master_user_options", body=[("master_user_arn", master)]),
                ],
            ),
            Block(
                "vpc_options",
                body=[
                    ("subnet_ids", s.private_subnets()),
                    ("security_group_ids", [group_ref(s, f"{u.label}_search", f"{u.lid}SearchSg")]),
                ],
            ),
            *(
                Block(
                    "log_publishing_options",
                    body=[("cloudwatch_log_group_arn", logs_arn), ("log_type", t), ("enabled", True)],
                )
                for t in LOG_TYPES
            ),
            ("access_policies", Call("jsonencode", self._access_policy(s, master, domain_arn))),
            ("depends_on", [ref(f"aws_cloudwatch_log_resource_policy.{u.label}_logs")]),
        )
        blocks = [
            *sg,
            *logs,
            resource(
                "aws_cloudwatch_log_resource_policy",
                f"{u.label}_logs",
                ("policy_name", f"{p.name}-opensearch-logs"),
                ("policy_document", Call("jsonencode", policy)),
            ),
            domain,
        ]
        s.output(
            f"{u.label}_endpoint",
            ref(f"aws_opensearch_domain.{u.label}.endpoint"),
            "Domain endpoint (HTTPS).",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: OpenSearchParams = u.params
        _, out = security_group(
            s,
            f"{u.label}_search",
            f"{u.lid}SearchSg",
            f"OpenSearch {p.name}: HTTPS from the private network",
            [(443, s.client_cidr(), "HTTPS from the private network")],
        )
        _, logs = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/opensearch/{p.name}")
        out.update(logs)
        master = s.var("opensearch_master_role_arn", "string", None, "IAM role that administers OpenSearch.")
        policy = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OpenSearchWritesLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "es.amazonaws.com"},
                        "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
                        "Resource": f"${{{u.lid}Logs.Arn}}",
                        "Condition": {"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"}},
                    }
                ],
            }
        )
        out[f"{u.lid}LogsPolicy"] = cfn(
            "AWS::Logs::ResourcePolicy",
            {"PolicyName": f"{p.name}-opensearch-logs", "PolicyDocument": yamlout.sub(policy)},
        )
        logs_arn = log_group_arn(s, f"{u.label}_logs", f"{u.lid}Logs")
        domain_arn = yamlout.sub(
            f"arn:${{AWS::Partition}}:es:${{AWS::Region}}:${{AWS::AccountId}}:domain/{p.name}/*"
        )
        out[u.lid] = cfn(
            "AWS::OpenSearchService::Domain",
            {
                "DomainName": p.name,
                "EngineVersion": ENGINE,
                "ClusterConfig": {
                    "InstanceType": p.instance_type,
                    "InstanceCount": p.nodes,
                    "ZoneAwarenessEnabled": True,
                    "ZoneAwarenessConfig": {"AvailabilityZoneCount": p.azs},
                    "DedicatedMasterEnabled": True,
                    "DedicatedMasterType": "m6g.large.search",
                    "DedicatedMasterCount": 3,
                },
                "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": p.volume_gb},
                "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": s.key_arn()},
                "NodeToNodeEncryptionOptions": {"Enabled": True},
                "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": TLS_POLICY},
                "AdvancedSecurityOptions": {
                    "Enabled": True,
                    "AnonymousAuthEnabled": False,
                    "InternalUserDatabaseEnabled": False,
                    "MasterUserOptions": {"MasterUserARN": master},
                },
                "VPCOptions": {
                    "SubnetIds": s.private_subnets(),
                    "SecurityGroupIds": [group_ref(s, f"{u.label}_search", f"{u.lid}SearchSg")],
                },
                "LogPublishingOptions": {
                    t: {"CloudWatchLogsLogGroupArn": logs_arn, "Enabled": True} for t in LOG_TYPES
                },
                "AccessPolicies": self._access_policy(s, master, domain_arn),
                "Tags": s.cfn_tags(p.name),
            },
            DependsOn=f"{u.lid}LogsPolicy",
        )
        s.output(f"{u.label}_endpoint", yamlout.get_att(u.lid, "DomainEndpoint"), "Domain endpoint (HTTPS).")
        return out
