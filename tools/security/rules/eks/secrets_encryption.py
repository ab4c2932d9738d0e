"""EKS secrets are not envelope-encrypted.

Kubernetes secrets are not encrypted with a KMS key of yours, so etcd holds them with the default
encryption only.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class EksWithoutSecretsEncryption(SettingRule):
    id: ClassVar[str] = "eks-secrets-encryption"
    title: ClassVar[str] = "EKS secrets are not envelope-encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "eks_cluster"
    description: ClassVar[str] = (
        "Kubernetes secrets are not encrypted with a KMS key of yours, so etcd holds them with "
        "the default encryption only."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("EKS.3",),
        PCI_DSS: ("3.5.1", "8.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("eks_cluster_kms_cmk_encryption_in_secrets_enabled",)
    remediation: ClassVar[str] = (
        "Associate a KMS key for secrets encryption (aws eks associate-encryption-config)."
    )
    attribute: ClassVar[str] = "secrets_encryption"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Cluster {name}: secrets are not encrypted with a KMS key."
