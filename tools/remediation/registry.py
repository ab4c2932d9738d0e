"""The explicit list of remediation actions, by name."""

from __future__ import annotations

from tools.base import UserFacingError
from tools.remediation.base import RemediationAction
from tools.remediation.block_public_access import BlockPublicAccess
from tools.remediation.revoke_ingress import RevokeIngress
from tools.security.collectors import COLLECTORS

ACTIONS: dict[str, type[RemediationAction]] = {
    RevokeIngress.name: RevokeIngress,
    BlockPublicAccess.name: BlockPublicAccess,
}


def get_action(name: str) -> RemediationAction:
    cls = ACTIONS.get(name)
    if cls is None:
        raise UserFacingError(
            f"Unknown remediation action '{name}'. Available: {', '.join(sorted(ACTIONS))}."
        )
    return cls()


def all_permissions() -> tuple[str, ...]:
    """What the actions change, plus what finding and re-checking their resources reads."""
    perms = {
        p for cls in ACTIONS.values() for p in (*cls.permissions, *COLLECTORS[cls.resource_type].permissions)
    }
    return tuple(sorted(perms | {"sts:GetCallerIdentity"}))
