"""remediate: fix a security finding with a registered remediation action (mutating, needs approval)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.base import (
    ChangePlan,
    MutatingTool,
    ToolContext,
    ToolInput,
    ToolResult,
    ToolStatus,
    UserFacingError,
    Verification,
)
from tools.presentation import Table
from tools.remediation.accounts import in_account
from tools.remediation.base import find_resource
from tools.remediation.registry import all_permissions, get_action

Action = Literal[
    "revoke_ingress",
    "block_public_access",
    "enable_bucket_encryption",
    "enable_bucket_versioning",
    "enable_key_rotation",
    "disable_public_access",
    "stop_instance",
    "delete_volume",
    "deactivate_access_key",
    "enable_ebs_default_encryption",
    "enable_log_file_validation",
    "require_imdsv2",
    "make_snapshot_private",
    "release_address",
    "delete_snapshot",
    "modify_volume_type",
    "remove_nacl_entry",
    "redirect_http_to_https",
    "enable_pitr",
    "enable_scan_on_push",
    "enable_guardduty",
    "disable_auto_public_ip",
]


class RemediateInput(ToolInput):
    action: Action
    resource_id: str = Field(
        min_length=1,
        description="sg-..., a bucket name, an RDS identifier, i-..., vol-..., snap-..., eipalloc-..., "
        "a KMS key id, a trail name, an IAM user name, acl-..., subnet-..., a load balancer name, a "
        "DynamoDB table name, an ECR repository name, or ebs-encryption-by-default / guardduty (with region)",
    )
    region: str | None = Field(default=None, description="Found automatically when omitted.")
    account: str | None = Field(
        default=None,
        pattern=r"^\d{12}$",
        description="The AWS account id of the resource, when it is a member account's (from the finding)",
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            'revoke_ingress: {"port": 22, "cidr": "0.0.0.0/0"} or {"ports": [5432, 3306]} (all optional); '
            'enable_bucket_encryption: {"algorithm": "AES256" | "aws:kms", "kms_key_id": ...}; '
            'deactivate_access_key: {"access_key_id": "AKIA..."}; '
            'modify_volume_type: {"volume_type": "gp3"}; '
            'remove_nacl_entry: {"rule_number": 100} (optional); '
            'redirect_http_to_https: {"listener_arn": "arn:aws:elasticloadbalancing:..."} (optional); '
            "the other actions take none"
        ),
    )


class RemediateResult(ToolResult):
    action: str
    resource_id: str
    region: str | None = None
    account: str | None = None
    applied: bool = False
    changed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    verification: Verification | None = None
    idempotency_key: str = ""


class Remediate(MutatingTool[RemediateInput, RemediateResult]):
    name: ClassVar[str] = "remediate"
    description: ClassVar[str] = (
        "Fix a security misconfiguration or tidy a resource, after a human approves: revoke_ingress "
        "(internet-open ports on a security group), block_public_access (S3 bucket), "
        "enable_bucket_encryption, "
        "enable_bucket_versioning, enable_key_rotation (KMS), disable_public_access (RDS), require_imdsv2, "
        "enable_ebs_default_encryption (per region), enable_log_file_validation (CloudTrail), "
        "make_snapshot_private, deactivate_access_key (IAM user), stop_instance, delete_volume (snapshot "
        "first), delete_snapshot, release_address (Elastic IP), modify_volume_type (gp2 -> gp3), "
        "remove_nacl_entry (world-open network ACL entries), redirect_http_to_https (ALB HTTP listeners), "
        "enable_pitr (DynamoDB), enable_scan_on_push (ECR), enable_guardduty (per region), "
        "disable_auto_public_ip (subnet). Shows a dry-run plan of exactly what changes; applies it only "
        "after approval, then verifies it."
    )
    input_model: ClassVar[type[ToolInput]] = RemediateInput
    result_model: ClassVar[type[ToolResult]] = RemediateResult
    permissions: ClassVar[tuple[str, ...]] = all_permissions()

    def plan(self, ctx: ToolContext, args: RemediateInput) -> ChangePlan:
        action = get_action(args.action)
        params = action.parse_params(args.params)
        ctx = in_account(ctx, args.account)
        resource = find_resource(ctx, action.resource_type, args.resource_id, args.region)
        plan = action.plan(ctx, resource, params)
        plan.details["params"] = params.model_dump(exclude_none=True)
        if ctx.aws.default_role:
            plan.summary = f"{plan.summary} (account {plan.account})"
        return plan

    def apply(
        self, ctx: ToolContext, args: RemediateInput, plan: ChangePlan, idempotency_key: str
    ) -> RemediateResult:
        if plan.action != args.action:
            raise UserFacingError(f"The plan is for {plan.action}, not {args.action}; plan again.")
        action = get_action(plan.action)
        # The account comes from the approved request's arguments, like everything else apply does.
        ctx = in_account(ctx, args.account)
        result = RemediateResult(
            action=plan.action,
            resource_id=plan.resource_id,
            region=plan.region,
            account=args.account,
            idempotency_key=idempotency_key,
        )
        if not plan.applicable:
            result.verification = action.verify(ctx, plan)
            result.message = plan.summary
            return result
        outcome = action.apply(ctx, plan)
        verification = action.verify(ctx, plan)
        result.applied = True
        result.changed = outcome.changed
        result.unchanged = outcome.unchanged
        result.verification = verification
        done = (
            f"Applied {len(outcome.changed)} change{'s' if len(outcome.changed) != 1 else ''}"
            if outcome.changed
            else "Nothing left to change (already applied)"
        )
        result.message = f"{done} on {plan.resource_id} ({plan.region}). {verification.message}"
        if not verification.ok:
            result.status = ToolStatus.ERROR
            result.message = f"{done}, but verification failed: {verification.message}"
        rows = [[c, "changed"] for c in outcome.changed] + [[c, "already done"] for c in outcome.unchanged]
        result.tables = [
            Table(title=f"{plan.action} on {plan.resource_id}", columns=["Change", "Result"], rows=rows)
        ]
        return result

    def verify(self, ctx: ToolContext, args: RemediateInput, plan: ChangePlan) -> Verification:
        return get_action(plan.action).verify(in_account(ctx, args.account), plan)
