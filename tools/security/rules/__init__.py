"""The explicit list of security rules. Add a rule: write its file, then list it here."""

from __future__ import annotations

from tools.security.rule import Rule
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.s3.public_bucket import PublicS3Bucket

RULE_CLASSES: tuple[type[Rule], ...] = (
    PublicS3Bucket,
    OpenAdminPorts,
    ConsoleUserWithoutMfa,
    UnencryptedVolume,
    PublicRdsInstance,
)


def all_rules() -> list[Rule]:
    return [cls() for cls in RULE_CLASSES]


def rules_for(services: list[str] | None = None) -> list[Rule]:
    """Rules of the given services (all when None or empty)."""
    return [r for r in all_rules() if not services or r.service in services]


def get_rule(rule_id: str) -> Rule | None:
    return next((r for r in all_rules() if r.id == rule_id), None)
