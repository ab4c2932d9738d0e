"""The explicit list of security rules. Add a rule: write its file, then list it here."""

from __future__ import annotations

from tools.security.rule import Rule
from tools.security.rules.accessanalyzer.active_findings import AccessAnalyzerFindings
from tools.security.rules.accessanalyzer.enabled import AccessAnalyzerOff
from tools.security.rules.account.security_contact import NoSecurityContact
from tools.security.rules.apigateway.authorizers import ApiWithoutAuthorizer
from tools.security.rules.apigateway.cache_encrypted import ApiCacheUnencrypted
from tools.security.rules.apigateway.client_certificate import ApiStageWithoutClientCertificate
from tools.security.rules.apigateway.logging import ApiStageWithoutLogging
from tools.security.rules.apigateway.tracing import ApiStageWithoutTracing
from tools.security.rules.apigateway.waf import ApiStageWithoutWaf
from tools.security.rules.awslambda.deprecated_runtime import LambdaDeprecatedRuntime
from tools.security.rules.awslambda.env_secrets import LambdaSecretsInEnvironment
from tools.security.rules.awslambda.not_in_vpc import LambdaOutsideVpc
from tools.security.rules.awslambda.public_policy import LambdaPublicPolicy
from tools.security.rules.awslambda.public_url import LambdaPublicUrl
from tools.security.rules.awslambda.url_cors_wildcard import LambdaUrlCorsWildcard
from tools.security.rules.cloudfront.default_root_object import CloudFrontWithoutDefaultRootObject
from tools.security.rules.cloudfront.deprecated_tls import CloudFrontDeprecatedTls
from tools.security.rules.cloudfront.https import CloudFrontAllowsHttp
from tools.security.rules.cloudfront.logging import CloudFrontWithoutLogging
from tools.security.rules.cloudfront.origin_access_control import CloudFrontS3WithoutOac
from tools.security.rules.cloudfront.origin_traffic_encrypted import CloudFrontPlainOrigin
from tools.security.rules.cloudfront.waf import CloudFrontWithoutWaf
from tools.security.rules.cloudtrail.bucket_access_logging import TrailBucketWithoutAccessLogging
from tools.security.rules.cloudtrail.cloudwatch_integration import TrailWithoutCloudWatch
from tools.security.rules.cloudtrail.kms_encryption import TrailWithoutKms
from tools.security.rules.cloudtrail.log_file_validation import LogFileValidationOff
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
from tools.security.rules.config.recorder_enabled import ConfigNotRecording
from tools.security.rules.dynamodb.cmk_encryption import DynamoDbWithoutCmk
from tools.security.rules.dynamodb.deletion_protection import DynamoDbWithoutDeletionProtection
from tools.security.rules.dynamodb.pitr import DynamoDbWithoutPitr
from tools.security.rules.ebs.default_encryption import EbsDefaultEncryptionOff
from tools.security.rules.ebs.public_snapshot import PublicSnapshot
from tools.security.rules.ebs.unencrypted_snapshot import UnencryptedSnapshot
from tools.security.rules.ebs.unencrypted_volume import UnencryptedVolume
from tools.security.rules.ec2.default_security_group import DefaultSecurityGroupOpen
from tools.security.rules.ec2.instance_detailed_monitoring import InstanceWithoutDetailedMonitoring
from tools.security.rules.ec2.instance_imdsv2 import InstanceWithoutImdsv2
from tools.security.rules.ec2.instance_profile_missing import InstanceWithoutProfile
from tools.security.rules.ec2.instance_public_ip import InstanceWithPublicIp
from tools.security.rules.ec2.instance_rdp_exposed import InstanceRdpExposed
from tools.security.rules.ec2.instance_ssh_exposed import InstanceSshExposed
from tools.security.rules.ec2.nacl_open_admin_ports import NaclOpenAdminPorts
from tools.security.rules.ec2.nacl_open_all_ports import NaclOpenAllPorts
from tools.security.rules.ec2.open_admin_ports import OpenAdminPorts
from tools.security.rules.ec2.open_database_ports import OpenDatabasePorts
from tools.security.rules.ec2.sg_open_all_ports import SecurityGroupOpenAllPorts
from tools.security.rules.ec2.sg_open_ftp import SecurityGroupOpenFtp
from tools.security.rules.ec2.sg_open_high_risk_ports import SecurityGroupOpenHighRiskPorts
from tools.security.rules.ec2.sg_open_kafka import SecurityGroupOpenKafka
from tools.security.rules.ec2.sg_open_telnet import SecurityGroupOpenTelnet
from tools.security.rules.ec2.subnet_auto_public_ip import SubnetAutoPublicIp
from tools.security.rules.ec2.unattached_elastic_ip import UnattachedElasticIp
from tools.security.rules.ec2.vpc_flow_logs import VpcWithoutFlowLogs
from tools.security.rules.ecr.lifecycle_policy import EcrWithoutLifecyclePolicy
from tools.security.rules.ecr.public_repository import PublicEcrRepository
from tools.security.rules.ecr.scan_on_push import EcrWithoutScanOnPush
from tools.security.rules.ecr.tag_immutability import EcrMutableTags
from tools.security.rules.efs.backup import FileSystemWithoutBackup
from tools.security.rules.efs.one_zone import OneZoneFileSystem
from tools.security.rules.efs.public_policy import PublicFileSystemPolicy
from tools.security.rules.efs.unencrypted import UnencryptedFileSystem
from tools.security.rules.eks.control_plane_logging import EksControlPlaneLogging
from tools.security.rules.eks.private_endpoint import EksWithoutPrivateEndpoint
from tools.security.rules.eks.public_endpoint import EksPublicEndpoint
from tools.security.rules.eks.secrets_encryption import EksWithoutSecretsEncryption
from tools.security.rules.eks.unsupported_version import EksUnsupportedVersion
from tools.security.rules.elasticache.automatic_failover import CacheWithoutFailover
from tools.security.rules.elasticache.backups import CacheWithoutBackups
from tools.security.rules.elasticache.multi_az import CacheNotMultiAz
from tools.security.rules.elasticache.rest_encryption import CacheWithoutRestEncryption
from tools.security.rules.elasticache.transit_encryption import CacheWithoutTransitEncryption
from tools.security.rules.elb.access_logs import LoadBalancerWithoutAccessLogs
from tools.security.rules.elb.deletion_protection import LoadBalancerWithoutDeletionProtection
from tools.security.rules.elb.desync_mitigation import AlbDesyncMitigation
from tools.security.rules.elb.drop_invalid_headers import AlbKeepsInvalidHeaders
from tools.security.rules.elb.http_without_redirect import HttpListenerWithoutRedirect
from tools.security.rules.elb.insecure_tls_policy import InsecureTlsPolicy
from tools.security.rules.elb.single_az import LoadBalancerSingleAz
from tools.security.rules.elb.waf import AlbWithoutWaf
from tools.security.rules.guardduty.enabled import GuardDutyOff
from tools.security.rules.guardduty.s3_protection import GuardDutyS3ProtectionOff
from tools.security.rules.iam.access_key_rotation import AccessKeyNotRotated
from tools.security.rules.iam.confused_deputy import RoleServiceTrustWithoutSource
from tools.security.rules.iam.console_user_without_mfa import ConsoleUserWithoutMfa
from tools.security.rules.iam.direct_policies import DirectUserPolicies
from tools.security.rules.iam.expired_server_certificates import ExpiredServerCertificates
from tools.security.rules.iam.full_admin_policy import FullAdminPolicy
from tools.security.rules.iam.inline_cloudtrail_full_access import InlinePolicyCloudTrailFullAccess
from tools.security.rules.iam.inline_full_admin import InlinePolicyFullAdmin
from tools.security.rules.iam.inline_kms_full_access import InlinePolicyKmsFullAccess
from tools.security.rules.iam.inline_privilege_escalation import InlinePolicyPrivilegeEscalation
from tools.security.rules.iam.multiple_access_keys import MultipleActiveAccessKeys
from tools.security.rules.iam.password_complexity import PasswordComplexity
from tools.security.rules.iam.password_expiry import PasswordExpiry
from tools.security.rules.iam.password_min_length import PasswordMinLength
from tools.security.rules.iam.password_reuse import PasswordReuse
from tools.security.rules.iam.policy_cloudtrail_full_access import PolicyCloudTrailFullAccess
from tools.security.rules.iam.policy_kms_full_access import PolicyKmsFullAccess
from tools.security.rules.iam.policy_privilege_escalation import PolicyPrivilegeEscalation
from tools.security.rules.iam.role_admin_access import RoleAdministratorAccess
from tools.security.rules.iam.root_access_keys import RootAccessKeys
from tools.security.rules.iam.root_hardware_mfa import RootVirtualMfa
from tools.security.rules.iam.root_mfa import RootWithoutMfa
from tools.security.rules.iam.support_role import NoSupportRole
from tools.security.rules.iam.unused_credentials import UnusedCredentials
from tools.security.rules.iam.user_admin_access import UserAdministratorAccess
from tools.security.rules.kms.key_rotation import KeyRotationOff
from tools.security.rules.kms.pending_deletion import KeyPendingDeletion
from tools.security.rules.kms.public_key_policy import PublicKeyPolicy
from tools.security.rules.organizations.membership import NotInOrganization
from tools.security.rules.rds.backups import RdsBackupRetention
from tools.security.rules.rds.cloudwatch_logs import RdsWithoutLogExports
from tools.security.rules.rds.copy_tags_to_snapshot import RdsNoCopyTagsToSnapshot
from tools.security.rules.rds.default_admin import RdsDefaultAdminUser
from tools.security.rules.rds.default_port import RdsDefaultPort
from tools.security.rules.rds.deletion_protection import RdsDeletionProtection
from tools.security.rules.rds.deprecated_engine import RdsDeprecatedEngine
from tools.security.rules.rds.enhanced_monitoring import RdsWithoutEnhancedMonitoring
from tools.security.rules.rds.iam_authentication import RdsWithoutIamAuth
from tools.security.rules.rds.minor_version_upgrade import RdsMinorUpgradesOff
from tools.security.rules.rds.multi_az import RdsNotMultiAz
from tools.security.rules.rds.public_instance import PublicRdsInstance
from tools.security.rules.rds.public_snapshot import PublicRdsSnapshot
from tools.security.rules.rds.transport_encryption import RdsWithoutTransportEncryption
from tools.security.rules.rds.unencrypted_instance import UnencryptedRdsInstance
from tools.security.rules.rds.unencrypted_snapshot import UnencryptedRdsSnapshot
from tools.security.rules.s3.account_public_access_block import AccountPublicAccessBlock
from tools.security.rules.s3.acls_enabled import BucketAclsEnabled
from tools.security.rules.s3.bucket_encryption import BucketWithoutEncryption
from tools.security.rules.s3.bucket_public_access_block import BucketPublicAccessBlock
from tools.security.rules.s3.bucket_versioning import BucketWithoutVersioning
from tools.security.rules.s3.cross_account_access import BucketCrossAccountAccess
from tools.security.rules.s3.kms_encryption import BucketWithoutKms
from tools.security.rules.s3.lifecycle import BucketWithoutLifecycle
from tools.security.rules.s3.mfa_delete import BucketWithoutMfaDelete
from tools.security.rules.s3.object_lock import BucketWithoutObjectLock
from tools.security.rules.s3.public_bucket import PublicS3Bucket
from tools.security.rules.s3.public_list_acl import BucketPublicListAcl
from tools.security.rules.s3.secure_transport import BucketAllowsHttp
from tools.security.rules.s3.server_access_logging import BucketWithoutAccessLogging
from tools.security.rules.secretsmanager.public_policy import PublicSecretPolicy
from tools.security.rules.secretsmanager.rotated_periodically import SecretNotRotatedRecently
from tools.security.rules.secretsmanager.rotation import SecretWithoutRotation
from tools.security.rules.secretsmanager.unused import UnusedSecret
from tools.security.rules.securityhub.enabled import SecurityHubOff
from tools.security.rules.sns.public_topic import PublicTopic
from tools.security.rules.sns.unencrypted_topic import UnencryptedTopic
from tools.security.rules.sqs.public_queue import PublicQueue
from tools.security.rules.sqs.unencrypted_queue import UnencryptedQueue

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
    # S3
    BucketWithoutAccessLogging,
    BucketAclsEnabled,
    BucketWithoutMfaDelete,
    BucketWithoutObjectLock,
    BucketWithoutKms,
    BucketWithoutLifecycle,
    BucketCrossAccountAccess,
    BucketPublicListAcl,
    # EC2 / VPC
    InstanceSshExposed,
    InstanceRdpExposed,
    NaclOpenAllPorts,
    NaclOpenAdminPorts,
    SecurityGroupOpenAllPorts,
    SecurityGroupOpenHighRiskPorts,
    SecurityGroupOpenFtp,
    SecurityGroupOpenTelnet,
    SecurityGroupOpenKafka,
    SubnetAutoPublicIp,
    InstanceWithoutProfile,
    InstanceWithoutDetailedMonitoring,
    # IAM
    InlinePolicyFullAdmin,
    InlinePolicyCloudTrailFullAccess,
    InlinePolicyKmsFullAccess,
    PolicyCloudTrailFullAccess,
    PolicyKmsFullAccess,
    InlinePolicyPrivilegeEscalation,
    PolicyPrivilegeEscalation,
    RoleAdministratorAccess,
    UserAdministratorAccess,
    RoleServiceTrustWithoutSource,
    NoSupportRole,
    ExpiredServerCertificates,
    PasswordExpiry,
    # RDS
    RdsWithoutTransportEncryption,
    RdsDeprecatedEngine,
    RdsDefaultAdminUser,
    RdsWithoutIamAuth,
    RdsNotMultiAz,
    RdsWithoutEnhancedMonitoring,
    RdsNoCopyTagsToSnapshot,
    RdsWithoutLogExports,
    RdsDefaultPort,
    PublicRdsSnapshot,
    UnencryptedRdsSnapshot,
    # CloudTrail
    S3WriteDataEventsOff,
    S3ReadDataEventsOff,
    # CloudWatch
    AuthenticationFailuresAlarm,
    KmsKeyDeletionAlarm,
    S3BucketPolicyChangesAlarm,
    ConfigChangesAlarm,
    NaclChangesAlarm,
    NetworkGatewayChangesAlarm,
    RouteTableChangesAlarm,
    VpcChangesAlarm,
    OrganizationsChangesAlarm,
    # Lambda
    LambdaPublicUrl,
    LambdaPublicPolicy,
    LambdaDeprecatedRuntime,
    LambdaSecretsInEnvironment,
    LambdaUrlCorsWildcard,
    LambdaOutsideVpc,
    # Elastic Load Balancing
    HttpListenerWithoutRedirect,
    InsecureTlsPolicy,
    LoadBalancerWithoutAccessLogs,
    LoadBalancerWithoutDeletionProtection,
    AlbKeepsInvalidHeaders,
    AlbDesyncMitigation,
    AlbWithoutWaf,
    LoadBalancerSingleAz,
    # EKS
    EksPublicEndpoint,
    EksWithoutSecretsEncryption,
    EksControlPlaneLogging,
    EksUnsupportedVersion,
    EksWithoutPrivateEndpoint,
    # DynamoDB
    DynamoDbWithoutPitr,
    DynamoDbWithoutCmk,
    DynamoDbWithoutDeletionProtection,
    # SQS
    UnencryptedQueue,
    PublicQueue,
    # SNS
    UnencryptedTopic,
    PublicTopic,
    # Secrets Manager
    SecretWithoutRotation,
    SecretNotRotatedRecently,
    UnusedSecret,
    PublicSecretPolicy,
    # ECR
    EcrWithoutScanOnPush,
    EcrMutableTags,
    PublicEcrRepository,
    EcrWithoutLifecyclePolicy,
    # CloudFront
    CloudFrontAllowsHttp,
    CloudFrontDeprecatedTls,
    CloudFrontWithoutWaf,
    CloudFrontS3WithoutOac,
    CloudFrontWithoutLogging,
    CloudFrontWithoutDefaultRootObject,
    CloudFrontPlainOrigin,
    # API Gateway
    ApiStageWithoutLogging,
    ApiWithoutAuthorizer,
    ApiStageWithoutWaf,
    ApiStageWithoutClientCertificate,
    ApiStageWithoutTracing,
    ApiCacheUnencrypted,
    # ElastiCache
    CacheWithoutTransitEncryption,
    CacheWithoutRestEncryption,
    CacheWithoutFailover,
    CacheNotMultiAz,
    CacheWithoutBackups,
    # EFS
    UnencryptedFileSystem,
    FileSystemWithoutBackup,
    PublicFileSystemPolicy,
    OneZoneFileSystem,
    # GuardDuty
    GuardDutyOff,
    GuardDutyS3ProtectionOff,
    # Security Hub
    SecurityHubOff,
    # IAM Access Analyzer
    AccessAnalyzerOff,
    AccessAnalyzerFindings,
    # Account
    NoSecurityContact,
    # Organizations
    NotInOrganization,
)


def all_rules() -> list[Rule]:
    return [cls() for cls in RULE_CLASSES]


def rules_for(services: list[str] | None = None) -> list[Rule]:
    """Rules of the given services (all when None or empty)."""
    return [r for r in all_rules() if not services or r.service in services]


def get_rule(rule_id: str) -> Rule | None:
    return next((r for r in all_rules() if r.id == rule_id), None)
