"""Every resource type CloudPilot reads, one row each, and the lookups derived from the rows.

Adding a resource type is one `ResourceKind` row here plus its fetch function in a collectors
module (and its name in the matching Literal of `tools.inventory.resources`, which the type
checker and a test hold to the table). Services, scopes, labels, id prefixes and permissions
are all read from the row, so nothing else needs an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar, cast

from tools.inventory.clients import AccountClients
from tools.inventory.collectors import (
    account,
    apigateway,
    awslambda,
    cloudfront,
    cloudtrail,
    cloudwatch,
    config,
    detection,
    dynamodb,
    ebs,
    ec2,
    ecr,
    efs,
    eks,
    elasticache,
    elbv2,
    iam,
    kms,
    network,
    rds,
    s3,
    secretsmanager,
    sns,
    sqs,
)
from tools.inventory.resources import AnyResourceType, Resource, ResourceType

# (clients of one account, region or None for global types, id/name to look up or None) -> resources
Fetch = Callable[[AccountClients, str | None, str | None], list[Resource]]

# Global types are read once per account, regional ones once per region.
Scope = Literal["global", "regional"]


@dataclass(frozen=True, kw_only=True)
class ResourceKind:
    """One resource type: what it is, how to name it, and how to read it."""

    name: AnyResourceType
    # The service the type belongs to in scans and findings (not always the API that reads it).
    service: str
    scope: Scope
    singular: str
    plural: str
    # Whether describe_resources lists it (the others only the security scan reads).
    listed: bool = False
    # Whether describe_resources lists it when no type is asked for (the overview).
    overview: bool = False
    # Id and ARN prefixes that name exactly this type, so a lookup need not search the others.
    id_prefixes: tuple[str, ...] = ()
    # (ARN prefix, part) pairs for ARNs whose plain prefix another type claims; checked first.
    arn_shapes: tuple[tuple[str, str], ...] = ()
    # The boto3 client `fetch` calls first: gather builds it before its worker pool starts,
    # because building clients is not thread-safe.
    client: str
    fetch: Fetch
    # IAM actions `fetch` needs.
    permissions: tuple[str, ...]

    @property
    def is_global(self) -> bool:
        return self.scope == "global"


KINDS: tuple[ResourceKind, ...] = (
    # Listed by describe_resources, in the order it shows them.
    ResourceKind(
        name="ec2_instance",
        overview=True,
        service="ec2",
        scope="regional",
        singular="EC2 instance",
        plural="EC2 instances",
        listed=True,
        id_prefixes=("i-", "arn:aws:ec2:"),
        client="ec2",
        fetch=ec2.collect_instances,
        permissions=("ec2:DescribeInstances", "ec2:DescribeSecurityGroups"),
    ),
    ResourceKind(
        name="security_group",
        overview=True,
        service="ec2",
        scope="regional",
        singular="security group",
        plural="security groups",
        listed=True,
        id_prefixes=("sg-",),
        arn_shapes=(("arn:aws:ec2:", ":security-group/"),),
        client="ec2",
        fetch=ec2.collect_security_groups,
        permissions=("ec2:DescribeSecurityGroups",),
    ),
    ResourceKind(
        name="s3_bucket",
        overview=True,
        service="s3",
        scope="global",
        singular="S3 bucket",
        plural="S3 buckets",
        listed=True,
        id_prefixes=("arn:aws:s3:::",),
        client="s3",
        fetch=s3.collect_buckets,
        permissions=(
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "s3:GetBucketAcl",
            "s3:GetBucketPolicy",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketVersioning",
            "s3:GetBucketTagging",
            "s3:GetBucketLogging",
            "s3:GetBucketOwnershipControls",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetLifecycleConfiguration",
        ),
    ),
    ResourceKind(
        name="iam_user",
        overview=True,
        service="iam",
        scope="global",
        singular="IAM user",
        plural="IAM users",
        listed=True,
        id_prefixes=("arn:aws:iam::",),
        client="iam",
        fetch=iam.collect_users,
        permissions=(
            "iam:ListUsers",
            "iam:GetUser",
            "iam:GetLoginProfile",
            "iam:ListMFADevices",
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
            "iam:ListUserTags",
            "iam:ListAttachedUserPolicies",
            "iam:ListUserPolicies",
        ),
    ),
    ResourceKind(
        name="rds_instance",
        overview=True,
        service="rds",
        scope="regional",
        singular="RDS instance",
        plural="RDS instances",
        listed=True,
        id_prefixes=("arn:aws:rds:",),
        client="rds",
        fetch=rds.collect_db_instances,
        permissions=("rds:DescribeDBInstances", "rds:DescribeDBParameters"),
    ),
    ResourceKind(
        name="ebs_volume",
        overview=True,
        service="ebs",
        scope="regional",
        singular="EBS volume",
        plural="EBS volumes",
        listed=True,
        id_prefixes=("vol-",),
        arn_shapes=(("arn:aws:ec2:", ":volume/"),),
        client="ec2",
        fetch=ebs.collect_volumes,
        permissions=("ec2:DescribeVolumes",),
    ),
    ResourceKind(
        name="vpc",
        service="ec2",
        scope="regional",
        singular="VPC",
        plural="VPCs",
        listed=True,
        id_prefixes=("vpc-",),
        arn_shapes=(("arn:aws:ec2:", ":vpc/"),),
        client="ec2",
        fetch=network.collect_vpcs,
        permissions=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs"),
    ),
    ResourceKind(
        name="subnet",
        service="ec2",
        scope="regional",
        singular="subnet",
        plural="subnets",
        listed=True,
        id_prefixes=("subnet-",),
        arn_shapes=(("arn:aws:ec2:", ":subnet/"),),
        client="ec2",
        fetch=network.collect_subnets,
        permissions=("ec2:DescribeSubnets",),
    ),
    ResourceKind(
        name="network_acl",
        service="ec2",
        scope="regional",
        singular="network ACL",
        plural="network ACLs",
        listed=True,
        id_prefixes=("acl-",),
        arn_shapes=(("arn:aws:ec2:", ":network-acl/"),),
        client="ec2",
        fetch=network.collect_network_acls,
        permissions=("ec2:DescribeNetworkAcls",),
    ),
    ResourceKind(
        name="lambda_function",
        service="lambda",
        scope="regional",
        singular="Lambda function",
        plural="Lambda functions",
        listed=True,
        id_prefixes=("arn:aws:lambda:",),
        client="lambda",
        fetch=awslambda.collect_functions,
        permissions=("lambda:ListFunctions", "lambda:GetFunctionUrlConfig", "lambda:GetPolicy"),
    ),
    ResourceKind(
        name="load_balancer",
        service="elb",
        scope="regional",
        singular="load balancer",
        plural="load balancers",
        listed=True,
        id_prefixes=("arn:aws:elasticloadbalancing:",),
        client="elbv2",
        fetch=elbv2.collect_load_balancers,
        permissions=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeTags",
            "wafv2:GetWebACLForResource",
        ),
    ),
    ResourceKind(
        name="iam_role",
        service="iam",
        scope="global",
        singular="IAM role",
        plural="IAM roles",
        listed=True,
        arn_shapes=(("arn:aws:iam::", ":role/"),),
        client="iam",
        fetch=iam.collect_roles,
        permissions=("iam:ListRoles", "iam:ListAttachedRolePolicies"),
    ),
    ResourceKind(
        name="dynamodb_table",
        service="dynamodb",
        scope="regional",
        singular="DynamoDB table",
        plural="DynamoDB tables",
        listed=True,
        id_prefixes=("arn:aws:dynamodb:",),
        client="dynamodb",
        fetch=dynamodb.collect_tables,
        permissions=(
            "dynamodb:ListTables",
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "kms:DescribeKey",
        ),
    ),
    ResourceKind(
        name="sqs_queue",
        service="sqs",
        scope="regional",
        singular="SQS queue",
        plural="SQS queues",
        listed=True,
        id_prefixes=("arn:aws:sqs:",),
        client="sqs",
        fetch=sqs.collect_queues,
        permissions=("sqs:ListQueues", "sqs:GetQueueAttributes"),
    ),
    ResourceKind(
        name="sns_topic",
        service="sns",
        scope="regional",
        singular="SNS topic",
        plural="SNS topics",
        listed=True,
        id_prefixes=("arn:aws:sns:",),
        client="sns",
        fetch=sns.collect_topics,
        permissions=("sns:ListTopics", "sns:GetTopicAttributes"),
    ),
    ResourceKind(
        name="secret",
        service="secretsmanager",
        scope="regional",
        singular="secret",
        plural="secrets",
        listed=True,
        id_prefixes=("arn:aws:secretsmanager:",),
        client="secretsmanager",
        fetch=secretsmanager.collect_secrets,
        permissions=("secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"),
    ),
    ResourceKind(
        name="ecr_repository",
        service="ecr",
        scope="regional",
        singular="ECR repository",
        plural="ECR repositories",
        listed=True,
        id_prefixes=("arn:aws:ecr:",),
        client="ecr",
        fetch=ecr.collect_repositories,
        permissions=("ecr:DescribeRepositories", "ecr:GetRepositoryPolicy", "ecr:GetLifecyclePolicy"),
    ),
    ResourceKind(
        name="eks_cluster",
        service="eks",
        scope="regional",
        singular="EKS cluster",
        plural="EKS clusters",
        listed=True,
        id_prefixes=("arn:aws:eks:",),
        client="eks",
        fetch=eks.collect_clusters,
        permissions=("eks:ListClusters", "eks:DescribeCluster"),
    ),
    ResourceKind(
        name="cloudfront_distribution",
        service="cloudfront",
        scope="global",
        singular="CloudFront distribution",
        plural="CloudFront distributions",
        listed=True,
        id_prefixes=("arn:aws:cloudfront::",),
        client="cloudfront",
        fetch=cloudfront.collect_distributions,
        permissions=("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig"),
    ),
    ResourceKind(
        name="api_gateway_stage",
        service="apigateway",
        scope="regional",
        singular="API Gateway stage",
        plural="API Gateway stages",
        listed=True,
        id_prefixes=("arn:aws:apigateway:",),
        client="apigateway",
        fetch=apigateway.collect_stages,
        permissions=("apigateway:GET",),
    ),
    ResourceKind(
        name="elasticache_replication_group",
        service="elasticache",
        scope="regional",
        singular="ElastiCache replication group",
        plural="ElastiCache replication groups",
        listed=True,
        id_prefixes=("arn:aws:elasticache:",),
        client="elasticache",
        fetch=elasticache.collect_replication_groups,
        permissions=("elasticache:DescribeReplicationGroups",),
    ),
    ResourceKind(
        name="efs_file_system",
        service="efs",
        scope="regional",
        singular="EFS file system",
        plural="EFS file systems",
        listed=True,
        id_prefixes=("fs-", "arn:aws:elasticfilesystem:"),
        client="efs",
        fetch=efs.collect_file_systems,
        permissions=(
            "elasticfilesystem:DescribeFileSystems",
            "elasticfilesystem:DescribeBackupPolicy",
            "elasticfilesystem:DescribeFileSystemPolicy",
        ),
    ),
    # Read only by the security scan: account-level settings and resources the inventory does not list.
    ResourceKind(
        name="iam_root_user",
        service="iam",
        scope="global",
        singular="root user",
        plural="root users",
        arn_shapes=(("arn:aws:iam::", ":root"),),
        client="iam",
        fetch=iam.collect_root_user,
        permissions=("iam:GetAccountSummary", "iam:ListVirtualMFADevices"),
    ),
    ResourceKind(
        name="iam_password_policy",
        service="iam",
        scope="global",
        singular="IAM password policy",
        plural="IAM password policies",
        client="iam",
        fetch=iam.collect_password_policy,
        permissions=("iam:GetAccountPasswordPolicy",),
    ),
    ResourceKind(
        name="iam_policy",
        service="iam",
        scope="global",
        singular="IAM policy",
        plural="IAM policies",
        arn_shapes=(("arn:aws:iam::", ":policy/"),),
        client="iam",
        fetch=iam.collect_policies,
        permissions=("iam:ListPolicies", "iam:GetPolicyVersion"),
    ),
    ResourceKind(
        name="s3_account_settings",
        service="s3",
        scope="global",
        singular="S3 account setting",
        plural="S3 account settings",
        client="s3control",
        fetch=s3.collect_account_settings,
        permissions=("s3:GetAccountPublicAccessBlock",),
    ),
    ResourceKind(
        name="ebs_encryption_default",
        service="ebs",
        scope="regional",
        singular="EBS default encryption setting",
        plural="EBS default encryption settings",
        client="ec2",
        fetch=ebs.collect_encryption_default,
        permissions=("ec2:GetEbsEncryptionByDefault",),
    ),
    ResourceKind(
        name="ebs_snapshot",
        service="ebs",
        scope="regional",
        singular="EBS snapshot",
        plural="EBS snapshots",
        id_prefixes=("snap-",),
        arn_shapes=(("arn:aws:ec2:", ":snapshot/"),),
        client="ec2",
        fetch=ebs.collect_snapshots,
        permissions=("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"),
    ),
    ResourceKind(
        name="elastic_ip",
        service="ec2",
        scope="regional",
        singular="Elastic IP",
        plural="Elastic IPs",
        id_prefixes=("eipalloc-",),
        client="ec2",
        fetch=network.collect_addresses,
        permissions=("ec2:DescribeAddresses",),
    ),
    ResourceKind(
        name="kms_key",
        service="kms",
        scope="regional",
        singular="KMS key",
        plural="KMS keys",
        id_prefixes=("arn:aws:kms:",),
        client="kms",
        fetch=kms.collect_keys,
        permissions=(
            "kms:ListKeys",
            "kms:ListAliases",
            "kms:DescribeKey",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
        ),
    ),
    ResourceKind(
        name="cloudtrail_trail",
        service="cloudtrail",
        scope="regional",
        singular="CloudTrail trail",
        plural="CloudTrail trails",
        id_prefixes=("arn:aws:cloudtrail:",),
        client="cloudtrail",
        fetch=cloudtrail.collect_trails,
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "s3:GetBucketLogging",
        ),
    ),
    ResourceKind(
        name="cloudtrail_account",
        service="cloudtrail",
        scope="global",
        singular="CloudTrail account setting",
        plural="CloudTrail account settings",
        client="cloudtrail",
        fetch=cloudtrail.collect_account,
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
        ),
    ),
    ResourceKind(
        name="config_recorder",
        service="config",
        scope="regional",
        singular="AWS Config recorder",
        plural="AWS Config recorders",
        client="config",
        fetch=config.collect_recorders,
        permissions=(
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
        ),
    ),
    ResourceKind(
        name="cloudwatch_account",
        service="cloudwatch",
        scope="global",
        singular="CloudWatch monitoring setting",
        plural="CloudWatch monitoring settings",
        client="cloudtrail",
        fetch=cloudwatch.collect_account,
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "logs:DescribeMetricFilters",
            "cloudwatch:DescribeAlarmsForMetric",
        ),
    ),
    ResourceKind(
        name="iam_inline_policy",
        service="iam",
        scope="global",
        singular="IAM inline policy",
        plural="IAM inline policies",
        client="iam",
        fetch=iam.collect_inline_policies,
        permissions=(
            "iam:ListUsers",
            "iam:ListRoles",
            "iam:ListGroups",
            "iam:ListUserPolicies",
            "iam:ListRolePolicies",
            "iam:ListGroupPolicies",
            "iam:GetUserPolicy",
            "iam:GetRolePolicy",
            "iam:GetGroupPolicy",
        ),
    ),
    ResourceKind(
        name="iam_account",
        service="iam",
        scope="global",
        singular="IAM account setting",
        plural="IAM account settings",
        client="iam",
        fetch=iam.collect_account,
        permissions=("iam:ListEntitiesForPolicy", "iam:ListServerCertificates"),
    ),
    ResourceKind(
        name="rds_snapshot",
        service="rds",
        scope="regional",
        singular="RDS snapshot",
        plural="RDS snapshots",
        arn_shapes=(("arn:aws:rds:", ":snapshot:"),),
        client="rds",
        fetch=rds.collect_db_snapshots,
        permissions=("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"),
    ),
    ResourceKind(
        name="guardduty_detector",
        service="guardduty",
        scope="regional",
        singular="GuardDuty detector",
        plural="GuardDuty detectors",
        client="guardduty",
        fetch=detection.collect_guardduty,
        permissions=("guardduty:ListDetectors", "guardduty:GetDetector"),
    ),
    ResourceKind(
        name="securityhub_hub",
        service="securityhub",
        scope="regional",
        singular="Security Hub setting",
        plural="Security Hub settings",
        client="securityhub",
        fetch=detection.collect_securityhub,
        permissions=("securityhub:DescribeHub",),
    ),
    ResourceKind(
        name="access_analyzer",
        service="accessanalyzer",
        scope="regional",
        singular="IAM Access Analyzer setting",
        plural="IAM Access Analyzer settings",
        client="accessanalyzer",
        fetch=detection.collect_access_analyzer,
        permissions=("access-analyzer:ListAnalyzers",),
    ),
    ResourceKind(
        name="account_contacts",
        service="account",
        scope="global",
        singular="account contact setting",
        plural="account contact settings",
        client="account",
        fetch=account.collect_contacts,
        permissions=("account:GetAlternateContact",),
    ),
    ResourceKind(
        name="organization",
        service="organizations",
        scope="global",
        singular="Organizations membership",
        plural="Organizations memberships",
        client="organizations",
        fetch=account.collect_organization,
        permissions=("organizations:DescribeOrganization",),
    ),
)

_BY_NAME: dict[AnyResourceType, ResourceKind] = {k.name: k for k in KINDS}

ALL_RESOURCE_TYPES: tuple[AnyResourceType, ...] = tuple(_BY_NAME)
# Listed rows carry ResourceType names; a test checks the two agree.
RESOURCE_TYPES: tuple[ResourceType, ...] = tuple(cast(ResourceType, k.name) for k in KINDS if k.listed)
# What describe_resources lists when no type is asked for.
OVERVIEW_TYPES: tuple[ResourceType, ...] = tuple(cast(ResourceType, k.name) for k in KINDS if k.overview)

_ARN_SHAPES: tuple[tuple[str, str, AnyResourceType], ...] = tuple(
    (prefix, part, k.name) for k in KINDS for prefix, part in k.arn_shapes
)
_ID_PREFIXES: tuple[tuple[str, AnyResourceType], ...] = tuple(
    (prefix, k.name) for k in KINDS for prefix in k.id_prefixes
)


def kind(name: AnyResourceType) -> ResourceKind:
    return _BY_NAME[name]


def type_label(resource_type: AnyResourceType, count: int = 1) -> str:
    k = _BY_NAME[resource_type]
    return k.singular if count == 1 else k.plural


T = TypeVar("T", bound=str)


def types_for_lookup(lookup: str | None, types: list[T]) -> list[T]:
    """Narrow `types` to the one an id or ARN prefix implies (security-group ARNs included)."""
    if not lookup:
        return types
    implied: str | None = next(
        (t for prefix, part, t in _ARN_SHAPES if lookup.startswith(prefix) and part in lookup), None
    )
    if implied is None:
        implied = next((t for prefix, t in _ID_PREFIXES if lookup.startswith(prefix)), None)
    if implied is None:
        return types
    return [t for t in types if t == implied]
