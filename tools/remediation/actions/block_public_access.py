"""block_public_access: turn on all four S3 Block Public Access settings for a bucket."""

from __future__ import annotations

from typing import ClassVar

from tools.base import ChangePlan, ToolContext, Verification
from tools.inventory.collectors.s3 import PAB_KEYS
from tools.inventory.resources import Resource, ResourceType
from tools.remediation.base import ActionParams, ApplyOutcome, RemediationAction, new_plan, reload
from tools.security.rule import Rule
from tools.security.rules.s3.public_bucket import PublicS3Bucket

_FULL = {aws_name: True for aws_name in PAB_KEYS}


def _missing(resource: Resource) -> list[str]:
    current = resource.attributes.get("public_access_block") or {}
    return [aws_name for aws_name, ours in PAB_KEYS.items() if not current.get(ours)]


class BlockPublicAccessParams(ActionParams):
    pass


class BlockPublicAccess(RemediationAction):
    name: ClassVar[str] = "block_public_access"
    description: ClassVar[str] = (
        "Turn on S3 Block Public Access for a bucket (BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, "
        "RestrictPublicBuckets), which neutralises public ACLs and public bucket policies."
    )
    resource_type: ClassVar[ResourceType] = "s3_bucket"
    params_model: ClassVar[type[ActionParams]] = BlockPublicAccessParams
    permissions: ClassVar[tuple[str, ...]] = (
        "s3:GetBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        "s3:GetBucketAcl",
        "s3:GetBucketPolicy",
    )
    rule: ClassVar[type[Rule] | None] = PublicS3Bucket

    def plan(self, ctx: ToolContext, resource: Resource, params: ActionParams) -> ChangePlan:
        missing = _missing(resource)
        where = f"bucket {resource.id} ({resource.region})"
        violation = PublicS3Bucket().evaluate(resource)
        details = {
            "bucket": resource.id,
            "before": dict(resource.attributes.get("public_access_block") or {}),
            "settings": missing,
            "public_because": violation.detail if violation else None,
        }
        if not missing:
            return new_plan(
                ctx,
                self.name,
                resource,
                applicable=False,
                details=details,
                summary=f"Nothing to change: Block Public Access is already fully on for {where}.",
            )
        why = f" {violation.detail}" if violation else ""
        return new_plan(
            ctx,
            self.name,
            resource,
            details=details,
            summary=f"Turn on Block Public Access ({len(missing)} of 4 settings) for {where}.{why}",
            changes=[f"set {name}=true on {where}" for name in missing],
        )

    def apply(self, ctx: ToolContext, plan: ChangePlan) -> ApplyOutcome:
        resource = reload(ctx, plan, self.resource_type)
        missing = _missing(resource)
        where = f"bucket {plan.resource_id} ({plan.region})"
        outcome = ApplyOutcome(
            unchanged=[
                f"set {n}=true on {where}: already on"
                for n in plan.details.get("settings", [])
                if n not in missing
            ],
        )
        if missing:
            ctx.aws.client("s3", plan.region).put_public_access_block(
                Bucket=plan.resource_id, PublicAccessBlockConfiguration=dict(_FULL)
            )
            outcome.changed = [f"set {n}=true on {where}" for n in missing]
        return outcome

    def verify(self, ctx: ToolContext, plan: ChangePlan) -> Verification:
        resource = reload(ctx, plan, self.resource_type)
        missing = _missing(resource)
        if missing:
            return Verification(
                ok=False,
                message=f"Bucket {plan.resource_id} still has {', '.join(missing)} off. "
                + self.rule_check(resource),
            )
        return Verification(
            ok=True,
            message=f"Block Public Access is fully on for bucket {plan.resource_id}. "
            + self.rule_check(resource),
        )
