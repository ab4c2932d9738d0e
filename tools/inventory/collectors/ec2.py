"""EC2 instances and security groups.

security_group attributes: group_name, description, vpc_id, ingress and egress (one entry per
source or destination: {protocol, from_port, to_port, cidr, source_group, description}).
ec2_instance attributes: instance_type, state, image_id, vpc_id, subnet_id, availability_zone,
private_ip, public_ip, security_groups, volumes, launch_time, http_tokens ("required" when only
IMDSv2 is allowed, "optional"), http_endpoint ("enabled"/"disabled"), iam_instance_profile (ARN),
monitoring ("enabled" for detailed monitoring, "disabled"), internet_ingress (the ingress entries of
its security groups that admit 0.0.0.0/0 or ::/0, each with its `group`; None when the groups could
not be read).
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.exposure import WORLD_CIDRS
from tools.inventory.resources import Resource, tags_dict


def _id_filter(lookup: str | None, prefix: str, filter_name: str) -> list[dict[str, Any]]:
    # Only an id can be filtered server-side; names are matched by the caller.
    if lookup and lookup.startswith(prefix):
        return [{"Name": filter_name, "Values": [lookup]}]
    return []


def flatten_ingress(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for perm in permissions:
        base = {
            "protocol": str(perm.get("IpProtocol", "-1")).lower(),
            "from_port": perm.get("FromPort"),
            "to_port": perm.get("ToPort"),
        }
        if base["protocol"] in ("-1", "all"):
            base["from_port"] = base["to_port"] = None
        for r in perm.get("IpRanges", []):
            entries.append(
                {**base, "cidr": r["CidrIp"], "source_group": None, "description": r.get("Description", "")}
            )
        for r in perm.get("Ipv6Ranges", []):
            entries.append(
                {**base, "cidr": r["CidrIpv6"], "source_group": None, "description": r.get("Description", "")}
            )
        for pair in perm.get("UserIdGroupPairs", []):
            entries.append(
                {
                    **base,
                    "cidr": None,
                    "source_group": pair.get("GroupId"),
                    "description": pair.get("Description", ""),
                }
            )
        for pl in perm.get("PrefixListIds", []):
            entries.append(
                {
                    **base,
                    "cidr": None,
                    "source_group": None,
                    "prefix_list": pl.get("PrefixListId"),
                    "description": pl.get("Description", ""),
                }
            )
    return entries


def security_group_resource(group: dict[str, Any], region: str) -> Resource:
    tags = tags_dict(group.get("Tags"))
    return Resource(
        type="security_group",
        id=group["GroupId"],
        name=tags.get("Name") or group.get("GroupName", group["GroupId"]),
        region=region,
        arn=f"arn:aws:ec2:{region}:{group.get('OwnerId', '')}:security-group/{group['GroupId']}",
        attributes={
            "group_name": group.get("GroupName", ""),
            "description": group.get("Description", ""),
            "vpc_id": group.get("VpcId"),
            "ingress": flatten_ingress(group.get("IpPermissions", [])),
            "egress": flatten_ingress(group.get("IpPermissionsEgress", [])),
        },
        tags=tags,
    )


def collect_security_groups(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    out: list[Resource] = []
    for page in ec2.get_paginator("describe_security_groups").paginate(
        Filters=_id_filter(lookup, "sg-", "group-id")
    ):
        out.extend(security_group_resource(g, region) for g in page["SecurityGroups"])
    return out


def _instance_resource(
    inst: dict[str, Any], region: str, owner: str, groups: dict[str, list[dict[str, Any]]] | None = None
) -> Resource:
    tags = tags_dict(inst.get("Tags"))
    metadata = inst.get("MetadataOptions") or {}
    return Resource(
        type="ec2_instance",
        id=inst["InstanceId"],
        name=tags.get("Name", inst["InstanceId"]),
        region=region,
        arn=f"arn:aws:ec2:{region}:{owner}:instance/{inst['InstanceId']}",
        attributes={
            "instance_type": inst.get("InstanceType"),
            "state": inst.get("State", {}).get("Name"),
            "image_id": inst.get("ImageId"),
            "vpc_id": inst.get("VpcId"),
            "subnet_id": inst.get("SubnetId"),
            "availability_zone": inst.get("Placement", {}).get("AvailabilityZone"),
            "private_ip": inst.get("PrivateIpAddress"),
            "public_ip": inst.get("PublicIpAddress"),
            "security_groups": [g["GroupId"] for g in inst.get("SecurityGroups", [])],
            "volumes": [m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if "Ebs" in m],
            "launch_time": inst["LaunchTime"].isoformat() if inst.get("LaunchTime") else None,
            "http_tokens": metadata.get("HttpTokens"),
            "http_endpoint": metadata.get("HttpEndpoint"),
            "iam_instance_profile": (inst.get("IamInstanceProfile") or {}).get("Arn"),
            "monitoring": (inst.get("Monitoring") or {}).get("State"),
            "internet_ingress": None
            if groups is None
            else [
                {**entry, "group": g["GroupId"]}
                for g in inst.get("SecurityGroups", [])
                for entry in groups.get(g["GroupId"], [])
                if entry.get("cidr") in WORLD_CIDRS
            ],
        },
        tags=tags,
    )


def collect_instances(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    ec2 = aws.client("ec2", region)
    out: list[Resource] = []
    found: list[tuple[dict[str, Any], str]] = []
    for page in ec2.get_paginator("describe_instances").paginate(
        Filters=_id_filter(lookup, "i-", "instance-id")
    ):
        for reservation in page["Reservations"]:
            owner = reservation.get("OwnerId", "")
            found.extend((i, owner) for i in reservation["Instances"])
    if not found:
        return out
    # The groups' ingress, read once per region, tells which instances the internet reaches.
    wanted = sorted({g["GroupId"] for i, _ in found for g in i.get("SecurityGroups", [])})
    groups: dict[str, list[dict[str, Any]]] = {}
    if wanted:
        filters = [{"Name": "group-id", "Values": wanted}] if len(wanted) <= 200 else []
        for page in ec2.get_paginator("describe_security_groups").paginate(Filters=filters):
            for g in page["SecurityGroups"]:
                groups[g["GroupId"]] = flatten_ingress(g.get("IpPermissions", []))
    out.extend(_instance_resource(i, region, owner, groups) for i, owner in found)
    return out
