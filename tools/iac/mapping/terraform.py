"""Terraform resources -> normalised Resources.

Companion resources are joined to their parent the way the provider joins them: an
aws_s3_bucket_public_access_block whose `bucket` refers to aws_s3_bucket.logs (or names the
same literal bucket) configures that bucket; an aws_vpc_security_group_ingress_rule whose
`security_group_id` refers to aws_security_group.web adds an ingress entry to it. Arguments
left out take the provider's default (a bucket without a versioning resource is unversioned).

This module maps S3, RDS, KMS and CloudTrail and dispatches every resource to its mapper; EC2/VPC
and IAM live in `terraform_network` and `terraform_iam`.
"""

from __future__ import annotations

from typing import Any

from tools.iac.mapping import fields
from tools.iac.mapping.common import GROUP_GRANTEES, Mapped, acl_grants, as_list, kms_attributes, truthy
from tools.iac.mapping.terraform_iam import (
    IAM_COMPANIONS,
    INLINE_POLICIES,
    map_inline_policy,
    map_managed_policy,
    map_role,
    map_user,
)
from tools.iac.mapping.terraform_network import (
    NETWORK_COMPANIONS,
    map_eip,
    map_instance,
    map_security_group,
    map_volume,
    map_vpc,
)
from tools.iac.mapping.terraform_values import first, linked, literal, policy_document, refers_to, tags
from tools.iac.validate.terraform import TfBlock, TfDoc, reference_target

PAB_KEYS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")

# Resource types whose settings are read into a parent resource (so they are not "uncovered").
_COMPANIONS = (
    frozenset(
        {
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_acl",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_logging",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_notification",
            "aws_s3_bucket_cors_configuration",
            "aws_s3_bucket_website_configuration",
            "aws_kms_alias",
        }
    )
    | NETWORK_COMPANIONS
    | IAM_COMPANIONS
)


# -- S3 --------------------------------------------------------------------------------------------
def _acl_from_resource(doc: TfDoc, body: dict[str, Any]) -> list[dict[str, Any]]:
    if "acl" in body:
        return acl_grants(literal(doc, body["acl"]))
    grants: list[dict[str, Any]] = []
    policy = first(body.get("access_control_policy"))
    for grant in as_list(policy.get("grant")):
        grantee = first(grant.get("grantee")) if isinstance(grant, dict) else {}
        uri = str(grantee.get("uri", ""))
        name = GROUP_GRANTEES.get(uri) or grantee.get("id") or grantee.get("email_address") or "?"
        grants.append(
            {"grantee": name, "grantee_type": grantee.get("type", ""), "permission": grant.get("permission")}
        )
    return grants


def _bucket(doc: TfDoc, b: TfBlock, region: str, mapped: Mapped) -> None:
    body = b.body
    name = literal(doc, body.get("bucket")) or b.address
    inline_sse = first(first(body.get("server_side_encryption_configuration")).get("rule"))
    attrs: dict[str, Any] = {
        "acl_grants": acl_grants(literal(doc, body.get("acl"))),
        "policy": policy_document(doc, body["policy"]) if "policy" in body else None,
        "public_access_block": dict.fromkeys(PAB_KEYS, False),
        "encryption": first(inline_sse.get("apply_server_side_encryption_by_default")).get("sse_algorithm")
        if inline_sse
        else None,
        "versioning": "Enabled" if truthy(first(body.get("versioning")).get("enabled")) else None,
        "logging": None,
        "created": None,
    }
    for other in doc.resources:
        if other.type not in _COMPANIONS or not refers_to(doc, other.body.get("bucket"), b, name):
            continue
        ob = other.body
        if other.type == "aws_s3_bucket_public_access_block":
            attrs["public_access_block"] = {k: truthy(doc.resolve(ob.get(k))) for k in PAB_KEYS}
        elif other.type == "aws_s3_bucket_server_side_encryption_configuration":
            rule = first(ob.get("rule"))
            algorithm = first(rule.get("apply_server_side_encryption_by_default")).get("sse_algorithm")
            attrs["encryption"] = literal(doc, algorithm)
        elif other.type == "aws_s3_bucket_versioning":
            attrs["versioning"] = literal(doc, first(ob.get("versioning_configuration")).get("status"))
        elif other.type == "aws_s3_bucket_acl":
            attrs["acl_grants"] = _acl_from_resource(doc, ob)
        elif other.type == "aws_s3_bucket_policy":
            attrs["policy"] = policy_document(doc, ob.get("policy"))
        elif other.type == "aws_s3_bucket_logging":
            target = reference_target(ob.get("target_bucket")) or literal(doc, ob.get("target_bucket"))
            attrs["logging"] = {
                "target_bucket": target,
                "target_prefix": literal(doc, ob.get("target_prefix")),
            }
    mapped.add("s3_bucket", id=b.address, name=name, region=region, attributes=attrs, tags=tags(doc, body))


# -- RDS -------------------------------------------------------------------------------------------
def _db_instance(doc: TfDoc, db: TfBlock, region: str, mapped: Mapped) -> None:
    b = {k: doc.resolve(v) for k, v in db.body.items()}
    name = literal(doc, b.get("identifier")) or db.address
    attrs = {
        **fields.read(fields.RDS_INSTANCE, b, "terraform"),
        "status": "creating",
        "endpoint": None,
        "vpc_security_groups": as_list(b.get("vpc_security_group_ids")),
    }
    mapped.add(
        "rds_instance", id=db.address, name=name, region=region, attributes=attrs, tags=tags(doc, db.body)
    )


# -- KMS and CloudTrail ----------------------------------------------------------------------------
def _kms_key(doc: TfDoc, key: TfBlock, region: str, mapped: Mapped) -> None:
    b = key.body
    aliases = [
        literal(doc, a.body.get("name")) or a.address
        for a in linked(doc, "aws_kms_alias", "target_key_id", key)
    ]
    attrs = kms_attributes(
        truthy(doc.resolve(b.get("enable_key_rotation"))),
        policy_document(doc, b["policy"]) if "policy" in b else None,
        literal(doc, b.get("customer_master_key_spec")),
        literal(doc, b.get("description")),
        aliases,
    )
    mapped.add(
        "kms_key",
        id=key.address,
        name=aliases[0] if aliases else key.address,
        region=region,
        attributes=attrs,
    )


def _trail(doc: TfDoc, trail: TfBlock, region: str, mapped: Mapped) -> None:
    b = {k: doc.resolve(v) for k, v in trail.body.items()}
    bucket_ref = reference_target(trail.body.get("s3_bucket_name"))
    logging: bool | None = None
    bucket = next((x for x in doc.by_type("aws_s3_bucket") if x.address == bucket_ref), None)
    if bucket is not None:
        logging = bool(linked(doc, "aws_s3_bucket_logging", "bucket", bucket))
    attrs = {
        **fields.read(fields.CLOUDTRAIL_TRAIL, b, "terraform"),
        "home_region": region,
        "s3_bucket": bucket_ref or b.get("s3_bucket_name"),
        "bucket_access_logging": logging,
    }
    name = literal(doc, trail.body.get("name")) or trail.address
    mapped.add(
        "cloudtrail_trail",
        id=trail.address,
        name=name,
        region=region,
        attributes=attrs,
        tags=tags(doc, trail.body),
    )


def map_terraform(doc: TfDoc, default_region: str) -> Mapped:
    region = doc.region() or default_region
    mapped = Mapped()
    for block in doc.resources:
        kind = block.type
        if kind == "aws_s3_bucket":
            _bucket(doc, block, region, mapped)
        elif kind in ("aws_security_group", "aws_default_security_group"):
            map_security_group(doc, block, region, mapped)
        elif kind == "aws_vpc":
            map_vpc(doc, block, region, mapped)
        elif kind == "aws_eip":
            map_eip(doc, block, region, mapped)
        elif kind == "aws_db_instance":
            _db_instance(doc, block, region, mapped)
        elif kind == "aws_ebs_volume":
            map_volume(doc, block, region, mapped)
        elif kind == "aws_instance":
            map_instance(doc, block, region, mapped)
        elif kind == "aws_iam_user":
            map_user(doc, block, mapped)
        elif kind == "aws_iam_policy":
            map_managed_policy(doc, block, mapped)
        elif kind in INLINE_POLICIES:
            map_inline_policy(doc, block, mapped)
        elif kind == "aws_kms_key":
            _kms_key(doc, block, region, mapped)
        elif kind == "aws_cloudtrail":
            _trail(doc, block, region, mapped)
        elif kind == "aws_iam_role" and block.body.get("inline_policy"):
            map_role(doc, block, mapped)
            mapped.uncovered.append(block.address)
        elif kind not in _COMPANIONS:
            mapped.uncovered.append(block.address)
    return mapped
