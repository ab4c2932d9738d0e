"""Network building blocks: VPCs with their subnets, gateways and routes, security groups,
flow logs, and the default VPC and default security group AWS creates in every region."""

from __future__ import annotations

from typing import Any, NamedTuple

from sandbox.seeding.account import SeedAccount, tags


def world(port: int, *, v4: bool = True, v6: bool = False, desc: str = "") -> dict[str, Any]:
    """An ingress permission open to the whole internet (IPv4, IPv6 or both)."""
    perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if v4:
        perm["IpRanges"] = [{"CidrIp": "0.0.0.0/0", "Description": desc}]
    if v6:
        perm["Ipv6Ranges"] = [{"CidrIpv6": "::/0", "Description": desc}]
    return perm


def from_group(port: int, group_id: str, desc: str) -> dict[str, Any]:
    """An ingress permission for members of another security group only."""
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "UserIdGroupPairs": [{"GroupId": group_id, "Description": desc}],
    }


class Vpc(NamedTuple):
    id: str
    # The public subnets (one per zone asked for, the first in zone "a") and the private one.
    public: list[str]
    private: str
    # The default network ACL AWS gives the VPC.
    default_acl: str


def vpc(
    a: SeedAccount,
    region: str,
    name: str,
    cidr: str,
    env: str,
    *,
    public_zones: tuple[str, ...] = ("a",),
    auto_public_ip: bool = False,
    open_default_acl: bool = False,
) -> Vpc:
    """A VPC with public subnets (routed to an internet gateway) and one private subnet.

    `auto_public_ip` makes the public subnets give every instance a public IPv4 address;
    `open_default_acl` leaves the default network ACL as AWS creates it (all traffic from
    anywhere) instead of limiting its inbound rule to the VPC's own range.
    """
    ec2 = a.client("ec2", region)
    octets = cidr.split(".")
    vpc_id = ec2.create_vpc(
        CidrBlock=cidr,
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": tags(name, env, "platform", "platform@acme.example")}
        ],
    )["Vpc"]["VpcId"]
    a.add("vpc", vpc_id, name, region)
    layout = [("public", az) for az in public_zones] + [("private", "b")]
    subnets = []
    for i, (kind, az) in enumerate(layout, start=1):
        sub_name = f"{name}-{kind}-{az}"
        sub = ec2.create_subnet(
            VpcId=vpc_id,
            CidrBlock=f"{octets[0]}.{octets[1]}.{i}.0/24",
            AvailabilityZone=f"{region}{az}",
            TagSpecifications=[
                {
                    "ResourceType": "subnet",
                    "Tags": tags(sub_name, env, "platform", "platform@acme.example"),
                }
            ],
        )["Subnet"]["SubnetId"]
        if kind == "public" and auto_public_ip:
            ec2.modify_subnet_attribute(SubnetId=sub, MapPublicIpOnLaunch={"Value": True})
        subnets.append(a.add("subnet", sub, sub_name, region))
    igw = ec2.create_internet_gateway(
        TagSpecifications=[
            {
                "ResourceType": "internet-gateway",
                "Tags": tags(f"{name}-igw", env, "platform", "platform@acme.example"),
            }
        ]
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    a.add("internet_gateway", igw, f"{name}-igw", region)
    rtb = ec2.create_route_table(
        VpcId=vpc_id,
        TagSpecifications=[
            {
                "ResourceType": "route-table",
                "Tags": tags(f"{name}-public-rt", env, "platform", "platform@acme.example"),
            }
        ],
    )["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for public in subnets[:-1]:
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=public)
    a.add("route_table", rtb, f"{name}-public-rt", region)
    acl = default_acl(a, region, vpc_id)
    if not open_default_acl:
        limit_default_acl(a, region, acl, cidr)
    a.add("network_acl", acl, f"{name}-default-acl", region)
    return Vpc(vpc_id, subnets[:-1], subnets[-1], acl)


def default_acl(a: SeedAccount, region: str, vpc_id: str) -> str:
    acls = a.client("ec2", region).describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    return str(acls[0]["NetworkAclId"])


def limit_default_acl(a: SeedAccount, region: str, acl_id: str, cidr: str) -> None:
    """Replace the default ACL's "all traffic from anywhere" inbound rule with the VPC's own range
    (security groups still decide what the internet reaches)."""
    a.client("ec2", region).replace_network_acl_entry(
        NetworkAclId=acl_id, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock=cidr
    )


def public_acl(a: SeedAccount, region: str, vpc_id: str, name: str, env: str) -> str:
    """A network ACL for web-facing subnets: SSH and RDP from the internet denied first, then HTTPS,
    HTTP and the ephemeral ports of return traffic allowed."""
    ec2 = a.client("ec2", region)
    acl = ec2.create_network_acl(
        VpcId=vpc_id,
        TagSpecifications=[
            {"ResourceType": "network-acl", "Tags": tags(name, env, "platform", "platform@acme.example")}
        ],
    )["NetworkAcl"]["NetworkAclId"]
    for number, action, low, high in (
        (90, "deny", 22, 22),
        (91, "deny", 3389, 3389),
        (100, "allow", 443, 443),
        (110, "allow", 80, 80),
        (120, "allow", 1024, 65535),
    ):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol="6",
            RuleAction=action,
            Egress=False,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": low, "To": high},
        )
    return a.add("network_acl", acl, name, region)


def security_group(
    a: SeedAccount,
    region: str,
    vpc_id: str,
    name: str,
    desc: str,
    ingress: list[dict[str, Any]],
    env: str,
    team: str,
) -> str:
    ec2 = a.client("ec2", region)
    sg = ec2.create_security_group(
        GroupName=name,
        Description=desc,
        VpcId=vpc_id,
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": tags(name, env, team, f"{team}@acme.example")}
        ],
    )["GroupId"]
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=ingress)
    return a.add("security_group", sg, name, region)


def default_vpc_baseline(a: SeedAccount, region: str, *, flow_logs_bucket: str) -> None:
    """The default VPC AWS creates in every region: give it flow logs and an empty default group,
    limit its default network ACL to the VPC's range, and stop its subnets from handing out
    public addresses."""
    ec2 = a.client("ec2", region)
    for default in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        flow_logs(a, region, default["VpcId"], flow_logs_bucket)
        close_default_group(a, region, default["VpcId"])
        limit_default_acl(a, region, default_acl(a, region, default["VpcId"]), default["CidrBlock"])
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default["VpcId"]]}])["Subnets"]
        for sub in subnets:
            if sub.get("MapPublicIpOnLaunch"):
                ec2.modify_subnet_attribute(SubnetId=sub["SubnetId"], MapPublicIpOnLaunch={"Value": False})


def close_default_group(a: SeedAccount, region: str, vpc_id: str) -> None:
    ec2 = a.client("ec2", region)
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    for g in groups:
        if g.get("IpPermissions"):
            ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
        if g.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])


def default_group(a: SeedAccount, region: str, vpc_id: str) -> str:
    groups = a.client("ec2", region).describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"])


def flow_logs(a: SeedAccount, region: str, vpc_id: str, bucket: str) -> None:
    created = a.client("ec2", region).create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{bucket}",
    )
    if created.get("Unsuccessful"):
        raise RuntimeError(f"flow log for {vpc_id} not created: {created['Unsuccessful']}")
