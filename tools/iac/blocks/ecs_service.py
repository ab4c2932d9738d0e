"""ECS on Fargate: a cluster with Container Insights, a task definition (pinned image, read-only
root filesystem with a writable /tmp, logs to an encrypted log group), an execution role for
pulling and logging and a task role scoped to what the service is linked to, and a service in
private subnets without public IPs, reachable only from its load balancer (or the VPC), with a
deployment circuit breaker."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.blocks.security_group import group_ref, security_group
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref

EXECUTION_POLICY = (
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/"
    "AmazonECSTaskExecutionRolePolicy"
)
FARGATE_CPU = (256, 512, 1024, 2048, 4096, 8192, 16384)
DEFAULT_IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


class EcsParams(BlockParams):
    name: str = Field(default="web", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
    image: str = Field(default=DEFAULT_IMAGE, pattern=r"^[a-z0-9][A-Za-z0-9./:@_-]{1,254}$")
    container_port: int = Field(default=8080, ge=1, le=65535)
    cpu: int = 256
    memory_mb: int = Field(default=512, ge=512, le=122880)
    desired: int = Field(default=2, ge=0, le=1000)

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, v: int) -> int:
        if v not in FARGATE_CPU:
            raise ValueError(f"Fargate cpu must be one of {', '.join(map(str, FARGATE_CPU))} (1024 = 1 vCPU)")
        return v

    @field_validator("image")
    @classmethod
    def _pinned(cls, v: str) -> str:
        last = v.rsplit("/", 1)[-1]
        if "@sha256:" not in v and (":" not in last or last.endswith(":latest")):
            raise ValueError(f"pin the image {v!r} to a version tag or digest (not latest)")
        return v

    @model_validator(mode="after")
    def _memory(self) -> EcsParams:
        low, high = {256: (512, 2048), 512: (1024, 4096), 1024: (2048, 8192)}.get(
            self.cpu, (self.cpu * 2, self.cpu * 8)
        )
        if not low <= self.memory_mb <= high:
            raise ValueError(f"with cpu {self.cpu}, Fargate memory must be {low}-{high} MB")
        return self


class EcsService(BlockSpec):
    kind: ClassVar[str] = "ecs_service"
    title: ClassVar[str] = "ECS Fargate service"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\becs(?:\s+(?:on\s+)?fargate)?(?:\s+(?:services?|clusters?|tasks?))?\b",
        r"\bfargate(?:\s+(?:services?|tasks?|clusters?))?\b",
        r"\bcontainer\s+services?\b",
    )
    params_model: ClassVar[type[BlockParams]] = EcsParams
    tf_type: ClassVar[str] = "aws_ecs_service"
    cfn_type: ClassVar[str] = "AWS::ECS::Service"
    tf_arn_attr: ClassVar[str] = "id"
    cfn_arn_attr: ClassVar[str] = ""
    design: ClassVar[tuple[str, ...]] = (
        "Fargate: private subnets without public IPs, reachable only from its load balancer, read-only "
        "root filesystem, execution and task roles kept apart, encrypted logs, deployment circuit breaker.",
    )
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("write", k)
            for k in ("s3_bucket", "dynamodb_table", "sqs_queue", "sns_topic", "kinesis_stream", "secret")
        }
        | {("read", k) for k in ("s3_bucket", "dynamodb_table", "sqs_queue", "secret", "ssm_parameter")}
    )
    examples: ClassVar[tuple[str, ...]] = (
        "an ecs fargate service running ghcr.io/acme/api:1.2.0 on port 8000 behind an alb, writing to a "
        "dynamodb table",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "service", "cluster")
        if name and ":" not in name and "/" not in name:
            out["name"] = name
        if f.image and (":" in f.image.rsplit("/", 1)[-1] or "@sha256:" in f.image):
            out["image"] = f.image
        m = re.search(
            r"\b(?:container\s+)?port\s+(\d{2,5})\b|\blisten(?:s|ing)?\s+on\s+(\d{2,5})\b", text, re.I
        )
        if m:
            out["container_port"] = int(m.group(1) or m.group(2))
        m = re.search(r"\b(\d+(?:\.\d+)?)\s*v?cpus?\b", text, re.I)
        if m:
            value = float(m.group(1))
            out["cpu"] = int(value) if value >= 256 else int(value * 1024)
        m = re.search(r"\b(\d{1,3})\s*(?:gb|gib)\b(?!\s+(?:disk|volume|storage))", text, re.I)
        if m:
            out["memory_mb"] = int(m.group(1)) * 1024
        m = re.search(r"\b(\d{3,6})\s*(?:mb|mib)\b", text, re.I)
        if m:
            out["memory_mb"] = int(m.group(1))
        if "cpu" in out and "memory_mb" not in out:
            out["memory_mb"] = out["cpu"] * 2
        count = f.count("task", "replica", "container", "copy")
        if count is not None:
            out["desired"] = count
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: EcsParams = u.params
        notes = []
        if p.image == DEFAULT_IMAGE:
            notes.append(f"No pinned image was named: the task runs {DEFAULT_IMAGE} (replace it with yours).")
        return notes

    def _front(self, u: Unit, s: Scene) -> Unit | None:
        return next((x for x in s.into(u, "front") if x.kind == "alb"), None)

    def _containers(self, u: Unit, s: Scene, logs: Any, region: Any) -> list[dict[str, Any]]:
        p: EcsParams = u.params
        return [
            {
                "name": p.name,
                "image": p.image,
                "essential": True,
                "readonlyRootFilesystem": True,
                "privileged": False,
                "portMappings": [{"containerPort": p.container_port, "protocol": "tcp"}],
                "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": logs,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": p.name,
                    },
                },
            }
        ]

    def _ingress(self, u: Unit, s: Scene) -> list[tuple[int, Any, str]]:
        p: EcsParams = u.params
        front = self._front(u, s)
        source = group_ref(s, f"{front.label}_lb", f"{front.lid}LbSg") if front else s.client_cidr()
        return [(p.container_port, source, "app traffic from the load balancer" if front else "app traffic")]

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: EcsParams = u.params
        s.partition()
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/ecs/{p.name}", 365)
        sg, _ = security_group(
            s,
            f"{u.label}_tasks",
            f"{u.lid}TasksSg",
            f"ECS {p.name}: app port in, HTTPS out",
            self._ingress(u, s),
            [(443, "0.0.0.0/0", "HTTPS to image registries and AWS APIs")],
        )
        task_role, _ = s.role(u, "ecs-tasks.amazonaws.com", s.grants(u))
        assume: dict[str, Any] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        front = self._front(u, s)
        service: list[Any] = [
            ("name", p.name),
            ("cluster", ref(f"aws_ecs_cluster.{u.label}.id")),
            ("task_definition", ref(f"aws_ecs_task_definition.{u.label}.arn")),
            ("desired_count", p.desired),
            ("launch_type", "FARGATE"),
            ("platform_version", "LATEST"),
            ("enable_execute_command", False),
            ("propagate_tags", "SERVICE"),
            Block(
                "network_configuration",
                body=[
                    ("subnets", s.private_subnets()),
                    ("security_groups", [ref(f"aws_security_group.{u.label}_tasks.id")]),
                    ("assign_public_ip", False),
                ],
            ),
            Block("deployment_circuit_breaker", body=[("enable", True), ("rollback", True)]),
        ]
        if front is not None:
            service.append(
                Block(
                    "load_balancer",
                    body=[
                        ("target_group_arn", ref(f"aws_lb_target_group.{front.label}.arn")),
                        ("container_name", p.name),
                        ("container_port", p.container_port),
                    ],
                )
            )
            service.append(("depends_on", [ref(f"aws_lb_listener.{front.label}_https")]))
        s.output(f"{u.label}_service_name", ref(f"aws_ecs_service.{u.label}.name"), "Name of the service.")
        return [
            *logs,
            *sg,
            resource(
                "aws_ecs_cluster",
                u.label,
                ("name", p.name),
                Block("setting", body=[("name", "containerInsights"), ("value", "enabled")]),
            ),
            resource(
                "aws_iam_role",
                f"{u.label}_execution",
                ("name_prefix", f"{p.name[:26]}-exec-"),
                ("assume_role_policy", Call("jsonencode", assume)),
            ),
            resource(
                "aws_iam_role_policy_attachment",
                f"{u.label}_execution",
                ("role", ref(f"aws_iam_role.{u.label}_execution.name")),
                ("policy_arn", interp(EXECUTION_POLICY)),
            ),
            *task_role,
            resource(
                "aws_ecs_task_definition",
                u.label,
                ("family", p.name),
                ("requires_compatibilities", ["FARGATE"]),
                ("network_mode", "awsvpc"),
                ("cpu", str(p.cpu)),
                ("memory", str(p.memory_mb)),
                ("execution_role_arn", ref(f"aws_iam_role.{u.label}_execution.arn")),
                ("task_role_arn", s.role_arn(u)),
                Block(
                    "runtime_platform",
                    body=[("operating_system_family", "LINUX"), ("cpu_architecture", "X86_64")],
                ),
                Block("volume", body=[("name", "tmp")]),
                (
                    "container_definitions",
                    Call(
                        "jsonencode",
                        self._containers(
                            u, s, ref(f"aws_cloudwatch_log_group.{u.label}_logs.name"), ref("var.region")
                        ),
                    ),
                ),
            ),
            resource("aws_ecs_service", u.label, *service),
        ]

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: EcsParams = u.params
        _, out = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/ecs/{p.name}", 365)
        _, sg = security_group(
            s,
            f"{u.label}_tasks",
            f"{u.lid}TasksSg",
            f"ECS {p.name}: app port in, HTTPS out",
            self._ingress(u, s),
            [(443, "0.0.0.0/0", "HTTPS to image registries and AWS APIs")],
        )
        out.update(sg)
        _, role = s.role(u, "ecs-tasks.amazonaws.com", s.grants(u))
        out.update(role)
        out[f"{u.lid}ExecutionRole"] = cfn(
            "AWS::IAM::Role",
            {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "ManagedPolicyArns": [
                    yamlout.sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
                    )
                ],
            },
        )
        out[f"{u.lid}Cluster"] = cfn(
            "AWS::ECS::Cluster",
            {
                "ClusterName": p.name,
                "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
                "Tags": s.cfn_tags(p.name),
            },
        )
        containers = self._containers(u, s, yamlout.ref(f"{u.lid}Logs"), yamlout.ref("AWS::Region"))
        out[f"{u.lid}TaskDefinition"] = cfn(
            "AWS::ECS::TaskDefinition",
            {
                "Family": p.name,
                "RequiresCompatibilities": ["FARGATE"],
                "NetworkMode": "awsvpc",
                "Cpu": str(p.cpu),
                "Memory": str(p.memory_mb),
                "ExecutionRoleArn": yamlout.get_att(f"{u.lid}ExecutionRole", "Arn"),
                "TaskRoleArn": s.role_arn(u),
                "RuntimePlatform": {"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"},
                "Volumes": [{"Name": "tmp"}],
                "ContainerDefinitions": [_pascal_keys(c) for c in containers],
            },
        )
        front = self._front(u, s)
        props: dict[str, Any] = {
            "ServiceName": p.name,
            "Cluster": yamlout.ref(f"{u.lid}Cluster"),
            "TaskDefinition": yamlout.ref(f"{u.lid}TaskDefinition"),
            "DesiredCount": p.desired,
            "LaunchType": "FARGATE",
            "PlatformVersion": "LATEST",
            "EnableExecuteCommand": False,
            "PropagateTags": "SERVICE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": s.private_subnets(),
                    "SecurityGroups": [yamlout.get_att(f"{u.lid}TasksSg", "GroupId")],
                    "AssignPublicIp": "DISABLED",
                }
            },
            "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}},
        }
        extra: dict[str, Any] = {}
        if front is not None:
            props["LoadBalancers"] = [
                {
                    "TargetGroupArn": yamlout.ref(f"{front.lid}TargetGroup"),
                    "ContainerName": p.name,
                    "ContainerPort": p.container_port,
                }
            ]
            extra["DependsOn"] = [f"{front.lid}Https"]
        out[u.lid] = cfn("AWS::ECS::Service", props, **extra)
        s.output(f"{u.label}_service_name", yamlout.get_att(u.lid, "Name"), "Name of the service.")
        return out


def _pascal_keys(value: Any) -> Any:
    """Container definitions as CloudFormation spells them (PascalCase keys; log options kept)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            new = key[0].upper() + key[1:]
            out[new] = item if key == "options" else _pascal_keys(item)
        return out
    if isinstance(value, list):
        return [_pascal_keys(v) for v in value]
    return value
