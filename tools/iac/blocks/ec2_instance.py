"""EC2 instance: latest Amazon Linux 2023 (arm64 for Graviton types), IMDSv2 required with hop
limit 1, an encrypted gp3 root volume (shared CMK), no public IP in a private subnet, an instance
profile with SSM Session Manager instead of SSH (plus statements scoped to what it is linked
to), and a security group with no inbound rule unless a load balancer fronts it."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.autoscaling_group import AMI_PARAM, AMI_PARAM_ARM, SSM_CORE
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.catalogue.aws import hardened_instance_tf
from tools.iac.features import Features
from tools.iac.hcl import Block, Expr, ref


class Ec2Params(BlockParams):
    name: str = Field(default="app-server", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
    instance_type: str = Field(default="t3.micro", pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
    volume_gb: int = Field(default=20, ge=8, le=16384)
    port: int = Field(default=8080, ge=1, le=65535)


class Ec2Instance(BlockSpec):
    kind: ClassVar[str] = "ec2_instance"
    title: ClassVar[str] = "EC2 instance"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bec2(?:\s+(?:instances?|servers?|vms?|hosts?|boxe?s?))?\b",
        r"\bvirtual\s+machines?\b",
        r"\bvms?\b",
        r"\bbastion(?:\s+hosts?)?\b",
    )
    params_model: ClassVar[type[BlockParams]] = Ec2Params
    tf_type: ClassVar[str] = "aws_instance"
    cfn_type: ClassVar[str] = "AWS::EC2::Instance"
    tf_arn_attr: ClassVar[str] = "arn"
    cfn_arn_attr: ClassVar[str] = ""
    design: ClassVar[tuple[str, ...]] = (
        "Instance: IMDSv2 only, encrypted root volume, no public IP, SSM Session Manager instead of SSH, "
        "no inbound rule unless a load balancer fronts it.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("read", "s3_bucket"), ("write", "s3_bucket"), ("read", "secret"), ("read", "ssm_parameter")}
    )
    examples: ClassVar[tuple[str, ...]] = (
        "an ec2 instance m7g.large with a 50 GB disk that reads an s3 bucket",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "instance", "server", "host")
        if name and "." not in name:
            out["name"] = name
        m = re.search(
            r"\b([a-z]\d[a-z0-9-]{0,4}\.(?:nano|micro|small|medium|\d{0,2}x?large|metal))\b", text, re.I
        )
        if m and not text[: m.start()].lower().endswith(("db.", "cache.")):
            out["instance_type"] = m.group(1).lower()
        m = re.search(r"\b(\d{1,5})\s*(?:gb|gib)\b", text, re.I)
        if m:
            out["volume_gb"] = max(8, int(m.group(1)))
        m = re.search(r"\b(?:app\s+)?port\s+(\d{2,5})\b", text, re.I)
        if m and int(m.group(1)) not in (22, 3389):
            out["port"] = int(m.group(1))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        asked = re.search(
            r"(?<!no\s)(?<!without\s)(?<!without\sa\s)\bpublic\s+ip\b|\bssh\b|\brdp\b|\bport\s+22\b",
            s.request,
            re.I,
        )
        if asked and not re.search(r"\b(?:no|without)\s+(?:an?\s+)?(?:public\s+ip|ssh)\b", s.request, re.I):
            return [
                "Changed from your request: the instance has no public IP and no SSH/RDP port open; "
                "shell access is through SSM Session Manager (its instance profile allows it), which "
                "needs neither (CIS 5.2, FSBP EC2.9)."
            ]
        return []

    def _arm(self, p: Ec2Params) -> bool:
        return re.match(r"^[a-z]\d+g", p.instance_type) is not None

    def _ingress(self, u: Unit, s: Scene) -> list[tuple[int, Any, str]]:
        front = next((x for x in s.into(u, "front") if x.kind == "alb"), None)
        if front is None:
            return []
        return [
            (
                u.params.port,
                group_ref(s, f"{front.label}_lb", f"{front.lid}LbSg"),
                "app traffic from the load balancer",
            )
        ]

    def _subnet(self, s: Scene) -> Any:
        subnets = s.private_subnets()
        if s.fmt == "terraform":
            return Expr(f"{subnets.text}[0]")
        return subnets[0] if isinstance(subnets, list) else yamlout.select(0, subnets)

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: Ec2Params = u.params
        s.partition()
        sg, _ = security_group(
            s,
            f"{u.label}_instance",
            f"{u.lid}Sg",
            f"EC2 {p.name}: no inbound except from its load balancer; HTTPS out",
            self._ingress(u, s),
            [(443, "0.0.0.0/0", "HTTPS to AWS APIs (SSM) and package mirrors")],
        )
        role, _ = s.role(u, "ec2.amazonaws.com", s.grants(u), [SSM_CORE])
        s.data(
            Block(
                "data",
                ("aws_ssm_parameter", f"{u.label}_ami"),
                [("name", AMI_PARAM_ARM if self._arm(p) else AMI_PARAM)],
            )
        )
        s.output(f"{u.label}_instance_id", ref(f"aws_instance.{u.label}.id"), "ID of the instance.")
        return [
            *sg,
            *role,
            resource(
                "aws_iam_instance_profile",
                u.label,
                ("name_prefix", f"{p.name[:40]}-"),
                ("role", ref(f"aws_iam_role.{u.label}_role.name")),
            ),
            hardened_instance_tf(
                u.label,
                p.name,
                p.instance_type,
                ami=ref(f"data.aws_ssm_parameter.{u.label}_ami.value"),
                subnet_id=self._subnet(s),
                security_group=ref(f"aws_security_group.{u.label}_instance.id"),
                instance_profile=ref(f"aws_iam_instance_profile.{u.label}.name"),
                volume_gb=p.volume_gb,
                kms_key_id=s.key_arn(),
            ),
        ]

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: Ec2Params = u.params
        _, out = security_group(
            s,
            f"{u.label}_instance",
            f"{u.lid}Sg",
            f"EC2 {p.name}: no inbound except from its load balancer; HTTPS out",
            self._ingress(u, s),
            [(443, "0.0.0.0/0", "HTTPS to AWS APIs (SSM) and package mirrors")],
        )
        _, role = s.role(u, "ec2.amazonaws.com", s.grants(u), [SSM_CORE])
        out.update(role)
        ami = s.var(
            f"{u.label}_ami",
            "string",
            None,
            "Latest Amazon Linux 2023 AMI, from the public SSM parameter.",
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        )
        s.cfn_params[f"{u.lid}Ami"]["Default"] = AMI_PARAM_ARM if self._arm(p) else AMI_PARAM
        out[f"{u.lid}Profile"] = cfn("AWS::IAM::InstanceProfile", {"Roles": [yamlout.ref(f"{u.lid}Role")]})
        out[f"{u.lid}Template"] = cfn(
            "AWS::EC2::LaunchTemplate",
            {
                "LaunchTemplateData": {
                    "MetadataOptions": {
                        "HttpEndpoint": "enabled",
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                    }
                }
            },
        )
        out[u.lid] = cfn(
            "AWS::EC2::Instance",
            {
                "ImageId": ami,
                "InstanceType": p.instance_type,
                "SubnetId": self._subnet(s),
                "SecurityGroupIds": [group_ref(s, f"{u.label}_instance", f"{u.lid}Sg")],
                "IamInstanceProfile": yamlout.ref(f"{u.lid}Profile"),
                "Monitoring": True,
                "EbsOptimized": True,
                "LaunchTemplate": {
                    "LaunchTemplateId": yamlout.ref(f"{u.lid}Template"),
                    "Version": yamlout.get_att(f"{u.lid}Template", "LatestVersionNumber"),
                },
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "VolumeType": "gp3",
                            "VolumeSize": p.volume_gb,
                            "Encrypted": True,
                            "KmsKeyId": s.key_arn(),
                            "DeleteOnTermination": True,
                        },
                    }
                ],
                "Tags": s.cfn_tags(p.name),
            },
        )
        s.output(f"{u.label}_instance_id", yamlout.ref(u.lid), "ID of the instance.")
        return out
