"""RDS engine version is past standard support.

The database runs a major version past the end of RDS standard support, which gets no security
fixes unless paid Extended Support is on.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation

# Major versions past the end of RDS standard support (AWS's published calendars).
END_OF_SUPPORT: dict[str, frozenset[str]] = {
    "mysql": frozenset({"5.5", "5.6", "5.7"}),
    "mariadb": frozenset({"10.0", "10.1", "10.2", "10.3"}),
    "postgres": frozenset({"9", "10", "11", "12"}),
    "aurora-mysql": frozenset({"5.6", "5.7"}),
    "aurora-postgresql": frozenset({"9", "10", "11", "12"}),
}


class RdsDeprecatedEngine(Rule):
    id: ClassVar[str] = "rds-instance-deprecated-engine"
    title: ClassVar[str] = "RDS engine version is past standard support"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "The database runs a major version past the end of RDS standard support, which gets no "
        "security fixes unless paid Extended Support is on."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_deprecated_engine_version",)
    remediation: ClassVar[str] = (
        "Upgrade to a supported major version (test first with a snapshot restore) and keep "
        "automatic minor upgrades on."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        engine = str(resource.attributes.get("engine") or "").lower()
        version = str(resource.attributes.get("engine_version") or "")
        if not engine or not version:
            return None
        family = next((f for f in END_OF_SUPPORT if engine.startswith(f)), None)
        if family is None:
            return None
        parts = version.split(".")
        major = ".".join(parts[:2]) if family in ("mysql", "mariadb") else parts[0]
        if major not in END_OF_SUPPORT[family]:
            return None
        return Violation(
            detail=f"Instance {resource.name} runs {engine} {version}, past the end of standard support."
        )
