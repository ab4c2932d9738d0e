"""Lambda function: its own encrypted log group, a role scoped to that log group and to the
resources it is linked to, X-Ray tracing, arm64, optional VPC placement; event source mappings for
queues and streams, and invoke permissions for whatever triggers it or sits in front of it."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Stmt, Unit, cfn, named, pascal, resource
from tools.iac.blocks.cloudwatch_log_group import log_group, log_group_arn
from tools.iac.catalogue.lambdas import handler_source, runtime_from_text
from tools.iac.features import Features
from tools.iac.hcl import Block, Heredoc, interp, ref

# A runtime with its version as written ("node20", "python 3.9", "nodejs18.x").
_ASKED_RUNTIME = re.compile(r"\b(?:python\s?3\.\d{1,2}|node(?:js)?\s?\d{2}(?:\.x)?)(?![\w.])", re.I)
Runtime = Literal["python3.12", "python3.13", "python3.14", "nodejs22.x", "nodejs24.x"]
# Who invokes a function for each kind of trigger or front.
INVOKERS = {
    "s3_bucket": "s3.amazonaws.com",
    "sns_topic": "sns.amazonaws.com",
    "eventbridge_rule": "events.amazonaws.com",
    "http_api": "apigateway.amazonaws.com",
    "rest_api": "apigateway.amazonaws.com",
    "alb": "elasticloadbalancing.amazonaws.com",
}
POLLED = ("sqs_queue", "kinesis_stream", "dynamodb_table")


class LambdaParams(BlockParams):
    name: str = Field(default="handler", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    runtime: Runtime = "python3.13"
    memory_mb: int = Field(default=256, ge=128, le=10240)
    timeout_s: int = Field(default=30, ge=1, le=900)
    in_vpc: bool = False
    batch_size: int = Field(default=10, ge=1, le=10000)
    reserved_concurrency: int | None = Field(default=None, ge=0, le=10000)
    ephemeral_mb: int | None = Field(default=None, ge=512, le=10240)


class LambdaFunction(BlockSpec):
    kind: ClassVar[str] = "lambda"
    title: ClassVar[str] = "Lambda function"
    nouns: ClassVar[tuple[str, ...]] = (r"\blambda(?:\s+functions?)?\b", r"\bserverless\s+functions?\b")
    params_model: ClassVar[type[BlockParams]] = LambdaParams
    tf_type: ClassVar[str] = "aws_lambda_function"
    cfn_type: ClassVar[str] = "AWS::Lambda::Function"
    design: ClassVar[tuple[str, ...]] = (
        "Function: its own KMS-encrypted log group, a role limited to that log group and the linked "
        "resources, X-Ray tracing, a placeholder handler to replace.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "invoke": ("lambda:InvokeFunction",),
        "write": ("lambda:InvokeFunction",),
    }
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("write", k)
            for k in (
                "dynamodb_table",
                "s3_bucket",
                "sqs_queue",
                "sns_topic",
                "kinesis_stream",
                "secret",
                "ssm_parameter",
                "eventbridge_bus",
                "step_functions",
            )
        }
        | {
            ("read", k)
            for k in ("dynamodb_table", "s3_bucket", "secret", "ssm_parameter", "sqs_queue", "kinesis_stream")
        }
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "function", "lambda")
        if name:
            out["name"] = name
        runtime = runtime_from_text(text.lower())
        if runtime:
            out["runtime"] = runtime
        m = re.search(r"\b(\d{3,5})\s*(?:mb|mib)\b", text, re.I)
        if m:
            out["memory_mb"] = int(m.group(1))
        m = re.search(r"\b(?:1|one)\s*gb\b", text, re.I)
        if m and "memory_mb" not in out:
            out["memory_mb"] = 1024
        m = re.search(
            r"\btimeout\s*(?:of|=|:)?\s*(\d{1,3})\s*(s|sec|seconds?|m|min|minutes?)\b", text, re.I
        ) or re.search(r"\b(\d{1,3})\s*(s|sec|seconds?|m|min|minutes?)\s+timeout\b", text, re.I)
        if m:
            out["timeout_s"] = int(m.group(1)) * (60 if m.group(2).lower().startswith("m") else 1)
        if re.search(r"\b(?:in|inside|into)\s+(?:a\s+|the\s+)?(?:private\s+subnets?|vpc)\b", text, re.I):
            out["in_vpc"] = True
        m = re.search(r"\bbatch(?:\s+size)?\s*(?:of|=|:)?\s*(\d{1,5})\b", text, re.I)
        if m:
            out["batch_size"] = int(m.group(1))
        m = re.search(r"\breserved\s+concurrency\s*(?:of|=|:)?\s*(\d{1,5})\b", text, re.I)
        if m:
            out["reserved_concurrency"] = int(m.group(1))
        m = re.search(
            r"\b(\d{1,5})\s*(gb|gib|mb|mib)\s+(?:of\s+)?(?:ephemeral|/tmp|tmp)(?:\s+(?:storage|space|disk))?"
            r"|\b(?:ephemeral|/tmp|tmp)\s+(?:storage|space|disk)\s*(?:of|=|:)?\s*(\d{1,5})\s*(gb|gib|mb|mib)\b",
            text,
            re.I,
        )
        if m:
            n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            out["ephemeral_mb"] = int(n) * (1024 if unit.lower().startswith("g") else 1)
        # A memory size written in MB is the function's memory, not its /tmp.
        if "ephemeral_mb" in out and out.get("memory_mb") == out["ephemeral_mb"]:
            del out["memory_mb"]
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        asked = _ASKED_RUNTIME.search(u.text)
        if asked is None:
            return []
        said = re.sub(r"\s+", "", asked.group(0).lower())
        wanted = said.replace("node", "nodejs").replace("jsjs", "js").removesuffix(".x")
        if u.params.runtime.removesuffix(".x") == wanted:
            return []
        return [
            f"Changed from your request: you asked for the {asked.group(0)} runtime; this function uses "
            f"{u.params.runtime}: the blocks write current Lambda runtimes only (python3.12 to 3.14, "
            "nodejs22.x, nodejs24.x), older ones are deprecated or close to it."
        ]

    # -- pieces ------------------------------------------------------------------------------
    def _statements(self, u: Unit, s: Scene) -> list[Stmt]:
        logs = log_group_arn(s, f"{u.label}_logs", f"{u.lid}Logs")
        own = (
            interp(f"${{aws_cloudwatch_log_group.{u.label}_logs.arn}}:*")
            if s.fmt == "terraform"
            else yamlout.sub(f"${{{u.lid}Logs.Arn}}:*")
        )
        del logs
        statements = [
            Stmt("WriteOwnLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), (own,)),
            Stmt("Tracing", ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",)),
        ]
        statements += s.grants(u)
        for src in s.into(u, "trigger"):
            if src.kind in ("kinesis_stream", "dynamodb_table"):
                stream = src.block.stream_arn(src, s)
                statements.append(
                    Stmt(
                        pascal(f"read stream {src.label}"),
                        (
                            "kinesis:GetRecords",
                            "kinesis:GetShardIterator",
                            "kinesis:DescribeStream",
                            "kinesis:ListShards",
                        )
                        if src.kind == "kinesis_stream"
                        else (
                            "dynamodb:GetRecords",
                            "dynamodb:GetShardIterator",
                            "dynamodb:DescribeStream",
                            "dynamodb:ListStreams",
                        ),
                        (stream,),
                    )
                )
                if src.kind == "kinesis_stream":
                    statements.append(Stmt(pascal(f"key for {src.label}"), ("kms:Decrypt",), (s.key_arn(),)))
            elif src.kind == "sqs_queue":
                statements.append(Stmt(pascal(f"key for {src.label}"), ("kms:Decrypt",), (s.key_arn(),)))
        return statements

    def _environment(self, u: Unit, s: Scene) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for other in s.out_of(u, "write", "read"):
            env[f"{other.label.upper()}_{'ARN' if other.kind not in ('s3_bucket',) else 'BUCKET'}"] = (
                other.block.arn(other, s)
                if other.kind != "s3_bucket"
                else (
                    ref(f"aws_s3_bucket.{other.label}.id") if s.fmt == "terraform" else yamlout.ref(other.lid)
                )
            )
        return env

    def _invoker_arn(self, src: Unit, s: Scene) -> Any:
        if src.kind in ("http_api", "rest_api"):
            return src.block.execution_arn(src, s)  # type: ignore[attr-defined]
        if src.kind == "s3_bucket" and s.fmt == "cloudformation":
            # From the name, not GetAtt: the bucket's notification depends on this permission.
            return yamlout.sub(f"arn:${{AWS::Partition}}:s3:::${{{pascal(src.label + '_bucket_name')}}}")
        if src.kind == "alb":
            return src.block.target_group_arn(src, s)  # type: ignore[attr-defined]
        return src.block.arn(src, s)

    def invokers(self, u: Unit, s: Scene) -> list[Unit]:
        return [x for x in s.into(u, "trigger") + s.into(u, "front") if x.kind in INVOKERS]

    # -- Terraform ---------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: LambdaParams = u.params
        s.providers["archive"] = "~> 2.4"
        filename, handler, code = handler_source(p.runtime)
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/lambda/{p.name}", 365)
        statements = self._statements(u, s)
        role, _ = s.role(u, "lambda.amazonaws.com", statements)
        fn: list[Any] = [
            ("function_name", p.name),
            ("role", s.role_arn(u)),
            ("runtime", p.runtime),
            ("handler", handler),
            ("filename", ref(f"data.archive_file.{u.label}.output_path")),
            ("source_code_hash", ref(f"data.archive_file.{u.label}.output_base64sha256")),
            ("memory_size", p.memory_mb),
            ("timeout", p.timeout_s),
            ("architectures", ["arm64"]),
        ]
        if p.reserved_concurrency is not None:
            fn.append(("reserved_concurrent_executions", p.reserved_concurrency))
        if p.ephemeral_mb is not None:
            fn.append(Block("ephemeral_storage", body=[("size", p.ephemeral_mb)]))
        env = self._environment(u, s)
        if env:
            fn.append(Block("environment", body=[("variables", env)]))
            fn.append(("kms_key_arn", s.key_arn()))
        fn.append(Block("tracing_config", body=[("mode", "Active")]))
        fn.append(
            Block(
                "logging_config",
                body=[
                    ("log_format", "JSON"),
                    ("log_group", ref(f"aws_cloudwatch_log_group.{u.label}_logs.name")),
                ],
            )
        )
        extra: list[Block] = []
        if p.in_vpc:
            extra.append(
                resource(
                    "aws_security_group",
                    f"{u.label}_fn",
                    ("name_prefix", f"{p.name[:40]}-fn-"),
                    ("description", f"Lambda {p.name}: outbound HTTPS only"),
                    ("vpc_id", s.vpc_id()),
                    Block(
                        "egress",
                        body=[
                            ("description", "HTTPS to AWS APIs"),
                            ("from_port", 443),
                            ("to_port", 443),
                            ("protocol", "tcp"),
                            ("cidr_blocks", [s.client_cidr()]),
                        ],
                    ),
                )
            )
            fn.append(
                Block(
                    "vpc_config",
                    body=[
                        ("subnet_ids", s.private_subnets()),
                        ("security_group_ids", [ref(f"aws_security_group.{u.label}_fn.id")]),
                    ],
                )
            )
            extra.append(
                resource(
                    "aws_iam_role_policy_attachment",
                    f"{u.label}_vpc",
                    ("role", ref(f"aws_iam_role.{u.label}_role.name")),
                    (
                        "policy_arn",
                        interp(
                            "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
                        ),
                    ),
                )
            )
            s.partition()
        fn.append(
            (
                "depends_on",
                [ref(f"aws_iam_role_policy.{u.label}_role"), ref(f"aws_cloudwatch_log_group.{u.label}_logs")],
            )
        )
        blocks = [
            Block(
                "data",
                ("archive_file", u.label),
                [
                    ("type", "zip"),
                    ("output_path", interp(f"${{path.module}}/build/{p.name}.zip")),
                    Block("source", body=[("filename", filename), ("content", Heredoc(code))]),
                ],
            ),
            *logs,
            *role,
            *extra,
            resource("aws_lambda_function", u.label, *fn),
        ]
        arn = ref(f"aws_lambda_function.{u.label}.arn")
        for src in s.into(u, "trigger"):
            if src.kind in POLLED:
                body: list[Any] = [
                    (
                        "event_source_arn",
                        src.block.stream_arn(src, s) if src.kind != "sqs_queue" else src.block.arn(src, s),
                    ),
                    ("function_name", arn),
                    ("batch_size", p.batch_size),
                ]
                if src.kind != "sqs_queue":
                    body.append(("starting_position", "LATEST"))
                blocks.append(
                    resource("aws_lambda_event_source_mapping", f"{u.label}_from_{src.label}", *body)
                )
        for src in self.invokers(u, s):
            body = [
                ("statement_id", f"Allow{pascal(src.kind)}{pascal(src.label)}"),
                ("action", "lambda:InvokeFunction"),
                ("function_name", ref(f"aws_lambda_function.{u.label}.function_name")),
                ("principal", INVOKERS[src.kind]),
                ("source_arn", self._invoker_arn(src, s)),
            ]
            if src.kind == "s3_bucket":
                body.append(("source_account", s.account_id()))
            blocks.append(resource("aws_lambda_permission", f"{u.label}_from_{src.label}", *body))
            if src.kind == "s3_bucket":
                blocks.append(
                    resource(
                        "aws_s3_bucket_notification",
                        f"{src.label}_to_{u.label}",
                        ("bucket", ref(f"aws_s3_bucket.{src.label}.id")),
                        Block(
                            "lambda_function",
                            body=[
                                ("lambda_function_arn", arn),
                                ("events", ["s3:ObjectCreated:*"]),
                                *self._filter_tf(src),
                            ],
                        ),
                        ("depends_on", [ref(f"aws_lambda_permission.{u.label}_from_{src.label}")]),
                    )
                )
            if src.kind == "sns_topic":
                blocks.append(
                    resource(
                        "aws_sns_topic_subscription",
                        f"{src.label}_to_{u.label}",
                        ("topic_arn", ref(f"aws_sns_topic.{src.label}.arn")),
                        ("protocol", "lambda"),
                        ("endpoint", arn),
                    )
                )
        s.output(f"{u.label}_function_arn", arn, "ARN of the function.")
        return blocks

    def _filter_tf(self, src: Unit) -> list[Any]:
        m = re.search(r"(\.[a-z0-9]{1,8})\s+(?:files?|objects?|uploads?)", src.text, re.I)
        return [("filter_suffix", m.group(1))] if m else []

    def suffix(self, src: Unit) -> str | None:
        m = re.search(r"(\.[a-z0-9]{1,8})\s+(?:files?|objects?|uploads?)", src.text, re.I)
        return m.group(1) if m else None

    # -- CloudFormation ----------------------------------------------------------------------
    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: LambdaParams = u.params
        _, handler, code = handler_source(p.runtime)
        _, out = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/lambda/{p.name}", 365)
        _, role = s.role(u, "lambda.amazonaws.com", self._statements(u, s))
        out.update(role)
        props: dict[str, Any] = {
            "FunctionName": p.name,
            "Role": s.role_arn(u),
            "Runtime": p.runtime,
            "Handler": handler,
            "Code": {"ZipFile": code},
            "MemorySize": p.memory_mb,
            "Timeout": p.timeout_s,
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "LoggingConfig": {"LogFormat": "JSON", "LogGroup": yamlout.ref(f"{u.lid}Logs")},
        }
        if p.reserved_concurrency is not None:
            props["ReservedConcurrentExecutions"] = p.reserved_concurrency
        if p.ephemeral_mb is not None:
            props["EphemeralStorage"] = {"Size": p.ephemeral_mb}
        env = self._environment(u, s)
        if env:
            props["Environment"] = {"Variables": env}
            props["KmsKeyArn"] = s.key_arn()
        if p.in_vpc:
            out[f"{u.lid}FnSecurityGroup"] = cfn(
                "AWS::EC2::SecurityGroup",
                {
                    "GroupDescription": f"Lambda {p.name}: outbound HTTPS only",
                    "VpcId": s.vpc_id(),
                    "SecurityGroupEgress": [
                        {
                            "Description": "HTTPS to AWS APIs",
                            "IpProtocol": "tcp",
                            "FromPort": 443,
                            "ToPort": 443,
                            "CidrIp": s.client_cidr(),
                        }
                    ],
                },
            )
            props["VpcConfig"] = {
                "SubnetIds": s.private_subnets(),
                "SecurityGroupIds": [yamlout.ref(f"{u.lid}FnSecurityGroup")],
            }
            out[f"{u.lid}Role"]["Properties"]["ManagedPolicyArns"] = [
                yamlout.sub(
                    "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
                )
            ]
        out[u.lid] = cfn("AWS::Lambda::Function", props)
        for src in s.into(u, "trigger"):
            if src.kind in POLLED:
                mapping: dict[str, Any] = {
                    "EventSourceArn": src.block.stream_arn(src, s)
                    if src.kind != "sqs_queue"
                    else src.block.arn(src, s),
                    "FunctionName": yamlout.ref(u.lid),
                    "BatchSize": p.batch_size,
                }
                if src.kind != "sqs_queue":
                    mapping["StartingPosition"] = "LATEST"
                out[f"{u.lid}From{src.lid}"] = cfn("AWS::Lambda::EventSourceMapping", mapping)
        for src in self.invokers(u, s):
            perm: dict[str, Any] = {
                "Action": "lambda:InvokeFunction",
                "FunctionName": yamlout.ref(u.lid),
                "Principal": INVOKERS[src.kind],
                "SourceArn": self._invoker_arn(src, s),
            }
            if src.kind == "alb":
                # The target group registers the function only once this permission exists, so
                # naming the group's ARN here would be a cycle: scope it to the account instead.
                del perm["SourceArn"]
            if src.kind in ("s3_bucket", "alb"):
                perm["SourceAccount"] = yamlout.ref("AWS::AccountId")
            out[f"{u.lid}From{src.lid}Permission"] = cfn("AWS::Lambda::Permission", perm)
            if src.kind == "sns_topic":
                out[f"{src.lid}To{u.lid}"] = cfn(
                    "AWS::SNS::Subscription",
                    {
                        "TopicArn": yamlout.ref(src.lid),
                        "Protocol": "lambda",
                        "Endpoint": yamlout.get_att(u.lid, "Arn"),
                    },
                )
        s.output(f"{u.label}_function_arn", yamlout.get_att(u.lid, "Arn"), "ARN of the function.")
        return out
