"""Acme's account-wide production resources: S3 buckets, IAM, KMS keys, CloudTrail and the CIS
alarms, and the settings that exist once per region; with the mistakes planted among them.
"""

from __future__ import annotations

from sandbox.manifest import GLOBAL
from sandbox.seeding import data, identity, monitoring, network, storage
from sandbox.seeding.account import SeedAccount, policy
from sandbox.seeding.production_regions import LogBuckets
from tools.inventory.collectors.cloudtrail import ACCOUNT_ID as CLOUDTRAIL_ACCOUNT_ID
from tools.inventory.collectors.cloudwatch import ACCOUNT_ID as CLOUDWATCH_ACCOUNT_ID
from tools.inventory.collectors.config import RECORDER_ID
from tools.inventory.collectors.detection import GUARDDUTY_ID
from tools.inventory.collectors.ebs import EBS_DEFAULT_ID
from tools.inventory.collectors.iam import ACCOUNT_ID as IAM_ACCOUNT_ID
from tools.inventory.collectors.iam import PASSWORD_POLICY_ID, ROOT_ID
from tools.inventory.collectors.s3 import ACCOUNT_SETTINGS_ID
from tools.security.rules.cloudtrail.bucket_access_logging import TrailBucketWithoutAccessLogging
from tools.security.rules.cloudtrail.cloudwatch_integration import TrailWithoutCloudWatch
from tools.security.rules.cloudtrail.kms_encryption import TrailWithoutKms
from tools.security.rules.cloudtrail.log_file_validation import LogFileValidationOff
from tools.security.rules.cloudtrail.s3_data_events_read import S3ReadDataEventsOff
from tools.security.rules.cloudwatch.authentication_failures import AuthenticationFailuresAlarm
from tools.security.rules.cloudwatch.cloudtrail_changes import CloudTrailChangesAlarm
from tools.security.rules.cloudwatch.config_changes import ConfigChangesAlarm
from tools.security.rules.cloudwatch.iam_policy_changes import IamPolicyChangesAlarm
from tools.security.rules.cloudwatch.organizations_changes import OrganizationsChangesAlarm
from tools.security.rules.cloudwatch.s3_bucket_policy_changes import S3BucketPolicyChangesAlarm
from tools.security.rules.cloudwatch.security_group_changes import SecurityGroupChangesAlarm
from tools.security.rules.config.recorder_enabled import ConfigNotRecording
from tools.security.rules.ebs.default_encryption import EbsDefaultEncryptionOff
from tools.security.rules.guardduty.s3_protection import GuardDutyS3ProtectionOff
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.iam.direct_policies import DirectUserPolicies
from tools.security.rules.iam.expired_server_certificates import ExpiredServerCertificates
from tools.security.rules.iam.full_admin_policy import FullAdminPolicy
from tools.security.rules.iam.inline_full_admin import InlinePolicyFullAdmin
from tools.security.rules.iam.multiple_access_keys import MultipleActiveAccessKeys
from tools.security.rules.iam.password_complexity import PasswordComplexity
from tools.security.rules.iam.password_expiry import PasswordExpiry
from tools.security.rules.iam.password_min_length import PasswordMinLength
from tools.security.rules.iam.password_reuse import PasswordReuse
from tools.security.rules.iam.policy_cloudtrail_full_access import PolicyCloudTrailFullAccess
from tools.security.rules.iam.policy_kms_full_access import PolicyKmsFullAccess
from tools.security.rules.iam.root_mfa import RootWithoutMfa
from tools.security.rules.iam.support_role import NoSupportRole
from tools.security.rules.kms.key_rotation import KeyRotationOff
from tools.security.rules.kms.pending_deletion import KeyPendingDeletion
from tools.security.rules.kms.public_key_policy import PublicKeyPolicy
from tools.security.rules.s3.account_public_access_block import AccountPublicAccessBlock
from tools.security.rules.s3.acls_enabled import BucketAclsEnabled
from tools.security.rules.s3.bucket_encryption import BucketWithoutEncryption
from tools.security.rules.s3.bucket_public_access_block import BucketPublicAccessBlock
from tools.security.rules.s3.bucket_versioning import BucketWithoutVersioning
from tools.security.rules.s3.cross_account_access import BucketCrossAccountAccess
from tools.security.rules.s3.kms_encryption import BucketWithoutKms
from tools.security.rules.s3.lifecycle import BucketWithoutLifecycle
from tools.security.rules.s3.object_lock import BucketWithoutObjectLock
from tools.security.rules.s3.public_bucket import PublicS3Bucket
from tools.security.rules.s3.public_list_acl import BucketPublicListAcl
from tools.security.rules.s3.secure_transport import BucketAllowsHttp
from tools.security.rules.s3.server_access_logging import BucketWithoutAccessLogging

# The EU portal's certificate from 2022, expired, still in IAM and on the EU load balancer.
LEGACY_CERTIFICATE = "acme-legacy-portal-2022"


def s3_buckets(a: SeedAccount, logs: LogBuckets) -> None:
    """Application and data buckets (names are global; buckets live in either region). Server
    access logs go to the logging bucket of the bucket's region; Object Lock is on only for
    the buckets that keep records (logs, Terraform state)."""
    p, s = a.primary, a.secondary
    kms = "aws:kms"
    assets = storage.bucket(
        a, p, "acme-prod-app-assets", "prod", "web", encryption=kms, access_log_to=logs.logs
    )
    a.plant(BucketWithoutObjectLock.id, assets, p, "Object Lock off")
    storage.bucket(
        a,
        p,
        "acme-terraform-state",
        "prod",
        "platform",
        encryption=kms,
        access_log_to=logs.logs,
        object_lock=True,
    )
    exports = storage.bucket(
        a,
        s,
        "acme-eu-customer-exports",
        "prod",
        "data",
        encryption=kms,
        versioning=False,
        access_log_to=logs.eu_logs,
    )
    a.plant(BucketWithoutVersioning.id, exports, s, "versioning never enabled")
    a.plant(BucketWithoutObjectLock.id, exports, s, "Object Lock off")
    # Public ACL neutralised by Block Public Access: not public. SSE-S3 for CloudFront.
    cdn = storage.bucket(
        a, p, "acme-static-cdn", "prod", "web", acl="public-read", tls_only=False, access_log_to=logs.logs
    )
    a.plant(BucketAllowsHttp.id, cdn, p, "no aws:SecureTransport deny")
    a.plant(BucketAclsEnabled.id, cdn, p, "ACL public-read kept from the old CDN setup")
    a.plant(BucketWithoutKms.id, cdn, p, "SSE-S3")
    a.plant(BucketWithoutObjectLock.id, cdn, p, "Object Lock off")
    # Principal "*" limited to a VPC endpoint: not public, but nothing blocks a future public policy.
    lake = storage.bucket(
        a,
        s,
        "acme-eu-data-lake",
        "prod",
        "data",
        encryption=kms,
        access_log_to=logs.eu_logs,
        block_public=False,
        statements=[
            storage.read_statement(
                "acme-eu-data-lake", "*", {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f6a7b8"}}
            )
        ],
    )
    a.plant(BucketPublicAccessBlock.id, lake, s, "Block Public Access off")
    a.plant(BucketWithoutObjectLock.id, lake, s, "Object Lock off")
    partner = storage.bucket(
        a,
        s,
        "acme-partner-share",
        "prod",
        "data",
        encryption=kms,
        access_log_to=logs.eu_logs,
        lifecycle=False,
        block_public=False,
        statements=[storage.read_statement("acme-partner-share", {"AWS": "arn:aws:iam::210987654321:root"})],
    )
    a.plant(BucketPublicAccessBlock.id, partner, s, "Block Public Access off")
    a.plant(BucketCrossAccountAccess.id, partner, s, "partner account 210987654321 may read")
    a.plant(BucketWithoutLifecycle.id, partner, s, "shared files are never expired")
    a.plant(BucketWithoutObjectLock.id, partner, s, "Object Lock off")
    public_site = storage.bucket(
        a,
        p,
        "acme-public-website",
        "prod",
        "marketing",
        block_public=False,
        acl="public-read",
        versioning=False,
        access_log_to=logs.logs,
    )
    for bucket_rule, note in (
        (PublicS3Bucket, "ACL public-read"),
        (BucketPublicAccessBlock, "Block Public Access off"),
        (BucketWithoutVersioning, "versioning never enabled"),
        (BucketPublicListAcl, "ACL public-read lets anyone list it"),
        (BucketAclsEnabled, "ACL public-read"),
        (BucketWithoutKms, "SSE-S3"),
        (BucketWithoutObjectLock, "Object Lock off"),
    ):
        a.plant(bucket_rule.id, public_site, p, note)
    downloads = storage.bucket(
        a,
        s,
        "acme-marketing-downloads",
        "prod",
        "marketing",
        block_public=False,
        encryption=None,
        versioning=False,
        tls_only=False,
        lifecycle=False,
        statements=[storage.read_statement("acme-marketing-downloads", "*")],
    )
    for download_rule, note in (
        (PublicS3Bucket, 'bucket policy Principal "*"'),
        (BucketPublicAccessBlock, "Block Public Access off"),
        (BucketWithoutEncryption, "no default encryption"),
        (BucketWithoutVersioning, "versioning never enabled"),
        (BucketAllowsHttp, "no aws:SecureTransport deny"),
        (BucketWithoutKms, "no default encryption"),
        (BucketWithoutLifecycle, "no lifecycle rule"),
        (BucketWithoutObjectLock, "Object Lock off"),
        (BucketWithoutAccessLogging, "server access logging off"),
    ):
        a.plant(download_rule.id, downloads, s, note)
    a.plant(AccountPublicAccessBlock.id, ACCOUNT_SETTINGS_ID, GLOBAL, "account-level setting never turned on")
    storage.plant_mfa_delete_off(a)


def iam(a: SeedAccount) -> None:
    """Users, groups and policies: a weak password policy, a contractor without MFA, a CI user
    with a direct policy and a service user with two keys."""
    a.plant(RootWithoutMfa.id, ROOT_ID, GLOBAL, "root user without MFA")
    identity.password_policy(a, strong=False)
    for pw_rule in (PasswordMinLength, PasswordReuse, PasswordComplexity, PasswordExpiry):
        a.plant(
            pw_rule.id,
            PASSWORD_POLICY_ID,
            GLOBAL,
            "8 characters, no reuse prevention, no complexity, no expiry",
        )
    # moto loads no AWS managed policies, so AWSSupportAccess can be attached to nobody.
    a.plant(NoSupportRole.id, IAM_ACCOUNT_ID, GLOBAL, "no role may open support cases")
    identity.server_certificate(a, LEGACY_CERTIFICATE)
    a.plant(ExpiredServerCertificates.id, IAM_ACCOUNT_ID, GLOBAL, "the EU load balancer still serves it")
    read_only = identity.managed_policy(
        a,
        "acme-platform-operations",
        policy({"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "s3:Get*"], "Resource": "*"}),
    )
    deploy = identity.managed_policy(
        a,
        "acme-ci-deploy",
        policy(
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::acme-prod-app-assets/*",
            }
        ),
    )
    break_glass = identity.managed_policy(
        a, "acme-break-glass-admin", policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    )
    a.plant(FullAdminPolicy.id, "acme-break-glass-admin", GLOBAL, '"*:*" attached to group break-glass')
    # The same grant, attached to nobody: not a finding.
    identity.managed_policy(
        a, "acme-legacy-admin-unused", policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    )
    audit = identity.managed_policy(
        a,
        "acme-security-audit",
        policy({"Effect": "Allow", "Action": ["cloudtrail:*", "kms:*"], "Resource": "*"}),
    )
    a.plant(PolicyCloudTrailFullAccess.id, "acme-security-audit", GLOBAL, '"cloudtrail:*" on every trail')
    a.plant(PolicyKmsFullAccess.id, "acme-security-audit", GLOBAL, '"kms:*" on every key')
    identity.group(a, "platform", read_only)
    identity.group(a, "break-glass", break_glass)
    identity.group(a, "security", audit)
    identity.user(a, "alice.nguyen", "platform", console=True, mfa=True, groups=("platform",))
    identity.user(a, "bob.martin", "platform", console=True, mfa=True, groups=("platform",))
    identity.user(a, "carol.smith", "security", console=True, mfa=True, groups=("break-glass", "security"))
    contractor = identity.user(a, "dave.contractor", "data", console=True, mfa=False)
    a.plant(ConsoleUserWithoutMfa.id, contractor, GLOBAL, "console password, no MFA")
    ci = identity.user(a, "ci-deploy", "platform", console=False, mfa=False, access_keys=1, policy_arn=deploy)
    a.plant(DirectUserPolicies.id, ci, GLOBAL, "policy attached to the user")
    backup = identity.user(
        a, "svc-backup", "platform", console=False, mfa=False, access_keys=2, groups=("platform",)
    )
    a.plant(MultipleActiveAccessKeys.id, backup, GLOBAL, "two active access keys")
    # Automation roles assumed from inside the account.
    identity.role(a, "acme-ops-automation")
    everything = identity.inline_policy(
        a,
        "role",
        "acme-ops-automation",
        "ops-everything",
        policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    a.plant(InlinePolicyFullAdmin.id, everything, GLOBAL, '"*" on "*" in an inline policy')
    identity.role(a, "acme-backup-operator")
    identity.inline_policy(
        a,
        "role",
        "acme-backup-operator",
        "snapshots",
        policy(
            {"Effect": "Allow", "Action": ["ec2:CreateSnapshot", "rds:CreateDBSnapshot"], "Resource": "*"}
        ),
    )


def keys(a: SeedAccount) -> str:
    """KMS keys; returns the id of the data key the organisation trail encrypts with."""
    p, s = a.primary, a.secondary
    data_key = identity.key(
        a,
        p,
        "acme-data",
        policy=policy(
            {
                "Sid": "Admins",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{a.id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AnyoneInTheAccount",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": a.id}},
            },
        ),
    )
    legacy_key = identity.key(a, p, "acme-legacy-app", rotation=False)
    a.plant(KeyRotationOff.id, legacy_key, p, "rotation off")
    retired = identity.key(a, p, "acme-retired-2021", delete=True)
    a.plant(KeyPendingDeletion.id, retired, p, "scheduled for deletion")
    shared = identity.key(
        a,
        s,
        "acme-eu-partner-shared",
        policy=policy(
            {
                "Sid": "Admins",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{a.id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Partners",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ),
    )
    a.plant(PublicKeyPolicy.id, shared, s, 'Principal "*" may decrypt')
    identity.key(a, s, "acme-eu-data")
    return data_key


def audit_trail(a: SeedAccount, log_buckets: LogBuckets, data_key: str) -> None:
    """CloudTrail: an organisation-grade multi-region trail in the primary region and a forgotten
    one in the secondary; CloudWatch: the CIS metric filters and alarms on the trail's logs."""
    p, s = a.primary, a.secondary
    log_group = "acme-cloudtrail"
    a.client("logs", p).create_log_group(logGroupName=log_group)
    group_arn = f"arn:aws:logs:{p}:{a.id}:log-group:{log_group}:*"
    monitoring.trail(
        a,
        p,
        "acme-org-trail",
        log_buckets.trail,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=data_key,
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{a.id}:role/CloudTrailToCloudWatch",
    )
    # All management events, and S3 object-level writes (not reads) in every bucket.
    a.client("cloudtrail", p).put_event_selectors(
        TrailName="acme-org-trail",
        EventSelectors=[
            {"ReadWriteType": "All", "IncludeManagementEvents": True},
            {
                "ReadWriteType": "WriteOnly",
                "IncludeManagementEvents": False,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            },
        ],
    )
    a.plant(S3ReadDataEventsOff.id, CLOUDTRAIL_ACCOUNT_ID, GLOBAL, "only S3 object writes are recorded")
    monitoring.trail(a, s, "acme-eu-audit", log_buckets.eu_audit, IsMultiRegionTrail=False)
    for trail_rule in (
        LogFileValidationOff,
        TrailWithoutKms,
        TrailWithoutCloudWatch,
        TrailBucketWithoutAccessLogging,
    ):
        a.plant(trail_rule.id, "acme-eu-audit", s, "single-region trail set up by hand")

    # CloudWatch: eight CIS alarms in place, one filter without an alarm, six missing.
    topic = data.topic(a, p, "acme-security-alerts")
    for metric, pattern, alarm in (
        ("RootAccountUsage", monitoring.ROOT_USAGE_PATTERN, True),
        ("UnauthorizedAPICalls", monitoring.UNAUTHORIZED_PATTERN, True),
        ("ConsoleSignInWithoutMfa", monitoring.NO_MFA_PATTERN, True),
        ("IAMPolicyChanges", monitoring.IAM_POLICY_PATTERN, False),
        ("VPCChanges", monitoring.VPC_CHANGES_PATTERN, True),
        ("RouteTableChanges", monitoring.ROUTE_TABLE_PATTERN, True),
        ("NetworkGatewayChanges", monitoring.GATEWAY_PATTERN, True),
        ("NACLChanges", monitoring.NACL_PATTERN, True),
        ("KMSKeyDeletion", monitoring.KMS_DELETION_PATTERN, True),
    ):
        monitoring.cis_metric(a, p, log_group, metric, pattern, topic if alarm else None)
    a.plant(IamPolicyChangesAlarm.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "metric filter without an alarm")
    for alarm_rule in (
        CloudTrailChangesAlarm,
        SecurityGroupChangesAlarm,
        ConfigChangesAlarm,
        AuthenticationFailuresAlarm,
        OrganizationsChangesAlarm,
        S3BucketPolicyChangesAlarm,
    ):
        a.plant(alarm_rule.id, CLOUDWATCH_ACCOUNT_ID, GLOBAL, "no metric filter")


def region_settings(a: SeedAccount, logs: str) -> None:
    """Settings that exist once per region: right in the primary region, missing in the
    secondary one."""
    p, s = a.primary, a.secondary
    for region in a.regions:
        network.default_vpc_baseline(a, region, flow_logs_bucket=logs)
        if region == s and s != p:
            a.plant(ConfigNotRecording.id, RECORDER_ID, region, "AWS Config never set up here")
            a.plant(EbsDefaultEncryptionOff.id, EBS_DEFAULT_ID, region, "EBS encryption by default off")
            continue
        monitoring.config_recorder(a, region, logs)
        # Last, so that the unencrypted volumes above could still be created.
        a.client("ec2", region).enable_ebs_encryption_by_default()


def detection(a: SeedAccount) -> None:
    """Threat detection and the account's own settings: GuardDuty and Security Hub in both regions
    (GuardDuty's S3 protection only in the primary one), a security contact, and the
    organisation this account manages."""
    for region in a.regions:
        monitoring.guardduty(a, region, s3_protection=region == a.primary)
        monitoring.security_hub(a, region)
        if region != a.primary:
            a.plant(GuardDutyS3ProtectionOff.id, GUARDDUTY_ID, region, "S3 data events not monitored")
    a.client("account", a.primary).put_alternate_contact(
        AlternateContactType="SECURITY",
        Name="Acme Security Team",
        Title="Security on-call",
        EmailAddress="security@acme.example",
        PhoneNumber="+1-555-0100",
    )
    a.client("organizations", a.primary).create_organization(FeatureSet="ALL")
