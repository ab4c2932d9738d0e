"""Storage templates: S3 bucket, EBS volume, DynamoDB table, ECR repository."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    cfn_document,
    cfn_output,
    cfn_tags,
    cmk_cfn,
    cmk_tf,
    kms_key_policy_tf,
    output,
    private_bucket_cfn,
    private_bucket_tf,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import AwsParams, Template, aws_common, first_name, pick
from tools.iac.features import STOP_WORDS, Features
from tools.iac.hcl import Block, Call, ref
from tools.iac.model import IacFormat

BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


# -- S3 bucket -------------------------------------------------------------------------------------
class S3Params(AwsParams):
    bucket_name: str = Field(default="example-private-data", pattern=BUCKET_NAME)
    versioning: bool = True
    kms: bool = True
    noncurrent_days: int = Field(default=90, ge=1, le=3650)


def _s3_extract(f: Features) -> dict[str, Any]:
    name = first_name(f, "bucket")
    versioning = False if f.has(r"\b(?:no|without|disable[d]?)\s+versioning\b") else None
    kms = False if f.has(r"\b(?:sse-s3|aes-?256|s3[- ]managed)\b") else None
    return pick(bucket_name=name, versioning=versioning, kms=kms, noncurrent_days=f.days, **aws_common(f))


def _s3_render(p: S3Params, fmt: IacFormat) -> str:
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("bucket_name", "string", p.bucket_name, "Globally unique bucket name.")
        ]
        if p.kms:
            blocks.append(
                resource(
                    "aws_kms_key",
                    "bucket",
                    ("description", f"Encrypts objects in {p.bucket_name}"),
                    ("enable_key_rotation", True),
                    ("deletion_window_in_days", 30),
                    kms_key_policy_tf()[0],
                )
            )
            blocks += kms_key_policy_tf()[1]
        kms = ref("aws_kms_key.bucket.arn") if p.kms else None
        blocks += private_bucket_tf("this", ref("var.bucket_name"), kms, p.versioning, p.noncurrent_days)
        blocks += [
            output("bucket_name", "aws_s3_bucket.this.id", "Name of the bucket."),
            output("bucket_arn", "aws_s3_bucket.this.arn", "ARN of the bucket."),
        ]
        return tf_document("Private S3 bucket", blocks)

    resources: dict[str, Any] = {}
    if p.kms:
        resources["BucketKey"] = {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": yamlout.sub("Encrypts objects in ${BucketName}"),
                "EnableKeyRotation": True,
                "PendingWindowInDays": 30,
            },
        }
    key = yamlout.get_att("BucketKey", "Arn") if p.kms else None
    resources.update(
        private_bucket_cfn(
            "Bucket",
            yamlout.ref("BucketName"),
            key,
            versioning=p.versioning,
            noncurrent_days=p.noncurrent_days,
        )
    )
    return cfn_document(
        p,
        "Private S3 bucket.",
        {"BucketName": {"Type": "String", "Default": p.bucket_name, "AllowedPattern": BUCKET_NAME}},
        resources,
        {
            "BucketName": cfn_output(yamlout.ref("Bucket"), "Name of the bucket."),
            "BucketArn": cfn_output(yamlout.get_att("Bucket", "Arn"), "ARN of the bucket."),
        },
    )


S3_BUCKET = Template(
    id="s3_private_bucket",
    title="Private S3 bucket (versioning, encryption, TLS only)",
    formats=("terraform", "cloudformation"),
    params=S3Params,
    patterns=((r"\b(?:s3|bucket)s?\b", 1.0), (r"\b(?:private|versioning|versioned|encrypt\w*)\b", 0.3)),
    extract=_s3_extract,
    render=_s3_render,
    design=(
        "Block Public Access on (all four settings) and ACLs disabled (BucketOwnerEnforced).",
        "Default encryption with a dedicated KMS key with yearly rotation (SSE-S3 when asked).",
        "A bucket policy that denies any request not made over TLS.",
        "Versioning on, old versions expire after a retention period; incomplete uploads are cleaned up.",
    ),
    examples=("write Terraform for a private S3 bucket with versioning",),
    variants=(
        {"bucket_name": "acme-audit-logs", "kms": False, "noncurrent_days": 30, "region": "eu-west-1"},
    ),
)


# -- EBS volume ------------------------------------------------------------------------------------
class EbsParams(AwsParams):
    name: str = Field(default="data-volume", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    size_gb: int = Field(default=100, ge=1, le=16384)
    volume_type: Literal["gp3", "io2", "st1", "sc1"] = "gp3"
    availability_zone: str = Field(default="us-east-1a", pattern=r"^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$")


def _ebs_extract(f: Features) -> dict[str, Any]:
    out = pick(name=first_name(f, "volume"), size_gb=f.size_gb, **aws_common(f))
    m = re.search(r"\b(gp3|io2|st1|sc1)\b", f.lower)
    if m:
        out["volume_type"] = m.group(1)
    az = re.search(r"\b([a-z]{2}-[a-z]+-\d[a-z])\b", f.lower)
    if az:
        out["availability_zone"] = az.group(1)
        out.setdefault("region", az.group(1)[:-1])
    elif f.region:
        out["availability_zone"] = f.region + "a"
    return out


def _ebs_render(p: EbsParams, fmt: IacFormat) -> str:
    if fmt == "terraform":
        blocks = tf_header(p) + [
            *cmk_tf("volume", f"Encrypts the EBS volume {p.name}"),
            resource(
                "aws_ebs_volume",
                "this",
                ("availability_zone", p.availability_zone),
                ("size", p.size_gb),
                ("type", p.volume_type),
                ("encrypted", True),
                ("kms_key_id", ref("aws_kms_key.volume.arn")),
                ("tags", {"Name": p.name}),
            ),
            output("volume_id", "aws_ebs_volume.this.id", "ID of the volume."),
        ]
        return tf_document("Encrypted EBS volume", blocks)
    return cfn_document(
        p,
        "Encrypted EBS volume.",
        {
            "AvailabilityZone": {
                "Type": "AWS::EC2::AvailabilityZone::Name",
                "Default": p.availability_zone,
                "Description": "Availability zone of the volume (the instance using it must be there too).",
            }
        },
        {
            "VolumeKey": cmk_cfn(f"Encrypts the EBS volume {p.name}"),
            "Volume": {
                "Type": "AWS::EC2::Volume",
                "DeletionPolicy": "Snapshot",
                "UpdateReplacePolicy": "Snapshot",
                "Properties": {
                    "AvailabilityZone": yamlout.ref("AvailabilityZone"),
                    "Size": p.size_gb,
                    "VolumeType": p.volume_type,
                    "Encrypted": True,
                    "KmsKeyId": yamlout.get_att("VolumeKey", "Arn"),
                    "Tags": cfn_tags(p.name),
                },
            }
        },
        {"VolumeId": cfn_output(yamlout.ref("Volume"), "ID of the volume.")},
    )


EBS_VOLUME = Template(
    id="ebs_volume",
    title="Encrypted EBS volume",
    formats=("terraform", "cloudformation"),
    params=EbsParams,
    patterns=((r"\bebs\b", 1.0), (r"\b(?:block\s+storage|disk)\b", 0.6), (r"\bvolumes?\b", 0.5)),
    extract=_ebs_extract,
    render=_ebs_render,
    design=(
        "Encrypted at rest with a customer-managed KMS key (yearly rotation).",
        "gp3 by default: cheaper than gp2 with baseline 3000 IOPS.",
        "CloudFormation keeps a snapshot when the volume is deleted or replaced.",
    ),
    examples=("an encrypted 200 GB EBS volume in eu-west-1",),
    variants=(
        {"size_gb": 500, "volume_type": "io2", "availability_zone": "eu-west-1b", "region": "eu-west-1"},
    ),
)


# -- DynamoDB --------------------------------------------------------------------------------------
class DynamoParams(AwsParams):
    table_name: str = Field(default="items", pattern=r"^[A-Za-z0-9_.-]{3,255}$")
    hash_key: str = Field(default="id", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
    range_key: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
    ttl_attribute: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")


def _dynamo_extract(f: Features) -> dict[str, Any]:
    out = pick(table_name=first_name(f, "table"), **aws_common(f))
    m = re.search(r"\b(?:partition|hash)\s+key\s+[\"'`]?([A-Za-z_][A-Za-z0-9_]*)", f.text, re.I)
    if m:
        out["hash_key"] = m.group(1)
    m = re.search(r"\b(?:sort|range)\s+key\s+[\"'`]?([A-Za-z_][A-Za-z0-9_]*)", f.text, re.I)
    if m:
        out["range_key"] = m.group(1)
    if f.has(r"\bttl\b|time[\s-]to[\s-]live"):
        m = re.search(r"\bttl\s+(?:attribute\s+)?[\"'`]?([A-Za-z_][A-Za-z0-9_]*)", f.text, re.I)
        named = m.group(1) if m and m.group(1).lower() not in STOP_WORDS | {"enabled", "on"} else None
        out["ttl_attribute"] = named or "expires_at"
    return out


def _dynamo_render(p: DynamoParams, fmt: IacFormat) -> str:
    keys = [p.hash_key] + ([p.range_key] if p.range_key else [])
    if fmt == "terraform":
        body: list[Any] = [
            ("name", p.table_name),
            ("billing_mode", "PAY_PER_REQUEST"),
            ("hash_key", p.hash_key),
        ]
        if p.range_key:
            body.append(("range_key", p.range_key))
        body.append(("deletion_protection_enabled", True))
        body += [Block("attribute", body=[("name", k), ("type", "S")]) for k in keys]
        body.append(Block("point_in_time_recovery", body=[("enabled", True)]))
        sse: list[Any] = [("enabled", True), ("kms_key_arn", ref("aws_kms_key.table.arn"))]
        body.append(Block("server_side_encryption", body=sse))
        if p.ttl_attribute:
            body.append(Block("ttl", body=[("attribute_name", p.ttl_attribute), ("enabled", True)]))
        blocks = tf_header(p) + [
            *cmk_tf("table", f"Encrypts the DynamoDB table {p.table_name}"),
            resource("aws_dynamodb_table", "this", *body),
            output("table_name", "aws_dynamodb_table.this.name", "Name of the table."),
            output("table_arn", "aws_dynamodb_table.this.arn", "ARN of the table."),
        ]
        return tf_document("DynamoDB table", blocks)
    props: dict[str, Any] = {
        "TableName": p.table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k in keys],
        "KeySchema": [{"AttributeName": p.hash_key, "KeyType": "HASH"}]
        + ([{"AttributeName": p.range_key, "KeyType": "RANGE"}] if p.range_key else []),
        "DeletionProtectionEnabled": True,
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": yamlout.get_att("TableKey", "Arn"),
        },
    }
    if p.ttl_attribute:
        props["TimeToLiveSpecification"] = {"AttributeName": p.ttl_attribute, "Enabled": True}
    props["Tags"] = cfn_tags(p.table_name)
    return cfn_document(
        p,
        "DynamoDB table.",
        {},
        {
            "TableKey": cmk_cfn(f"Encrypts the DynamoDB table {p.table_name}"),
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": props,
            }
        },
        {
            "TableName": cfn_output(yamlout.ref("Table"), "Name of the table."),
            "TableArn": cfn_output(yamlout.get_att("Table", "Arn"), "ARN of the table."),
        },
    )


DYNAMODB_TABLE = Template(
    id="dynamodb_table",
    title="DynamoDB table (on-demand, PITR, encrypted)",
    formats=("terraform", "cloudformation"),
    params=DynamoParams,
    patterns=((r"\bdynamo(?:db)?\b", 1.0), (r"\bnosql\b", 0.6), (r"\b(?:partition|hash|sort)\s+key\b", 0.5)),
    extract=_dynamo_extract,
    render=_dynamo_render,
    design=(
        "On-demand billing: no capacity planning, pay per request.",
        "Point-in-time recovery and deletion protection on; encrypted at rest with a customer-managed key.",
    ),
    examples=("a DynamoDB table called orders with partition key order_id and sort key created_at",),
    variants=(
        {"table_name": "sessions", "hash_key": "pk", "range_key": "sk", "ttl_attribute": "expires_at"},
    ),
)


# -- ECR -------------------------------------------------------------------------------------------
class EcrParams(AwsParams):
    repository: str = Field(default="app", pattern=r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*$")
    keep_images: int = Field(default=30, ge=1, le=1000)


def _ecr_extract(f: Features) -> dict[str, Any]:
    m = re.search(r"\bkeep(?:s|ing)?\s+(?:the\s+)?(?:last\s+|latest\s+)?(\d{1,4})\b", f.lower)
    return pick(
        repository=first_name(f, "repository", "repo", "registry"),
        keep_images=int(m.group(1)) if m else None,
        **aws_common(f),
    )


def _ecr_policy() -> dict[str, Any]:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images after 14 days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }


def _ecr_keep_rule(keep: int) -> dict[str, Any]:
    return {
        "rulePriority": 2,
        "description": f"Keep the last {keep} images",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
        "action": {"type": "expire"},
    }


def _ecr_render(p: EcrParams, fmt: IacFormat) -> str:
    policy = _ecr_policy()
    policy["rules"].append(_ecr_keep_rule(p.keep_images))
    if fmt == "terraform":
        blocks = tf_header(p) + [
            resource(
                "aws_ecr_repository",
                "this",
                ("name", p.repository),
                ("image_tag_mutability", "IMMUTABLE"),
                Block("image_scanning_configuration", body=[("scan_on_push", True)]),
                Block("encryption_configuration", body=[("encryption_type", "KMS")]),
            ),
            resource(
                "aws_ecr_lifecycle_policy",
                "this",
                ("repository", ref("aws_ecr_repository.this.name")),
                ("policy", Call("jsonencode", policy)),
            ),
            output("repository_url", "aws_ecr_repository.this.repository_url", "URL to push images to."),
        ]
        return tf_document("ECR repository", blocks)
    return cfn_document(
        p,
        "ECR repository.",
        {},
        {
            "Repository": {
                "Type": "AWS::ECR::Repository",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "RepositoryName": p.repository,
                    "ImageTagMutability": "IMMUTABLE",
                    "ImageScanningConfiguration": {"ScanOnPush": True},
                    "EncryptionConfiguration": {"EncryptionType": "KMS"},
                    "LifecyclePolicy": {"LifecyclePolicyText": json.dumps(policy, indent=2)},
                    "Tags": cfn_tags(p.repository),
                },
            }
        },
        {
            "RepositoryUri": cfn_output(
                yamlout.get_att("Repository", "RepositoryUri"), "URI to push images to."
            )
        },
    )


ECR_REPOSITORY = Template(
    id="ecr_repository",
    title="ECR repository (immutable tags, scan on push)",
    formats=("terraform", "cloudformation"),
    params=EcrParams,
    patterns=((r"\becr\b", 1.0), (r"\b(?:container|docker|image)\s+(?:registry|repo(?:sitory)?)\b", 1.0)),
    extract=_ecr_extract,
    render=_ecr_render,
    design=(
        "Immutable tags: a tag always means the same image.",
        "Images scanned for vulnerabilities on push; KMS encryption at rest.",
        "Lifecycle policy: untagged images expire after 14 days, only the last N images are kept.",
    ),
    examples=("an ECR repository named api that keeps the last 50 images",),
    variants=({"repository": "team/api", "keep_images": 50},),
)
