"""CloudFormation resources -> normalised Resources.

Intrinsics are resolved as far as a template alone allows: a Ref to a parameter becomes its
Default, a Ref or GetAtt to a resource names that resource's logical id (used to join an
AWS::S3::BucketPolicy or AWS::EC2::SecurityGroupIngress to its parent). Properties left out
take CloudFormation's default.
"""

from __future__ import annotations

from typing import Any

from tools.iac.mapping import fields
from tools.iac.mapping.common import (
    CFN_CANNED_ACLS,
    Mapped,
    acl_grants,
    as_int,
    as_list,
    kms_attributes,
    rule_entry,
    truthy,
)

_COMPANIONS = frozenset(
    {
        "AWS::S3::BucketPolicy",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::FlowLog",
        "AWS::EC2::EIPAssociation",
        "AWS::IAM::AccessKey",
        "AWS::KMS::Alias",
    }
)


class _Template:
    def __init__(self, template: dict[str, Any]) -> None:
        self.resources: dict[str, dict[str, Any]] = {
            k: v for k, v in (template.get("Resources") or {}).items() if isinstance(v, dict)
        }
        self.parameters: dict[str, Any] = template.get("Parameters") or {}

    def value(self, v: Any) -> Any:
        """Parameter Refs resolved to their Default; other intrinsics left as they are."""
        if isinstance(v, dict) and set(v) == {"Ref"}:
            param = self.parameters.get(str(v["Ref"]))
            if isinstance(param, dict) and "Default" in param:
                return param["Default"]
        return v

    def literal(self, v: Any) -> str | None:
        v = self.value(v)
        return str(v) if isinstance(v, str | int | float) and not isinstance(v, bool) else None

    @staticmethod
    def target(v: Any) -> str | None:
        """The logical id a Ref / GetAtt points at."""
        if isinstance(v, dict):
            if "Ref" in v:
                return str(v["Ref"])
            att = v.get("Fn::GetAtt")
            if isinstance(att, list) and att:
                return str(att[0])
            if isinstance(att, str):
                return att.split(".")[0]
        return None

    def props(self, logical_id: str) -> dict[str, Any]:
        props = self.resources[logical_id].get("Properties")
        return props if isinstance(props, dict) else {}

    def of_type(self, resource_type: str) -> list[str]:
        return [k for k, v in self.resources.items() if v.get("Type") == resource_type]

    def pointing_at(self, resource_type: str, prop: str, logical_id: str) -> list[str]:
        return [o for o in self.of_type(resource_type) if self.target(self.props(o).get(prop)) == logical_id]


def _tags(t: _Template, props: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in as_list(props.get("Tags")):
        if isinstance(tag, dict) and "Key" in tag:
            out[str(tag["Key"])] = str(t.value(tag.get("Value", "")))
    return out


def _bucket(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
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
    mapped.add("s3_bucket", id=lid, name=name, region=region, attributes=attrs, tags=_tags(t, p))


def _rules(t: _Template, rule: dict[str, Any], egress: bool = False) -> list[dict[str, Any]]:
    r = {k: t.value(v) for k, v in rule.items()}
    args = (r.get("IpProtocol"), r.get("FromPort"), r.get("ToPort"), r.get("Description"))
    entries = []
    for key in ("CidrIp", "CidrIpv6"):
        if r.get(key) is not None:
            entries.append(rule_entry(*args, cidr=r[key]))
    sources = (
        ("DestinationSecurityGroupId",) if egress else ("SourceSecurityGroupId", "SourceSecurityGroupName")
    )
    for key in sources:
        if r.get(key) is not None:
            entries.append(rule_entry(*args, source_group=t.target(r[key]) or r[key]))
    for key in ("SourcePrefixListId", "DestinationPrefixListId"):
        if r.get(key) is not None:
            entries.append({**rule_entry(*args), "prefix_list": t.target(r[key]) or r[key]})
    return entries


def _security_group(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    name = t.literal(p.get("GroupName")) or lid
    ingress: list[dict[str, Any]] = []
    egress: list[dict[str, Any]] = []
    for rule in as_list(p.get("SecurityGroupIngress")):
        if isinstance(rule, dict):
            ingress += _rules(t, rule)
    for rule in as_list(p.get("SecurityGroupEgress")):
        if isinstance(rule, dict):
            egress += _rules(t, rule, egress=True)
    for other in t.pointing_at("AWS::EC2::SecurityGroupIngress", "GroupId", lid):
        ingress += _rules(t, t.props(other))
    for other in t.pointing_at("AWS::EC2::SecurityGroupEgress", "GroupId", lid):
        egress += _rules(t, t.props(other), egress=True)
    attrs = {
        "group_name": name,
        "description": t.literal(p.get("GroupDescription")) or "",
        "vpc_id": t.target(p.get("VpcId")) or t.literal(p.get("VpcId")),
        "ingress": ingress,
        "egress": egress,
    }
    mapped.add("security_group", id=lid, name=name, region=region, attributes=attrs, tags=_tags(t, p))


def _vpc(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    attrs = {
        "cidr": t.literal(p.get("CidrBlock")),
        "is_default": False,
        "state": "pending",
        "flow_logs": len(t.pointing_at("AWS::EC2::FlowLog", "ResourceId", lid)),
    }
    mapped.add(
        "vpc", id=lid, name=_tags(t, p).get("Name") or lid, region=region, attributes=attrs, tags=_tags(t, p)
    )


def _eip(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    users = t.pointing_at("AWS::EC2::NatGateway", "AllocationId", lid)
    users += t.pointing_at("AWS::EC2::EIPAssociation", "AllocationId", lid)
    attrs = {
        "public_ip": None,
        "domain": t.literal(p.get("Domain")) or "vpc",
        "association_id": users[0] if users else None,
        "instance_id": t.target(p.get("InstanceId")) or t.literal(p.get("InstanceId")),
        "network_interface_id": None,
    }
    mapped.add("elastic_ip", id=lid, name=lid, region=region, attributes=attrs)


def _db_instance(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
    p = {k: t.value(v) for k, v in t.props(lid).items()}
    name = t.literal(p.get("DBInstanceIdentifier")) or lid
    attrs = {
        **fields.read(fields.RDS_INSTANCE, p, "cloudformation"),
        "status": "creating",
        "endpoint": None,
        "vpc_security_groups": [t.target(g) or g for g in as_list(p.get("VPCSecurityGroups"))],
    }
    mapped.add(
        "rds_instance", id=lid, name=name, region=region, attributes=attrs, tags=_tags(t, t.props(lid))
    )


def _volume_attrs(t: _Template, spec: dict[str, Any], az: Any, attached: list[str]) -> dict[str, Any]:
    return {
        "encrypted": truthy(t.value(spec.get("Encrypted"))),
        "kms_key_id": spec.get("KmsKeyId"),
        "size_gb": as_int(t.value(spec.get("Size", spec.get("VolumeSize")))),
        "volume_type": t.literal(spec.get("VolumeType")) or "gp3",
        "state": "creating",
        "availability_zone": az,
        "attached_to": attached,
        "snapshot_id": spec.get("SnapshotId"),
        "created": None,
    }


def _metadata(t: _Template, launch: Any) -> tuple[str, str]:
    """(http_tokens, http_endpoint) from the launch template the instance uses."""
    target = t.target(launch.get("LaunchTemplateId")) if isinstance(launch, dict) else None
    if target and target in t.resources:
        data = t.props(target).get("LaunchTemplateData") or {}
        options = data.get("MetadataOptions") or {}
        return t.literal(options.get("HttpTokens")) or "optional", t.literal(
            options.get("HttpEndpoint")
        ) or "enabled"
    return "optional", "enabled"


def _instance(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    name = _tags(t, p).get("Name") or lid
    interfaces = [n for n in as_list(p.get("NetworkInterfaces")) if isinstance(n, dict)]
    public = any(truthy(t.value(n.get("AssociatePublicIpAddress"))) for n in interfaces)
    tokens, endpoint = _metadata(t, p.get("LaunchTemplate"))
    attrs = {
        "instance_type": t.value(p.get("InstanceType")),
        "state": "pending",
        "image_id": p.get("ImageId"),
        "vpc_id": None,
        "subnet_id": p.get("SubnetId"),
        "availability_zone": p.get("AvailabilityZone"),
        "private_ip": None,
        "public_ip": "assigned at launch" if public else None,
        "security_groups": as_list(p.get("SecurityGroupIds")),
        "volumes": [],
        "launch_time": None,
        "http_tokens": tokens,
        "http_endpoint": endpoint,
        "iam_instance_profile": p.get("IamInstanceProfile"),
    }
    mapped.add("ec2_instance", id=lid, name=name, region=region, attributes=attrs, tags=_tags(t, p))
    mappings = [m for m in as_list(p.get("BlockDeviceMappings")) if isinstance(m, dict)] or [
        {"DeviceName": "root"}
    ]
    for m in mappings:
        label = str(m.get("DeviceName", "root"))
        mapped.add(
            "ebs_volume",
            id=f"{lid}:{label}",
            name=f"{name} {label} volume",
            region=region,
            attributes=_volume_attrs(t, m.get("Ebs") or {}, p.get("AvailabilityZone"), [lid]),
        )


def _policy(
    lid: str, name: str, document: Any, attachments: int, mapped: Mapped, inline_of: str | None = None
) -> None:
    attrs: dict[str, Any] = {
        "document": document if isinstance(document, dict) else None,
        "attachment_count": attachments,
        "path": "/",
        "default_version": "v1",
    }
    if inline_of:
        attrs["inline_of"] = inline_of
    mapped.add("iam_policy", id=lid, name=name, region="global", attributes=attrs)


def _managed_policy(t: _Template, lid: str, mapped: Mapped) -> None:
    p = t.props(lid)
    attachments = sum(len(as_list(p.get(k))) for k in ("Roles", "Users", "Groups"))
    for kind in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for other in t.of_type(kind):
            arns = as_list(t.props(other).get("ManagedPolicyArns"))
            attachments += sum(1 for arn in arns if t.target(arn) == lid)
    _policy(lid, t.literal(p.get("ManagedPolicyName")) or lid, p.get("PolicyDocument"), attachments, mapped)


def _inline_policies(t: _Template, lid: str, mapped: Mapped) -> list[str]:
    names = []
    for i, entry in enumerate(as_list(t.props(lid).get("Policies"))):
        if isinstance(entry, dict):
            name = t.literal(entry.get("PolicyName")) or f"inline-{i}"
            _policy(f"{lid}:{name}", name, entry.get("PolicyDocument"), 1, mapped, inline_of=lid)
            names.append(name)
    return names


def _user(t: _Template, lid: str, mapped: Mapped) -> None:
    p = t.props(lid)
    name = t.literal(p.get("UserName")) or lid
    attached = [str(t.target(a) or a) for a in as_list(p.get("ManagedPolicyArns"))]
    attached += [
        o
        for o in t.of_type("AWS::IAM::ManagedPolicy") + t.of_type("AWS::IAM::Policy")
        if any(t.target(u) == lid for u in as_list(t.props(o).get("Users")))
    ]
    attrs = {
        "console_access": "LoginProfile" in p,
        "mfa_devices": 0,
        "active_access_keys": len(t.pointing_at("AWS::IAM::AccessKey", "UserName", lid)),
        "access_keys": [],
        "attached_policies": attached,
        "inline_policies": _inline_policies(t, lid, mapped),
        "created": None,
        "password_last_used": None,
        "path": t.literal(p.get("Path")) or "/",
    }
    mapped.add("iam_user", id=lid, name=name, region="global", attributes=attrs, tags=_tags(t, p))


def _kms_key(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
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
        tags=_tags(t, p),
    )


def _trail(t: _Template, lid: str, region: str, mapped: Mapped) -> None:
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
        "cloudtrail_trail", id=lid, name=name, region=region, attributes=attrs, tags=_tags(t, t.props(lid))
    )


def map_cloudformation(template: dict[str, Any], region: str) -> Mapped:
    t = _Template(template)
    mapped = Mapped()
    for lid, res in t.resources.items():
        kind = res.get("Type")
        if kind == "AWS::S3::Bucket":
            _bucket(t, lid, region, mapped)
        elif kind == "AWS::EC2::SecurityGroup":
            _security_group(t, lid, region, mapped)
        elif kind == "AWS::EC2::VPC":
            _vpc(t, lid, region, mapped)
        elif kind == "AWS::EC2::EIP":
            _eip(t, lid, region, mapped)
        elif kind == "AWS::RDS::DBInstance":
            _db_instance(t, lid, region, mapped)
        elif kind == "AWS::EC2::Volume":
            p = t.props(lid)
            mapped.add(
                "ebs_volume",
                id=lid,
                name=_tags(t, p).get("Name") or lid,
                region=region,
                attributes=_volume_attrs(t, p, p.get("AvailabilityZone"), []),
                tags=_tags(t, p),
            )
        elif kind == "AWS::EC2::Instance":
            _instance(t, lid, region, mapped)
        elif kind == "AWS::IAM::User":
            _user(t, lid, mapped)
        elif kind == "AWS::IAM::ManagedPolicy":
            _managed_policy(t, lid, mapped)
        elif kind == "AWS::IAM::Policy":
            p = t.props(lid)
            attachments = sum(len(as_list(p.get(k))) for k in ("Roles", "Users", "Groups"))
            _policy(lid, t.literal(p.get("PolicyName")) or lid, p.get("PolicyDocument"), attachments, mapped)
        elif kind in ("AWS::IAM::Role", "AWS::IAM::Group"):
            _inline_policies(t, lid, mapped)
            mapped.uncovered.append(lid)
        elif kind == "AWS::KMS::Key":
            _kms_key(t, lid, region, mapped)
        elif kind == "AWS::CloudTrail::Trail":
            _trail(t, lid, region, mapped)
        elif kind not in _COMPANIONS:
            mapped.uncovered.append(lid)
    return mapped
