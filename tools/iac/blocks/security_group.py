"""Security group: named ports open to a named CIDR (never SSH/RDP from the internet), described
rules, no egress unless asked. Other blocks create theirs through `security_group`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

ADMIN_PORTS = (22, 3389)
# Database, cache and search ports: never from the internet either (FSBP EC2.19's high-risk ports).
DATA_PORTS = (1433, 1521, 2049, 3306, 5432, 5439, 6379, 9042, 9200, 9300, 11211, 27017)
_WORLD_WORDS = r"(?:\banywhere\b|\bworld\b|\binternet\b|\beveryone\b|0\.0\.0\.0/0)"
WORLD = ("0.0.0.0/0", "::/0")


def security_group(
    s: Scene,
    label: str,
    lid: str,
    description: str,
    ingress: list[tuple[int, Any, str]],
    egress: list[tuple[int, Any, str]] | None = None,
) -> tuple[list[Block], dict[str, Any]]:
    """`aws_security_group.<label>` / `<lid>`; each rule is (port, CIDR or SG reference, description).
    A source that is a reference to another group (Terraform `.id` / CloudFormation Ref) is a
    source group, anything else a CIDR."""

    def tf_rule(kind: str, port: int, src: Any, desc: str) -> Block:
        key = "security_groups" if _is_group(src) else "cidr_blocks"
        return Block(
            kind,
            body=[
                ("description", desc),
                ("from_port", port),
                ("to_port", port),
                ("protocol", "tcp"),
                (key, [src]),
            ],
        )

    def cfn_rule(port: int, src: Any, desc: str, egress: bool = False) -> dict[str, Any]:
        rule: dict[str, Any] = {"Description": desc, "IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if _is_group(src):
            rule["DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"] = src
        else:
            rule["CidrIp"] = src
        return rule

    if s.fmt == "terraform":
        body: list[Any] = [
            ("name_prefix", f"{label.replace('_', '-')[:40]}-"),
            ("description", description),
            ("vpc_id", s.vpc_id()),
        ]
        body += [tf_rule("ingress", p, src, d) for p, src, d in ingress]
        body += [tf_rule("egress", p, src, d) for p, src, d in egress or []]
        body.append(Block("lifecycle", body=[("create_before_destroy", True)]))
        return [resource("aws_security_group", label, *body)], {}
    props: dict[str, Any] = {"GroupDescription": description, "VpcId": s.vpc_id()}
    if ingress:
        props["SecurityGroupIngress"] = [cfn_rule(p, src, d) for p, src, d in ingress]
    props["SecurityGroupEgress"] = [cfn_rule(p, src, d, True) for p, src, d in egress or []] or [
        {
            "Description": "No egress",
            "IpProtocol": "icmp",
            "FromPort": 252,
            "ToPort": 86,
            "CidrIp": "127.0.0.1/32",
        }
    ]
    return [], {lid: cfn("AWS::EC2::SecurityGroup", props)}


def _is_group(src: Any) -> bool:
    text = getattr(src, "text", None)
    if isinstance(text, str):
        return text.startswith("aws_security_group.")
    return isinstance(src, yamlout.Tagged) and src.tag == "!GetAtt" and str(src.value).endswith(".GroupId")


def group_ref(s: Scene, label: str, lid: str) -> Any:
    return ref(f"aws_security_group.{label}.id") if s.fmt == "terraform" else yamlout.get_att(lid, "GroupId")


class SgParams(BlockParams):
    name: str = Field(default="web", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    ports: list[int] = Field(default_factory=lambda: [443])
    cidr: str = Field(default="10.0.0.0/16", pattern=r"^\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}$")
    public_ports: list[int] = Field(default_factory=list)


class SecurityGroup(BlockSpec):
    kind: ClassVar[str] = "security_group"
    title: ClassVar[str] = "Security group"
    nouns: ClassVar[tuple[str, ...]] = (r"\bsecurity\s+groups?\b", r"\bsgs?\b", r"\bfirewall\s+rules?\b")
    params_model: ClassVar[type[BlockParams]] = SgParams
    tf_type: ClassVar[str] = "aws_security_group"
    cfn_type: ClassVar[str] = "AWS::EC2::SecurityGroup"
    design: ClassVar[tuple[str, ...]] = (
        "Security group: only the named ports, from the named network; SSH/RDP never from the internet.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "group")
        if name:
            out["name"] = name.lower()
        ports = [
            int(p)
            for p in re.findall(r"\b(?:port\s+)?(\d{2,5})\b", text)
            if 1 <= int(p) <= 65535 and not re.search(rf"{p}\.\d", text)
        ]
        named_ports = {"ssh": 22, "https": 443, "http": 80, "rdp": 3389, "postgres": 5432, "mysql": 3306}
        for word, port in named_ports.items():
            if re.search(rf"\b{word}\b", text, re.I):
                ports.append(port)
        cidrs = [c for c in f.cidrs if c not in WORLD]
        if cidrs:
            out["cidr"] = cidrs[0]
        ports = [p for p in dict.fromkeys(ports) if str(p) not in "".join(cidrs)]
        if ports:
            out["ports"] = ports
        if re.search(
            r"\b(?:anywhere|the\s+(?:internet|world)|everyone|0\.0\.0\.0/0|public(?:ly)?)\b", text, re.I
        ):
            out["public_ports"] = [p for p in ports if p not in ADMIN_PORTS + DATA_PORTS]
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: SgParams = u.params
        if any(port in ADMIN_PORTS for port in p.ports) and re.search(
            # SSH/RDP itself open to the world, not another port ("https from anywhere and ssh
            # only from 10.0.0.0/8").
            r"(?:\b(?:ssh|rdp|port\s+(?:22|3389))|(?<![\d.])(?:22|3389))\b[^,.;]{0,30}?(?:\banywhere\b|\bworld\b|\binternet\b|0\.0\.0\.0/0)",
            u.text,
            re.I,
        ):
            return [
                f"Changed from your request: SSH/RDP is open only to {p.cidr}, not to the internet "
                f"(CIS 5.2): "
                "use SSM Session Manager for shell access, or name the CIDR that needs it."
            ]
        data = [port for port in p.ports if port in DATA_PORTS]
        if data and re.search(_WORLD_WORDS, u.text, re.I):
            ports = ", ".join(str(port) for port in data)
            return [
                f"Changed from your request: port {ports} (a database/cache port) is open only to "
                f"{p.cidr}, not to the internet (FSBP EC2.19): reach it from inside the VPC, or name "
                "the CIDR that needs it."
            ]
        return []

    def _rules(self, u: Unit, s: Scene) -> list[tuple[int, Any, str]]:
        p: SgParams = u.params
        rules: list[tuple[int, Any, str]] = []
        for port in p.ports:
            src = "0.0.0.0/0" if port in p.public_ports else p.cidr
            rules.append((port, src, f"port {port} from {src}"))
        return rules

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        blocks, _ = security_group(
            s, u.label, u.lid, f"{u.params.name}: allowed ports only", self._rules(u, s)
        )
        s.output(
            f"{u.label}_security_group_id",
            ref(f"aws_security_group.{u.label}.id"),
            "ID of the security group.",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        _, out = security_group(s, u.label, u.lid, f"{u.params.name}: allowed ports only", self._rules(u, s))
        return out
