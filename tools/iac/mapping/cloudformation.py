"""CloudFormation resources -> normalised Resources.

Intrinsics are resolved as far as a template alone allows: a Ref to a parameter becomes its
Default, a Ref or GetAtt to a resource names that resource's logical id (used to join an
AWS::S3::BucketPolicy or AWS::EC2::SecurityGroupIngress to its parent). Properties left out
take CloudFormation's default.

This module maps S3, RDS, KMS and CloudTrail and dispatches every resource to its mapper; EC2/VPC
and IAM live in `cloudformation_network` and `cloudformation_iam`.
"""

from __future__ import annotations

from typing import Any

from tools.iac.mapping import fields
from tools.iac.mapping.cloudformation_iam import (
    IAM_COMPANIONS,
    map_inline_policies,
    map_managed_policy,
    map_policy,
    map_user,
)
from tools.iac.mapping.cloudformation_network import (
    NETWORK_COMPANIONS,
    map_eip,
    map_instance,
    map_security_group,
    map_volume,
    map_vpc,
)
from tools.iac.mapping.cloudformation_template import Template
from tools.iac.mapping.common import CFN_CANNED_ACLS, Mapped, acl_grants, as_list, kms_attributes, truthy

# Resource types whose settings are read into a parent resource (so they are not "uncovered").
_COMPANIONS = frozenset({"AWS::S3::BucketPolicy", "AWS::KMS::Alias"}) | NETWORK_COMPANIONS | IAM_COMPANIONS


def _bucket(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    name = t.literal(p.get("BucketName")) or lid
    pab = p.get("PublicAccessBlockConfiguration") or {}
    rules = as_list((p.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration"))
    algorithm = None
    if rules and isinstance(rules[0], dict):
        algorithm = t.literal((rules[0].get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm"))
    canned = CFN_CANNED_ACLS.get(str(t.value(p.get("AccessControl") or "Private")))
    policy = None
    for other in t.of_type("AWS::S3::BucketPolicy"):
        op = t.props(other)
        if t.target(op.get("Bucket")) == lid or t.literal(op.get("Bucket")) == name:
            document = op.get("PolicyDocument")
            policy = document if isinstance(document, dict) else None
    logging = p.get("LoggingConfiguration")
    attrs = {
        "acl_grants": acl_grants(canned),
        "policy": policy,
        "public_access_block": {
            "block_public_acls": truthy(t.value(pab.get("BlockPublicAcls"))),
            "ignore_public_acls": truthy(t.value(pab.get("IgnorePublicAcls"))),
            "block_public_policy": truthy(t.value(pab.get("BlockPublicPolicy"))),
            "restrict_public_buckets": truthy(t.value(pab.get("RestrictPublicBuckets"))),
        },
        "encryption": algorithm,
        "versioning": t.literal((p.get("VersioningConfiguration") or {}).get("Status")),
        "logging": (
            {
                "target_bucket": t.target(logging.get("DestinationBucketName"))
                or t.literal(logging.get("DestinationBucketName")),
                "target_prefix": t.literal(logging.get("LogFilePrefix")),
            }
            if isinstance(logging, dict)
            else None
        ),
        "created": None,
    }
    mapped.add("s3_bucket", id=lid, name=name, region=region, attributes=attrs, tags=t.tags(p))


# What an Aurora instance takes from its cluster (it has no storage or backups of its own).
_FROM_CLUSTER = (
    "StorageEncrypted",
    "BackupRetentionPeriod",
    "DeletionProtection",
    "EnableIAMDatabaseAuthentication",
)


def _db_instance(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = {k: t.value(v) for k, v in t.props(lid).items()}
    cluster = t.target(p.get("DBClusterIdentifier"))
    if cluster in t.resources:
        p.update({k: t.value(v) for k, v in t.props(cluster).items() if k in _FROM_CLUSTER})
    name = t.literal(p.get("DBInstanceIdentifier")) or lid
    attrs = {
        **fields.read(fields.RDS_INSTANCE, p, "cloudformation"),
        "status": "creating",
        "endpoint": None,
        "vpc_security_groups": [t.target(g) or g for g in as_list(p.get("VPCSecurityGroups"))],
    }
    mapped.add("rds_instance", id=lid, name=name, region=region, attributes=attrs, tags=t.tags(t.props(lid)))


def _kms_key(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    aliases = [
        t.literal(t.props(a).get("AliasName")) or a
        for a in t.pointing_at("AWS::KMS::Alias", "TargetKeyId", lid)
    ]
    policy = p.get("KeyPolicy")
    attrs = kms_attributes(
        truthy(t.value(p.get("EnableKeyRotation"))),
        policy if isinstance(policy, dict) else None,
        t.literal(p.get("KeySpec")),
        t.literal(p.get("Description")),
        aliases,
    )
    mapped.add(
        "kms_key",
        id=lid,
        name=aliases[0] if aliases else lid,
        region=region,
        attributes=attrs,
        tags=t.tags(p),
    )


def _trail(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = {k: t.value(v) for k, v in t.props(lid).items()}
    bucket = t.target(p.get("S3BucketName"))
    logging: bool | None = None
    if bucket in t.resources:
        logging = isinstance(t.props(bucket).get("LoggingConfiguration"), dict)
    attrs = {
        **fields.read(fields.CLOUDTRAIL_TRAIL, p, "cloudformation"),
        "home_region": region,
        "s3_bucket": bucket or p.get("S3BucketName"),
        "bucket_access_logging": logging,
    }
    name = t.literal(p.get("TrailName")) or lid
    mapped.add(
        "cloudtrail_trail", id=lid, name=name, region=region, attributes=attrs, tags=t.tags(t.props(lid))
    )


def map_cloudformation(template: dict[str, Any], region: str) -> Mapped:
    t = Template(template)
    mapped = Mapped()
    for lid, res in t.resources.items():
        kind = res.get("Type")
        if kind == "AWS::S3::Bucket":
            _bucket(t, lid, region, mapped)
        elif kind == "AWS::EC2::SecurityGroup":
            map_security_group(t, lid, region, mapped)
        elif kind == "AWS::EC2::VPC":
            map_vpc(t, lid, region, mapped)
        elif kind == "AWS::EC2::EIP":
            map_eip(t, lid, region, mapped)
        elif kind == "AWS::RDS::DBInstance":
            _db_instance(t, lid, region, mapped)
        elif kind == "AWS::EC2::Volume":
            map_volume(t, lid, region, mapped)
        elif kind == "AWS::EC2::Instance":
            map_instance(t, lid, region, mapped)
        elif kind == "AWS::IAM::User":
            map_user(t, lid, mapped)
        elif kind == "AWS::IAM::ManagedPolicy":
            map_managed_policy(t, lid, mapped)
        elif kind == "AWS::IAM::Policy":
            map_policy(t, lid, mapped)
        elif kind in ("AWS::IAM::Role", "AWS::IAM::Group"):
            map_inline_policies(t, lid, mapped)
            mapped.uncovered.append(lid)
        elif kind == "AWS::KMS::Key":
            _kms_key(t, lid, region, mapped)
        elif kind == "AWS::CloudTrail::Trail":
            _trail(t, lid, region, mapped)
        elif kind not in _COMPANIONS:
            mapped.uncovered.append(lid)
    return mapped
