"""RDS instance does not require TLS.

The instance's parameter group does not force encrypted connections (rds.force_ssl /
require_secure_transport), so clients may send credentials and data in clear text.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, Severity
from tools.security.rule_kinds import SettingRule


class RdsWithoutTransportEncryption(SettingRule):
    id: ClassVar[str] = "rds-instance-transport-encryption"
    title: ClassVar[str] = "RDS instance does not require TLS"
    severity: ClassVar[Severity] = Severity.HIGH
    resource_type: ClassVar[AnyResourceType] = "rds_instance"
    description: ClassVar[str] = (
        "The instance's parameter group does not force encrypted connections (rds.force_ssl / "
        "require_secure_transport), so clients may send credentials and data in clear text."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("RDS.38", "RDS.39"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("rds_instance_transport_encrypted",)
    remediation: ClassVar[str] = (
        "Use a custom parameter group with rds.force_ssl = 1 (PostgreSQL, SQL Server) or "
        "require_secure_transport = ON (MySQL, MariaDB), apply it and reboot in a maintenance "
        "window."
    )
    attribute: ClassVar[str] = "transport_encryption_required"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Instance {name}: its parameter group does not require TLS connections."
