"""S3 building blocks: buckets with their encryption, versioning, ACL, policy, access logging
and Block Public Access settings, and the account-level Block Public Access."""

from __future__ import annotations

import json
from typing import Any

from sandbox.seeding.account import SeedAccount, policy, tags
from tools.security.rules.s3.mfa_delete import BucketWithoutMfaDelete

FULL_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


# Acme's lifecycle standard: objects move to Infrequent Access after 90 days, and replaced or
# deleted versions are kept for 90 days.
LIFECYCLE = {
    "Rules": [
        {
            "ID": "acme-standard",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "Transitions": [{"Days": 90, "StorageClass": "STANDARD_IA"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
        }
    ]
}


def deny_plain_http(bucket_name: str) -> dict[str, Any]:
    """The bucket-policy statement that refuses plain HTTP."""
    return {
        "Sid": "DenyPlainHttp",
        "Effect": "Deny",
        # The object form of "everyone": moto's log-delivery check cannot read the string form.
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket_name}", f"arn:aws:s3:::{bucket_name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def read_statement(
    bucket_name: str, principal: Any, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Read",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket_name}/*",
    }
    if condition:
        statement["Condition"] = condition
    return statement


def bucket(
    a: SeedAccount,
    region: str,
    name: str,
    env: str,
    team: str,
    *,
    encryption: str | None = "AES256",
    block_public: bool = True,
    acl: str | None = None,
    statements: list[dict[str, Any]] | None = None,
    tls_only: bool = True,
    versioning: bool = True,
    access_log_to: str | None = None,
    lifecycle: bool = True,
    object_lock: bool = False,
) -> str:
    """A bucket, safe by default; each keyword turns one safeguard off (or on) for planting.

    A bucket given an `acl` keeps ACLs enabled; every other one has them disabled (Object
    Ownership "bucket owner enforced"). `lifecycle` expires noncurrent versions and old objects'
    storage class; `object_lock` (WORM) can only be turned on at creation.
    """
    s3 = a.client("s3", region)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=object_lock, **where)
    bucket_tags = [t for t in tags(name, env, team, f"{team}@acme.example") if t["Key"] != "Name"]
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": bucket_tags})
    if encryption:
        rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": encryption}}
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        a.versioned_buckets.append((name, region))
    if acl:
        s3.put_bucket_acl(Bucket=name, ACL=acl)
    else:
        s3.put_bucket_ownership_controls(
            Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
    if lifecycle:
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=LIFECYCLE)
    document = list(statements or []) + ([deny_plain_http(name)] if tls_only else [])
    if document:
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy(*document)))
    if access_log_to:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": access_log_to, "TargetPrefix": f"{name}/"}
            },
        )
    if block_public:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict(FULL_BLOCK))
    return a.add("s3_bucket", name, name, region)


def block_account_public_access(a: SeedAccount) -> None:
    a.s3control().put_public_access_block(AccountId=a.id, PublicAccessBlockConfiguration=dict(FULL_BLOCK))


def plant_mfa_delete_off(a: SeedAccount) -> None:
    """MFA delete is off on every versioned bucket: only the root user can turn it on, and moto
    cannot (it never reports MFA delete as enabled)."""
    for name, region in a.versioned_buckets:
        a.plant(BucketWithoutMfaDelete.id, name, region, "versioned, MFA delete off")
