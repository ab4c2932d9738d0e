"""VPCs and Elastic IPs.

vpc attributes: cidr, is_default, state, flow_logs (number of active flow logs on the VPC).
elastic_ip attributes: public_ip, domain, association_id, instance_id, network_interface_id
(the last three None when the address is not in use).
"""

from __future__ import annotations

from typing import Any

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
