"""No security contact is registered.

AWS has no security alternate contact for the account, so its security notices go only to the root
e-mail.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import CIS_AWS, FSBP, PCI_DSS, Rule, Severity, Violation


class NoSecurityContact(Rule):
    id: ClassVar[str] = "account-security-contact"
    title: ClassVar[str] = "No security contact is registered"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "account_contacts"
    description: ClassVar[str] = (
        "AWS has no security alternate contact for the account, so its security notices go only "
        "to the root e-mail."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        CIS_AWS: ("1.2",),
        FSBP: ("Account.1",),
        PCI_DSS: ("A1.2.3",),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("account_security_contact_information_is_registered",)
    remediation: ClassVar[str] = (
        "Register a security alternate contact (aws account put-alternate-contact --alternate-"
        "contact-type SECURITY) with a team address."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        attrs = resource.attributes
        if "security_contact" not in attrs or attrs["security_contact"]:
            return None
        return Violation(detail="No security alternate contact is registered for the account.")
