"""The AWS account itself: its alternate contacts and its place in AWS Organizations (global).

account_contacts attributes: security_contact, billing_contact, operations_contact (each
{name, email} or None when not registered; the attribute is missing when contacts cannot be read).
organization attributes: member (the account belongs to an organization), organization_id,
management_account, feature_set ("ALL" or "CONSOLIDATED_BILLING"), all_features.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import GLOBAL_REGION, Resource

CONTACTS_ID = "account-contacts"
ORGANIZATION_ID = "organization"
_CONTACT_TYPES = {
    "SECURITY": "security_contact",
    "BILLING": "billing_contact",
    "OPERATIONS": "operations_contact",
}


def _contact(client: Any, kind: str) -> dict[str, Any] | None:
    try:
        c = client.get_alternate_contact(AlternateContactType=kind)["AlternateContact"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise
    return {"name": c.get("Name"), "email": c.get("EmailAddress")}


def collect_contacts(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    client = aws.client("account", aws.regions[0])
    attributes = {ours: _contact(client, theirs) for theirs, ours in _CONTACT_TYPES.items()}
    return [
        Resource(
            type="account_contacts",
            id=CONTACTS_ID,
            name="account alternate contacts",
            region=GLOBAL_REGION,
            attributes=attributes,
        )
    ]


def collect_organization(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    client = aws.client("organizations", aws.regions[0])
    try:
        org: dict[str, Any] | None = client.describe_organization()["Organization"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "AWSOrganizationsNotInUseException":
            raise
        org = None
    o = org or {}
    return [
        Resource(
            type="organization",
            id=ORGANIZATION_ID,
            name="AWS Organizations membership",
            region=GLOBAL_REGION,
            arn=o.get("Arn"),
            attributes={
                "member": org is not None,
                "organization_id": o.get("Id"),
                "management_account": o.get("MasterAccountId"),
                "feature_set": o.get("FeatureSet"),
                "all_features": o.get("FeatureSet") == "ALL" if org is not None else None,
            },
        )
    ]
