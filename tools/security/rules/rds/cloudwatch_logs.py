"""RDS logs are not published to CloudWatch.

Database logs (errors, audit, slow queries) stay on the instance and rotate away instead of being
kept in CloudWatch Logs.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, PCI_DSS, SOC2, Rule, Severity, Violation


class RdsWithoutLogExports(Rule):
    id: ClassVar[str] = "rds-instance-log-exports"
    title: ClassVar[str] = "RDS logs are not published to CloudWatch"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "Database logs (errors, audit, slow queries) stay on the instance and rotate away instead"
        " of being kept in CloudWatch Logs."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.9",),
        PCI_DSS: ("10.2.1.1", "10.2.1.2", "10.2.1.3"),
        SOC2: ("CC7.2", "CC7.3", "A1.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_integration_cloudwatch_logs",)
    remediation: ClassVar[str] = (
        "Enable log exports for the engine's log types (aws rds modify-db-instance --cloudwatch-"
        "logs-export-configuration)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        exports = resource.attributes.get("cloudwatch_logs_exports")
        if exports is None or exports:
            return None
        return Violation(detail=f"Instance {resource.name} publishes no logs to CloudWatch Logs.")
