"""EKS control-plane logging is incomplete.

Not every control-plane log type (api, audit, authenticator, controllerManager, scheduler) is sent
to CloudWatch Logs, so cluster activity cannot be audited.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, Rule, Severity, Violation

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


class EksControlPlaneLogging(Rule):
    id: ClassVar[str] = "eks-control-plane-logging"
    title: ClassVar[str] = "EKS control-plane logging is incomplete"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "eks_cluster"
    description: ClassVar[str] = (
        "Not every control-plane log type (api, audit, authenticator, controllerManager, "
        "scheduler) is sent to CloudWatch Logs, so cluster activity cannot be audited."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EKS.8",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("eks_control_plane_logging_all_types_enabled",)
    remediation: ClassVar[str] = (
        "Enable all control-plane log types (aws eks update-cluster-config --logging)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        enabled = resource.attributes.get("logging_enabled")
        if enabled is None:
            return None
        missing = [t for t in LOG_TYPES if t not in enabled]
        if not missing:
            return None
        return Violation(detail=f"Cluster {resource.name}: {', '.join(missing)} logs are off.")
