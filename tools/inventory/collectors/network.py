"""VPCs and Elastic IPs.

vpc attributes: cidr, is_default, state, flow_logs (number of active flow logs on the VPC).
elastic_ip attributes: public_ip, domain, association_id, instance_id, network_interface_id
(the last three None when the address is not in use).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict


def collect_vpcs(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    filters = [{"Name": "vpc-id", "Values": [lookup]}] if lookup and lookup.startswith("vpc-") else []
    vpcs: list[dict[str, Any]] = []
    for page in ec2.get_paginator("describe_vpcs").paginate(Filters=filters):
        vpcs.extend(page["Vpcs"])
    if not vpcs:
        return []
    active: dict[str, int] = {}
    for page in ec2.get_paginator("describe_flow_logs").paginate(
        Filters=[{"Name": "resource-id", "Values": [v["VpcId"] for v in vpcs]}]
    ):
        for flow in page["FlowLogs"]:
            if flow.get("FlowLogStatus", "ACTIVE") == "ACTIVE":
                active[flow["ResourceId"]] = active.get(flow["ResourceId"], 0) + 1
    out: list[Resource] = []
    for v in vpcs:
        tags = tags_dict(v.get("Tags"))
        out.append(
            Resource(
                type="vpc",
                id=v["VpcId"],
                name=tags.get("Name") or v["VpcId"],
                region=region,
                arn=f"arn:aws:ec2:{region}:{v.get('OwnerId', aws.account_id)}:vpc/{v['VpcId']}",
                attributes={
                    "cidr": v.get("CidrBlock"),
                    "is_default": bool(v.get("IsDefault")),
                    "state": v.get("State"),
                    "flow_logs": active.get(v["VpcId"], 0),
                },
                tags=tags,
            )
        )
    return out


def collect_addresses(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    out: list[Resource] = []
    for a in ec2.describe_addresses().get("Addresses", []):
        ident = a.get("AllocationId") or a.get("PublicIp", "")
        tags = tags_dict(a.get("Tags"))
        out.append(
            Resource(
                type="elastic_ip",
                id=ident,
                name=tags.get("Name") or a.get("PublicIp") or ident,
                region=region,
                arn=f"arn:aws:ec2:{region}:{aws.account_id}:elastic-ip/{ident}",
                attributes={
                    "public_ip": a.get("PublicIp"),
                    "domain": a.get("Domain"),
                    # moto reports "" rather than leaving the keys out.
                    "association_id": a.get("AssociationId") or None,
                    "instance_id": a.get("InstanceId") or None,
                    "network_interface_id": a.get("NetworkInterfaceId") or None,
                },
                tags=tags,
            )
        )
    return out


def collect_subnets(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """subnet attributes: vpc_id, cidr, availability_zone, map_public_ip_on_launch, default_for_az."""
    assert region is not None
    ec2 = aws.client("ec2", region)
    filters = [{"Name": "subnet-id", "Values": [lookup]}] if lookup and lookup.startswith("subnet-") else []
    out: list[Resource] = []
    for page in ec2.get_paginator("describe_subnets").paginate(Filters=filters):
        for s in page["Subnets"]:
            tags = tags_dict(s.get("Tags"))
            out.append(
                Resource(
                    type="subnet",
                    id=s["SubnetId"],
                    name=tags.get("Name") or s["SubnetId"],
                    region=region,
                    arn=s.get("SubnetArn"),
                    attributes={
                        "vpc_id": s.get("VpcId"),
                        "cidr": s.get("CidrBlock"),
                        "availability_zone": s.get("AvailabilityZone"),
                        "map_public_ip_on_launch": bool(s.get("MapPublicIpOnLaunch")),
                        "default_for_az": bool(s.get("DefaultForAz")),
                    },
                    tags=tags,
                )
            )
    return out


def nacl_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inbound entries, lowest rule number first: {rule_number, action, protocol, from_port,
    to_port, cidr} (ports None for every port)."""
    out = []
    for e in entries:
        if e.get("Egress"):
            continue
        ports = e.get("PortRange") or {}
        protocol = str(e.get("Protocol", "-1")).lower()
        every = protocol in ("-1", "all")
        out.append(
            {
                "rule_number": int(e.get("RuleNumber", 0)),
                "action": str(e.get("RuleAction", "")).lower(),
                "protocol": protocol,
                "from_port": None if every else ports.get("From"),
                "to_port": None if every else ports.get("To"),
                "cidr": e.get("CidrBlock") or e.get("Ipv6CidrBlock"),
            }
        )
    return sorted(out, key=lambda e: e["rule_number"])


_ACL_NOT_FOUND = frozenset({"InvalidNetworkAclID.NotFound", "InvalidRouteTableID.NotFound"})


def collect_network_acls(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    """network_acl attributes: vpc_id, is_default, subnets (associated subnet ids), ingress
    (inbound entries as `nacl_entries` gives them)."""
    assert region is not None
    ec2 = aws.client("ec2", region)
    # By id rather than a network-acl-id filter, which moto's server does not implement.
    ids = {"NetworkAclIds": [lookup]} if lookup and lookup.startswith("acl-") else {}
    acls: list[dict[str, Any]] = []
    try:
        for page in ec2.get_paginator("describe_network_acls").paginate(**ids):
            acls.extend(page["NetworkAcls"])
    except ClientError as exc:
        # An unknown id is "not found" (moto names it InvalidRouteTableID.NotFound).
        if not ids or exc.response["Error"]["Code"] not in _ACL_NOT_FOUND:
            raise
    out: list[Resource] = []
    for acl in acls:
        tags = tags_dict(acl.get("Tags"))
        owner = acl.get("OwnerId", aws.account_id)
        out.append(
            Resource(
                type="network_acl",
                id=acl["NetworkAclId"],
                name=tags.get("Name") or acl["NetworkAclId"],
                region=region,
                arn=f"arn:aws:ec2:{region}:{owner}:network-acl/{acl['NetworkAclId']}",
                attributes={
                    "vpc_id": acl.get("VpcId"),
                    "is_default": bool(acl.get("IsDefault")),
                    "subnets": [a["SubnetId"] for a in acl.get("Associations", []) if a.get("SubnetId")],
                    "ingress": nacl_entries(acl.get("Entries", [])),
                },
                tags=tags,
            )
        )
    return out
