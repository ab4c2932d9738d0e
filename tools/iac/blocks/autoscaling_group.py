"""Auto Scaling group from a launch template: IMDSv2 required (hop limit 1), encrypted gp3 root
volume, no public IP, an instance profile with SSM Session Manager instead of SSH, private
subnets, instance refresh on template changes."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.catalogue.aws import IMDSV2_ONLY
from tools.iac.features import Features
from tools.iac.hcl import Block, ref

SSM_CORE = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
AMI_PARAM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
AMI_PARAM_ARM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"


class AsgParams(BlockParams):
    name: str = Field(default="app", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    instance_type: str = Field(default="t3.small", pattern=r"^[a-z][a-z0-9]*\.[a-z0-9]+$")
    min_size: int = Field(default=2, ge=0, le=1000)
    max_size: int = Field(default=4, ge=1, le=1000)
    desired: int | None = Field(default=None, ge=0, le=1000)
    port: int = Field(default=8080, ge=1, le=65535)
    volume_gb: int = Field(default=20, ge=8, le=16384)


class AutoScalingGroup(BlockSpec):
    kind: ClassVar[str] = "autoscaling_group"
    title: ClassVar[str] = "Auto Scaling group"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bauto\s?scaling\s+groups?\b",
        r"\basgs?\b",
        r"\blaunch\s+templates?\b",
    )
    params_model: ClassVar[type[BlockParams]] = AsgParams
    tf_type: ClassVar[str] = "aws_autoscaling_group"
    cfn_type: ClassVar[str] = "AWS::AutoScaling::AutoScalingGroup"
    design: ClassVar[tuple[str, ...]] = (
        "ASG: launch template with IMDSv2 required, encrypted root volume, no public IPs, "
        "SSM Session Manager instead of SSH, private subnets, instance refresh.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("read", "s3_bucket"), ("write", "s3_bucket")})

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "group", "asg")
        if name:
            out["name"] = name.lower()
        if f.instance_type:
            out["instance_type"] = f.instance_type
        if f.minimum is not None:
            out["min_size"] = f.minimum
        if f.maximum is not None:
            out["max_size"] = f.maximum
        m = re.search(r"\bdesired\s*(?:capacity)?\s*(?:of|=|:)?\s*(\d{1,4})\b", text, re.I)
        if m:
            out["desired"] = int(m.group(1))
        m = re.search(r"\bport\s+(\d{2,5})\b", text, re.I)
        if m:
            out["port"] = int(m.group(1))
        m = re.search(r"\b(\d{1,5})\s*(?:gb|gib)\b", text, re.I)
        if m:
            out["volume_gb"] = int(m.group(1))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        if re.search(r"\bssh\b", u.text, re.I):
            return [
                "Changed from your request: no SSH port is opened; shell access is through SSM "
                "Session Manager (the instance profile allows it), which needs no open port or key."
            ]
        return []

    def _arm(self, p: AsgParams) -> bool:
        return re.match(r"^[a-z]\d+g", p.instance_type) is not None

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: AsgParams = u.params
        s.partition()
        front = [x for x in s.into(u, "front") if x.kind == "alb"]
        source: Any = (
            group_ref(s, f"{front[0].label}_lb", f"{front[0].lid}LbSg") if front else s.client_cidr()
        )
        sg, _ = security_group(
            s,
            f"{u.label}_instances",
            f"{u.lid}InstancesSg",
            f"ASG {p.name}: app port from the load balancer",
            [(p.port, source, "app traffic")],
            [(443, "0.0.0.0/0", "HTTPS to AWS APIs and updates")],
        )
        role, _ = s.role(u, "ec2.amazonaws.com", s.grants(u), [SSM_CORE])
        ami = s.data(
            Block(
                "data",
                ("aws_ssm_parameter", f"{u.label}_ami"),
                [("name", AMI_PARAM_ARM if self._arm(p) else AMI_PARAM)],
            )
        )
        del ami
        blocks = [
            *sg,
            *role,
            resource(
                "aws_iam_instance_profile",
                u.label,
                ("name_prefix", f"{p.name[:40]}-"),
                ("role", ref(f"aws_iam_role.{u.label}_role.name")),
            ),
            resource(
                "aws_launch_template",
                u.label,
                ("name_prefix", f"{p.name[:40]}-"),
                ("image_id", ref(f"data.aws_ssm_parameter.{u.label}_ami.value")),
                ("instance_type", p.instance_type),
                ("update_default_version", True),
                ("vpc_security_group_ids", [group_ref(s, f"{u.label}_instances", f"{u.lid}InstancesSg")]),
                Block("iam_instance_profile", body=[("arn", ref(f"aws_iam_instance_profile.{u.label}.arn"))]),
                IMDSV2_ONLY,
                Block(
                    "block_device_mappings",
                    body=[
                        ("device_name", "/dev/xvda"),
                        Block(
                            "ebs",
                            body=[
                                ("volume_size", p.volume_gb),
                                ("volume_type", "gp3"),
                                ("encrypted", True),
                                ("kms_key_id", s.key_arn()),
                                ("delete_on_termination", True),
                            ],
                        ),
                    ],
                ),
                Block("monitoring", body=[("enabled", True)]),
            ),
        ]
        body: list[Any] = [
            ("name_prefix", f"{p.name[:40]}-"),
            ("min_size", p.min_size),
            ("max_size", max(p.max_size, p.min_size)),
            ("vpc_zone_identifier", s.private_subnets()),
            ("health_check_type", "ELB" if front else "EC2"),
        ]
        if p.desired is not None:
            body.append(("desired_capacity", p.desired))
        if front:
            body.append(("target_group_arns", [ref(f"aws_lb_target_group.{front[0].label}.arn")]))
        body += [
            Block(
                "launch_template",
                body=[
                    ("id", ref(f"aws_launch_template.{u.label}.id")),
                    ("version", ref(f"aws_launch_template.{u.label}.latest_version")),
                ],
            ),
            Block(
                "instance_refresh",
                body=[("strategy", "Rolling"), Block("preferences", body=[("min_healthy_percentage", 90)])],
            ),
            Block("tag", body=[("key", "Name"), ("value", p.name), ("propagate_at_launch", True)]),
        ]
        blocks.append(resource("aws_autoscaling_group", u.label, *body))
        s.output(
            f"{u.label}_asg_name",
            ref(f"aws_autoscaling_group.{u.label}.name"),
            "Name of the Auto Scaling group.",
        )
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: AsgParams = u.params
        front = [x for x in s.into(u, "front") if x.kind == "alb"]
        source: Any = (
            group_ref(s, f"{front[0].label}_lb", f"{front[0].lid}LbSg") if front else s.client_cidr()
        )
        _, out = security_group(
            s,
            f"{u.label}_instances",
            f"{u.lid}InstancesSg",
            f"ASG {p.name}: app port from the load balancer",
            [(p.port, source, "app traffic")],
            [(443, "0.0.0.0/0", "HTTPS to AWS APIs and updates")],
        )
        _, role = s.role(u, "ec2.amazonaws.com", s.grants(u), [SSM_CORE])
        out.update(role)
        ami = s.var(
            f"{u.label}_ami",
            "string",
            AMI_PARAM_ARM if self._arm(p) else AMI_PARAM,
            "AMI (SSM parameter)",
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        )
        s.cfn_params[f"{u.lid}Ami"]["Default"] = AMI_PARAM_ARM if self._arm(p) else AMI_PARAM
        out[f"{u.lid}Profile"] = cfn("AWS::IAM::InstanceProfile", {"Roles": [yamlout.ref(f"{u.lid}Role")]})
        out[f"{u.lid}Template"] = cfn(
            "AWS::EC2::LaunchTemplate",
            {
                "LaunchTemplateData": {
                    "ImageId": ami,
                    "InstanceType": p.instance_type,
                    "SecurityGroupIds": [group_ref(s, f"{u.label}_instances", f"{u.lid}InstancesSg")],
                    "IamInstanceProfile": {"Arn": yamlout.get_att(f"{u.lid}Profile", "Arn")},
                    "MetadataOptions": {
                        "HttpEndpoint": "enabled",
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                    },
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {
                                "VolumeSize": p.volume_gb,
                                "VolumeType": "gp3",
                                "Encrypted": True,
                                "KmsKeyId": s.key_arn(),
                                "DeleteOnTermination": True,
                            },
                        }
                    ],
                    "Monitoring": {"Enabled": True},
                }
            },
        )
        props: dict[str, Any] = {
            "MinSize": str(p.min_size),
            "MaxSize": str(max(p.max_size, p.min_size)),
            "VPCZoneIdentifier": s.private_subnets(),
            "HealthCheckType": "ELB" if front else "EC2",
            "LaunchTemplate": {
                "LaunchTemplateId": yamlout.ref(f"{u.lid}Template"),
                "Version": yamlout.get_att(f"{u.lid}Template", "LatestVersionNumber"),
            },
            "Tags": [{"Key": "Name", "Value": p.name, "PropagateAtLaunch": True}],
        }
        if p.desired is not None:
            props["DesiredCapacity"] = str(p.desired)
        if front:
            props["TargetGroupARNs"] = [yamlout.ref(f"{front[0].lid}TargetGroup")]
        out[u.lid] = cfn("AWS::AutoScaling::AutoScalingGroup", props)
        return out
