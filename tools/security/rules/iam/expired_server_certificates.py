"""Expired SSL/TLS certificates are stored in IAM.

Expired server certificates are still stored in IAM and could be deployed by mistake, breaking TLS
or trust.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, Rule, Severity, Violation, age_days


class ExpiredServerCertificates(Rule):
    id: ClassVar[str] = "iam-expired-server-certificates"
    title: ClassVar[str] = "Expired SSL/TLS certificates are stored in IAM"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "iam_account"
    description: ClassVar[str] = (
        "Expired server certificates are still stored in IAM and could be deployed by mistake, "
        "breaking TLS or trust."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.19",),
        FSBP: ("IAM.26",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("iam_no_expired_server_certificates_stored",)
    remediation: ClassVar[str] = (
        "Delete expired certificates (aws iam delete-server-certificate) and use ACM for renewals."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        certificates = resource.attributes.get("server_certificates")
        if not certificates:
            return None
        expired = [
            c["name"]
            for c in certificates
            if (days := age_days(resource, c.get("expires"))) is not None and days > 0
        ]
        if not expired:
            return None
        return Violation(detail="Expired server certificates: " + ", ".join(sorted(expired)) + ".")
