"""The explicit list of security rules. Add a rule: write its file, then list it here."""

from __future__ import annotations

from tools.security.rule import Rule
from tools.security.rules.cloudtrail.bucket_access_logging import TrailBucketWithoutAccessLogging
from tools.security.rules.cloudtrail.cloudwatch_integration import TrailWithoutCloudWatch
from tools.security.rules.cloudtrail.kms_encryption import TrailWithoutKms
from tools.security.rules.cloudtrail.log_file_validation import LogFileValidationOff
from tools.security.rules.cloudtrail.multi_region import NoMultiRegionTrail
from tools.security.rules.cloudwatch.cloudtrail_changes import CloudTrailChangesAlarm
from tools.security.rules.cloudwatch.console_signin_without_mfa import ConsoleSigninWithoutMfaAlarm
from tools.security.rules.cloudwatch.iam_policy_changes import IamPolicyChangesAlarm
from tools.security.rules.cloudwatch.root_usage import RootUsageAlarm
from tools.security.rules.cloudwatch.security_group_changes import SecurityGroupChangesAlarm
from tools.security.rules.cloudwatch.unauthorized_api_calls import UnauthorizedApiCallsAlarm
from tools.security.rules.config.recorder_enabled import ConfigNotRecording
from tools.security.rules.ebs.default_encryption import EbsDefaultEncryptionOff
from tools.security.rules.ebs.public_snapshot import PublicSnapshot
from tools.security.rules.ebs.unencrypted_snapshot import UnencryptedSnapshot
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.default_security_group import DefaultSecurityGroupOpen
from tools.security.rules.ec2.instance_imdsv2 import InstanceWithoutImdsv2
from tools.security.rules.ec2.instance_public_ip import InstanceWithPublicIp
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.ec2.open_database_ports import OpenDatabasePorts
from tools.security.rules.ec2.unattached_elastic_ip import UnattachedElasticIp
from tools.security.rules.ec2.vpc_flow_logs import VpcWithoutFlowLogs
from tools.security.rules.iam.access_key_rotation import AccessKeyNotRotated
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.iam.direct_policies import DirectUserPolicies
from tools.security.rules.iam.full_admin_policy import FullAdminPolicy
from tools.security.rules.iam.multiple_access_keys import MultipleActiveAccessKeys
from tools.security.rules.iam.password_complexity import PasswordComplexity
from tools.security.rules.iam.password_min_length import PasswordMinLength
from tools.security.rules.iam.password_reuse import PasswordReuse
from tools.security.rules.iam.root_access_keys import RootAccessKeys
from tools.security.rules.iam.root_hardware_mfa import RootVirtualMfa
from tools.security.rules.iam.root_mfa import RootWithoutMfa
from tools.security.rules.iam.unused_credentials import UnusedCredentials
from tools.security.rules.kms.key_rotation import KeyRotationOff
from tools.security.rules.kms.pending_deletion import KeyPendingDeletion
from tools.security.rules.kms.public_key_policy import PublicKeyPolicy
from tools.security.rules.rds.backups import RdsBackupRetention
from tools.security.rules.rds.deletion_protection import RdsDeletionProtection
from tools.security.rules.rds.minor_version_upgrade import RdsMinorUpgradesOff
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.rds.unencrypted_instance import UnencryptedRdsInstance
from tools.security.rules.s3.account_public_access_block import AccountPublicAccessBlock
from tools.security.rules.s3.bucket_encryption import BucketWithoutEncryption
from tools.security.rules.s3.bucket_public_access_block import BucketPublicAccessBlock
from tools.security.rules.s3.bucket_versioning import BucketWithoutVersioning
from tools.security.rules.s3.public_bucket import PublicS3Bucket
from tools.security.rules.s3.secure_transport import BucketAllowsHttp

RULE_CLASSES: tuple[type[Rule], ...] = (
    # S3
    PublicS3Bucket,
    BucketPublicAccessBlock,
    AccountPublicAccessBlock,
    BucketWithoutEncryption,
    BucketWithoutVersioning,
    BucketAllowsHttp,
    # EC2 / VPC
    OpenAdminPorts,
    OpenDatabasePorts,
    DefaultSecurityGroupOpen,
    VpcWithoutFlowLogs,
    InstanceWithoutImdsv2,
    InstanceWithPublicIp,
    UnattachedElasticIp,
    # IAM
    ConsoleUserWithoutMfa,
    RootAccessKeys,
    RootWithoutMfa,
    RootVirtualMfa,
    PasswordMinLength,
    PasswordReuse,
    PasswordComplexity,
    MultipleActiveAccessKeys,
    AccessKeyNotRotated,
    UnusedCredentials,
    DirectUserPolicies,
    FullAdminPolicy,
    # EBS
    UnencryptedVolume,
    EbsDefaultEncryptionOff,
    PublicSnapshot,
    UnencryptedSnapshot,
    # RDS
    PublicRdsInstance,
    UnencryptedRdsInstance,
    RdsBackupRetention,
    RdsDeletionProtection,
    RdsMinorUpgradesOff,
    # KMS
    KeyRotationOff,
    KeyPendingDeletion,
    PublicKeyPolicy,
    # CloudTrail
    NoMultiRegionTrail,
    LogFileValidationOff,
    TrailWithoutKms,
    TrailWithoutCloudWatch,
    TrailBucketWithoutAccessLogging,
    # AWS Config
    ConfigNotRecording,
    # CloudWatch
    UnauthorizedApiCallsAlarm,
    ConsoleSigninWithoutMfaAlarm,
    RootUsageAlarm,
    IamPolicyChangesAlarm,
    CloudTrailChangesAlarm,
    SecurityGroupChangesAlarm,
)


def all_rules() -> list[Rule]:
    return [cls() for cls in RULE_CLASSES]


def rules_for(services: list[str] | None = None) -> list[Rule]:
    """Rules of the given services (all when None or empty)."""
    return [r for r in all_rules() if not services or r.service in services]


def get_rule(rule_id: str) -> Rule | None:
    return next((r for r in all_rules() if r.id == rule_id), None)
