"""What the seed creates, as tests and the demo see it: the manifest, and the fixed
identifiers of the seeded company (its development account, the role that audits it, the AMI
every instance runs).

Kept apart from the seeding code so that everything which reads or writes a manifest (the
seed's parts, the savings additions, the sandbox server, tests) can import it without importing
each other.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

# An AMI id in moto's format; moto does not require it to exist.
SANDBOX_AMI = "ami-0c1a7f89451184c8b"
# The development account and the role CloudPilot assumes to audit it
# (settings: aws.assume_role_arns = [DEV_AUDIT_ROLE]).
DEV_ACCOUNT = "111122223333"
DEV_AUDIT_ROLE = f"arn:aws:iam::{DEV_ACCOUNT}:role/CloudPilotAudit"
# The region of account-wide resources and settings (IAM, account-level S3 settings ...).
GLOBAL = "global"

# Rules whose misconfiguration moto cannot represent, with the reason. Their rules are checked on
# normalised resources in tests instead.
NOT_REPRESENTABLE_REASONS = {
    # AccountAccessKeysPresent is always 0: root access keys cannot be created.
    "iam-root-access-keys": "moto cannot give the root user access keys",
    # Root MFA can never be enabled, so its kind cannot be either.
    "iam-root-hardware-mfa": "moto cannot give the root user an MFA device",
    # moto stamps keys, passwords and secrets with the current time, so nothing is ever old.
    "iam-user-access-key-not-rotated": "moto dates access keys now",
    "iam-user-unused-credentials": "moto dates credentials now",
    "secretsmanager-not-rotated-90-days": "moto dates secrets now",
    "secretsmanager-unused": "moto dates secrets now and never records an access",
    # moto loads no AWS managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES is off), so
    # AdministratorAccess cannot be attached. (iam-support-role, which needs AWSSupportAccess
    # attached to pass, is planted as failing in both accounts.)
    "iam-user-admin-access": "moto has no AWS managed policies to attach",
    "iam-role-admin-access": "moto has no AWS managed policies to attach",
    # moto has no IAM Access Analyzer: the collector reports nothing on an emulator.
    "accessanalyzer-enabled": "moto has no IAM Access Analyzer",
    "accessanalyzer-active-findings": "moto has no IAM Access Analyzer",
}
NOT_REPRESENTABLE = frozenset(NOT_REPRESENTABLE_REASONS)


class SeededResource(BaseModel):
    type: str  # vpc, subnet, internet_gateway, route_table, or a tool resource type
    id: str
    name: str
    region: str
    account: str = ""


class PlantedMisconfiguration(BaseModel):
    rule_id: str
    resource_id: str
    region: str
    note: str = ""
    account: str = ""


class SeedManifest(BaseModel):
    account_id: str
    regions: list[str]
    resources: list[SeededResource] = Field(default_factory=list)
    misconfigurations: list[PlantedMisconfiguration] = Field(default_factory=list)
    # Other seeded accounts: account id -> the role that reaches it.
    member_accounts: dict[str, str] = Field(default_factory=dict)

    def of_type(self, resource_type: str, account: str | None = None) -> list[SeededResource]:
        return [
            r for r in self.resources if r.type == resource_type and (account is None or r.account == account)
        ]

    def by_name(self, name: str) -> SeededResource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    def planted(self, account: str | None = None) -> list[PlantedMisconfiguration]:
        """Planted issues of one account (the production account when None)."""
        wanted = account or self.account_id
        return [m for m in self.misconfigurations if m.account == wanted]

    def expected_findings(self, account: str | None = None) -> set[tuple[str, str]]:
        return {(m.rule_id, m.resource_id) for m in self.planted(account)}

    def expected_by_region(self, account: str | None = None) -> set[tuple[str, str, str]]:
        return {(m.rule_id, m.resource_id, m.region) for m in self.planted(account)}

    def all_expected(self) -> set[tuple[str, str, str, str]]:
        return {(m.account, m.rule_id, m.resource_id, m.region) for m in self.misconfigurations}
