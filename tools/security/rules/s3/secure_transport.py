"""S3 bucket whose policy does not refuse plain-HTTP requests.

Reads the normalised `s3_bucket` attribute policy (parsed JSON or None): a Deny statement for
every principal on condition aws:SecureTransport = false is what turns HTTP away.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


def _denies_plain_http(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    everyone = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") in ("*", ["*"]))
    if not everyone:
        return False
    for operator, block in (statement.get("Condition") or {}).items():
        if operator.lower() != "bool" or not isinstance(block, dict):
            continue
        for key, value in block.items():
            values = value if isinstance(value, list) else [value]
            if key.lower() == "aws:securetransport" and any(str(v).lower() == "false" for v in values):
                return True
    return False


def requires_tls(policy: dict[str, Any] | None) -> bool:
    statements = (policy or {}).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return any(isinstance(st, dict) and _denies_plain_http(st) for st in statements)


class BucketAllowsHttp(Rule):
    id: ClassVar[str] = "s3-bucket-secure-transport"
    title: ClassVar[str] = "S3 bucket accepts requests over plain HTTP"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "s3_bucket"
    description: ClassVar[str] = (
        "The bucket policy has no Deny for requests where aws:SecureTransport is false, so data can be "
        "read and written unencrypted in transit."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.1.1",),
        FSBP: ("S3.5",),
        PCI_DSS: ("4.2.1", "2.2.5"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("s3_bucket_secure_transport_policy",)
    remediation: ClassVar[str] = (
        'Add a statement to the bucket policy: Effect Deny, Principal "*", Action "s3:*", Resource the '
        'bucket and its objects, Condition {"Bool": {"aws:SecureTransport": "false"}}.'
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        if "policy" not in resource.attributes or requires_tls(resource.attributes.get("policy")):
            return None
        return Violation(detail=f"Bucket {resource.name} does not deny requests without TLS.")
