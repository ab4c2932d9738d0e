"""EFS file system is not encrypted.

Files are stored unencrypted at rest.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class UnencryptedFileSystem(SettingRule):
    id: ClassVar[str] = "efs-unencrypted"
    title: ClassVar[str] = "EFS file system is not encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "efs_file_system"
    description: ClassVar[str] = "Files are stored unencrypted at rest."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("2.4.1",),
        FSBP: ("EFS.1",),
        PCI_DSS: ("3.5.1", "8.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("efs_encryption_at_rest_enabled",)
    remediation: ClassVar[str] = (
        "Create an encrypted file system and copy the data (encryption cannot be turned on later)."
    )
    attribute: ClassVar[str] = "encrypted"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "File system {name} is not encrypted at rest."
