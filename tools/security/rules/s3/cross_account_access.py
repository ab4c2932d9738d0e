"""S3 bucket policy grants another account access.

The bucket policy allows principals of another AWS account, which must be a deliberate, reviewed
share.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation
from tools.security.rule_kinds import as_list, policy_statements


class BucketCrossAccountAccess(Rule):
    id: ClassVar[str] = "s3-bucket-cross-account-access"
    title: ClassVar[str] = "S3 bucket policy grants another account access"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "The bucket policy allows principals of another AWS account, which must be a deliberate, "
        "reviewed share."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("S3.6",),
        PCI_DSS: ("10.6.3", "7.2.1", "7.2.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_cross_account_access",)
    remediation: ClassVar[str] = (
        "Review the statement; remove it, or limit it to the needed actions and prefixes with "
        "aws:PrincipalOrgID or aws:SourceAccount conditions."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        policy = resource.attributes.get("policy")
        if not policy or not resource.account:
            return None
        others = set()
        for st in policy_statements(policy):
            principal = st.get("Principal")
            if st.get("Effect") != "Allow" or not isinstance(principal, dict):
                continue
            for arn in as_list(principal.get("AWS")):
                account = arn.split(":")[4] if arn.startswith("arn:") and arn.count(":") >= 5 else arn
                if account.isdigit() and account != resource.account:
                    others.add(account)
        if not others:
            return None
        return Violation(detail=f"Bucket {resource.name} allows account {', '.join(sorted(others))}.")
