"""Acme's small development account, reached through an assumed audit role.

The account-wide settings production gets wrong are right here, and the other way round: a
strong password policy (with expiry) and account-level Block Public Access, but no CloudTrail at
all, no Security Hub, GuardDuty in one region only, no security contact and no organisation.
Developers' shortcuts are here too: a deploy role that can escalate, a security group open to
everything, an unbacked file system.
"""

from __future__ import annotations

import json

from sandbox.manifest import DEV_AUDIT_ROLE, GLOBAL
from sandbox.seeding import data, identity, monitoring, network, storage
from sandbox.seeding.account import SeedAccount, policy
from tools.inventory.collectors.account import CONTACTS_ID, ORGANIZATION_ID
from tools.inventory.collectors.cloudtrail import ACCOUNT_ID as CLOUDTRAIL_ACCOUNT_ID
from tools.inventory.collectors.cloudwatch import ACCOUNT_ID as CLOUDWATCH_ACCOUNT_ID
from tools.inventory.collectors.detection import GUARDDUTY_ID, SECURITYHUB_ID
from tools.inventory.collectors.iam import ACCOUNT_ID as IAM_ACCOUNT_ID
from tools.inventory.collectors.iam import ROOT_ID
from tools.security.rules.account.security_contact import NoSecurityContact
from tools.security.rules.cloudtrail.multi_region import NoMultiRegionTrail
from tools.security.rules.cloudtrail.s3_data_events_read import S3ReadDataEventsOff
from tools.security.rules.cloudtrail.s3_data_events_write import S3WriteDataEventsOff
from tools.security.rules.cloudwatch.authentication_failures import AuthenticationFailuresAlarm
from tools.security.rules.cloudwatch.cloudtrail_changes import CloudTrailChangesAlarm
from tools.security.rules.cloudwatch.config_changes import ConfigChangesAlarm
from tools.security.rules.cloudwatch.console_signin_without_mfa import ConsoleSigninWithoutMfaAlarm
from tools.security.rules.cloudwatch.gateway_changes import NetworkGatewayChangesAlarm
from tools.security.rules.cloudwatch.iam_policy_changes import IamPolicyChangesAlarm
from tools.security.rules.cloudwatch.kms_key_deletion import KmsKeyDeletionAlarm
from tools.security.rules.cloudwatch.nacl_changes import NaclChangesAlarm
from tools.security.rules.cloudwatch.organizations_changes import OrganizationsChangesAlarm
from tools.security.rules.cloudwatch.root_usage import RootUsageAlarm
from tools.security.rules.cloudwatch.route_table_changes import RouteTableChangesAlarm
from tools.security.rules.cloudwatch.s3_bucket_policy_changes import S3BucketPolicyChangesAlarm
from tools.security.rules.cloudwatch.security_group_changes import SecurityGroupChangesAlarm
from tools.security.rules.cloudwatch.unauthorized_api_calls import UnauthorizedApiCallsAlarm
from tools.security.rules.cloudwatch.vpc_changes import VpcChangesAlarm
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.ec2.open_database_ports import OpenDatabasePorts
from tools.security.rules.ec2.sg_open_all_ports import SecurityGroupOpenAllPorts
from tools.security.rules.ec2.sg_open_ftp import SecurityGroupOpenFtp
from tools.security.rules.ec2.sg_open_high_risk_ports import SecurityGroupOpenHighRiskPorts
from tools.security.rules.ec2.sg_open_kafka import SecurityGroupOpenKafka
from tools.security.rules.ec2.sg_open_telnet import SecurityGroupOpenTelnet
from tools.security.rules.efs.backup import FileSystemWithoutBackup
from tools.security.rules.guardduty.enabled import GuardDutyOff
from tools.security.rules.iam.inline_cloudtrail_full_access import InlinePolicyCloudTrailFullAccess
from tools.security.rules.iam.inline_kms_full_access import InlinePolicyKmsFullAccess
from tools.security.rules.iam.inline_privilege_escalation import InlinePolicyPrivilegeEscalation
from tools.security.rules.iam.policy_privilege_escalation import PolicyPrivilegeEscalation
from tools.security.rules.iam.root_mfa import RootWithoutMfa
from tools.security.rules.iam.support_role import NoSupportRole
from tools.security.rules.organizations.membership import NotInOrganization
from tools.security.rules.s3.acls_enabled import BucketAclsEnabled
from tools.security.rules.s3.kms_encryption import BucketWithoutKms
from tools.security.rules.s3.object_lock import BucketWithoutObjectLock
from tools.security.rules.s3.server_access_logging import BucketWithoutAccessLogging
from tools.security.rules.securityhub.enabled import SecurityHubOff


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
    for bucket_rule, note in (
        (BucketAclsEnabled, "ACL grants log delivery"),
        (BucketWithoutAccessLogging, "the log bucket's own access is not logged"),
        (BucketWithoutKms, "SSE-S3"),
        (BucketWithoutObjectLock, "Object Lock off"),
    ):
        d.plant(bucket_rule.id, logs, p, note)
    artifacts = storage.bucket(d, p, "acme-dev-artifacts", "dev", "platform", access_log_to=logs)
    d.plant(BucketWithoutKms.id, artifacts, p, "SSE-S3")
    d.plant(BucketWithoutObjectLock.id, artifacts, p, "Object Lock off")
    storage.plant_mfa_delete_off(d)
    identity.user(d, "dev-ci", "platform", console=False, mfa=False, access_keys=1)
    d.plant(RootWithoutMfa.id, ROOT_ID, GLOBAL, "root user without MFA")
    d.plant(NoSupportRole.id, IAM_ACCOUNT_ID, GLOBAL, "no role may open support cases")
    iam_sprawl(d)
    # No CloudTrail at all in development: nothing records, nothing alarms.
    d.plant(NoMultiRegionTrail.id, CLOUDTRAIL_ACCOUNT_ID, GLOBAL, "no trail in the account")
    d.plant(S3ReadDataEventsOff.id, CLOUDTRAIL_ACCOUNT_ID, GLOBAL, "no trail in the account")
    d.plant(S3WriteDataEventsOff.id, CLOUDTRAIL_ACCOUNT_ID, GLOBAL, "no trail in the account")
    for alarm_rule in ALARM_RULES:
        d.plant(alarm_rule.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "no trail delivers to CloudWatch Logs")
    for region in d.regions:
        network.default_vpc_baseline(d, region, flow_logs_bucket=logs)
        monitoring.config_recorder(d, region, logs)
        d.client("ec2", region).enable_ebs_encryption_by_default()
        # GuardDuty in the primary region only; Security Hub never turned on.
        if region == p:
            monitoring.guardduty(d, region)
        else:
            d.plant(GuardDutyOff.id, GUARDDUTY_ID, region, "GuardDuty never enabled here")
        d.plant(SecurityHubOff.id, SECURITYHUB_ID, region, "Security Hub never enabled")
    debug_group(d)
    cache = data.file_system(d, p, "acme-dev-build-cache", "platform", backup=False)
    d.plant(FileSystemWithoutBackup.id, cache, p, "build cache, never backed up")
    # Created on its own, never joined to the organisation; nobody registered a security contact.
    d.plant(NotInOrganization.id, ORGANIZATION_ID, GLOBAL, "standalone account")
    d.plant(NoSecurityContact.id, CONTACTS_ID, GLOBAL, "no security contact")


ALARM_RULES = (
    UnauthorizedApiCallsAlarm,
    ConsoleSigninWithoutMfaAlarm,
    RootUsageAlarm,
    IamPolicyChangesAlarm,
    CloudTrailChangesAlarm,
    SecurityGroupChangesAlarm,
    AuthenticationFailuresAlarm,
    ConfigChangesAlarm,
    KmsKeyDeletionAlarm,
    NaclChangesAlarm,
    NetworkGatewayChangesAlarm,
    OrganizationsChangesAlarm,
    RouteTableChangesAlarm,
    S3BucketPolicyChangesAlarm,
    VpcChangesAlarm,
)


def iam_sprawl(d: SeedAccount) -> None:
    """What developers granted themselves: a deploy role that can do anything to trails and keys
    and pass roles to new functions, and a bootstrap policy that can rewrite policies."""
    identity.role(d, "dev-deployer")
    deploy = identity.inline_policy(
        d,
        "role",
        "dev-deployer",
        "deploy-everything",
        policy(
            {"Effect": "Allow", "Action": ["cloudtrail:*", "kms:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"},
        ),
    )
    for inline_rule, note in (
        (InlinePolicyCloudTrailFullAccess, '"cloudtrail:*" on every trail'),
        (InlinePolicyKmsFullAccess, '"kms:*" on every key'),
        (InlinePolicyPrivilegeEscalation, "iam:PassRole with lambda:CreateFunction"),
    ):
        d.plant(inline_rule.id, deploy, GLOBAL, note)
    identity.managed_policy(
        d,
        "dev-iam-bootstrap",
        policy(
            {
                "Effect": "Allow",
                "Action": ["iam:CreatePolicyVersion", "iam:AttachRolePolicy", "iam:GetPolicy"],
                "Resource": "*",
            }
        ),
    )
    d.plant(
        PolicyPrivilegeEscalation.id,
        "dev-iam-bootstrap",
        GLOBAL,
        "iam:CreatePolicyVersion, iam:AttachRolePolicy",
    )


def debug_group(d: SeedAccount) -> None:
    """A security group someone opened to everything while debugging, in the default VPC."""
    p = d.primary
    vpc = d.client("ec2", p).describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    debug = network.security_group(
        d,
        p,
        vpc["VpcId"],
        "dev-debug-any",
        "temporary: debugging the staging tunnel",
        [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "temporary"}]}],
        "dev",
        "platform",
    )
    for sg_rule in OPEN_GROUP_RULES:
        d.plant(sg_rule.id, debug, p, "all traffic from 0.0.0.0/0")


OPEN_GROUP_RULES = (
    SecurityGroupOpenAllPorts,
    OpenAdminPorts,
    OpenDatabasePorts,
    SecurityGroupOpenFtp,
    SecurityGroupOpenTelnet,
    SecurityGroupOpenKafka,
    SecurityGroupOpenHighRiskPorts,
)
