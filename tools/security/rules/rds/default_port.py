"""RDS instance listens on the engine's default port.

The database listens on its engine's well-known port, which automated scans probe first.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import FSBP, Rule, Severity, Violation

DEFAULT_PORTS = (
    ("aurora-postgresql", 5432),
    ("aurora", 3306),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("postgres", 5432),
    ("oracle", 1521),
    ("sqlserver", 1433),
)


class RdsDefaultPort(Rule):
    id: ClassVar[str] = "rds-instance-default-port"
    title: ClassVar[str] = "RDS instance listens on the engine's default port"
    severity: ClassVar[Severity] = Severity.LOW
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "The database listens on its engine's well-known port, which automated scans probe first."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.23",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_non_default_port",)
    remediation: ClassVar[str] = (
        "Use a non-default port when creating or restoring the instance (defence in depth only)."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        engine = str(resource.attributes.get("engine") or "").lower()
        port = resource.attributes.get("port")
        default = next((p for prefix, p in DEFAULT_PORTS if engine.startswith(prefix)), None)
        if port is None or default is None or int(port) != default:
            return None
        return Violation(detail=f"Instance {resource.name} listens on {engine}'s default port {port}.")
