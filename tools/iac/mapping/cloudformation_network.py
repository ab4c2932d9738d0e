"""CloudFormation EC2 and VPC resources -> normalised Resources: security groups (with their
separate ingress/egress resources), VPCs, Elastic IPs, instances and EBS volumes."""

from __future__ import annotations

from typing import Any

from tools.iac.mapping.cloudformation_template import Template
from tools.iac.mapping.common import Mapped, as_int, as_list, rule_entry, truthy

# Read into the security group, VPC or Elastic IP they belong to.
NETWORK_COMPANIONS = frozenset(
    {
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::FlowLog",
        "AWS::EC2::EIPAssociation",
    }
)


def _rules(t: Template, rule: dict[str, Any], egress: bool = False) -> list[dict[str, Any]]:
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


def map_security_group(t: Template, lid: str, region: str, mapped: Mapped) -> None:
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
    mapped.add("security_group", id=lid, name=name, region=region, attributes=attrs, tags=t.tags(p))


def map_vpc(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    attrs = {
        "cidr": t.literal(p.get("CidrBlock")),
        "is_default": False,
        "state": "pending",
        "flow_logs": len(t.pointing_at("AWS::EC2::FlowLog", "ResourceId", lid)),
    }
    mapped.add(
        "vpc", id=lid, name=t.tags(p).get("Name") or lid, region=region, attributes=attrs, tags=t.tags(p)
    )


def map_eip(t: Template, lid: str, region: str, mapped: Mapped) -> None:
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


def _volume_attrs(t: Template, spec: dict[str, Any], az: Any, attached: list[str]) -> dict[str, Any]:
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


def _metadata(t: Template, launch: Any) -> tuple[str, str]:
    """(http_tokens, http_endpoint) from the launch template the instance uses."""
    target = t.target(launch.get("LaunchTemplateId")) if isinstance(launch, dict) else None
    if target and target in t.resources:
        data = t.props(target).get("LaunchTemplateData") or {}
        options = data.get("MetadataOptions") or {}
        return t.literal(options.get("HttpTokens")) or "optional", t.literal(
            options.get("HttpEndpoint")
        ) or "enabled"
    return "optional", "enabled"


def map_instance(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    name = t.tags(p).get("Name") or lid
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
    mapped.add("ec2_instance", id=lid, name=name, region=region, attributes=attrs, tags=t.tags(p))
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


def map_volume(t: Template, lid: str, region: str, mapped: Mapped) -> None:
    p = t.props(lid)
    mapped.add(
        "ebs_volume",
        id=lid,
        name=t.tags(p).get("Name") or lid,
        region=region,
        attributes=_volume_attrs(t, p, p.get("AvailabilityZone"), []),
        tags=t.tags(p),
    )
