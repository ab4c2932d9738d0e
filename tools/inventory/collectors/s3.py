"""S3 buckets (listed once per account; each bucket reports its home region).

s3_bucket attributes: acl_grants ([{grantee, grantee_type, permission}], grantee "AllUsers" /
"AuthenticatedUsers" for the public groups), policy (parsed JSON or None),
public_access_block ({block_public_acls, ignore_public_acls, block_public_policy,
restrict_public_buckets}, all False when none is configured), encryption ("AES256",
"aws:kms", ... or None), versioning ("Enabled", "Suspended" or None), logging
({target_bucket, target_prefix} or None), created, account_public_access_block (the account-level
setting, same shape; None when it could not be read), object_ownership ("BucketOwnerEnforced"
means ACLs are disabled; "BucketOwnerPreferred", "ObjectWriter", or None when none is set, which
leaves ACLs enabled), mfa_delete ("Enabled"/"Disabled"/None), object_lock (Object Lock is on),
lifecycle_rules (enabled lifecycle rules).
s3_account_settings attributes: public_access_block (the account-level setting, same shape).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import GLOBAL_REGION, Resource, tags_dict

GROUP_URIS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
    "http://acs.amazonaws.com/groups/s3/LogDelivery": "LogDelivery",
}

PAB_KEYS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}

# Error codes meaning "this bucket has none of that configuration".
_ABSENT = frozenset(
    {
        "NoSuchBucketPolicy",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchTagSet",
        "OwnershipControlsNotFoundError",
        "ObjectLockConfigurationNotFoundError",
        "NoSuchLifecycleConfiguration",
    }
)


def bucket_region(s3: Any, bucket: str) -> str:
    constraint = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    # us-east-1 reports no constraint; "EU" is the legacy name of eu-west-1.
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def _optional(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    try:
        return dict(call(**kwargs))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _ABSENT:
            return None
        raise


def normalise_grants(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for g in grants:
        grantee = g.get("Grantee", {})
        kind = grantee.get("Type", "")
        name = GROUP_URIS.get(grantee.get("URI", ""), grantee.get("URI")) if kind == "Group" else None
        name = name or grantee.get("DisplayName") or grantee.get("ID") or grantee.get("EmailAddress") or "?"
        out.append({"grantee": name, "grantee_type": kind, "permission": g.get("Permission")})
    return out


def public_access_block(config: dict[str, Any] | None) -> dict[str, bool]:
    cfg = (config or {}).get("PublicAccessBlockConfiguration", {})
    return {ours: bool(cfg.get(theirs, False)) for theirs, ours in PAB_KEYS.items()}


def describe_bucket(s3: Any, name: str, region: str, created: Any = None) -> Resource:
    acl = s3.get_bucket_acl(Bucket=name)
    policy = _optional(s3.get_bucket_policy, Bucket=name)
    pab = _optional(s3.get_public_access_block, Bucket=name)
    enc = _optional(s3.get_bucket_encryption, Bucket=name)
    tags = _optional(s3.get_bucket_tagging, Bucket=name)
    versioning_config = s3.get_bucket_versioning(Bucket=name)
    versioning = versioning_config.get("Status")
    ownership = _optional(s3.get_bucket_ownership_controls, Bucket=name)
    lock = _optional(s3.get_object_lock_configuration, Bucket=name)
    lifecycle = _optional(s3.get_bucket_lifecycle_configuration, Bucket=name)
    ownership_rules = ((ownership or {}).get("OwnershipControls") or {}).get("Rules") or []
    logging_enabled = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
    algorithm = None
    if enc:
        rules = enc.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        if rules:
            algorithm = rules[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
    return Resource(
        type="s3_bucket",
        id=name,
        name=name,
        region=region,
        arn=f"arn:aws:s3:::{name}",
        attributes={
            "acl_grants": normalise_grants(acl.get("Grants", [])),
            "policy": json.loads(policy["Policy"]) if policy and policy.get("Policy") else None,
            "public_access_block": public_access_block(pab),
            "encryption": algorithm,
            "versioning": versioning,
            "logging": {
                "target_bucket": logging_enabled.get("TargetBucket"),
                "target_prefix": logging_enabled.get("TargetPrefix", ""),
            }
            if logging_enabled
            else None,
            "created": created.isoformat() if created is not None else None,
            "object_ownership": ownership_rules[0].get("ObjectOwnership") if ownership_rules else None,
            "mfa_delete": versioning_config.get("MFADelete"),
            "object_lock": ((lock or {}).get("ObjectLockConfiguration") or {}).get("ObjectLockEnabled")
            == "Enabled",
            "lifecycle_rules": sum(
                1 for r in (lifecycle or {}).get("Rules", []) if r.get("Status") == "Enabled"
            ),
        },
        tags=tags_dict((tags or {}).get("TagSet")),
    )


def account_public_access_block(aws: AccountClients) -> dict[str, bool] | None:
    """The account-level setting; None when the caller may not read it."""
    try:
        config = _optional(aws.s3control().get_public_access_block, AccountId=aws.account_id)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException"):
            return None
        raise
    return public_access_block(config)


def collect_buckets(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    home = aws.client("s3", aws.regions[0])
    wanted = lookup.removeprefix("arn:aws:s3:::").casefold() if lookup else None
    buckets = [
        b for b in home.list_buckets().get("Buckets", []) if wanted is None or b["Name"].casefold() == wanted
    ]
    # Newer ListBuckets responses carry the region; otherwise ask per bucket.
    located = [(b, b.get("BucketRegion") or bucket_region(home, b["Name"])) for b in buckets]
    # Clients are built here, before the pool, because building them is not thread-safe.
    clients = {r: aws.client("s3", r) for r in {r for _, r in located}}
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers) as pool:
        futures = [
            pool.submit(describe_bucket, clients[r], b["Name"], r, b.get("CreationDate")) for b, r in located
        ]
        found = [f.result() for f in futures]
    if found:
        # S3 applies the stricter of the account and bucket settings, so rules need both.
        account_block = account_public_access_block(aws)
        for bucket in found:
            bucket.attributes["account_public_access_block"] = account_block
    return found


ACCOUNT_SETTINGS_ID = "account-public-access-block"


def collect_account_settings(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    config = _optional(aws.s3control().get_public_access_block, AccountId=aws.account_id)
    return [
        Resource(
            type="s3_account_settings",
            id=ACCOUNT_SETTINGS_ID,
            name="S3 account-level Block Public Access",
            region=GLOBAL_REGION,
            attributes={"public_access_block": public_access_block(config)},
        )
    ]
