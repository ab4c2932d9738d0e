"""One seeded account: its clients, and the record of what is created and planted in it.

Every building block takes a `SeedAccount`, so the same code seeds the caller's own account
and one reached through an assumed role, and every resource lands in the manifest under the
right account.
"""

from __future__ import annotations

from typing import Any

from sandbox.manifest import PlantedMisconfiguration, SeededResource, SeedManifest
from tools.inventory.aws import AwsClients
from tools.inventory.clients import AccountClients


class SeedAccount:
    """Seeding helpers bound to one account (the caller's own, or one reached through a role)."""

    def __init__(
        self, aws: AwsClients, manifest: SeedManifest, account_id: str, role_arn: str | None
    ) -> None:
        self.aws = aws
        self.manifest = manifest
        self.id = account_id
        self.role = role_arn
        # (name, region) of the versioned buckets created so far.
        self.versioned_buckets: list[tuple[str, str]] = []

    @property
    def regions(self) -> list[str]:
        return self.manifest.regions

    @property
    def primary(self) -> str:
        """Where global services (IAM) are called, and account-wide settings are set right."""
        return self.aws.regions[0]

    @property
    def secondary(self) -> str:
        regions = self.aws.regions
        return regions[1] if len(regions) > 1 else regions[0]

    def client(self, service: str, region: str) -> Any:
        return self.aws.client(service, region, role_arn=self.role)

    def s3control(self) -> Any:
        return AccountClients(self.aws, self.id, self.role).s3control()

    def add(self, type_: str, id_: str, name: str, region: str) -> str:
        self.manifest.resources.append(
            SeededResource(type=type_, id=id_, name=name, region=region, account=self.id)
        )
        return id_

    def plant(self, rule_id: str, resource_id: str, region: str, note: str) -> None:
        self.manifest.misconfigurations.append(
            PlantedMisconfiguration(
                rule_id=rule_id, resource_id=resource_id, region=region, note=note, account=self.id
            )
        )


def tags(name: str, env: str, team: str, owner: str, **extra: str) -> list[dict[str, str]]:
    """Acme's tagging standard, in the EC2 Key/Value form."""
    values = {"Name": name, "env": env, "team": team, "owner": owner, "cost-center": f"cc-{team}", **extra}
    return [{"Key": k, "Value": v} for k, v in values.items()]


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """An IAM policy document (also the form of bucket, key and trust policies)."""
    return {"Version": "2012-10-17", "Statement": list(statements)}
