"""Terraform resources -> normalised Resources.

Companion resources are joined to their parent the way the provider joins them: an
aws_s3_bucket_public_access_block whose `bucket` refers to aws_s3_bucket.logs (or names the
same literal bucket) configures that bucket; an aws_vpc_security_group_ingress_rule whose
`security_group_id` refers to aws_security_group.web adds an ingress entry to it. Arguments
left out take the provider's default (a bucket without a versioning resource is unversioned).
"""

from __future__ import annotations

from typing import Any

from tools.iac.mapping import fields
from tools.iac.mapping.common import (
    GROUP_GRANTEES,
    Mapped,
    acl_grants,
    as_int,
    as_list,
    kms_attributes,
    rule_entry,
    truthy,
)
from tools.iac.validate.terraform import TfBlock, TfDoc, jsonencode_object, reference_target

PAB_KEYS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")

# Resource types whose settings are read into a parent resource (so they are not "uncovered").
_COMPANIONS = frozenset(
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
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_iam_user_login_profile",
        "aws_iam_access_key",
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_flow_log",
        "aws_eip_association",
        "aws_kms_alias",
    }
)
_ATTACHMENTS = (
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
)
_INLINE_POLICIES = {
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}


def _literal(doc: TfDoc, value: Any) -> str | None:
    value = doc.resolve(value)
    if isinstance(value, str) and "${" not in value:
        return value
    return None


def _first(value: Any) -> dict[str, Any]:
    items = as_list(value)
    return items[0] if items and isinstance(items[0], dict) else {}


def _refers_to(doc: TfDoc, value: Any, parent: TfBlock, parent_name: str | None = None) -> bool:
    if reference_target(value) == parent.address:
        return True
    literal = _literal(doc, value)
    return literal is not None and parent_name is not None and literal == parent_name


def _linked(
    doc: TfDoc, kind: str, attr: str, parent: TfBlock, parent_name: str | None = None
) -> list[TfBlock]:
    return [o for o in doc.by_type(kind) if _refers_to(doc, o.body.get(attr), parent, parent_name)]


def _tags(doc: TfDoc, body: dict[str, Any]) -> dict[str, str]:
    tags = body.get("tags")
    if not isinstance(tags, dict):
        return {}
    return {str(k): str(doc.resolve(v)) for k, v in tags.items()}


def policy_document(doc: TfDoc, value: Any) -> dict[str, Any] | None:
    """A policy argument as IAM JSON: jsonencode({...}), a JSON string, or a policy document data source."""
    target = value if isinstance(value, str) else None
    prefix = "${data.aws_iam_policy_document."
    if target and target.startswith(prefix):
        name = target[len(prefix) :].split(".")[0]
        source = next((d for d in doc.data if d.type == "aws_iam_policy_document" and d.name == name), None)
        return _document_from_data(doc, source.body) if source else None
    found = jsonencode_object(doc.resolve(value))
    return found if isinstance(found, dict) else None


def _document_from_data(doc: TfDoc, body: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for st in as_list(body.get("statement")):
        if not isinstance(st, dict):
            continue
        out: dict[str, Any] = {"Effect": doc.resolve(st.get("effect", "Allow"))}
        if "actions" in st:
            out["Action"] = doc.resolve(st["actions"])
        if "resources" in st:
            out["Resource"] = doc.resolve(st["resources"])
        principals: dict[str, list[Any]] = {}
        for p in as_list(st.get("principals")):
            if isinstance(p, dict):
                principals.setdefault(str(p.get("type")), []).extend(
                    as_list(doc.resolve(p.get("identifiers")))
                )
        if principals:
            if set(principals) == {"*"}:
                out["Principal"] = "*"
            else:
                out["Principal"] = {k: v[0] if len(v) == 1 else v for k, v in principals.items()}
        conditions: dict[str, dict[str, Any]] = {}
        for c in as_list(st.get("condition")):
            if isinstance(c, dict):
                conditions.setdefault(str(c.get("test")), {})[str(c.get("variable"))] = c.get("values")
        if conditions:
            out["Condition"] = conditions
        statements.append(out)
    return {"Version": "2012-10-17", "Statement": statements}


# -- S3 --------------------------------------------------------------------------------------------
def _acl_from_resource(doc: TfDoc, body: dict[str, Any]) -> list[dict[str, Any]]:
    if "acl" in body:
        return acl_grants(_literal(doc, body["acl"]))
    grants: list[dict[str, Any]] = []
    policy = _first(body.get("access_control_policy"))
    for grant in as_list(policy.get("grant")):
        grantee = _first(grant.get("grantee")) if isinstance(grant, dict) else {}
        uri = str(grantee.get("uri", ""))
        name = GROUP_GRANTEES.get(uri) or grantee.get("id") or grantee.get("email_address") or "?"
        grants.append(
            {"grantee": name, "grantee_type": grantee.get("type", ""), "permission": grant.get("permission")}
        )
    return grants


def _bucket(doc: TfDoc, b: TfBlock, region: str, mapped: Mapped) -> None:
    body = b.body
    name = _literal(doc, body.get("bucket")) or b.address
    inline_sse = _first(_first(body.get("server_side_encryption_configuration")).get("rule"))
    attrs: dict[str, Any] = {
        "acl_grants": acl_grants(_literal(doc, body.get("acl"))),
        "policy": policy_document(doc, body["policy"]) if "policy" in body else None,
        "public_access_block": dict.fromkeys(PAB_KEYS, False),
        "encryption": _first(inline_sse.get("apply_server_side_encryption_by_default")).get("sse_algorithm")
        if inline_sse
        else None,
        "versioning": "Enabled" if truthy(_first(body.get("versioning")).get("enabled")) else None,
        "logging": None,
        "created": None,
    }
    for other in doc.resources:
        if other.type not in _COMPANIONS or not _refers_to(doc, other.body.get("bucket"), b, name):
            continue
        ob = other.body
        if other.type == "aws_s3_bucket_public_access_block":
            attrs["public_access_block"] = {k: truthy(doc.resolve(ob.get(k))) for k in PAB_KEYS}
        elif other.type == "aws_s3_bucket_server_side_encryption_configuration":
            rule = _first(ob.get("rule"))
            algorithm = _first(rule.get("apply_server_side_encryption_by_default")).get("sse_algorithm")
            attrs["encryption"] = _literal(doc, algorithm)
        elif other.type == "aws_s3_bucket_versioning":
            attrs["versioning"] = _literal(doc, _first(ob.get("versioning_configuration")).get("status"))
        elif other.type == "aws_s3_bucket_acl":
            attrs["acl_grants"] = _acl_from_resource(doc, ob)
        elif other.type == "aws_s3_bucket_policy":
            attrs["policy"] = policy_document(doc, ob.get("policy"))
        elif other.type == "aws_s3_bucket_logging":
            target = reference_target(ob.get("target_bucket")) or _literal(doc, ob.get("target_bucket"))
            attrs["logging"] = {
                "target_bucket": target,
                "target_prefix": _literal(doc, ob.get("target_prefix")),
            }
    mapped.add("s3_bucket", id=b.address, name=name, region=region, attributes=attrs, tags=_tags(doc, body))


# -- EC2 and VPC -----------------------------------------------------------------------------------
def _entries(
    doc: TfDoc, proto: Any, low: Any, high: Any, desc: Any, rule: dict[str, Any]
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for key in ("cidr_blocks", "ipv6_cidr_blocks"):
        for cidr in as_list(doc.resolve(rule.get(key))):
            entries.append(rule_entry(proto, low, high, desc, cidr=doc.resolve(cidr)))
    for key in ("cidr_ipv4", "cidr_ipv6"):
        if rule.get(key) is not None:
            entries.append(rule_entry(proto, low, high, desc, cidr=doc.resolve(rule[key])))
    for key in ("security_groups", "source_security_group_id", "referenced_security_group_id"):
        for group in as_list(rule.get(key)):
            entries.append(rule_entry(proto, low, high, desc, source_group=reference_target(group) or group))
    for key in ("prefix_list_ids", "prefix_list_id"):
        for pl in as_list(rule.get(key)):
            entries.append({**rule_entry(proto, low, high, desc), "prefix_list": pl})
    if truthy(rule.get("self")):
        entries.append(rule_entry(proto, low, high, desc, source_group="self"))
    return entries


def _security_group(doc: TfDoc, sg: TfBlock, region: str, mapped: Mapped) -> None:
    body = sg.body
    default = sg.type == "aws_default_security_group"
    name = "default" if default else (_literal(doc, body.get("name")) or sg.address)
    rules: dict[str, list[dict[str, Any]]] = {"ingress": [], "egress": []}
    for direction in rules:
        for rule in as_list(body.get(direction)):
            if isinstance(rule, dict):
                r = {k: doc.resolve(v) for k, v in rule.items()}
                rules[direction] += _entries(
                    doc, r.get("protocol"), r.get("from_port"), r.get("to_port"), r.get("description"), r
                )
    for other in doc.resources:
        if other.type not in (
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
        ):
            continue
        if reference_target(other.body.get("security_group_id")) != sg.address:
            continue
        r = {k: doc.resolve(v) for k, v in other.body.items()}
        if other.type == "aws_security_group_rule":
            direction = "ingress" if r.get("type") == "ingress" else "egress"
            rules[direction] += _entries(
                doc, r.get("protocol"), r.get("from_port"), r.get("to_port"), r.get("description"), r
            )
        else:
            direction = "ingress" if other.type.endswith("ingress_rule") else "egress"
            rules[direction] += _entries(
                doc, r.get("ip_protocol"), r.get("from_port"), r.get("to_port"), r.get("description"), r
            )
    attrs = {
        "group_name": name,
        "description": _literal(doc, body.get("description")) or "Managed by Terraform",
        "vpc_id": reference_target(body.get("vpc_id")) or _literal(doc, body.get("vpc_id")),
        "ingress": rules["ingress"],
        "egress": rules["egress"],
    }
    mapped.add(
        "security_group", id=sg.address, name=name, region=region, attributes=attrs, tags=_tags(doc, body)
    )


def _vpc(doc: TfDoc, vpc: TfBlock, region: str, mapped: Mapped) -> None:
    flows = [f for f in doc.by_type("aws_flow_log") if _refers_to(doc, f.body.get("vpc_id"), vpc)]
    attrs = {
        "cidr": _literal(doc, vpc.body.get("cidr_block")),
        "is_default": False,
        "state": "pending",
        "flow_logs": len(flows),
    }
    name = _tags(doc, vpc.body).get("Name") or vpc.address
    mapped.add("vpc", id=vpc.address, name=name, region=region, attributes=attrs, tags=_tags(doc, vpc.body))


def _eip(doc: TfDoc, eip: TfBlock, region: str, mapped: Mapped) -> None:
    body = eip.body
    users = [
        n.address for n in doc.by_type("aws_nat_gateway") if _refers_to(doc, n.body.get("allocation_id"), eip)
    ]
    users += [
        a.address
        for a in doc.by_type("aws_eip_association")
        if _refers_to(doc, a.body.get("allocation_id"), eip)
    ]
    instance = body.get("instance")
    interface = body.get("network_interface")
    attrs = {
        "public_ip": None,
        "domain": _literal(doc, body.get("domain")) or "vpc",
        "association_id": users[0] if users else None,
        "instance_id": reference_target(instance) or instance,
        "network_interface_id": reference_target(interface) or interface,
    }
    mapped.add(
        "elastic_ip",
        id=eip.address,
        name=_tags(doc, body).get("Name") or eip.address,
        region=region,
        attributes=attrs,
    )


def _volume_attrs(doc: TfDoc, spec: dict[str, Any], az: Any, attached: list[str]) -> dict[str, Any]:
    return {
        "encrypted": truthy(doc.resolve(spec.get("encrypted"))),
        "kms_key_id": spec.get("kms_key_id"),
        "size_gb": as_int(doc.resolve(spec.get("size", spec.get("volume_size")))),
        "volume_type": doc.resolve(spec.get("type", spec.get("volume_type"))) or "gp3",
        "state": "creating",
        "availability_zone": az,
        "attached_to": attached,
        "snapshot_id": spec.get("snapshot_id"),
        "created": None,
    }


def _instance(doc: TfDoc, inst: TfBlock, region: str, mapped: Mapped) -> None:
    b = inst.body
    name = _tags(doc, b).get("Name") or inst.address
    metadata = _first(b.get("metadata_options"))
    attrs = {
        "instance_type": doc.resolve(b.get("instance_type")),
        "state": "pending",
        "image_id": b.get("ami"),
        "vpc_id": None,
        "subnet_id": b.get("subnet_id"),
        "availability_zone": b.get("availability_zone"),
        "private_ip": None,
        "public_ip": "assigned at launch"
        if truthy(doc.resolve(b.get("associate_public_ip_address")))
        else None,
        "security_groups": as_list(b.get("vpc_security_group_ids")),
        "volumes": [],
        "launch_time": None,
        # The provider leaves IMDS at the AMI/account default, which still allows IMDSv1.
        "http_tokens": _literal(doc, metadata.get("http_tokens")) or "optional",
        "http_endpoint": _literal(doc, metadata.get("http_endpoint")) or "enabled",
        "iam_instance_profile": b.get("iam_instance_profile"),
    }
    mapped.add(
        "ec2_instance", id=inst.address, name=name, region=region, attributes=attrs, tags=_tags(doc, b)
    )
    devices = [("root", _first(b.get("root_block_device")))]
    devices += [
        (str(d.get("device_name", "ebs")), d)
        for d in as_list(b.get("ebs_block_device"))
        if isinstance(d, dict)
    ]
    for label, spec in devices:
        mapped.add(
            "ebs_volume",
            id=f"{inst.address}:{label}",
            name=f"{name} {label} volume",
            region=region,
            attributes=_volume_attrs(doc, spec, b.get("availability_zone"), [inst.address]),
        )


# -- RDS -------------------------------------------------------------------------------------------
def _db_instance(doc: TfDoc, db: TfBlock, region: str, mapped: Mapped) -> None:
    b = {k: doc.resolve(v) for k, v in db.body.items()}
    name = _literal(doc, b.get("identifier")) or db.address
    attrs = {
        **fields.read(fields.RDS_INSTANCE, b, "terraform"),
        "status": "creating",
        "endpoint": None,
        "vpc_security_groups": as_list(b.get("vpc_security_group_ids")),
    }
    mapped.add(
        "rds_instance", id=db.address, name=name, region=region, attributes=attrs, tags=_tags(doc, db.body)
    )


# -- IAM -------------------------------------------------------------------------------------------
def _user(doc: TfDoc, user: TfBlock, mapped: Mapped) -> None:
    name = _literal(doc, user.body.get("name")) or user.address
    attached = [a.address for a in _linked(doc, "aws_iam_user_policy_attachment", "user", user, name)]
    attached += [
        a.address
        for a in doc.by_type("aws_iam_policy_attachment")
        if any(_refers_to(doc, u, user, name) for u in as_list(a.body.get("users")))
    ]
    attrs = {
        "console_access": bool(_linked(doc, "aws_iam_user_login_profile", "user", user, name)),
        "mfa_devices": 0,
        "active_access_keys": len(_linked(doc, "aws_iam_access_key", "user", user, name)),
        "access_keys": [],
        "attached_policies": attached,
        "inline_policies": [p.address for p in _linked(doc, "aws_iam_user_policy", "user", user, name)],
        "created": None,
        "password_last_used": None,
        "path": _literal(doc, user.body.get("path")) or "/",
    }
    mapped.add(
        "iam_user", id=user.address, name=name, region="global", attributes=attrs, tags=_tags(doc, user.body)
    )


def _managed_policy(doc: TfDoc, policy: TfBlock, mapped: Mapped) -> None:
    attachments = 0
    for kind in _ATTACHMENTS:
        for a in doc.by_type(kind):
            if _refers_to(doc, a.body.get("policy_arn"), policy):
                attachments += (
                    1
                    if kind != "aws_iam_policy_attachment"
                    else max(1, sum(len(as_list(a.body.get(k))) for k in ("users", "roles", "groups")))
                )
    name = _literal(doc, policy.body.get("name")) or policy.address
    attrs = {
        "document": policy_document(doc, policy.body.get("policy")),
        "attachment_count": attachments,
        "path": _literal(doc, policy.body.get("path")) or "/",
        "default_version": "v1",
    }
    mapped.add(
        "iam_policy",
        id=policy.address,
        name=name,
        region="global",
        attributes=attrs,
        tags=_tags(doc, policy.body),
    )


def _inline_policy(doc: TfDoc, policy: TfBlock, mapped: Mapped) -> None:
    # An inline policy is attached to exactly its one identity.
    owner = _INLINE_POLICIES[policy.type]
    attrs = {
        "document": policy_document(doc, policy.body.get("policy")),
        "attachment_count": 1,
        "path": "/",
        "default_version": "v1",
        "inline_of": reference_target(policy.body.get(owner)) or _literal(doc, policy.body.get(owner)),
    }
    name = _literal(doc, policy.body.get("name")) or policy.address
    mapped.add("iam_policy", id=policy.address, name=name, region="global", attributes=attrs)


def _role(doc: TfDoc, role: TfBlock, mapped: Mapped) -> None:
    """A role's inline_policy blocks are policies attached to it; the role itself has no rule."""
    for i, block in enumerate(as_list(role.body.get("inline_policy"))):
        if isinstance(block, dict) and block.get("policy"):
            attrs = {
                "document": policy_document(doc, block.get("policy")),
                "attachment_count": 1,
                "path": "/",
                "default_version": "v1",
                "inline_of": role.address,
            }
            label = _literal(doc, block.get("name")) or f"inline-{i}"
            mapped.add(
                "iam_policy", id=f"{role.address}:{label}", name=label, region="global", attributes=attrs
            )


# -- KMS and CloudTrail ----------------------------------------------------------------------------
def _kms_key(doc: TfDoc, key: TfBlock, region: str, mapped: Mapped) -> None:
    b = key.body
    aliases = [
        _literal(doc, a.body.get("name")) or a.address
        for a in _linked(doc, "aws_kms_alias", "target_key_id", key)
    ]
    attrs = kms_attributes(
        truthy(doc.resolve(b.get("enable_key_rotation"))),
        policy_document(doc, b["policy"]) if "policy" in b else None,
        _literal(doc, b.get("customer_master_key_spec")),
        _literal(doc, b.get("description")),
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
        logging = bool(_linked(doc, "aws_s3_bucket_logging", "bucket", bucket))
    attrs = {
        **fields.read(fields.CLOUDTRAIL_TRAIL, b, "terraform"),
        "home_region": region,
        "s3_bucket": bucket_ref or b.get("s3_bucket_name"),
        "bucket_access_logging": logging,
    }
    name = _literal(doc, trail.body.get("name")) or trail.address
    mapped.add(
        "cloudtrail_trail",
        id=trail.address,
        name=name,
        region=region,
        attributes=attrs,
        tags=_tags(doc, trail.body),
    )


def map_terraform(doc: TfDoc, default_region: str) -> Mapped:
    region = doc.region() or default_region
    mapped = Mapped()
    for block in doc.resources:
        kind = block.type
        if kind == "aws_s3_bucket":
            _bucket(doc, block, region, mapped)
        elif kind in ("aws_security_group", "aws_default_security_group"):
            _security_group(doc, block, region, mapped)
        elif kind == "aws_vpc":
            _vpc(doc, block, region, mapped)
        elif kind == "aws_eip":
            _eip(doc, block, region, mapped)
        elif kind == "aws_db_instance":
            _db_instance(doc, block, region, mapped)
        elif kind == "aws_ebs_volume":
            mapped.add(
                "ebs_volume",
                id=block.address,
                name=_tags(doc, block.body).get("Name") or block.address,
                region=region,
                attributes=_volume_attrs(doc, block.body, block.body.get("availability_zone"), []),
                tags=_tags(doc, block.body),
            )
        elif kind == "aws_instance":
            _instance(doc, block, region, mapped)
        elif kind == "aws_iam_user":
            _user(doc, block, mapped)
        elif kind == "aws_iam_policy":
            _managed_policy(doc, block, mapped)
        elif kind in _INLINE_POLICIES:
            _inline_policy(doc, block, mapped)
        elif kind == "aws_kms_key":
            _kms_key(doc, block, region, mapped)
        elif kind == "aws_cloudtrail":
            _trail(doc, block, region, mapped)
        elif kind == "aws_iam_role" and block.body.get("inline_policy"):
            _role(doc, block, mapped)
            mapped.uncovered.append(block.address)
        elif kind not in _COMPANIONS:
            mapped.uncovered.append(block.address)
    return mapped
