"""EKS API endpoint is open to the internet.

The Kubernetes API server endpoint is public and accepts connections from 0.0.0.0/0.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation


class EksPublicEndpoint(Rule):
    id: ClassVar[str] = "eks-public-endpoint"
    title: ClassVar[str] = "EKS API endpoint is open to the internet"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "eks_cluster"
    description: ClassVar[str] = (
        "The Kubernetes API server endpoint is public and accepts connections from 0.0.0.0/0."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EKS.1",),
        PCI_DSS: ("1.2.8", "1.3.1", "1.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("eks_cluster_not_publicly_accessible",)
    remediation: ClassVar[str] = (
        "Turn off public endpoint access (use the private endpoint over VPN/Direct Connect), or "
        "limit publicAccessCidrs to known ranges."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if not attrs.get("endpoint_public"):
            return None
        cidrs = attrs.get("public_access_cidrs") or ["0.0.0.0/0"]
        if not any(c in WORLD_CIDRS for c in cidrs):
            return None
        return Violation(detail=f"Cluster {resource.name}: the API endpoint is public to {', '.join(cidrs)}.")
