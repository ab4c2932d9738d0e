"""Helpers shared by the Terraform and CloudFormation mappers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.inventory.kinds import ALL_RESOURCE_TYPES
from tools.inventory.resources import Resource

# Canned ACLs -> the grants S3 creates for them, in the collector's normalised form.
CANNED_ACL_GRANTS: dict[str, list[dict[str, str]]] = {
    "public-read": [{"grantee": "AllUsers", "grantee_type": "Group", "permission": "READ"}],
    "public-read-write": [
        {"grantee": "AllUsers", "grantee_type": "Group", "permission": "READ"},
        {"grantee": "AllUsers", "grantee_type": "Group", "permission": "WRITE"},
    ],
    "authenticated-read": [{"grantee": "AuthenticatedUsers", "grantee_type": "Group", "permission": "READ"}],
}
CFN_CANNED_ACLS = {
    "PublicRead": "public-read",
    "PublicReadWrite": "public-read-write",
    "AuthenticatedRead": "authenticated-read",
}
GROUP_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def acl_grants(canned: Any) -> list[dict[str, str]]:
    owner = [{"grantee": "owner", "grantee_type": "CanonicalUser", "permission": "FULL_CONTROL"}]
    return owner + CANNED_ACL_GRANTS.get(str(canned or "private"), [])


def rule_entry(
    protocol: Any, from_port: Any, to_port: Any, description: Any = "", **source: Any
) -> dict[str, Any]:
    """One ingress/egress source in the collector's shape (see tools/inventory/collectors/ec2.py)."""
    proto = str(protocol if protocol is not None else "-1").lower()
    if proto in ("-1", "all"):
        low = high = None
    else:
        low, high = as_int(from_port), as_int(to_port)
    return {
        "protocol": proto,
        "from_port": low,
        "to_port": high,
        "cidr": source.get("cidr"),
        "source_group": source.get("source_group"),
        "description": str(description or ""),
    }


def kms_attributes(
    rotation: bool, policy: dict[str, Any] | None, spec: Any, description: Any, aliases: list[str]
) -> dict[str, Any]:
    """A customer-managed key as the kms collector describes one (see collectors/kms.py)."""
    symmetric = spec in (None, "SYMMETRIC_DEFAULT")
    return {
        "manager": "CUSTOMER",
        "state": "Enabled",
        "spec": spec or "SYMMETRIC_DEFAULT",
        "usage": "ENCRYPT_DECRYPT",
        # Rotation only exists for symmetric keys; the collector reports None for the others.
        "rotation_enabled": rotation if symmetric else None,
        "policy": policy,
        "aliases": aliases,
        "deletion_date": None,
        "description": str(description or ""),
        "unreadable": [],
    }


@dataclass
class Mapped:
    """What the security rules can see of a file, and what they cannot."""

    resources: list[Resource] = field(default_factory=list)
    # Addresses/logical ids of declared resources that no Resource type covers.
    uncovered: list[str] = field(default_factory=list)

    def add(self, resource_type: str, **fields: Any) -> None:
        # Only types the rule engine knows are built; anything else would not be evaluated anyway.
        if resource_type in ALL_RESOURCE_TYPES:
            self.resources.append(Resource(type=resource_type, **fields))
