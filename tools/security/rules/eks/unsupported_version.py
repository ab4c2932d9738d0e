"""EKS cluster runs an unsupported Kubernetes version.

The cluster's Kubernetes version is past EKS standard support and no longer gets security patches
without extended support.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation

# The oldest Kubernetes minor version in EKS standard support.
OLDEST_SUPPORTED = (1, 29)


class EksUnsupportedVersion(Rule):
    id: ClassVar[str] = "eks-unsupported-version"
    title: ClassVar[str] = "EKS cluster runs an unsupported Kubernetes version"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "eks_cluster"
    description: ClassVar[str] = (
        "The cluster's Kubernetes version is past EKS standard support and no longer gets "
        "security patches without extended support."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EKS.2",),
        PCI_DSS: ("6.3.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("eks_cluster_uses_a_supported_version",)
    remediation: ClassVar[str] = (
        "Upgrade the control plane and node groups one minor version at a time to a supported version."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        version = resource.attributes.get("version")
        if not version:
            return None
        try:
            major, minor = (int(p) for p in str(version).split(".")[:2])
        except ValueError:
            return None
        if (major, minor) >= OLDEST_SUPPORTED:
            return None
        return Violation(detail=f"Cluster {resource.name} runs Kubernetes {version}.")
