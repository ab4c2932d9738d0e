"""Network templates: VPC with public and private subnets, a web security group."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from tools.iac import yamlout
from tools.iac.catalogue.aws import (
    assume_role_cfn,
    assume_role_document,
    cfn_document,
    cfn_output,
    cfn_tags,
    cmk_cfn,
    cmk_tf,
    data,
    output,
    policy_statement,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import NAME_PATTERN, AwsParams, Template, aws_common, first_name, pick
from tools.iac.features import Features
from tools.iac.hcl import interp, ref
from tools.iac.model import IacFormat

WORLD = ("0.0.0.0/0", "::/0")
ADMIN_PORTS = {22: "SSH", 3389: "RDP"}


def _check_cidr(value: str, low: int = 8, high: int = 32) -> str:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid network CIDR ({exc})") from exc
    if not low <= net.prefixlen <= high:
        raise ValueError(f"{value} must be between /{low} and /{high}")
    return value


# -- VPC -------------------------------------------------------------------------------------------
class VpcParams(AwsParams):
    name: str = Field(default="main", pattern=NAME_PATTERN)
    cidr: str = "10.0.0.0/16"
    az_count: int = Field(default=2, ge=1, le=4)
    nat: Literal["single", "per_az", "none"] = "single"
    flow_log_days: int = Field(default=90, ge=1, le=3653)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        # AWS allows /16 to /28; leave room for two subnets per zone.
        return _check_cidr(v, 16, 24)


def _vpc_extract(f: Features) -> dict[str, Any]:
    nat = None
    if f.has(r"\b(?:no|without)\s+nat\b"):
        nat = "none"
    elif f.has(
        r"\bnat\s+(?:gateway\s+)?(?:per|in\s+each|for\s+each)\s+(?:az|zone|availability)|\bone\s+nat\s+per\b|\bhighly\s+available\s+nat\b"
    ):
        nat = "per_az"
    return pick(
        name=first_name(f, "vpc", "network"),
        cidr=f.cidrs[0] if f.cidrs else None,
        az_count=f.count("az", "zone"),
        nat=nat,
        **aws_common(f),
    )


def _subnet_bits(cidr: str) -> int:
    return min(8, 28 - ipaddress.ip_network(cidr).prefixlen)


def _vpc_tf(p: VpcParams) -> str:
    bits = _subnet_bits(p.cidr)
    nat_count = {"single": "1", "per_az": "var.az_count", "none": "0"}[p.nat]
    blocks = tf_header(p) + [
        variable("name", "string", p.name, "Name prefix of the network resources."),
        variable("cidr", "string", p.cidr, "IPv4 range of the VPC."),
        variable(
            "az_count",
            "number",
            p.az_count,
            "Number of availability zones (one public and one private subnet each).",
        ),
        data("aws_availability_zones", "available", ("state", "available")),
        resource(
            "aws_vpc",
            "this",
            ("cidr_block", ref("var.cidr")),
            ("enable_dns_support", True),
            ("enable_dns_hostnames", True),
            ("tags", {"Name": ref("var.name")}),
        ),
        # No rules at all: the default security group denies everything, so nothing uses it by accident.
        resource("aws_default_security_group", "this", ("vpc_id", ref("aws_vpc.this.id"))),
        resource(
            "aws_subnet",
            "public",
            ("count", ref("var.az_count")),
            ("vpc_id", ref("aws_vpc.this.id")),
            ("cidr_block", ref(f"cidrsubnet(var.cidr, {bits}, count.index)")),
            ("availability_zone", ref("data.aws_availability_zones.available.names[count.index]")),
            ("map_public_ip_on_launch", False),
            ("tags", {"Name": interp("${var.name}-public-${count.index}"), "Tier": "public"}),
        ),
        resource(
            "aws_subnet",
            "private",
            ("count", ref("var.az_count")),
            ("vpc_id", ref("aws_vpc.this.id")),
            ("cidr_block", ref(f"cidrsubnet(var.cidr, {bits}, count.index + var.az_count)")),
            ("availability_zone", ref("data.aws_availability_zones.available.names[count.index]")),
            ("tags", {"Name": interp("${var.name}-private-${count.index}"), "Tier": "private"}),
        ),
        resource(
            "aws_internet_gateway",
            "this",
            ("vpc_id", ref("aws_vpc.this.id")),
            ("tags", {"Name": ref("var.name")}),
        ),
        resource(
            "aws_route_table",
            "public",
            ("vpc_id", ref("aws_vpc.this.id")),
            ("tags", {"Name": interp("${var.name}-public")}),
        ),
        resource(
            "aws_route",
            "public_internet",
            ("route_table_id", ref("aws_route_table.public.id")),
            ("destination_cidr_block", "0.0.0.0/0"),
            ("gateway_id", ref("aws_internet_gateway.this.id")),
        ),
        resource(
            "aws_route_table_association",
            "public",
            ("count", ref("var.az_count")),
            ("subnet_id", ref("aws_subnet.public[count.index].id")),
            ("route_table_id", ref("aws_route_table.public.id")),
        ),
        resource(
            "aws_route_table",
            "private",
            ("count", ref("var.az_count")),
            ("vpc_id", ref("aws_vpc.this.id")),
            ("tags", {"Name": interp("${var.name}-private-${count.index}")}),
        ),
        resource(
            "aws_route_table_association",
            "private",
            ("count", ref("var.az_count")),
            ("subnet_id", ref("aws_subnet.private[count.index].id")),
            ("route_table_id", ref("aws_route_table.private[count.index].id")),
        ),
    ]
    if p.nat != "none":
        nat_index = "0" if p.nat == "single" else "count.index"
        blocks += [
            resource(
                "aws_eip",
                "nat",
                ("count", ref(nat_count)),
                ("domain", "vpc"),
                ("tags", {"Name": interp("${var.name}-nat-${count.index}")}),
            ),
            resource(
                "aws_nat_gateway",
                "this",
                ("count", ref(nat_count)),
                ("allocation_id", ref("aws_eip.nat[count.index].id")),
                ("subnet_id", ref("aws_subnet.public[count.index].id")),
                ("tags", {"Name": interp("${var.name}-nat-${count.index}")}),
                ("depends_on", [ref("aws_internet_gateway.this")]),
            ),
            resource(
                "aws_route",
                "private_nat",
                ("count", ref("var.az_count")),
                ("route_table_id", ref("aws_route_table.private[count.index].id")),
                ("destination_cidr_block", "0.0.0.0/0"),
                ("nat_gateway_id", ref(f"aws_nat_gateway.this[{nat_index}].id")),
            ),
        ]
    blocks += [
        *cmk_tf("flow_logs", "Encrypts the VPC flow logs", logs=True),
        resource(
            "aws_cloudwatch_log_group",
            "flow_logs",
            ("name", interp("/vpc/${var.name}/flow-logs")),
            ("retention_in_days", p.flow_log_days),
            ("kms_key_id", ref("aws_kms_key.flow_logs.arn")),
        ),
        assume_role_document("flow_logs_assume", "vpc-flow-logs.amazonaws.com"),
        data(
            "aws_iam_policy_document",
            "flow_logs",
            policy_statement(
                "WriteFlowLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                [interp("${aws_cloudwatch_log_group.flow_logs.arn}:*")],
            ),
        ),
        resource(
            "aws_iam_role",
            "flow_logs",
            ("name_prefix", interp("${var.name}-flow-logs-")),
            ("assume_role_policy", ref("data.aws_iam_policy_document.flow_logs_assume.json")),
        ),
        resource(
            "aws_iam_role_policy",
            "flow_logs",
            ("role", ref("aws_iam_role.flow_logs.id")),
            ("policy", ref("data.aws_iam_policy_document.flow_logs.json")),
        ),
        resource(
            "aws_flow_log",
            "this",
            ("vpc_id", ref("aws_vpc.this.id")),
            ("traffic_type", "ALL"),
            ("log_destination", ref("aws_cloudwatch_log_group.flow_logs.arn")),
            ("iam_role_arn", ref("aws_iam_role.flow_logs.arn")),
        ),
        output("vpc_id", "aws_vpc.this.id", "ID of the VPC."),
        output("public_subnet_ids", "aws_subnet.public[*].id", "IDs of the public subnets."),
        output("private_subnet_ids", "aws_subnet.private[*].id", "IDs of the private subnets."),
    ]
    return tf_document(f"VPC {p.name}: public and private subnets in {p.az_count} availability zones", blocks)


def _vpc_cfn(p: VpcParams) -> str:
    n = p.az_count
    bits = _subnet_bits(p.cidr)
    cidrs = yamlout.cidr(
        yamlout.get_att("VPC", "CidrBlock"), 2 * n, 32 - ipaddress.ip_network(p.cidr).prefixlen - bits
    )
    r: dict[str, Any] = {
        "VPC": {
            "Type": "AWS::EC2::VPC",
            "Properties": {
                "CidrBlock": yamlout.ref("VpcCidr"),
                "EnableDnsSupport": True,
                "EnableDnsHostnames": True,
                "Tags": cfn_tags(yamlout.ref("Name")),
            },
        },
        "InternetGateway": {
            "Type": "AWS::EC2::InternetGateway",
            "Properties": {"Tags": cfn_tags(yamlout.ref("Name"))},
        },
        "GatewayAttachment": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": yamlout.ref("VPC"), "InternetGatewayId": yamlout.ref("InternetGateway")},
        },
        "PublicRouteTable": {
            "Type": "AWS::EC2::RouteTable",
            "Properties": {"VpcId": yamlout.ref("VPC"), "Tags": cfn_tags(yamlout.sub("${Name}-public"))},
        },
        "PublicRoute": {
            "Type": "AWS::EC2::Route",
            "DependsOn": "GatewayAttachment",
            "Properties": {
                "RouteTableId": yamlout.ref("PublicRouteTable"),
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": yamlout.ref("InternetGateway"),
            },
        },
    }
    for i in range(n):
        az = yamlout.select(i, yamlout.get_azs())
        for tier, offset in (("Public", 0), ("Private", n)):
            r[f"{tier}Subnet{i}"] = {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": yamlout.ref("VPC"),
                    "AvailabilityZone": az,
                    "CidrBlock": yamlout.select(i + offset, cidrs),
                    "MapPublicIpOnLaunch": False,
                    "Tags": cfn_tags(yamlout.sub(f"${{Name}}-{tier.lower()}-{i}")),
                },
            }
        r[f"PublicSubnet{i}RouteTableAssociation"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {
                "SubnetId": yamlout.ref(f"PublicSubnet{i}"),
                "RouteTableId": yamlout.ref("PublicRouteTable"),
            },
        }
        r[f"PrivateRouteTable{i}"] = {
            "Type": "AWS::EC2::RouteTable",
            "Properties": {
                "VpcId": yamlout.ref("VPC"),
                "Tags": cfn_tags(yamlout.sub(f"${{Name}}-private-{i}")),
            },
        }
        r[f"PrivateSubnet{i}RouteTableAssociation"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {
                "SubnetId": yamlout.ref(f"PrivateSubnet{i}"),
                "RouteTableId": yamlout.ref(f"PrivateRouteTable{i}"),
            },
        }
    nat_count = {"single": 1, "per_az": n, "none": 0}[p.nat]
    for i in range(nat_count):
        r[f"NatEip{i}"] = {
            "Type": "AWS::EC2::EIP",
            "DependsOn": "GatewayAttachment",
            "Properties": {"Domain": "vpc", "Tags": cfn_tags(yamlout.sub(f"${{Name}}-nat-{i}"))},
        }
        r[f"NatGateway{i}"] = {
            "Type": "AWS::EC2::NatGateway",
            "Properties": {
                "AllocationId": yamlout.get_att(f"NatEip{i}", "AllocationId"),
                "SubnetId": yamlout.ref(f"PublicSubnet{i}"),
                "Tags": cfn_tags(yamlout.sub(f"${{Name}}-nat-{i}")),
            },
        }
    for i in range(n if nat_count else 0):
        r[f"PrivateRoute{i}"] = {
            "Type": "AWS::EC2::Route",
            "Properties": {
                "RouteTableId": yamlout.ref(f"PrivateRouteTable{i}"),
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": yamlout.ref(f"NatGateway{i if nat_count > 1 else 0}"),
            },
        }
    r["FlowLogKey"] = cmk_cfn("Encrypts the VPC flow logs", logs=True)
    r["FlowLogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": yamlout.sub("/vpc/${Name}/flow-logs"),
            "RetentionInDays": p.flow_log_days,
            "KmsKeyId": yamlout.get_att("FlowLogKey", "Arn"),
        },
    }
    r["FlowLogRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": assume_role_cfn("vpc-flow-logs.amazonaws.com"),
            "Policies": [
                {
                    "PolicyName": "write-flow-logs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": yamlout.sub("${FlowLogGroup.Arn}:*"),
                            }
                        ],
                    },
                }
            ],
        },
    }
    r["FlowLog"] = {
        "Type": "AWS::EC2::FlowLog",
        "Properties": {
            "ResourceId": yamlout.ref("VPC"),
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": yamlout.ref("FlowLogGroup"),
            "DeliverLogsPermissionArn": yamlout.get_att("FlowLogRole", "Arn"),
        },
    }
    outputs = {
        "VpcId": cfn_output(yamlout.ref("VPC"), "ID of the VPC."),
        "PublicSubnetIds": cfn_output(
            yamlout.join(",", [yamlout.ref(f"PublicSubnet{i}") for i in range(n)]),
            "IDs of the public subnets.",
        ),
        "PrivateSubnetIds": cfn_output(
            yamlout.join(",", [yamlout.ref(f"PrivateSubnet{i}") for i in range(n)]),
            "IDs of the private subnets.",
        ),
    }
    params = {
        "Name": {"Type": "String", "Default": p.name, "Description": "Name prefix of the network resources."},
        "VpcCidr": {"Type": "String", "Default": p.cidr, "Description": "IPv4 range of the VPC."},
    }
    return cfn_document(
        p, f"VPC with public and private subnets in {n} availability zones.", params, r, outputs
    )


def _vpc_render(p: VpcParams, fmt: IacFormat) -> str:
    return _vpc_tf(p) if fmt == "terraform" else _vpc_cfn(p)


VPC = Template(
    id="vpc",
    title="VPC with public and private subnets",
    formats=("terraform", "cloudformation"),
    params=VpcParams,
    patterns=(
        (r"\bvpc\b", 1.0),
        (r"\bsubnets?\b", 0.6),
        (r"\b(?:network|networking)\b", 0.4),
        (r"\bnat\b", 0.3),
    ),
    extract=_vpc_extract,
    render=_vpc_render,
    design=(
        "One public and one private subnet per availability "
        "zone; public subnets don't give instances public IPs.",
        "Private subnets reach the internet through a NAT gateway (one shared by default, one per zone "
        "when asked, for zone-failure tolerance).",
        "The default security group has no rules, so nothing can use it by accident (CIS 5.4).",
        "VPC flow logs go to CloudWatch Logs (encrypted with a customer-managed key) with a role that can "
        "write only to that log group.",
    ),
    examples=("a VPC with public and private subnets in 3 AZs",),
    variants=(
        {"name": "prod", "cidr": "10.20.0.0/16", "az_count": 3, "nat": "per_az", "region": "eu-central-1"},
        {"cidr": "172.16.0.0/20", "az_count": 1, "nat": "none"},
    ),
)


# -- Security group --------------------------------------------------------------------------------
class SecurityGroupParams(AwsParams):
    name: str = Field(default="web", pattern=NAME_PATTERN)
    # Ports open to the internet (web traffic).
    public_ports: list[int] = Field(default_factory=lambda: [443])
    # Admin access (SSH) only from this range, never from the internet.
    ssh_cidr: str | None = None

    @field_validator("public_ports")
    @classmethod
    def _ports(cls, ports: list[int]) -> list[int]:
        for port in ports:
            if not 1 <= port <= 65535:
                raise ValueError(f"port {port} is out of range")
            if port in ADMIN_PORTS:
                raise ValueError(
                    f"{ADMIN_PORTS[port]} (port {port}) is never opened to the internet; give an office/VPN "
                    "range as ssh_cidr, or use SSM Session Manager instead"
                )
        return sorted(set(ports))

    @field_validator("ssh_cidr")
    @classmethod
    def _ssh(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if v in WORLD or ipaddress.ip_network(v, strict=False).prefixlen == 0:
            raise ValueError(
                "SSH from 0.0.0.0/0 is never generated: give your "
                "office or VPN range, or use SSM Session Manager"
            )
        return _check_cidr(v, 8, 32)

    @model_validator(mode="after")
    def _something_open(self) -> SecurityGroupParams:
        if not self.public_ports and not self.ssh_cidr:
            raise ValueError("nothing to allow: give public_ports or ssh_cidr")
        return self


def _sg_extract(f: Features) -> dict[str, Any]:
    ports = [p for p in f.ports if p not in ADMIN_PORTS]
    if f.has(r"\bhttps?\b") and not ports:
        ports = ([80] if f.has(r"\bhttp\b") else []) + (
            [443] if f.has(r"\bhttps\b") or not f.has(r"\bhttp\b") else []
        )
    ssh = None
    if f.has(r"\bssh\b|\bport\s+22\b"):
        ssh = next(
            (c for c in f.cidrs),
            "0.0.0.0/0" if f.has(r"anywhere|0\.0\.0\.0/0|everyone|internet|world") else None,
        )
    # An admin-only group opens no web port: the [443] default is for a request that names none at all.
    public = ports if ports or ssh else None
    return pick(name=first_name(f, "group", "sg"), public_ports=public, ssh_cidr=ssh, **aws_common(f))


def _sg_render(p: SecurityGroupParams, fmt: IacFormat) -> str:
    rules = [(port, "0.0.0.0/0", f"HTTPS/HTTP from the internet (port {port})") for port in p.public_ports]
    if p.ssh_cidr:
        rules.append((22, p.ssh_cidr, "SSH from the admin network only"))
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("vpc_id", "string", None, "VPC the security group belongs to."),
            resource(
                "aws_security_group",
                "this",
                ("name", p.name),
                ("description", f"{p.name}: managed by CloudPilot"),
                ("vpc_id", ref("var.vpc_id")),
                ("tags", {"Name": p.name}),
            ),
        ]
        for port, cidr, why in rules:
            label = f"port_{port}"
            blocks.append(
                resource(
                    "aws_vpc_security_group_ingress_rule",
                    label,
                    ("security_group_id", ref("aws_security_group.this.id")),
                    ("description", why),
                    ("ip_protocol", "tcp"),
                    ("from_port", port),
                    ("to_port", port),
                    ("cidr_ipv4", cidr),
                )
            )
        blocks += [
            resource(
                "aws_vpc_security_group_egress_rule",
                "all_out",
                ("security_group_id", ref("aws_security_group.this.id")),
                ("description", "All outbound traffic"),
                ("ip_protocol", "-1"),
                ("cidr_ipv4", "0.0.0.0/0"),
            ),
            output("security_group_id", "aws_security_group.this.id", "ID of the security group."),
        ]
        return tf_document(f"Security group {p.name}", blocks)
    ingress = [
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": cidr, "Description": why}
        for port, cidr, why in rules
    ]
    return cfn_document(
        p,
        f"Security group {p.name}.",
        {"VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "VPC the security group belongs to."}},
        {
            "SecurityGroup": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupName": p.name,
                    "GroupDescription": f"{p.name}: managed by CloudPilot",
                    "VpcId": yamlout.ref("VpcId"),
                    "SecurityGroupIngress": ingress,
                    "SecurityGroupEgress": [
                        {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "All outbound traffic"}
                    ],
                    "Tags": cfn_tags(p.name),
                },
            }
        },
        {
            "SecurityGroupId": cfn_output(
                yamlout.get_att("SecurityGroup", "GroupId"), "ID of the security group."
            )
        },
    )


SECURITY_GROUP = Template(
    id="security_group",
    title="Security group for a web server (no SSH from the internet)",
    formats=("terraform", "cloudformation"),
    params=SecurityGroupParams,
    patterns=((r"\bsecurity\s+groups?\b|\bsg\b", 1.0), (r"\b(?:firewall|ingress\s+rules?|inbound)\b", 0.6)),
    extract=_sg_extract,
    render=_sg_render,
    design=(
        "Only web ports are open to the internet; SSH is allowed from a given admin range or not at all "
        "(SSM Session Manager needs no inbound port).",
        "One aws_vpc_security_group_ingress_rule per rule (the "
        "current provider style), each with a description.",
    ),
    examples=("a security group allowing https from anywhere and ssh from 10.0.0.0/8",),
    variants=({"name": "api", "public_ports": [80, 443], "ssh_cidr": "10.0.0.0/8"},),
)
