"""Data and platform building blocks: DynamoDB tables, ElastiCache replication groups, EFS file
systems, SQS queues, SNS topics, Secrets Manager secrets, ECR repositories and EKS clusters.

Safe by default; each keyword turns one safeguard off for planting.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.seeding.account import SeedAccount, policy


def _tags(team: str, **extra: str) -> list[dict[str, str]]:
    return [
        {"Key": k, "Value": v} for k, v in {"team": team, "owner": f"{team}@acme.example", **extra}.items()
    ]


def table(
    a: SeedAccount,
    region: str,
    name: str,
    team: str,
    *,
    kms_key: str | None = None,
    pitr: bool = True,
    deletion_protection: bool = True,
) -> str:
    """An on-demand table keyed by "pk"; `kms_key` (a customer key) encrypts it, else AWS's own key."""
    ddb = a.client("dynamodb", region)
    sse = (
        {"SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key}}
        if kms_key
        else {}
    )
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=deletion_protection,
        Tags=_tags(team),
        **sse,
    )
    if pitr:
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    return a.add("dynamodb_table", name, name, region)


def cache(a: SeedAccount, region: str, name: str, team: str, *, hardened: bool = True) -> str:
    """A Redis replication group: two nodes with failover, Multi-AZ, encryption and daily
    backups, or (not `hardened`) a single unencrypted node without backups."""
    settings: dict[str, Any] = (
        {
            "NumCacheClusters": 2,
            "AutomaticFailoverEnabled": True,
            "MultiAZEnabled": True,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "SnapshotRetentionLimit": 7,
        }
        if hardened
        else {"NumCacheClusters": 1, "SnapshotRetentionLimit": 0}
    )
    a.client("elasticache", region).create_replication_group(
        ReplicationGroupId=name,
        ReplicationGroupDescription=f"{name} ({team})",
        Engine="redis",
        CacheNodeType="cache.t3.small",
        Tags=_tags(team),
        **settings,
    )
    return a.add("elasticache_replication_group", name, name, region)


def file_system(
    a: SeedAccount,
    region: str,
    name: str,
    team: str,
    *,
    encrypted: bool = True,
    backup: bool = True,
    one_zone: bool = False,
    public_mount: bool = False,
) -> str:
    """An EFS file system; its policy refuses unencrypted mounts, or (`public_mount`) lets
    anyone mount it. (moto turns automatic backups on for every One Zone file system.)"""
    efs = a.client("efs", region)
    zone = {"AvailabilityZoneName": f"{region}a"} if one_zone else {}
    fs = efs.create_file_system(
        CreationToken=name,
        Encrypted=encrypted,
        Backup=backup,
        PerformanceMode="generalPurpose",
        Tags=[{"Key": "Name", "Value": name}, *_tags(team)],
        **zone,
    )["FileSystemId"]
    statement: dict[str, Any] = (
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "elasticfilesystem:ClientMount",
            "Resource": "*",
        }
        if public_mount
        else {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    efs.put_file_system_policy(FileSystemId=fs, Policy=json.dumps(policy(statement)))
    return a.add("efs_file_system", fs, name, region)


def queue(
    a: SeedAccount,
    region: str,
    name: str,
    team: str,
    *,
    encrypted: bool = True,
    statement: dict[str, Any] | None = None,
) -> str:
    """An SQS queue (SSE-SQS unless not `encrypted`), with `statement` as its policy."""
    attributes = {"SqsManagedSseEnabled": str(encrypted).lower()}
    if statement:
        attributes["Policy"] = json.dumps(policy(statement))
    a.client("sqs", region).create_queue(QueueName=name, Attributes=attributes, tags={"team": team})
    return a.add("sqs_queue", name, name, region)


def topic(
    a: SeedAccount,
    region: str,
    name: str,
    *,
    kms_key: str | None = "alias/aws/sns",
    statement: dict[str, Any] | None = None,
) -> str:
    """An SNS topic encrypted with `kms_key` (None: not encrypted); `statement` is added to its
    policy. Returns its ARN."""
    attributes = {"KmsMasterKeyId": kms_key} if kms_key else {}
    sns = a.client("sns", region)
    arn = str(sns.create_topic(Name=name, Attributes=attributes)["TopicArn"])
    if statement:
        sns.set_topic_attributes(
            TopicArn=arn,
            AttributeName="Policy",
            AttributeValue=json.dumps(policy({**statement, "Resource": arn})),
        )
    a.add("sns_topic", name, name, region)
    return arn


def secret(
    a: SeedAccount, region: str, name: str, team: str, *, rotation_days: int | None = 30, public: bool = False
) -> str:
    """A secret (its value is a placeholder) rotated every `rotation_days` (None: never)."""
    sm = a.client("secretsmanager", region)
    sm.create_secret(
        Name=name, SecretString=json.dumps({"username": "app", "password": "sandbox-only"}), Tags=_tags(team)
    )
    if rotation_days:
        sm.rotate_secret(SecretId=name, RotationRules={"AutomaticallyAfterDays": rotation_days})
    if public:
        sm.put_resource_policy(
            SecretId=name,
            ResourcePolicy=json.dumps(
                policy(
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": "*",
                    }
                )
            ),
        )
    return a.add("secret", name, name, region)


def repository(
    a: SeedAccount, region: str, name: str, *, hardened: bool = True, public_pull: bool = False
) -> str:
    """An ECR repository: immutable tags, scan on push and a lifecycle policy, or (not `hardened`)
    none of them; `public_pull` lets anyone pull its images."""
    ecr = a.client("ecr", region)
    ecr.create_repository(
        repositoryName=name,
        imageTagMutability="IMMUTABLE" if hardened else "MUTABLE",
        imageScanningConfiguration={"scanOnPush": hardened},
    )
    if hardened:
        rule = {
            "rulePriority": 1,
            "description": "expire untagged images after 14 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps({"rules": [rule]}))
    if public_pull:
        statement = {
            "Sid": "AnyonePulls",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        }
        ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(policy(statement)))
    return a.add("ecr_repository", name, name, region)


EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def cluster(
    a: SeedAccount,
    region: str,
    name: str,
    role_arn: str,
    subnets: list[str],
    *,
    version: str = "1.30",
    private_endpoint: bool = True,
    secrets_key: str | None = None,
    log_types: list[str] | None = None,
) -> str:
    """An EKS cluster; with `private_endpoint` its API is reachable from the VPC only."""
    logging = log_types if log_types is not None else EKS_LOG_TYPES
    extra: dict[str, Any] = {}
    if secrets_key:
        extra["encryptionConfig"] = [{"resources": ["secrets"], "provider": {"keyArn": secrets_key}}]
    a.client("eks", region).create_cluster(
        name=name,
        version=version,
        roleArn=role_arn,
        resourcesVpcConfig={
            "subnetIds": subnets,
            "endpointPublicAccess": not private_endpoint,
            "endpointPrivateAccess": private_endpoint,
        },
        logging={"clusterLogging": [{"types": logging, "enabled": True}]}
        if logging
        else {"clusterLogging": []},
        **extra,
    )
    return a.add("eks_cluster", name, name, region)
