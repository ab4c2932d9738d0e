"""Terraform EC2 and VPC resources -> normalised Resources: security groups (with their separate
rule resources), VPCs, Elastic IPs, instances and EBS volumes."""

from __future__ import annotations

from typing import Any

from tools.iac.mapping.common import Mapped, as_int, as_list, rule_entry, truthy
from tools.iac.mapping.terraform_values import first, literal, refers_to, tags
from tools.iac.validate.terraform import TfBlock, TfDoc, reference_target

_SG_RULES = (
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
)
# Read into the security group, VPC or Elastic IP they belong to.
NETWORK_COMPANIONS = frozenset({*_SG_RULES, "aws_flow_log", "aws_eip_association"})


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


def map_security_group(doc: TfDoc, sg: TfBlock, region: str, mapped: Mapped) -> None:
    body = sg.body
    default = sg.type == "aws_default_security_group"
    name = "default" if default else (literal(doc, body.get("name")) or sg.address)
    rules: dict[str, list[dict[str, Any]]] = {"ingress": [], "egress": []}
    for direction in rules:
        for rule in as_list(body.get(direction)):
            if isinstance(rule, dict):
                r = {k: doc.resolve(v) for k, v in rule.items()}
                rules[direction] += _entries(
                    doc, r.get("protocol"), r.get("from_port"), r.get("to_port"), r.get("description"), r
                )
    for other in doc.resources:
        if other.type not in _SG_RULES:
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
        "description": literal(doc, body.get("description")) or "Managed by Terraform",
        "vpc_id": reference_target(body.get("vpc_id")) or literal(doc, body.get("vpc_id")),
        "ingress": rules["ingress"],
        "egress": rules["egress"],
    }
    mapped.add(
        "security_group", id=sg.address, name=name, region=region, attributes=attrs, tags=tags(doc, body)
    )


def map_vpc(doc: TfDoc, vpc: TfBlock, region: str, mapped: Mapped) -> None:
    flows = [f for f in doc.by_type("aws_flow_log") if refers_to(doc, f.body.get("vpc_id"), vpc)]
    attrs = {
        "cidr": literal(doc, vpc.body.get("cidr_block")),
        "is_default": False,
        "state": "pending",
        "flow_logs": len(flows),
    }
    name = tags(doc, vpc.body).get("Name") or vpc.address
    mapped.add("vpc", id=vpc.address, name=name, region=region, attributes=attrs, tags=tags(doc, vpc.body))


def map_eip(doc: TfDoc, eip: TfBlock, region: str, mapped: Mapped) -> None:
    body = eip.body
    users = [
        n.address for n in doc.by_type("aws_nat_gateway") if refers_to(doc, n.body.get("allocation_id"), eip)
    ]
    users += [
        a.address
        for a in doc.by_type("aws_eip_association")
        if refers_to(doc, a.body.get("allocation_id"), eip)
    ]
    instance = body.get("instance")
    interface = body.get("network_interface")
    attrs = {
        "public_ip": None,
        "domain": literal(doc, body.get("domain")) or "vpc",
        "association_id": users[0] if users else None,
        "instance_id": reference_target(instance) or instance,
        "network_interface_id": reference_target(interface) or interface,
    }
    mapped.add(
        "elastic_ip",
        id=eip.address,
        name=tags(doc, body).get("Name") or eip.address,
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


def map_volume(doc: TfDoc, volume: TfBlock, region: str, mapped: Mapped) -> None:
    mapped.add(
        "ebs_volume",
        id=volume.address,
        name=tags(doc, volume.body).get("Name") or volume.address,
        region=region,
        attributes=_volume_attrs(doc, volume.body, volume.body.get("availability_zone"), []),
        tags=tags(doc, volume.body),
    )


def map_instance(doc: TfDoc, inst: TfBlock, region: str, mapped: Mapped) -> None:
    b = inst.body
    name = tags(doc, b).get("Name") or inst.address
    metadata = first(b.get("metadata_options"))
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
        "http_tokens": literal(doc, metadata.get("http_tokens")) or "optional",
        "http_endpoint": literal(doc, metadata.get("http_endpoint")) or "enabled",
        "iam_instance_profile": b.get("iam_instance_profile"),
    }
    mapped.add("ec2_instance", id=inst.address, name=name, region=region, attributes=attrs, tags=tags(doc, b))
    devices = [("root", first(b.get("root_block_device")))]
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
