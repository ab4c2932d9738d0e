"""describe_resources: read-only inventory of every listed resource type (EC2, security groups, EBS,
S3, IAM, RDS, VPCs and subnets, Lambda, load balancers, ...), across all configured accounts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar, cast

from pydantic import BaseModel, Field

from tools.base import ReadOnlyTool, ToolContext, ToolInput, ToolResult, ToolStatus
from tools.inventory.exposure import WORLD_CIDRS, public_acl_grants, public_policy_actions
from tools.inventory.inventory import CollectionError, account_roles, check_regions, gather, plan_tasks
from tools.inventory.kinds import KINDS, OVERVIEW_TYPES, RESOURCE_TYPES, type_label, types_for_lookup
from tools.inventory.resources import Resource, ResourceType
from tools.presentation import Table


class DescribeResourcesInput(ToolInput):
    resource_type: ResourceType | None = Field(
        default=None, description="Only this type; all types when omitted."
    )
    region: str | None = Field(
        default=None,
        description="Only this region; all configured regions when omitted. S3 and IAM are global.",
    )
    resource_id: str | None = Field(default=None, description="An id, ARN or name to look up.")
    limit: int = Field(default=50, ge=1, le=500)


class ResourceView(BaseModel):
    id: str
    name: str
    type: ResourceType
    region: str
    account: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)


class DescribeResourcesResult(ToolResult):
    resources: list[ResourceView] = Field(default_factory=list)
    total: int = 0
    counts: dict[str, int] = Field(default_factory=dict)
    regions: list[str] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def _world_open_ports(r: Resource) -> str:
    ports = set()
    for e in r.attributes.get("ingress", []):
        if e.get("cidr") in WORLD_CIDRS:
            low, high = e.get("from_port"), e.get("to_port")
            ports.add("all" if low is None else str(low) if low == high else f"{low}-{high}")
    return ", ".join(sorted(ports)) or "-"


def _block_public_access(r: Resource) -> str:
    flags = list((r.attributes.get("public_access_block") or {}).values())
    return "on" if flags and all(flags) else "partial" if any(flags) else "off"


Column = tuple[str, Callable[[Resource], Any]]

# Key attributes per type: (column title, how to read it). Also what list results carry.
KEY_COLUMNS: dict[ResourceType, list[Column]] = {
    "ec2_instance": [
        ("Type", lambda r: r.attributes.get("instance_type")),
        ("State", lambda r: r.attributes.get("state")),
        ("Private IP", lambda r: r.attributes.get("private_ip")),
        ("Public IP", lambda r: r.attributes.get("public_ip") or "-"),
    ],
    "security_group": [
        ("VPC", lambda r: r.attributes.get("vpc_id")),
        ("Ingress rules", lambda r: len(r.attributes.get("ingress", []))),
        ("Open to internet", _world_open_ports),
    ],
    "ebs_volume": [
        ("Size (GiB)", lambda r: r.attributes.get("size_gb")),
        ("Type", lambda r: r.attributes.get("volume_type")),
        ("Encrypted", lambda r: _yes(r.attributes.get("encrypted"))),
        ("Attached to", lambda r: ", ".join(r.attributes.get("attached_to", [])) or "-"),
    ],
    "s3_bucket": [
        ("Encryption", lambda r: r.attributes.get("encryption") or "none"),
        ("Versioning", lambda r: r.attributes.get("versioning") or "off"),
        ("Block public access", _block_public_access),
        ("Public ACL", lambda r: _yes(public_acl_grants(r.attributes.get("acl_grants")))),
        ("Public policy", lambda r: _yes(public_policy_actions(r.attributes.get("policy")))),
    ],
    "iam_user": [
        ("Console", lambda r: _yes(r.attributes.get("console_access"))),
        ("MFA", lambda r: _yes(r.attributes.get("mfa_devices"))),
        ("Access keys", lambda r: r.attributes.get("active_access_keys", 0)),
    ],
    "rds_instance": [
        ("Engine", lambda r: r.attributes.get("engine")),
        ("Class", lambda r: r.attributes.get("instance_class")),
        ("Public", lambda r: _yes(r.attributes.get("publicly_accessible"))),
        ("Encrypted", lambda r: _yes(r.attributes.get("storage_encrypted"))),
        ("Multi-AZ", lambda r: _yes(r.attributes.get("multi_az"))),
    ],
    "vpc": [
        ("CIDR", lambda r: r.attributes.get("cidr")),
        ("Default", lambda r: _yes(r.attributes.get("is_default"))),
        ("Flow logs", lambda r: r.attributes.get("flow_logs", 0)),
    ],
    "subnet": [
        ("VPC", lambda r: r.attributes.get("vpc_id")),
        ("CIDR", lambda r: r.attributes.get("cidr")),
        ("AZ", lambda r: r.attributes.get("availability_zone")),
        ("Public IP on launch", lambda r: _yes(r.attributes.get("map_public_ip_on_launch"))),
    ],
    "network_acl": [
        ("VPC", lambda r: r.attributes.get("vpc_id")),
        ("Default", lambda r: _yes(r.attributes.get("is_default"))),
        ("Subnets", lambda r: len(r.attributes.get("subnets", []))),
    ],
    "lambda_function": [
        ("Runtime", lambda r: r.attributes.get("runtime")),
        ("VPC", lambda r: r.attributes.get("vpc_id") or "-"),
        ("URL auth", lambda r: r.attributes.get("url_auth_type") or "-"),
    ],
    "load_balancer": [
        ("Type", lambda r: r.attributes.get("lb_type")),
        ("Scheme", lambda r: r.attributes.get("scheme")),
        (
            "Listeners",
            lambda r: (
                ", ".join(
                    f"{li.get('protocol')}:{li.get('port')}" for li in r.attributes.get("listeners", [])
                )
                or "-"
            ),
        ),
    ],
    "iam_role": [
        ("Policies", lambda r: ", ".join(r.attributes.get("attached_policies", [])) or "-"),
        ("Service-linked", lambda r: _yes(r.attributes.get("service_linked"))),
    ],
    "dynamodb_table": [
        ("Billing", lambda r: r.attributes.get("billing_mode")),
        ("PITR", lambda r: _yes(r.attributes.get("pitr"))),
    ],
    "sqs_queue": [("Encryption", lambda r: r.attributes.get("encryption") or "none")],
    "sns_topic": [("KMS", lambda r: _yes(r.attributes.get("kms_key_id")))],
    "secret": [("Rotation", lambda r: _yes(r.attributes.get("rotation_enabled")))],
    "ecr_repository": [
        ("Scan on push", lambda r: _yes(r.attributes.get("scan_on_push"))),
        ("Tags", lambda r: r.attributes.get("tag_immutability")),
    ],
    "eks_cluster": [
        ("Version", lambda r: r.attributes.get("version")),
        ("Public endpoint", lambda r: _yes(r.attributes.get("endpoint_public"))),
    ],
    "cloudfront_distribution": [
        ("Domain", lambda r: r.attributes.get("domain_name")),
        ("WAF", lambda r: _yes(r.attributes.get("web_acl_id"))),
    ],
    "api_gateway_stage": [
        ("Endpoint", lambda r: ", ".join(r.attributes.get("endpoint_types", []))),
        ("Logging", lambda r: r.attributes.get("execution_logging") or "off"),
    ],
    "elasticache_replication_group": [
        ("In transit", lambda r: _yes(r.attributes.get("transit_encryption"))),
        ("At rest", lambda r: _yes(r.attributes.get("at_rest_encryption"))),
    ],
    "efs_file_system": [
        ("Encrypted", lambda r: _yes(r.attributes.get("encrypted"))),
        ("Backups", lambda r: r.attributes.get("backup_policy")),
    ],
}

NUMERIC_COLUMNS = {"Size (GiB)", "Ingress rules", "Access keys", "Flow logs", "Subnets"}
SHOWN_TAGS = ("env", "team", "owner")


def _key_attributes(r: Resource) -> dict[str, Any]:
    return {
        title.lower().replace(" ", "_").replace("(", "").replace(")", ""): read(r)
        for title, read in KEY_COLUMNS[cast(ResourceType, r.type)]
    }


def _table(resource_type: ResourceType, resources: list[Resource], accounts: bool = False) -> Table:
    key = KEY_COLUMNS[resource_type]
    # An Account column when the listing spans several accounts.
    where = ["Account", "Region"] if accounts else ["Region"]
    columns = ["Name", "ID", *where, *[title for title, _ in key], "Tags"]
    rows = []
    for r in resources:
        tags = ", ".join(f"{k}={r.tags[k]}" for k in SHOWN_TAGS if k in r.tags)
        place = [r.account, r.region] if accounts else [r.region]
        rows.append([r.name, r.id, *place, *[read(r) for _, read in key], tags])
    return Table(
        title=f"{_capitalised(type_label(resource_type, 2))} ({len(resources)})",
        columns=columns,
        rows=rows,
        numeric=[i for i, c in enumerate(columns) if c in NUMERIC_COLUMNS],
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _summary(counts: Counter[ResourceType]) -> str:
    total = sum(counts.values())
    parts = [f"{counts[t]} {type_label(t, counts[t])}" for t in RESOURCE_TYPES if counts[t]]
    return f"{total} resource{'s' if total != 1 else ''}: " + ", ".join(parts)


class DescribeResources(ReadOnlyTool[DescribeResourcesInput, DescribeResourcesResult]):
    name: ClassVar[str] = "describe_resources"
    description: ClassVar[str] = (
        "List or look up AWS resources (EC2 instances, security groups, EBS volumes, S3 buckets, IAM users "
        "and roles, RDS instances, VPCs, subnets, network ACLs, Lambda functions, load balancers, DynamoDB "
        "tables, SQS queues, SNS topics, secrets, ECR repositories, EKS clusters, CloudFront distributions, "
        "API Gateway stages, ElastiCache groups, EFS file systems) in every configured account, with their "
        "key attributes and tags. Read-only."
    )
    input_model: ClassVar[type[ToolInput]] = DescribeResourcesInput
    result_model: ClassVar[type[ToolResult]] = DescribeResourcesResult
    permissions: ClassVar[tuple[str, ...]] = tuple(
        sorted({p for k in KINDS for p in k.permissions} | {"sts:GetCallerIdentity"})
    )

    def run(self, ctx: ToolContext, args: DescribeResourcesInput) -> DescribeResourcesResult:
        regions = check_regions(ctx, [args.region] if args.region else [])
        types = types_for_lookup(
            args.resource_id,
            [args.resource_type]
            if args.resource_type
            else list(RESOURCE_TYPES if args.resource_id else OVERVIEW_TYPES),
        )
        gathered = gather(ctx, plan_tasks(types, regions, account_roles(ctx)), lookup=args.resource_id)
        resources = sorted(
            gathered.resources,
            key=lambda r: (RESOURCE_TYPES.index(r.type), r.account, r.region, r.name.casefold(), r.id),
        )
        several = len({r.account for r in gathered.resources}) > 1
        counts: Counter[ResourceType] = Counter(cast(ResourceType, r.type) for r in resources)
        where = ", ".join(regions)
        scope = type_label(args.resource_type, 2) if args.resource_type else "resources"
        errors = gathered.errors
        error_note = (
            ""
            if not errors
            else " Could not read "
            + "; ".join(f"{type_label(e.resource_type, 2)} in {e.region} ({e.error})" for e in errors)
            + "."
        )
        base = DescribeResourcesResult(regions=regions, errors=errors)
        if not resources:
            if errors and not gathered.succeeded:
                base.status = ToolStatus.ERROR
                base.message = f"Could not list {scope}.{error_note}"
            elif args.resource_id:
                base.status = ToolStatus.NO_DATA
                base.message = (
                    f"No {scope} with id or name '{args.resource_id}' in {where} (S3 and IAM are global). "
                    f"Check the id, or list {scope} without resource_id.{error_note}"
                )
            else:
                base.status = ToolStatus.NO_DATA
                base.message = f"No {scope} found in {where}.{error_note}"
            return base

        shown = resources[: args.limit]
        detailed = args.resource_id is not None
        base.resources = [
            ResourceView(
                id=r.id,
                name=r.name,
                type=r.type,
                region=r.region,
                account=r.account,
                attributes=dict(r.attributes) if detailed else _key_attributes(r),
                tags=r.tags,
            )
            for r in shown
        ]
        base.total = len(resources)
        base.counts = {t: counts[t] for t in RESOURCE_TYPES if counts[t]}
        base.tables = [
            _table(t, [r for r in shown if r.type == t], accounts=several)
            for t in RESOURCE_TYPES
            if any(r.type == t for r in shown)
        ]
        more = f" (showing the first {len(shown)})" if len(shown) < len(resources) else ""
        spread = f" across {len({r.account for r in resources})} accounts" if several else ""
        base.message = f"{_summary(counts)} in {where}{spread}{more}.{error_note}"
        return base
