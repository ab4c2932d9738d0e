"""VPC: public and private subnets across two or more AZs, an internet gateway for the public
tier, NAT for the private one (one gateway, or one per AZ when asked), a route table per tier,
the default security group stripped of rules, and flow logs (added by the composition).

Other blocks place themselves in it through `Scene.private_subnets()` / `public_subnets()`."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, ClassVar

from pydantic import Field, field_validator

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Relation, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, interp, ref


class VpcParams(BlockParams):
    name: str = Field(default="main", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
    cidr: str = "10.0.0.0/16"
    azs: int = Field(default=2, ge=2, le=4)
    nat_per_az: bool = False
    nat: bool = True

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        net = ipaddress.ip_network(v, strict=True)
        if not 16 <= net.prefixlen <= 24:
            raise ValueError("the VPC CIDR must be between /16 and /24")
        return v


def _newbits(cidr: str) -> int:
    """Bits added to the VPC prefix for each subnet: /16 -> /20, /24 -> /27 (room for 8 or more)."""
    prefix = ipaddress.ip_network(cidr).prefixlen
    return 4 if prefix <= 20 else 3


class Vpc(BlockSpec):
    kind: ClassVar[str] = "vpc"
    title: ClassVar[str] = "VPC with public and private subnets"
    nouns: ClassVar[tuple[str, ...]] = (r"\bvpcs?\b", r"\bvirtual\s+private\s+cloud\b")
    params_model: ClassVar[type[BlockParams]] = VpcParams
    tf_type: ClassVar[str] = "aws_vpc"
    cfn_type: ClassVar[str] = "AWS::EC2::VPC"
    design: ClassVar[tuple[str, ...]] = (
        "VPC: public and private subnets in separate AZs, NAT for the private tier, no rules on the "
        "default security group, flow logs.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("attach", "flow_logs")})
    requires: ClassVar[tuple[tuple[Relation, str], ...]] = (("attach", "flow_logs"),)
    examples: ClassVar[tuple[str, ...]] = ("a vpc 10.20.0.0/16 with public and private subnets and NAT",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "vpc")
        if name:
            out["name"] = name
        cidrs = [c for c in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b", text) if c != "0.0.0.0/0"]
        if cidrs:
            out["cidr"] = cidrs[0]
        m = re.search(
            r"\b(\d|two|three|four)\s+(?:availability[\s-]zones?|azs?)\b|\b(?:azs?|zones?)\s*[:=]\s*(\d)",
            text,
            re.I,
        )
        if m:
            word = (m.group(1) or m.group(2)).lower()
            out["azs"] = {"two": 2, "three": 3, "four": 4}.get(word) or int(word)
        if re.search(
            r"\bnat\s+(?:gateway\s+)?(?:per|in\s+each|for\s+each)\s+(?:az|zone)|\bha\s+nat\b", text, re.I
        ):
            out["nat_per_az"] = True
        if re.search(r"\b(?:no|without)\s+nat\b", text, re.I):
            out["nat"] = False
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: VpcParams = u.params
        if p.nat and not p.nat_per_az:
            return [
                "One NAT gateway serves every private subnet (ask for 'a NAT per AZ' for zone redundancy)."
            ]
        return []

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: VpcParams = u.params
        n = p.azs
        bits = _newbits(p.cidr)
        # Zones named, not looked up: the subnets never move when AWS adds a zone (CKV_AWS_394).
        s.var(
            f"{u.label}_azs",
            "list(string)",
            [f"{s.region}{letter}" for letter in "abcd"[:n]],
            "Availability zones of the subnets, one per zone.",
        )
        vpc = ref(f"aws_vpc.{u.label}.id")
        azs = f"var.{u.label}_azs"
        cidr = s.var(f"{u.label}_cidr", "string", p.cidr, "CIDR range of the VPC.")
        nats = n if p.nat_per_az else 1
        blocks: list[Block] = [
            resource(
                "aws_vpc",
                u.label,
                ("cidr_block", cidr),
                ("enable_dns_support", True),
                ("enable_dns_hostnames", True),
                ("tags", {"Name": p.name}),
            ),
            # The default group keeps no rules: every resource gets its own, described group.
            resource("aws_default_security_group", u.label, ("vpc_id", vpc)),
            resource("aws_internet_gateway", u.label, ("vpc_id", vpc), ("tags", {"Name": p.name})),
            resource(
                "aws_subnet",
                f"{u.label}_public",
                ("count", n),
                ("vpc_id", vpc),
                ("availability_zone", ref(f"{azs}[count.index]")),
                ("cidr_block", ref(f"cidrsubnet(var.{u.label}_cidr, {bits}, count.index)")),
                ("map_public_ip_on_launch", False),
                ("tags", {"Name": interp(f"{p.name}-public-${{count.index + 1}}"), "Tier": "public"}),
            ),
            resource(
                "aws_subnet",
                f"{u.label}_private",
                ("count", n),
                ("vpc_id", vpc),
                ("availability_zone", ref(f"{azs}[count.index]")),
                ("cidr_block", ref(f"cidrsubnet(var.{u.label}_cidr, {bits}, count.index + {n})")),
                ("tags", {"Name": interp(f"{p.name}-private-${{count.index + 1}}"), "Tier": "private"}),
            ),
            resource(
                "aws_route_table",
                f"{u.label}_public",
                ("vpc_id", vpc),
                Block(
                    "route",
                    body=[
                        ("cidr_block", "0.0.0.0/0"),
                        ("gateway_id", ref(f"aws_internet_gateway.{u.label}.id")),
                    ],
                ),
                ("tags", {"Name": f"{p.name}-public"}),
            ),
            resource(
                "aws_route_table_association",
                f"{u.label}_public",
                ("count", n),
                ("subnet_id", ref(f"aws_subnet.{u.label}_public[count.index].id")),
                ("route_table_id", ref(f"aws_route_table.{u.label}_public.id")),
            ),
        ]
        private_route: list[Any] = [("count", n if p.nat_per_az else 1), ("vpc_id", vpc)]
        if p.nat:
            blocks += [
                resource("aws_eip", f"{u.label}_nat", ("count", nats), ("domain", "vpc")),
                resource(
                    "aws_nat_gateway",
                    u.label,
                    ("count", nats),
                    ("allocation_id", ref(f"aws_eip.{u.label}_nat[count.index].id")),
                    ("subnet_id", ref(f"aws_subnet.{u.label}_public[count.index].id")),
                    ("tags", {"Name": interp(f"{p.name}-nat-${{count.index + 1}}")}),
                    ("depends_on", [ref(f"aws_internet_gateway.{u.label}")]),
                ),
            ]
            private_route.append(
                Block(
                    "route",
                    body=[
                        ("cidr_block", "0.0.0.0/0"),
                        ("nat_gateway_id", ref(f"aws_nat_gateway.{u.label}[count.index].id")),
                    ],
                )
            )
        private_route.append(("tags", {"Name": interp(f"{p.name}-private-${{count.index + 1}}")}))
        blocks += [
            resource("aws_route_table", f"{u.label}_private", *private_route),
            resource(
                "aws_route_table_association",
                f"{u.label}_private",
                ("count", n),
                ("subnet_id", ref(f"aws_subnet.{u.label}_private[count.index].id")),
                (
                    "route_table_id",
                    ref(f"aws_route_table.{u.label}_private[{'count.index' if p.nat_per_az else '0'}].id"),
                ),
            ),
        ]
        s.output(f"{u.label}_vpc_id", vpc, "ID of the VPC.")
        s.output(
            f"{u.label}_private_subnet_ids", ref(f"aws_subnet.{u.label}_private[*].id"), "Private subnets."
        )
        s.output(f"{u.label}_public_subnet_ids", ref(f"aws_subnet.{u.label}_public[*].id"), "Public subnets.")
        return blocks

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: VpcParams = u.params
        n = p.azs
        cidr = s.var(f"{u.label}_cidr", "string", p.cidr, "CIDR range of the VPC.")
        host_bits = 32 - (ipaddress.ip_network(p.cidr).prefixlen + _newbits(p.cidr))
        subnets = yamlout.cidr(yamlout.get_att(u.lid, "CidrBlock"), 2 * n, host_bits)
        out: dict[str, Any] = {
            u.lid: cfn(
                "AWS::EC2::VPC",
                {
                    "CidrBlock": cidr,
                    "EnableDnsSupport": True,
                    "EnableDnsHostnames": True,
                    "Tags": s.cfn_tags(p.name),
                },
            ),
            f"{u.lid}Igw": cfn("AWS::EC2::InternetGateway", {"Tags": s.cfn_tags(p.name)}),
            f"{u.lid}IgwAttachment": cfn(
                "AWS::EC2::VPCGatewayAttachment",
                {"VpcId": yamlout.ref(u.lid), "InternetGatewayId": yamlout.ref(f"{u.lid}Igw")},
            ),
            f"{u.lid}PublicRoutes": cfn(
                "AWS::EC2::RouteTable", {"VpcId": yamlout.ref(u.lid), "Tags": s.cfn_tags(f"{p.name}-public")}
            ),
            f"{u.lid}PublicDefaultRoute": cfn(
                "AWS::EC2::Route",
                {
                    "RouteTableId": yamlout.ref(f"{u.lid}PublicRoutes"),
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": yamlout.ref(f"{u.lid}Igw"),
                },
                DependsOn=f"{u.lid}IgwAttachment",
            ),
        }
        for i in range(1, n + 1):
            az = yamlout.select(i - 1, yamlout.get_azs())
            for tier, index in (("Public", i - 1), ("Private", n + i - 1)):
                out[f"{u.lid}{tier}Subnet{i}"] = cfn(
                    "AWS::EC2::Subnet",
                    {
                        "VpcId": yamlout.ref(u.lid),
                        "AvailabilityZone": az,
                        "CidrBlock": yamlout.select(index, subnets),
                        "MapPublicIpOnLaunch": False,
                        "Tags": s.cfn_tags(f"{p.name}-{tier.lower()}-{i}"),
                    },
                )
            out[f"{u.lid}PublicSubnet{i}Routes"] = cfn(
                "AWS::EC2::SubnetRouteTableAssociation",
                {
                    "SubnetId": yamlout.ref(f"{u.lid}PublicSubnet{i}"),
                    "RouteTableId": yamlout.ref(f"{u.lid}PublicRoutes"),
                },
            )
        nats = n if p.nat_per_az else 1
        for i in range(1, (n if p.nat_per_az else 1) + 1):
            out[f"{u.lid}PrivateRoutes{i}"] = cfn(
                "AWS::EC2::RouteTable",
                {"VpcId": yamlout.ref(u.lid), "Tags": s.cfn_tags(f"{p.name}-private-{i}")},
            )
            if p.nat and i <= nats:
                out[f"{u.lid}NatIp{i}"] = cfn(
                    "AWS::EC2::EIP", {"Domain": "vpc"}, DependsOn=f"{u.lid}IgwAttachment"
                )
                out[f"{u.lid}Nat{i}"] = cfn(
                    "AWS::EC2::NatGateway",
                    {
                        "AllocationId": yamlout.get_att(f"{u.lid}NatIp{i}", "AllocationId"),
                        "SubnetId": yamlout.ref(f"{u.lid}PublicSubnet{i}"),
                        "Tags": s.cfn_tags(f"{p.name}-nat-{i}"),
                    },
                )
                out[f"{u.lid}PrivateDefaultRoute{i}"] = cfn(
                    "AWS::EC2::Route",
                    {
                        "RouteTableId": yamlout.ref(f"{u.lid}PrivateRoutes{i}"),
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": yamlout.ref(f"{u.lid}Nat{i}"),
                    },
                )
        for i in range(1, n + 1):
            out[f"{u.lid}PrivateSubnet{i}Routes"] = cfn(
                "AWS::EC2::SubnetRouteTableAssociation",
                {
                    "SubnetId": yamlout.ref(f"{u.lid}PrivateSubnet{i}"),
                    "RouteTableId": yamlout.ref(f"{u.lid}PrivateRoutes{i if p.nat_per_az else 1}"),
                },
            )
        s.output(f"{u.label}_vpc_id", yamlout.ref(u.lid), "ID of the VPC.")
        s.output(
            f"{u.label}_private_subnet_ids",
            yamlout.join(",", [yamlout.ref(f"{u.lid}PrivateSubnet{i}") for i in range(1, n + 1)]),
            "Private subnets.",
        )
        return out
