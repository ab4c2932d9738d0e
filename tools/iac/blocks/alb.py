"""Application Load Balancer: an HTTPS listener (TLS 1.2+ policy, the ACM certificate from the
request or a required variable), port 80 only redirecting to HTTPS, a target group with health
checks for what it fronts (Auto Scaling group, ECS service, EC2 instance or Lambda), invalid
headers dropped, deletion protection, and a security group that lets it reach only its targets."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.security_group import group_ref
from tools.iac.features import Features
from tools.iac.hcl import Block, Comment, ref

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
CERT_ARN = r"arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+"
WORLD = "0.0.0.0/0"
# Why port 80 is open to clients (checkov's CKV_AWS_260): its listener only redirects to HTTPS.
REDIRECT_ONLY = "port 80 only answers with a redirect to HTTPS"


class AlbParams(BlockParams):
    name: str = Field(default="app", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")
    internal: bool = False
    certificate_arn: str | None = Field(default=None, pattern=rf"^{CERT_ARN}$")
    target_port: int | None = Field(default=None, ge=1, le=65535)
    health_path: str = Field(default="/", pattern=r"^/[A-Za-z0-9/._-]*$")


class Alb(BlockSpec):
    kind: ClassVar[str] = "alb"
    title: ClassVar[str] = "Application Load Balancer"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:application\s+)?load[\s-]?balancers?\b",
        r"\balbs?\b",
        r"\belbs?\b",
        r"\bhttps?\s+listeners?\b",
        r"\blisteners?\b",
    )
    params_model: ClassVar[type[BlockParams]] = AlbParams
    tf_type: ClassVar[str] = "aws_lb"
    cfn_type: ClassVar[str] = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    tf_arn_attr: ClassVar[str] = "arn"
    cfn_arn_attr: ClassVar[str] = ""
    design: ClassVar[tuple[str, ...]] = (
        "Load balancer: HTTPS listener with a TLS 1.2+ policy, port 80 only redirects to HTTPS, invalid "
        "headers dropped, deletion protection, a security group reaching only its targets.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("front", "autoscaling_group"),
            ("front", "ecs_service"),
            ("front", "ec2_instance"),
            ("front", "lambda"),
            ("deliver", "s3_bucket"),
        }
    )
    examples: ClassVar[tuple[str, ...]] = (
        "an ALB with HTTPS in front of an autoscaling group",
        "an application load balancer in front of a lambda",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "balancer", "alb")
        if name:
            out["name"] = name
        m = re.search(CERT_ARN, f.text)
        if m:
            out["certificate_arn"] = m.group(0)
        if re.search(r"\binternal\b|\bprivate\s+(?:alb|load)", text, re.I):
            out["internal"] = True
        m = re.search(r"\bhealth[\s-]?checks?\s+(?:on\s+|path\s+|at\s+)?(/[A-Za-z0-9/._-]*)", text, re.I)
        if m:
            out["health_path"] = m.group(1)
        m = re.search(
            r"\b(?:target|backend|app|container)\s+port\s+(\d{2,5})\b|\blisten(?:s|ing)?\s+on\s+(?:port\s+)?(\d{2,5})\b",
            f.text,
            re.I,
        )
        if m and int(m.group(1) or m.group(2)) not in (80, 443):
            out["target_port"] = int(m.group(1) or m.group(2))
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: AlbParams = u.params
        notes: list[str] = []
        if re.search(
            r"\b(?:no|without)\s+(?:https|tls|ssl)\b|\bhttp\s+only\b|\bport\s+80\s+only\b|\bonly\s+(?:on\s+)?port\s+80\b"
            r"|\bplain\s+http\b|\b(?:serving|serves|over|listen\w*\s+on)\s+http\b(?!s)"
            r"|\bwithout\s+(?:an?\s+)?(?:certificate|cert|tls|ssl|https)\b",
            s.request,
            re.I,
        ):
            notes.append(
                "Changed from your request: the load balancer serves HTTPS on 443 and port 80 only "
                "redirects to it; plain HTTP would expose traffic and credentials (FSBP ELB.1)."
            )
        if p.certificate_arn is None:
            notes.append(
                "Set the variable certificate_arn to an ACM certificate for your domain: the HTTPS "
                "listener needs one, and none was named in the request."
            )
        if not s.out_of(u, "front"):
            notes.append(
                "The target group has no targets yet: register them, or ask for the ALB 'in front of' them."
            )
        return notes

    # -- what the targets and other blocks use -------------------------------------------------
    def target(self, u: Unit, s: Scene) -> Unit | None:
        return next(iter(s.out_of(u, "front")), None)

    def target_type(self, u: Unit, s: Scene) -> str:
        t = self.target(u, s)
        if t is None:
            return "ip"
        return {"lambda": "lambda", "ecs_service": "ip"}.get(t.kind, "instance")

    def port(self, u: Unit, s: Scene) -> int:
        t = self.target(u, s)
        if u.params.target_port:
            return int(u.params.target_port)
        if t is not None:
            for attr in ("port", "container_port"):
                value = getattr(t.params, attr, None)
                if isinstance(value, int):
                    return value
        return 8080

    def target_group_arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return ref(f"aws_lb_target_group.{u.label}.arn")
        return yamlout.ref(f"{u.lid}TargetGroup")

    def security_group_id(self, u: Unit, s: Scene) -> Any:
        return group_ref(s, f"{u.label}_lb", f"{u.lid}LbSg")

    def arn(self, u: Unit, s: Scene) -> Any:
        return ref(f"aws_lb.{u.label}.arn") if s.fmt == "terraform" else yamlout.ref(u.lid)

    def bucket_statements(self, u: Unit, bucket: Unit, s: Scene) -> list[dict[str, Any]]:
        if bucket not in s.out_of(u, "deliver"):
            return []
        objects = bucket.block.resource_arns(bucket, s, "write")[1]
        return [
            {
                "Sid": "LoadBalancerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": objects,
            }
        ]

    def _sources(self, u: Unit, s: Scene) -> Any:
        return s.client_cidr() if u.params.internal else WORLD

    def _certificate(self, u: Unit, s: Scene) -> Any:
        p: AlbParams = u.params
        return s.var(
            "certificate_arn",
            "string",
            p.certificate_arn,
            "ACM certificate for the HTTPS listener (in the load balancer's region).",
        )

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: AlbParams = u.params
        port = self.port(u, s)
        kind = self.target_type(u, s)
        source = self._sources(u, s)
        sg_body: list[Any] = [
            ("name_prefix", f"{u.label.replace('_', '-')[:20]}-lb-"),
            ("description", f"Load balancer {p.name}: HTTPS in, app port out to the targets"),
            ("vpc_id", s.vpc_id()),
            Comment(f"checkov:skip=CKV_AWS_260:{REDIRECT_ONLY}"),
            Block(
                "ingress",
                body=[
                    ("description", "HTTPS from clients"),
                    ("from_port", 443),
                    ("to_port", 443),
                    ("protocol", "tcp"),
                    ("cidr_blocks", [source]),
                ],
            ),
            Block(
                "ingress",
                body=[
                    ("description", "HTTP from clients, only redirected to HTTPS"),
                    ("from_port", 80),
                    ("to_port", 80),
                    ("protocol", "tcp"),
                    ("cidr_blocks", [source]),
                ],
            ),
        ]
        if kind != "lambda":
            sg_body.append(
                Block(
                    "egress",
                    body=[
                        ("description", "App traffic and health checks to the targets"),
                        ("from_port", port),
                        ("to_port", port),
                        ("protocol", "tcp"),
                        ("cidr_blocks", [s.client_cidr()]),
                    ],
                )
            )
        sg_body.append(Block("lifecycle", body=[("create_before_destroy", True)]))
        lb: list[Any] = [
            ("name", p.name),
            ("internal", p.internal),
            ("load_balancer_type", "application"),
            ("security_groups", [ref(f"aws_security_group.{u.label}_lb.id")]),
            ("subnets", s.private_subnets() if p.internal else s.public_subnets()),
            ("drop_invalid_header_fields", True),
            ("enable_deletion_protection", True),
        ]
        bucket = next((b for b in s.out_of(u, "deliver") if b.kind == "s3_bucket"), None)
        if bucket is not None:
            lb.append(
                Block(
                    "access_logs",
                    body=[("bucket", ref(f"aws_s3_bucket.{bucket.label}.id")), ("enabled", True)],
                )
            )
            lb.append(("depends_on", [ref(f"aws_s3_bucket_policy.{bucket.label}")]))
        tg: list[Any] = [("name_prefix", f"{p.name[:5]}-"), ("target_type", kind)]
        if kind != "lambda":
            tg += [("port", port), ("protocol", "HTTP"), ("vpc_id", s.vpc_id())]
        tg.append(
            Block(
                "health_check",
                body=[
                    ("enabled", True),
                    ("path", p.health_path),
                    ("matcher", "200-399"),
                    ("healthy_threshold", 3),
                    ("unhealthy_threshold", 3),
                    ("interval", 30),
                ],
            )
        )
        tg.append(Block("lifecycle", body=[("create_before_destroy", True)]))
        blocks = [
            resource("aws_security_group", f"{u.label}_lb", *sg_body),
            resource("aws_lb", u.label, *lb),
            resource("aws_lb_target_group", u.label, *tg),
            resource(
                "aws_lb_listener",
                f"{u.label}_https",
                ("load_balancer_arn", ref(f"aws_lb.{u.label}.arn")),
                ("port", 443),
                ("protocol", "HTTPS"),
                ("ssl_policy", TLS_POLICY),
                ("certificate_arn", self._certificate(u, s)),
                Block(
                    "default_action",
                    body=[
                        ("type", "forward"),
                        ("target_group_arn", ref(f"aws_lb_target_group.{u.label}.arn")),
                    ],
                ),
            ),
            resource(
                "aws_lb_listener",
                f"{u.label}_http",
                ("load_balancer_arn", ref(f"aws_lb.{u.label}.arn")),
                ("port", 80),
                ("protocol", "HTTP"),
                Block(
                    "default_action",
                    body=[
                        ("type", "redirect"),
                        Block(
                            "redirect",
                            body=[("port", "443"), ("protocol", "HTTPS"), ("status_code", "HTTP_301")],
                        ),
                    ],
                ),
            ),
        ]
        target = self.target(u, s)
        if target is not None and target.kind in ("lambda", "ec2_instance"):
            target_id = (
                ref(f"aws_lambda_function.{target.label}.arn")
                if target.kind == "lambda"
                else ref(f"aws_instance.{target.label}.id")
            )
            attach: list[Any] = [
                ("target_group_arn", ref(f"aws_lb_target_group.{u.label}.arn")),
                ("target_id", target_id),
            ]
            if target.kind == "lambda":
                attach.append(("depends_on", [ref(f"aws_lambda_permission.{target.label}_from_{u.label}")]))
            else:
                attach.insert(2, ("port", port))
            blocks.append(resource("aws_lb_target_group_attachment", u.label, *attach))
        s.output(f"{u.label}_dns_name", ref(f"aws_lb.{u.label}.dns_name"), "DNS name of the load balancer.")
        return blocks

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: AlbParams = u.params
        port = self.port(u, s)
        kind = self.target_type(u, s)
        source = self._sources(u, s)
        sg: dict[str, Any] = {
            "GroupDescription": f"Load balancer {p.name}: HTTPS in, app port out to the targets",
            "VpcId": s.vpc_id(),
            "SecurityGroupIngress": [
                {
                    "Description": "HTTPS from clients",
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "CidrIp": source,
                },
                {
                    "Description": "HTTP from clients, only redirected to HTTPS",
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "CidrIp": source,
                },
            ],  # fmt: skip
            "SecurityGroupEgress": [
                {
                    "Description": "App traffic and health checks to the targets",
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "CidrIp": s.client_cidr(),
                }
            ],  # fmt: skip
        }
        attributes: list[dict[str, Any]] = [
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
        ]
        extra: dict[str, Any] = {}
        bucket = next((b for b in s.out_of(u, "deliver") if b.kind == "s3_bucket"), None)
        if bucket is not None:
            attributes += [
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": yamlout.ref(bucket.lid)},
            ]
            extra["DependsOn"] = [f"{bucket.lid}Policy"]
        tg: dict[str, Any] = {"TargetType": kind}
        if kind != "lambda":
            tg.update({"Port": port, "Protocol": "HTTP", "VpcId": s.vpc_id()})
        tg.update(
            {
                "HealthCheckEnabled": True,
                "HealthCheckPath": p.health_path,
                "Matcher": {"HttpCode": "200-399"},
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckIntervalSeconds": 30,
            }
        )
        target = self.target(u, s)
        if target is not None and target.kind in ("lambda", "ec2_instance"):
            tg["Targets"] = [
                {"Id": yamlout.get_att(target.lid, "Arn")}
                if target.kind == "lambda"
                else {"Id": yamlout.ref(target.lid), "Port": port}
            ]
        out: dict[str, Any] = {
            f"{u.lid}LbSg": cfn(
                "AWS::EC2::SecurityGroup",
                sg,
                Metadata={"checkov": {"skip": [{"id": "CKV_AWS_260", "comment": REDIRECT_ONLY}]}},
            ),
            u.lid: cfn(
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                {
                    "Name": p.name,
                    "Type": "application",
                    "Scheme": "internal" if p.internal else "internet-facing",
                    "SecurityGroups": [yamlout.get_att(f"{u.lid}LbSg", "GroupId")],
                    "Subnets": s.private_subnets() if p.internal else s.public_subnets(),
                    "LoadBalancerAttributes": attributes,
                },
                **extra,
            ),
            f"{u.lid}TargetGroup": cfn(
                "AWS::ElasticLoadBalancingV2::TargetGroup",
                tg,
                **(
                    {"DependsOn": [f"{target.lid}From{u.lid}Permission"]}
                    if target and kind == "lambda"
                    else {}
                ),
            ),
            f"{u.lid}Https": cfn(
                "AWS::ElasticLoadBalancingV2::Listener",
                {
                    "LoadBalancerArn": yamlout.ref(u.lid),
                    "Port": 443,
                    "Protocol": "HTTPS",
                    "SslPolicy": TLS_POLICY,
                    "Certificates": [{"CertificateArn": self._certificate(u, s)}],
                    "DefaultActions": [
                        {"Type": "forward", "TargetGroupArn": yamlout.ref(f"{u.lid}TargetGroup")}
                    ],
                },
            ),
            f"{u.lid}Http": cfn(
                "AWS::ElasticLoadBalancingV2::Listener",
                {
                    "LoadBalancerArn": yamlout.ref(u.lid),
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [
                        {
                            "Type": "redirect",
                            "RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"},
                        }
                    ],
                },
            ),
        }
        s.output(f"{u.label}_dns_name", yamlout.get_att(u.lid, "DNSName"), "DNS name of the load balancer.")
        return out
