"""Step Functions state machine: a role limited to the functions it calls, logging of every
execution to a KMS-encrypted log group, X-Ray tracing, encryption with the shared CMK."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Stmt, Unit, cfn, named, resource
from tools.iac.blocks.cloudwatch_log_group import log_group
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, interp, ref


class SfnParams(BlockParams):
    name: str = Field(default="workflow", pattern=r"^[A-Za-z0-9_-]{1,80}$")
    type: Literal["STANDARD", "EXPRESS"] = "STANDARD"
    retries: int = Field(default=3, ge=0, le=10)


class StepFunctions(BlockSpec):
    kind: ClassVar[str] = "step_functions"
    title: ClassVar[str] = "Step Functions state machine"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bstep\s+functions?(?:\s+state\s+machines?)?\b",
        r"\bstate\s+machines?\b",
        r"\bsfn\b",
    )
    params_model: ClassVar[type[BlockParams]] = SfnParams
    tf_type: ClassVar[str] = "aws_sfn_state_machine"
    cfn_type: ClassVar[str] = "AWS::StepFunctions::StateMachine"
    cfn_arn_attr: ClassVar[str] = ""
    design: ClassVar[tuple[str, ...]] = (
        "State machine: a role that may invoke only its functions, all executions logged to an encrypted "
        "log group, X-Ray tracing, retries with backoff.",
    )
    access: ClassVar[dict[str, tuple[str, ...]]] = {
        "write": ("states:StartExecution",),
        "invoke": ("states:StartExecution",),
    }
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("write", "lambda"), ("write", "sqs_queue"), ("write", "sns_topic"), ("write", "dynamodb_table")}
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = named(f, text, "machine", "workflow")
        if name:
            out["name"] = name
        if re.search(r"\bexpress\b", text, re.I):
            out["type"] = "EXPRESS"
        m = re.search(r"\b(\d{1,2})\s+(?:retries|attempts)\b|\bretr(?:y|ies)\s+(\d{1,2})\b", text, re.I)
        if m:
            out["retries"] = int(m.group(1) or m.group(2))
        return out

    def _definition(self, u: Unit, s: Scene) -> str:
        p: SfnParams = u.params
        steps = s.out_of(u, "write")
        states: dict[str, Any] = {}
        names = []
        for i, t in enumerate(steps or [None]):
            name = f"Step{i + 1}" if t is None else f"Call{t.lid}"
            names.append(name)
            if t is None:
                states[name] = {"Type": "Pass", "Comment": "Replace with your first task"}
                continue
            arn = "${" + t.lid + "Arn}"
            resource_arn = {
                "lambda": "arn:aws:states:::lambda:invoke",
                "sqs_queue": "arn:aws:states:::sqs:sendMessage",
                "sns_topic": "arn:aws:states:::sns:publish",
                "dynamodb_table": "arn:aws:states:::dynamodb:putItem",
            }[t.kind]
            params = {
                "lambda": {"FunctionName": arn, "Payload.$": "$"},
                "sqs_queue": {"QueueUrl": "${" + t.lid + "Url}", "MessageBody.$": "$"},
                "sns_topic": {"TopicArn": arn, "Message.$": "$"},
                "dynamodb_table": {
                    "TableName": "${" + t.lid + "Name}",
                    "Item": {"id": {"S.$": "$$.Execution.Name"}},
                },
            }[t.kind]
            states[name] = {
                "Type": "Task",
                "Resource": resource_arn,
                "Parameters": params,
                "Retry": [
                    {
                        "ErrorEquals": ["States.TaskFailed", "States.Timeout"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": p.retries,
                        "BackoffRate": 2,
                    }
                ],
            }
        for a, b in zip(names, names[1:], strict=False):
            states[a]["Next"] = b
        states[names[-1]]["End"] = True
        return json.dumps({"Comment": f"{p.name}", "StartAt": names[0], "States": states}, indent=2)

    def _substitutions(self, u: Unit, s: Scene) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for t in s.out_of(u, "write"):
            if s.fmt == "terraform":
                out[f"{t.lid}Arn"] = t.block.arn(t, s)
                if t.kind == "sqs_queue":
                    out[f"{t.lid}Url"] = ref(f"aws_sqs_queue.{t.label}.url")
                if t.kind == "dynamodb_table":
                    out[f"{t.lid}Name"] = ref(f"aws_dynamodb_table.{t.label}.name")
            else:
                out[f"{t.lid}Arn"] = t.block.arn(t, s)
                if t.kind == "sqs_queue":
                    out[f"{t.lid}Url"] = yamlout.ref(t.lid)
                if t.kind == "dynamodb_table":
                    out[f"{t.lid}Name"] = yamlout.ref(t.lid)
        return out

    def _statements(self, u: Unit, s: Scene) -> list[Stmt]:
        delivery = tuple(
            f"logs:{a}"
            for a in (
                "CreateLogDelivery", "GetLogDelivery", "UpdateLogDelivery", "DeleteLogDelivery",
                "ListLogDeliveries",
                "PutResourcePolicy", "DescribeResourcePolicies", "DescribeLogGroups",
            )
        )  # fmt: skip
        return [
            *s.grants(u),
            Stmt("LogDelivery", delivery, ("*",)),
            Stmt(
                "Tracing",
                (
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                ),
                ("*",),
            ),
            Stmt(
                "UseKey",
                ("kms:Decrypt", "kms:GenerateDataKey"),
                (s.key_arn("states.amazonaws.com", "StepFunctions"),),
            ),
        ]

    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: SfnParams = u.params
        logs, _ = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/vendedlogs/states/{p.name}", 365)
        role, _ = s.role(u, "states.amazonaws.com", self._statements(u, s))
        definition = self._definition(u, s)
        subs = self._substitutions(u, s)
        s.output(
            f"{u.label}_state_machine_arn",
            ref(f"aws_sfn_state_machine.{u.label}.arn"),
            "ARN of the state machine.",
        )
        return [
            *logs,
            *role,
            resource(
                "aws_sfn_state_machine",
                u.label,
                ("name", p.name),
                ("type", p.type),
                ("role_arn", s.role_arn(u)),
                (
                    "definition",
                    Call("jsonencode", json.loads(definition))
                    if not subs
                    else _tf_definition(definition, subs),
                ),
                Block(
                    "logging_configuration",
                    body=[
                        ("log_destination", interp(f"${{aws_cloudwatch_log_group.{u.label}_logs.arn}}:*")),
                        ("include_execution_data", True),
                        ("level", "ALL"),
                    ],
                ),
                Block("tracing_configuration", body=[("enabled", True)]),
                Block(
                    "encryption_configuration",
                    body=[
                        ("type", "CUSTOMER_MANAGED_KMS_KEY"),
                        ("kms_key_id", s.key_arn()),
                        ("kms_data_key_reuse_period_seconds", 300),
                    ],
                ),
            ),
        ]

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: SfnParams = u.params
        _, out = log_group(s, f"{u.label}_logs", f"{u.lid}Logs", f"/aws/vendedlogs/states/{p.name}", 365)
        _, role = s.role(u, "states.amazonaws.com", self._statements(u, s))
        out.update(role)
        props: dict[str, Any] = {
            "StateMachineName": p.name,
            "StateMachineType": p.type,
            "RoleArn": s.role_arn(u),
            "DefinitionString": self._definition(u, s),
            "LoggingConfiguration": {
                "Level": "ALL",
                "IncludeExecutionData": True,
                "Destinations": [
                    {"CloudWatchLogsLogGroup": {"LogGroupArn": yamlout.get_att(f"{u.lid}Logs", "Arn")}}
                ],
            },
            "TracingConfiguration": {"Enabled": True},
            "EncryptionConfiguration": {
                "Type": "CUSTOMER_MANAGED_KMS_KEY",
                "KmsKeyId": s.key_arn(),
                "KmsDataKeyReusePeriodSeconds": 300,
            },
        }
        subs = self._substitutions(u, s)
        if subs:
            props["DefinitionString"] = yamlout.Tagged("!Sub", [self._definition(u, s), subs])
        out[u.lid] = cfn("AWS::StepFunctions::StateMachine", props)
        s.output(f"{u.label}_state_machine_arn", yamlout.ref(u.lid), "ARN of the state machine.")
        return out


def _tf_definition(definition: str, subs: dict[str, Any]) -> Any:
    """The definition as jsonencode of the data, with references in place of the ${...} names."""
    data = json.loads(definition)

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str) and x.startswith("${") and x.endswith("}") and x[2:-1] in subs:
            return subs[x[2:-1]]
        return x

    return Call("jsonencode", walk(data))
