"""Compute templates: S3-triggered Lambda, ECS Fargate service, EC2 instance."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pydantic import Field, field_validator

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
    hardened_instance_tf,
    output,
    policy_statement,
    private_bucket_cfn,
    private_bucket_tf,
    resource,
    tf_document,
    tf_header,
    variable,
)
from tools.iac.catalogue.base import NAME_PATTERN, AwsParams, Template, aws_common, first_name, pick
from tools.iac.catalogue.lambdas import DEFAULT_RUNTIME, Runtime, lambda_cfn, lambda_tf, runtime_from_text
from tools.iac.catalogue.storage import BUCKET_NAME
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref
from tools.iac.model import IacFormat


# -- Lambda triggered by S3 ------------------------------------------------------------------------
class LambdaS3Params(AwsParams):
    function_name: str = Field(default="process-uploads", pattern=NAME_PATTERN)
    bucket_name: str = Field(default="example-uploads", pattern=BUCKET_NAME)
    runtime: Runtime = DEFAULT_RUNTIME
    memory_mb: int = Field(default=256, ge=128, le=10240)
    timeout_s: int = Field(default=30, ge=1, le=900)
    prefix: str = Field(default="", max_length=200)
    suffix: str = Field(default="", max_length=50)


def _lambda_s3_extract(f: Features) -> dict[str, Any]:
    suffix = re.search(
        r"(?:\.|\bsuffix\s+)([a-z0-9]{2,5})\s+files?\b|\bsuffix\s+[\"'`]?(\.[a-z0-9]{1,10})", f.lower
    )
    prefix = re.search(r"\bprefix\s+[\"'`]?([A-Za-z0-9/_.-]+/)", f.text)
    bucket = f.name_after("bucket")
    return pick(
        function_name=first_name(f, "function", "lambda"),
        bucket_name=bucket.lower() if bucket else None,
        runtime=runtime_from_text(f.lower),
        memory_mb=f.memory_mb,
        suffix=("." + suffix.group(1) if suffix.group(1) else suffix.group(2)) if suffix else None,
        prefix=prefix.group(1) if prefix else None,
        **aws_common(f),
    )


def _filter_tf(p: LambdaS3Params) -> list[Any]:
    out: list[Any] = []
    if p.prefix:
        out.append(("filter_prefix", p.prefix))
    if p.suffix:
        out.append(("filter_suffix", p.suffix))
    return out


def _lambda_s3_render(p: LambdaS3Params, fmt: IacFormat) -> str:
    if fmt == "terraform":
        read = policy_statement(
            "ReadUploadedObjects", ["s3:GetObject"], [interp("${aws_s3_bucket.uploads.arn}/*")]
        )
        blocks = tf_header(p, {"archive": "~> 2.4"}) + [
            variable("function_name", "string", p.function_name, "Name of the function."),
            variable(
                "bucket_name", "string", p.bucket_name, "Globally unique name of the bucket that triggers it."
            ),
            data("aws_caller_identity", "current"),
            *private_bucket_tf("uploads", ref("var.bucket_name"), ref("aws_kms_key.function.arn")),
            *lambda_tf(
                p.runtime, p.memory_mb, p.timeout_s, [read], {"BUCKET": ref("aws_s3_bucket.uploads.id")}
            ),
            resource(
                "aws_lambda_permission",
                "s3",
                ("statement_id", "AllowS3Invoke"),
                ("action", "lambda:InvokeFunction"),
                ("function_name", ref("aws_lambda_function.this.function_name")),
                ("principal", "s3.amazonaws.com"),
                ("source_arn", ref("aws_s3_bucket.uploads.arn")),
                ("source_account", ref("data.aws_caller_identity.current.account_id")),
            ),
            resource(
                "aws_s3_bucket_notification",
                "uploads",
                ("bucket", ref("aws_s3_bucket.uploads.id")),
                Block(
                    "lambda_function",
                    body=[
                        ("lambda_function_arn", ref("aws_lambda_function.this.arn")),
                        ("events", ["s3:ObjectCreated:*"]),
                        *_filter_tf(p),
                    ],
                ),
                ("depends_on", [ref("aws_lambda_permission.s3")]),
            ),
            output("function_arn", "aws_lambda_function.this.arn", "ARN of the function."),
            output(
                "bucket_name", "aws_s3_bucket.uploads.id", "Bucket whose new objects trigger the function."
            ),
        ]
        return tf_document(f"Lambda {p.function_name} triggered by new objects in S3", blocks)

    bucket_arn = "arn:${AWS::Partition}:s3:::${BucketName}"
    read_objects: dict[str, Any] = {
        "Sid": "ReadUploadedObjects",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": yamlout.sub(bucket_arn + "/*"),
    }
    resources = lambda_cfn(
        p.runtime, p.memory_mb, p.timeout_s, [read_objects], {"BUCKET": yamlout.ref("BucketName")}
    )
    resources["InvokePermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": yamlout.ref("Function"),
            "Principal": "s3.amazonaws.com",
            # From the name, not GetAtt: the bucket depends on this permission.
            "SourceArn": yamlout.sub(bucket_arn),
            "SourceAccount": yamlout.ref("AWS::AccountId"),
        },
    }
    rules = [{"Name": "prefix", "Value": p.prefix}] if p.prefix else []
    rules += [{"Name": "suffix", "Value": p.suffix}] if p.suffix else []
    notification: dict[str, Any] = {
        "Event": "s3:ObjectCreated:*",
        "Function": yamlout.get_att("Function", "Arn"),
    }
    if rules:
        notification["Filter"] = {"S3Key": {"Rules": rules}}
    bucket = private_bucket_cfn(
        "UploadsBucket",
        yamlout.ref("BucketName"),
        yamlout.get_att("FunctionKey", "Arn"),
        {"NotificationConfiguration": {"LambdaConfigurations": [notification]}},
    )
    bucket["UploadsBucket"]["DependsOn"] = "InvokePermission"
    resources.update(bucket)
    return cfn_document(
        p,
        "Lambda function triggered by new objects in an S3 bucket.",
        {
            "FunctionName": {"Type": "String", "Default": p.function_name, "AllowedPattern": NAME_PATTERN},
            "BucketName": {"Type": "String", "Default": p.bucket_name, "AllowedPattern": BUCKET_NAME},
        },
        resources,
        {
            "FunctionArn": cfn_output(yamlout.get_att("Function", "Arn"), "ARN of the function."),
            "BucketName": cfn_output(
                yamlout.ref("UploadsBucket"), "Bucket whose new objects trigger the function."
            ),
        },
    )


LAMBDA_S3 = Template(
    id="lambda_s3_trigger",
    title="Lambda function triggered by S3 uploads",
    formats=("terraform", "cloudformation"),
    params=LambdaS3Params,
    patterns=(
        (r"\b(?:lambda|function|serverless)\b", 0.5),
        (r"\b(?:s3|bucket|uploads?|objects?)\b", 0.3),
        (
            r"\b(?:trigger\w*|invoke[ds]?|fires?|on\s+(?:upload|new\s+(?:file|object))|when\s+\w+\s+(?:is\s+)?uploaded|event\s+notifications?)\b",
            0.5,
        ),
    ),
    extract=_lambda_s3_extract,
    render=_lambda_s3_render,
    design=(
        "The bucket is private (Block Public Access, no ACLs, TLS only) and encrypted with a "
        "customer-managed key that also encrypts the function's logs and environment.",
        "X-Ray tracing is on.",
        "The function may only read objects of that bucket and write its own log group: nothing else.",
        "S3 may invoke the function only for this bucket and account (source ARN and account conditions).",
        "The handler is a placeholder that logs the event: replace the inline code with yours.",
    ),
    examples=("a Lambda triggered by S3 uploads of .csv files",),
    variants=(
        {
            "function_name": "thumbnails",
            "bucket_name": "acme-images-in",
            "runtime": "nodejs22.x",
            "suffix": ".jpg",
            "prefix": "incoming/",
        },
    ),
)


# -- ECS Fargate service ---------------------------------------------------------------------------
class EcsParams(AwsParams):
    name: str = Field(default="web", pattern=NAME_PATTERN)
    image: str = Field(
        default="nginxinc/nginx-unprivileged:1.27-alpine", pattern=r"^[a-z0-9][A-Za-z0-9./:@_-]{1,254}$"
    )
    container_port: int = Field(default=8080, ge=1, le=65535)
    cpu: int = 256
    memory_mb: int = 512
    desired_count: int = Field(default=2, ge=1, le=100)
    # Who may reach the service's port: the VPC's range by default (put a load balancer in front).
    allowed_cidr: str = "10.0.0.0/16"

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, v: int) -> int:
        if v not in (256, 512, 1024, 2048, 4096, 8192, 16384):
            raise ValueError("Fargate cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384")
        return v

    @field_validator("allowed_cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        ipaddress.ip_network(v, strict=True)
        return v

    @field_validator("image")
    @classmethod
    def _pinned(cls, v: str) -> str:
        last = v.rsplit("/", 1)[-1]
        if "@sha256:" not in v and (":" not in last or last.endswith(":latest")):
            raise ValueError(f"pin the image {v!r} to a version tag or digest (not latest)")
        return v


def _ecs_extract(f: Features) -> dict[str, Any]:
    image = f.image
    if image and ":" not in image.rsplit("/", 1)[-1]:
        image = None  # an unpinned name: keep the pinned default rather than guess a tag
    return pick(
        name=first_name(f, "service", "app"),
        image=image,
        container_port=f.ports[0] if f.ports else None,
        memory_mb=f.memory_mb,
        desired_count=f.count("task", "replica", "instance", "container", "copy"),
        allowed_cidr=f.cidrs[0] if f.cidrs else None,
        **aws_common(f),
    )


def _container_definitions(p: EcsParams, log_group: Any, region: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "image": p.image,
            "essential": True,
            "readonlyRootFilesystem": True,
            "portMappings": [{"containerPort": p.container_port, "protocol": "tcp"}],
            "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": p.name,
                },
            },
        }
    ]


def _ecs_render(p: EcsParams, fmt: IacFormat) -> str:
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("vpc_id", "string", None, "VPC to run in."),
            variable("private_subnet_ids", "list(string)", None, "Private subnets for the tasks."),
            resource(
                "aws_ecs_cluster",
                "this",
                ("name", p.name),
                Block("setting", body=[("name", "containerInsights"), ("value", "enabled")]),
            ),
            *cmk_tf("logs", f"Encrypts the logs of the ECS service {p.name}", logs=True),
            resource(
                "aws_cloudwatch_log_group",
                "this",
                ("name", f"/ecs/{p.name}"),
                ("retention_in_days", 30),
                ("kms_key_id", ref("aws_kms_key.logs.arn")),
            ),
            assume_role_document("tasks_assume", "ecs-tasks.amazonaws.com"),
            resource(
                "aws_iam_role",
                "execution",
                ("name", f"{p.name}-execution"),
                ("assume_role_policy", ref("data.aws_iam_policy_document.tasks_assume.json")),
            ),
            resource(
                "aws_iam_role_policy_attachment",
                "execution",
                ("role", ref("aws_iam_role.execution.name")),
                ("policy_arn", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
            ),
            # The application's own role: no permissions until you grant the ones it needs.
            resource(
                "aws_iam_role",
                "task",
                ("name", f"{p.name}-task"),
                ("assume_role_policy", ref("data.aws_iam_policy_document.tasks_assume.json")),
            ),
            resource(
                "aws_ecs_task_definition",
                "this",
                ("family", p.name),
                ("requires_compatibilities", ["FARGATE"]),
                ("network_mode", "awsvpc"),
                ("cpu", str(p.cpu)),
                ("memory", str(p.memory_mb)),
                ("execution_role_arn", ref("aws_iam_role.execution.arn")),
                ("task_role_arn", ref("aws_iam_role.task.arn")),
                Block(
                    "runtime_platform",
                    body=[("operating_system_family", "LINUX"), ("cpu_architecture", "X86_64")],
                ),
                Block("volume", body=[("name", "tmp")]),
                (
                    "container_definitions",
                    Call(
                        "jsonencode",
                        _container_definitions(
                            p, ref("aws_cloudwatch_log_group.this.name"), ref("var.region")
                        ),
                    ),
                ),
            ),
            resource(
                "aws_security_group",
                "service",
                ("name", f"{p.name}-service"),
                ("description", f"{p.name} tasks"),
                ("vpc_id", ref("var.vpc_id")),
            ),
            resource(
                "aws_vpc_security_group_ingress_rule",
                "service",
                ("security_group_id", ref("aws_security_group.service.id")),
                ("description", "Traffic to the container port from inside the network"),
                ("ip_protocol", "tcp"),
                ("from_port", p.container_port),
                ("to_port", p.container_port),
                ("cidr_ipv4", p.allowed_cidr),
            ),
            resource(
                "aws_vpc_security_group_egress_rule",
                "all_out",
                ("security_group_id", ref("aws_security_group.service.id")),
                ("description", "Outbound: image pulls, AWS APIs"),
                ("ip_protocol", "-1"),
                ("cidr_ipv4", "0.0.0.0/0"),
            ),
            resource(
                "aws_ecs_service",
                "this",
                ("name", p.name),
                ("cluster", ref("aws_ecs_cluster.this.id")),
                ("task_definition", ref("aws_ecs_task_definition.this.arn")),
                ("desired_count", p.desired_count),
                ("launch_type", "FARGATE"),
                ("enable_execute_command", False),
                Block(
                    "network_configuration",
                    body=[
                        ("subnets", ref("var.private_subnet_ids")),
                        ("security_groups", [ref("aws_security_group.service.id")]),
                        ("assign_public_ip", False),
                    ],
                ),
                Block("deployment_circuit_breaker", body=[("enable", True), ("rollback", True)]),
            ),
            output("cluster_name", "aws_ecs_cluster.this.name", "Name of the cluster."),
            output("service_name", "aws_ecs_service.this.name", "Name of the service."),
        ]
        return tf_document(f"ECS Fargate service {p.name}", blocks)

    resources: dict[str, Any] = {
        "Cluster": {
            "Type": "AWS::ECS::Cluster",
            "Properties": {
                "ClusterName": p.name,
                "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
                "Tags": cfn_tags(p.name),
            },
        },
        "LogsKey": cmk_cfn(f"Encrypts the logs of the ECS service {p.name}", logs=True),
        "LogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": f"/ecs/{p.name}",
                "RetentionInDays": 30,
                "KmsKeyId": yamlout.get_att("LogsKey", "Arn"),
            },
        },
        "ExecutionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": assume_role_cfn("ecs-tasks.amazonaws.com"),
                "ManagedPolicyArns": [
                    yamlout.sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
                    )
                ],
            },
        },
        "TaskRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": assume_role_cfn("ecs-tasks.amazonaws.com")},
        },
        "TaskDefinition": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "Family": p.name,
                "RequiresCompatibilities": ["FARGATE"],
                "NetworkMode": "awsvpc",
                "Cpu": str(p.cpu),
                "Memory": str(p.memory_mb),
                "ExecutionRoleArn": yamlout.get_att("ExecutionRole", "Arn"),
                "TaskRoleArn": yamlout.get_att("TaskRole", "Arn"),
                "RuntimePlatform": {"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"},
                "Volumes": [{"Name": "tmp"}],
                "ContainerDefinitions": [
                    {
                        "Name": p.name,
                        "Image": p.image,
                        "Essential": True,
                        "ReadonlyRootFilesystem": True,
                        "PortMappings": [{"ContainerPort": p.container_port, "Protocol": "tcp"}],
                        "MountPoints": [{"SourceVolume": "tmp", "ContainerPath": "/tmp", "ReadOnly": False}],
                        "LogConfiguration": {
                            "LogDriver": "awslogs",
                            "Options": {
                                "awslogs-group": yamlout.ref("LogGroup"),
                                "awslogs-region": yamlout.ref("AWS::Region"),
                                "awslogs-stream-prefix": p.name,
                            },
                        },
                    }
                ],
            },
        },
        "ServiceSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"{p.name} tasks",
                "VpcId": yamlout.ref("VpcId"),
                "SecurityGroupIngress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": p.container_port,
                        "ToPort": p.container_port,
                        "CidrIp": p.allowed_cidr,
                        "Description": "Traffic to the container port from inside the network",
                    }
                ],
                "SecurityGroupEgress": [
                    {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "Outbound"}
                ],
            },
        },
        "Service": {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "ServiceName": p.name,
                "Cluster": yamlout.ref("Cluster"),
                "TaskDefinition": yamlout.ref("TaskDefinition"),
                "DesiredCount": p.desired_count,
                "LaunchType": "FARGATE",
                "EnableExecuteCommand": False,
                "NetworkConfiguration": {
                    "AwsvpcConfiguration": {
                        "Subnets": yamlout.ref("PrivateSubnetIds"),
                        "SecurityGroups": [yamlout.ref("ServiceSecurityGroup")],
                        "AssignPublicIp": "DISABLED",
                    }
                },
                "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}},
            },
        },
    }
    return cfn_document(
        p,
        f"ECS Fargate service {p.name}.",
        {
            "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "VPC to run in."},
            "PrivateSubnetIds": {
                "Type": "List<AWS::EC2::Subnet::Id>",
                "Description": "Private subnets for the tasks.",
            },
        },
        resources,
        {
            "ClusterName": cfn_output(yamlout.ref("Cluster"), "Name of the cluster."),
            "ServiceName": cfn_output(yamlout.get_att("Service", "Name"), "Name of the service."),
        },
    )


ECS_SERVICE = Template(
    id="ecs_fargate_service",
    title="ECS Fargate service in private subnets",
    formats=("terraform", "cloudformation"),
    params=EcsParams,
    patterns=(
        (r"\b(?:ecs|fargate)\b", 1.0),
        (r"\b(?:containers?|tasks?|docker)\b", 0.3),
        (r"\bservice\b", 0.2),
    ),
    extract=_ecs_extract,
    render=_ecs_render,
    design=(
        "Tasks run in private subnets without public IPs; the port is open only to the network range "
        "(put a load balancer in front for internet traffic).",
        "Read-only root filesystem with a writable /tmp volume; the default image is an unprivileged nginx.",
        "Separate execution role (pull image, write logs) and task role (your app's permissions, none yet).",
        "Deployment circuit breaker rolls back a failing release; Container Insights on; logs kept 30 days, "
        "encrypted with a customer-managed key.",
    ),
    examples=("an ECS Fargate service running my-api:1.4.2 with 3 tasks on port 8000",),
    variants=(
        {
            "name": "api",
            "image": "ghcr.io/acme/api:1.4.2",
            "container_port": 8000,
            "cpu": 512,
            "memory_mb": 1024,
            "desired_count": 3,
        },
    ),
)


# -- EC2 instance ----------------------------------------------------------------------------------
GRAVITON = re.compile(r"^[a-z]\d+g[a-z]*\.")


class Ec2Params(AwsParams):
    name: str = Field(default="app-server", pattern=NAME_PATTERN)
    instance_type: str = Field(default="t3.micro", pattern=r"^[a-z][a-z0-9]*\.[a-z0-9]+$")
    root_volume_gb: int = Field(default=20, ge=8, le=16384)

    @property
    def architecture(self) -> str:
        return "arm64" if GRAVITON.match(self.instance_type) else "x86_64"


def _ec2_extract(f: Features) -> dict[str, Any]:
    return pick(
        name=first_name(f, "instance", "server", "vm"),
        instance_type=f.instance_type,
        root_volume_gb=f.size_gb,
        **aws_common(f),
    )


def _ec2_render(p: Ec2Params, fmt: IacFormat) -> str:
    ami_parameter = f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{p.architecture}"
    if fmt == "terraform":
        blocks = tf_header(p) + [
            variable("subnet_id", "string", None, "Private subnet to launch into."),
            variable("vpc_id", "string", None, "VPC of that subnet."),
            data("aws_ssm_parameter", "al2023", ("name", ami_parameter)),
            assume_role_document("ec2_assume", "ec2.amazonaws.com"),
            resource(
                "aws_iam_role",
                "instance",
                ("name", f"{p.name}-instance"),
                ("assume_role_policy", ref("data.aws_iam_policy_document.ec2_assume.json")),
            ),
            resource(
                "aws_iam_role_policy_attachment",
                "ssm",
                ("role", ref("aws_iam_role.instance.name")),
                ("policy_arn", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
            ),
            resource(
                "aws_iam_instance_profile",
                "this",
                ("name", p.name),
                ("role", ref("aws_iam_role.instance.name")),
            ),
            # No ingress rules: administration goes through SSM Session Manager, not SSH.
            resource(
                "aws_security_group",
                "instance",
                ("name", f"{p.name}-instance"),
                ("description", f"{p.name}: no inbound access"),
                ("vpc_id", ref("var.vpc_id")),
            ),
            resource(
                "aws_vpc_security_group_egress_rule",
                "https_out",
                ("security_group_id", ref("aws_security_group.instance.id")),
                ("description", "HTTPS to AWS APIs and package mirrors"),
                ("ip_protocol", "tcp"),
                ("from_port", 443),
                ("to_port", 443),
                ("cidr_ipv4", "0.0.0.0/0"),
            ),
            hardened_instance_tf(
                "this",
                p.name,
                p.instance_type,
                ami=ref("data.aws_ssm_parameter.al2023.value"),
                subnet_id=ref("var.subnet_id"),
                security_group=ref("aws_security_group.instance.id"),
                instance_profile=ref("aws_iam_instance_profile.this.name"),
                volume_gb=p.root_volume_gb,
            ),
            output("instance_id", "aws_instance.this.id", "ID of the instance."),
            output("private_ip", "aws_instance.this.private_ip", "Private IP address."),
        ]
        return tf_document(f"EC2 instance {p.name}", blocks)
    resources: dict[str, Any] = {
        "InstanceRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": assume_role_cfn("ec2.amazonaws.com"),
                "ManagedPolicyArns": [
                    yamlout.sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")
                ],
            },
        },
        "InstanceProfile": {
            "Type": "AWS::IAM::InstanceProfile",
            "Properties": {"Roles": [yamlout.ref("InstanceRole")]},
        },
        "InstanceSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"{p.name}: no inbound access",
                "VpcId": yamlout.ref("VpcId"),
                "SecurityGroupEgress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "CidrIp": "0.0.0.0/0",
                        "Description": "HTTPS out",
                    }
                ],
            },
        },
        "LaunchTemplate": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "MetadataOptions": {
                        "HttpEndpoint": "enabled",
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                    }
                }
            },
        },
        "Instance": {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "ImageId": yamlout.ref("ImageId"),
                "InstanceType": p.instance_type,
                "SubnetId": yamlout.ref("SubnetId"),
                "SecurityGroupIds": [yamlout.ref("InstanceSecurityGroup")],
                "IamInstanceProfile": yamlout.ref("InstanceProfile"),
                "Monitoring": True,
                "EbsOptimized": True,
                "LaunchTemplate": {
                    "LaunchTemplateId": yamlout.ref("LaunchTemplate"),
                    "Version": yamlout.get_att("LaunchTemplate", "LatestVersionNumber"),
                },
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "VolumeType": "gp3",
                            "VolumeSize": p.root_volume_gb,
                            "Encrypted": True,
                            "DeleteOnTermination": True,
                        },
                    }
                ],
                "Tags": cfn_tags(p.name),
            },
        },
    }
    return cfn_document(
        p,
        f"EC2 instance {p.name}.",
        {
            "ImageId": {
                "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Default": ami_parameter,
                "Description": "Latest Amazon Linux 2023 AMI, from the public SSM parameter.",
            },
            "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "VPC of the subnet."},
            "SubnetId": {"Type": "AWS::EC2::Subnet::Id", "Description": "Private subnet to launch into."},
        },
        resources,
        {
            "InstanceId": cfn_output(yamlout.ref("Instance"), "ID of the instance."),
            "PrivateIp": cfn_output(yamlout.get_att("Instance", "PrivateIp"), "Private IP address."),
        },
    )


EC2_INSTANCE = Template(
    id="ec2_instance",
    title="EC2 instance (IMDSv2, encrypted disk, SSM access, no public IP)",
    formats=("terraform", "cloudformation"),
    params=Ec2Params,
    patterns=((r"\bec2\b", 1.0), (r"\b(?:instance|virtual\s+machine|vm|server|bastion)s?\b", 0.5)),
    extract=_ec2_extract,
    render=_ec2_render,
    design=(
        "Latest Amazon Linux 2023 from the public SSM parameter (arm64 for Graviton types).",
        "IMDSv2 required (hop limit 1); encrypted gp3 root volume; no public IP.",
        "No inbound rules: administration through SSM Session Manager (instance role with "
        "AmazonSSMManagedInstanceCore), not SSH.",
    ),
    examples=("an EC2 t3.small instance with a 50 GB disk",),
    variants=(
        {"name": "worker", "instance_type": "m7g.large", "root_volume_gb": 100, "region": "eu-west-1"},
    ),
)
