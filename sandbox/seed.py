"""Seed the sandbox with a small, realistic company ("Acme") and a known set of planted mistakes.

Two accounts: production (the caller's own) and a development account reached through an
assumed audit role. The manifest (`sandbox.manifest`) lists every resource created and every
planted misconfiguration as (account, rule_id, resource_id, region), so tests and the demo can
check scan results exactly: every planted issue is found and nothing else is.

Account-wide settings exist once per account (or per region), so where production gets a
setting wrong the development account gets it right, and the other way round. The parts live
in `sandbox.seeding`; this module runs them, always in the same order.
"""

from __future__ import annotations

from sandbox.manifest import DEV_ACCOUNT, DEV_AUDIT_ROLE, SeedManifest
from sandbox.seeding import production_account, production_apps, production_regions
from sandbox.seeding.account import SeedAccount
from sandbox.seeding.development import development
from sandbox.seeding.savings import savings
from tools.inventory.aws import AwsClients

# The account alias marks a seeded account: cheap to read, and not one of the inventoried
# resource types, so it never shows up in scans or counts.
SEED_MARKER_ALIAS = "acme-cloudpilot-sandbox-v1"


def is_seeded(aws: AwsClients) -> bool:
    aliases = aws.client("iam", aws.regions[0]).list_account_aliases().get("AccountAliases", [])
    return SEED_MARKER_ALIAS in aliases


def seed(aws: AwsClients) -> SeedManifest:
    """Create the sandbox company. Not idempotent on its own: check `is_seeded` first."""
    primary = aws.regions[0]
    account = str(aws.client("sts", primary).get_caller_identity()["Account"])
    manifest = SeedManifest(account_id=account, regions=list(dict.fromkeys(aws.regions)))
    prod = SeedAccount(aws, manifest, account, None)

    logs = production_regions.logging_buckets(prod)
    placement = production_regions.web_shop(prod, logs.logs)
    production_regions.eu_customers(prod)
    production_account.s3_buckets(prod, logs)
    production_account.iam(prod)
    data_key = production_account.keys(prod)
    production_apps.web_platform(prod, data_key, logs.logs)
    production_apps.marketing_site(prod)
    production_apps.eu_platform(prod, logs.eu_logs)
    production_account.audit_trail(prod, logs, data_key)
    production_account.region_settings(prod, logs.logs)
    production_account.detection(prod)

    development(SeedAccount(aws, manifest, DEV_ACCOUNT, DEV_AUDIT_ROLE), auditor_account=account)
    savings(prod, placement)
    # Last: the marker says the whole company is there.
    aws.client("iam", primary).create_account_alias(AccountAlias=SEED_MARKER_ALIAS)
    return manifest
