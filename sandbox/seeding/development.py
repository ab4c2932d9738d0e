"""Acme's small development account, reached through an assumed audit role.

The account-wide settings production gets wrong are right here, and the other way round: a
strong password policy and account-level Block Public Access, but no CloudTrail at all.
"""

from __future__ import annotations

import json

from sandbox.manifest import DEV_AUDIT_ROLE, GLOBAL
from sandbox.seeding import identity, monitoring, network, storage
from sandbox.seeding.account import SeedAccount, policy
from tools.inventory.collectors.cloudtrail import ACCOUNT_ID as CLOUDTRAIL_ACCOUNT_ID
from tools.inventory.collectors.cloudwatch import ACCOUNT_ID as CLOUDWATCH_ACCOUNT_ID
from tools.inventory.collectors.iam import ROOT_ID
from tools.security.rules.cloudtrail.multi_region import NoMultiRegionTrail
from tools.security.rules.cloudwatch.cloudtrail_changes import CloudTrailChangesAlarm
from tools.security.rules.cloudwatch.console_signin_without_mfa import ConsoleSigninWithoutMfaAlarm
from tools.security.rules.cloudwatch.iam_policy_changes import IamPolicyChangesAlarm
from tools.security.rules.cloudwatch.root_usage import RootUsageAlarm
from tools.security.rules.cloudwatch.security_group_changes import SecurityGroupChangesAlarm
from tools.security.rules.cloudwatch.unauthorized_api_calls import UnauthorizedApiCallsAlarm
from tools.security.rules.iam.root_mfa import RootWithoutMfa


def development(d: SeedAccount, auditor_account: str) -> None:
    """Seed the development account; `auditor_account` (production) may assume its audit role."""
    p = d.primary
    iam = d.client("iam", p)
    iam.create_role(
        RoleName="CloudPilotAudit",
        AssumeRolePolicyDocument=json.dumps(
            policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{auditor_account}:root"},
                    "Action": "sts:AssumeRole",
                }
            )
        ),
    )
    d.manifest.member_accounts[d.id] = DEV_AUDIT_ROLE
    identity.password_policy(d, strong=True)
    storage.block_account_public_access(d)
    logs = storage.bucket(d, p, "acme-dev-logs", "dev", "platform", acl="log-delivery-write")
    storage.bucket(d, p, "acme-dev-artifacts", "dev", "platform", access_log_to=logs)
    identity.user(d, "dev-ci", "platform", console=False, mfa=False, access_keys=1)
    d.plant(RootWithoutMfa.id, ROOT_ID, GLOBAL, "root user without MFA")
    # No CloudTrail at all in development: nothing records, nothing alarms.
    d.plant(NoMultiRegionTrail.id, CLOUDTRAIL_ACCOUNT_ID, GLOBAL, "no trail in the account")
    for alarm_rule in (
        UnauthorizedApiCallsAlarm,
        ConsoleSigninWithoutMfaAlarm,
        RootUsageAlarm,
        IamPolicyChangesAlarm,
        CloudTrailChangesAlarm,
        SecurityGroupChangesAlarm,
    ):
        d.plant(alarm_rule.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "no trail delivers to CloudWatch Logs")
    for region in d.regions:
        network.default_vpc_baseline(d, region, flow_logs_bucket=logs)
        monitoring.config_recorder(d, region, logs)
        d.client("ec2", region).enable_ebs_encryption_by_default()
