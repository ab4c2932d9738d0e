"""Identity and secrets: least-privilege IAM role, KMS key, Secrets Manager secret."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    assume_role_cfn,
    assume_role_document,
    cfn_document,
    cfn_output,
    cfn_tags,
    data,
    kms_key_policy_cfn,
    kms_key_policy_tf,
    output,
    policy_statement,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import AwsParams, Template, aws_common, first_name, pick
from tools.iac.catalogue.storage import BUCKET_NAME
from tools.iac.features import Features
from tools.iac.hcl import Block, interp, ref
from tools.iac.model import IacFormat

SERVICES = {
    "lambda": "lambda.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "ecs-tasks": "ecs-tasks.amazonaws.com",
}


# -- IAM role --------------------------------------------------------------------------------------
class IamRoleParams(AwsParams):
    role_name: str = Field(default="app-reader", pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")
    service: Literal["lambda", "ec2", "ecs-tasks"] = "lambda"
    bucket_name: str = Field(default="example-app-data", pattern=BUCKET_NAME)
    access: Literal["read", "read-write"] = "read"


def _iam_extract(f: Features) -> dict[str, Any]:
    service = None
    if f.has(r"\becs\b|\bfargate\b|\btasks?\b"):
        service = "ecs-tasks"
    elif f.has(r"\bec2\b|\binstances?\b|\bservers?\b"):
        service = "ec2"
    elif f.has(r"\blambda\b|\bfunctions?\b"):
        service = "lambda"
    access = "read-write" if f.has(r"\b(?:write|upload|put|read[\s/-]?write|rw)\b") else None
    bucket = f.name_after("bucket")
    return pick(
        role_name=first_name(f, "role"),
        service=service,
        bucket_name=bucket.lower() if bucket else None,
        access=access,
        **aws_common(f),
    )


def _object_actions(access: str) -> list[str]:
    return ["s3:GetObject"] + (["s3:PutObject", "s3:DeleteObject"] if access == "read-write" else [])


def _iam_render(p: IamRoleParams, fmt: IacFormat) -> str:
    principal = SERVICES[p.service]
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("bucket_name", "string", p.bucket_name, "The one bucket the role may use."),
            assume_role_document("assume", principal),
            data(
                "aws_iam_policy_document",
                "permissions",
                policy_statement(
                    "ListTheBucket", ["s3:ListBucket"], [interp("arn:aws:s3:::${var.bucket_name}")]
                ),
                policy_statement(
                    "UseObjects", _object_actions(p.access), [interp("arn:aws:s3:::${var.bucket_name}/*")]
                ),
            ),
            resource(
                "aws_iam_role",
                "this",
                ("name", p.role_name),
                ("description", f"{p.access} access to s3://{p.bucket_name} for {p.service}"),
                ("assume_role_policy", ref("data.aws_iam_policy_document.assume.json")),
                ("max_session_duration", 3600),
            ),
            resource(
                "aws_iam_policy",
                "this",
                ("name", f"{p.role_name}-s3-{p.access}"),
                ("description", f"{p.access} access to one bucket"),
                ("policy", ref("data.aws_iam_policy_document.permissions.json")),
            ),
            resource(
                "aws_iam_role_policy_attachment",
                "this",
                ("role", ref("aws_iam_role.this.name")),
                ("policy_arn", ref("aws_iam_policy.this.arn")),
            ),
        ]
        if p.service == "ec2":
            blocks.append(
                resource(
                    "aws_iam_instance_profile",
                    "this",
                    ("name", p.role_name),
                    ("role", ref("aws_iam_role.this.name")),
                )
            )
        blocks.append(output("role_arn", "aws_iam_role.this.arn", "ARN of the role."))
        return tf_document(f"IAM role {p.role_name} ({p.access} on one bucket)", blocks)
    bucket_arn = "arn:${AWS::Partition}:s3:::${BucketName}"
    resources: dict[str, Any] = {
        "Policy": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Description": f"{p.access} access to one bucket",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ListTheBucket",
                            "Effect": "Allow",
                            "Action": "s3:ListBucket",
                            "Resource": yamlout.sub(bucket_arn),
                        },
                        {
                            "Sid": "UseObjects",
                            "Effect": "Allow",
                            "Action": _object_actions(p.access),
                            "Resource": yamlout.sub(bucket_arn + "/*"),
                        },
                    ],
                },
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": p.role_name,
                "Description": f"{p.access} access to one bucket for {p.service}",
                "AssumeRolePolicyDocument": assume_role_cfn(principal),
                "ManagedPolicyArns": [yamlout.ref("Policy")],
                "MaxSessionDuration": 3600,
                "Tags": cfn_tags(p.role_name),
            },
        },
    }
    if p.service == "ec2":
        resources["InstanceProfile"] = {
            "Type": "AWS::IAM::InstanceProfile",
            "Properties": {"InstanceProfileName": p.role_name, "Roles": [yamlout.ref("Role")]},
        }
    return cfn_document(
        p,
        f"IAM role {p.role_name} with {p.access} access to one bucket.",
        {"BucketName": {"Type": "String", "Default": p.bucket_name, "AllowedPattern": BUCKET_NAME}},
        resources,
        {"RoleArn": cfn_output(yamlout.get_att("Role", "Arn"), "ARN of the role.")},
    )


IAM_ROLE = Template(
    id="iam_role_least_privilege",
    title="IAM role with least privilege (one bucket)",
    formats=("terraform", "cloudformation"),
    params=IamRoleParams,
    patterns=(
        (r"\biam\b", 0.6),
        (r"\broles?\b", 0.6),
        (r"\biam\s+roles?\b|\broles?\s+(?:for|that|with)\b", 0.6),
        (r"\bleast[\s-]privilege|\bpermissions?\b|\bpolic(?:y|ies)\b", 0.3),
    ),
    extract=_iam_extract,
    render=_iam_render,
    design=(
        "Only the named service can assume the role; sessions last at most an hour.",
        "Permissions name the exact bucket and actions (list the bucket, read or read-write its objects): "
        "no wildcard actions, no wildcard resources.",
    ),
    examples=("an IAM role for a Lambda that can read the bucket acme-reports",),
    variants=(
        {"role_name": "uploader", "service": "ec2", "bucket_name": "acme-uploads", "access": "read-write"},
    ),
)


# -- KMS key ---------------------------------------------------------------------------------------
class KmsParams(AwsParams):
    alias: str = Field(default="app", pattern=r"^[A-Za-z0-9/_-]{1,240}$")
    description: str = Field(default="Application data key", max_length=200)
    deletion_window_days: int = Field(default=30, ge=7, le=30)


def _kms_extract(f: Features) -> dict[str, Any]:
    alias = first_name(f, "alias", "key")
    return pick(
        alias=alias, deletion_window_days=f.days if f.days and 7 <= f.days <= 30 else None, **aws_common(f)
    )


def _kms_render(p: KmsParams, fmt: IacFormat) -> str:
    if fmt == "terraform":
        blocks = tf_header(p) + [
            resource(
                "aws_kms_key",
                "this",
                ("description", p.description),
                ("enable_key_rotation", True),
                ("rotation_period_in_days", 365),
                ("deletion_window_in_days", p.deletion_window_days),
                kms_key_policy_tf()[0],
            ),
            *kms_key_policy_tf()[1],
            resource(
                "aws_kms_alias",
                "this",
                ("name", f"alias/{p.alias}"),
                ("target_key_id", ref("aws_kms_key.this.key_id")),
            ),
            output("key_arn", "aws_kms_key.this.arn", "ARN of the key."),
        ]
        return tf_document(f"KMS key alias/{p.alias}", blocks)
    return cfn_document(
        p,
        f"KMS key alias/{p.alias}.",
        {},
        {
            "Key": {
                "Type": "AWS::KMS::Key",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "Description": p.description,
                    "EnableKeyRotation": True,
                    "RotationPeriodInDays": 365,
                    "PendingWindowInDays": p.deletion_window_days,
                    "KeyPolicy": kms_key_policy_cfn(),
                    "Tags": cfn_tags(p.alias),
                },
            },
            "Alias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": f"alias/{p.alias}", "TargetKeyId": yamlout.ref("Key")},
            },
        },
        {"KeyArn": cfn_output(yamlout.get_att("Key", "Arn"), "ARN of the key.")},
    )


KMS_KEY = Template(
    id="kms_key",
    title="KMS key with rotation and an alias",
    formats=("terraform", "cloudformation"),
    params=KmsParams,
    patterns=((r"\bkms\b", 1.0), (r"\b(?:encryption|cmk|customer[\s-]managed)\s+keys?\b", 0.8)),
    extract=_kms_extract,
    render=_kms_render,
    design=(
        "Automatic yearly key rotation; a 30-day waiting period before deletion.",
        "The key policy delegates access to IAM in this account "
        "(the AWS default): grant use with IAM policies.",
    ),
    examples=("a KMS key with alias payments",),
    variants=({"alias": "payments", "description": "Payments data", "deletion_window_days": 14},),
)


# -- Secrets Manager -------------------------------------------------------------------------------
ROTATION_DAYS = 30

class SecretParams(AwsParams):
    name: str = Field(default="app/database", pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")
    description: str = Field(default="Application secret", max_length=200)
    recovery_days: int = Field(default=30, ge=7, le=30)


def _secret_extract(f: Features) -> dict[str, Any]:
    m = re.search(r"\bsecret\s+(?:named|called)?\s*[\"'`]?([A-Za-z0-9/_+=.@-]{2,})", f.text, re.I)
    name = (
        f.names[-1]
        if f.names
        else (m.group(1) if m and m.group(1).lower() not in ("for", "with", "in") else None)
    )
    return pick(name=name, **aws_common(f))


def _secret_render(p: SecretParams, fmt: IacFormat) -> str:
    if fmt == "terraform":
        blocks = tf_header(p) + [
            resource(
                "aws_kms_key",
                "secret",
                ("description", f"Encrypts the secret {p.name}"),
                ("enable_key_rotation", True),
                ("deletion_window_in_days", 30),
                kms_key_policy_tf()[0],
            ),
            *kms_key_policy_tf()[1],
            # No value in code or state: set it with `aws secretsmanager put-secret-value`
            # or a rotation function.
            resource(
                "aws_secretsmanager_secret",
                "this",
                ("name", p.name),
                ("description", p.description),
                ("kms_key_id", ref("aws_kms_key.secret.arn")),
                ("recovery_window_in_days", p.recovery_days),
            ),
            variable(
                "rotation_lambda_arn",
                "string",
                None,
                "ARN of the Lambda function that rotates the secret (e.g. from the AWS rotation templates).",
            ),
            resource(
                "aws_secretsmanager_secret_rotation",
                "this",
                ("secret_id", ref("aws_secretsmanager_secret.this.id")),
                ("rotation_lambda_arn", ref("var.rotation_lambda_arn")),
                Block("rotation_rules", body=[("automatically_after_days", ROTATION_DAYS)]),
            ),
            output("secret_arn", "aws_secretsmanager_secret.this.arn", "ARN of the secret."),
        ]
        return tf_document(f"Secrets Manager secret {p.name}", blocks)
    return cfn_document(
        p,
        f"Secrets Manager secret {p.name}.",
        {
            "RotationLambdaArn": {
                "Type": "String",
                "AllowedPattern": "^arn:aws[a-z-]*:lambda:.+$",
                "Description": "ARN of the Lambda function that rotates the secret.",
            }
        },
        {
            "SecretKey": {
                "Type": "AWS::KMS::Key",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "Description": f"Encrypts the secret {p.name}",
                    "EnableKeyRotation": True,
                    "KeyPolicy": kms_key_policy_cfn(),
                },
            },
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "Name": p.name,
                    "Description": p.description,
                    "KmsKeyId": yamlout.ref("SecretKey"),
                    # Generated by AWS at creation: the value never appears in the template.
                    "GenerateSecretString": {"PasswordLength": 32, "ExcludePunctuation": True},
                    "Tags": cfn_tags(p.name),
                },
            },
            "SecretRotation": {
                "Type": "AWS::SecretsManager::RotationSchedule",
                "Properties": {
                    "SecretId": yamlout.ref("Secret"),
                    "RotationLambdaARN": yamlout.ref("RotationLambdaArn"),
                    "RotationRules": {"AutomaticallyAfterDays": ROTATION_DAYS},
                },
            },
        },
        {"SecretArn": cfn_output(yamlout.ref("Secret"), "ARN of the secret.")},
    )


SECRET = Template(
    id="secrets_manager_secret",
    title="Secrets Manager secret (own KMS key, no value in code)",
    formats=("terraform", "cloudformation"),
    params=SecretParams,
    patterns=((r"\bsecrets?\s*manager\b", 1.0), (r"\b(?:secret|password|credentials?|api\s+key)s?\b", 0.5)),
    extract=_secret_extract,
    render=_secret_render,
    design=(
        "Encrypted with its own KMS key (rotated yearly); deleted secrets can be recovered for 30 days.",
        f"Rotated every {ROTATION_DAYS} days by the rotation function you name (rotation_lambda_arn).",
        "The secret value is never written in the code: CloudFormation has AWS generate it; with Terraform "
        "set it afterwards (CLI or a rotation function) so it never lands in the state file.",
    ),
    examples=("a secret in Secrets Manager called prod/db-password",),
    variants=({"name": "prod/stripe-key", "description": "Stripe API key", "recovery_days": 7},),
)
