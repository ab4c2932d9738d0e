"""What a building block is, and the scene that composes blocks into one file.

A block is one kind of resource (an EFS file system, an SQS queue, a Kubernetes PDB) with typed
parameters, secure defaults and a renderer per format. A request becomes a list of `Unit`s (a
block with its parameters) and `Link`s between them ("an HTTP API in front of a Lambda", "a Lambda
triggered by a queue"); each block renders its own resources and its side of every link, asking the
`Scene` for what several blocks share: variables, the customer-managed KMS key, IAM roles scoped
to the linked resources, the network it runs in, outputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.iac import hcl, yamlout
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, Expr, interp, ref
from tools.iac.model import IacFormat

Relation = Literal["front", "trigger", "write", "read", "deliver", "subscribe", "attach"]
NAME = r"^[a-z0-9][a-z0-9-]{0,62}$"
AWS_PROVIDER_VERSION = "~> 6.0"


class BlockParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(default="app", pattern=NAME)


@dataclass(eq=False)
class Unit:
    """One block in a composition, with its parameters and the names it renders under."""

    block: BlockSpec
    params: Any
    label: str  # Terraform resource name
    lid: str  # CloudFormation logical id prefix
    text: str = ""  # the part of the request about this unit

    @property
    def kind(self) -> str:
        return self.block.kind


@dataclass(frozen=True)
class Link:
    source: Unit
    relation: Relation
    target: Unit


@dataclass(frozen=True)
class Stmt:
    """One IAM statement, with resources already written for the scene's format."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[Any, ...]

    def json(self) -> dict[str, Any]:
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions),
            "Resource": list(self.resources) if len(self.resources) != 1 else self.resources[0],
        }


def snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "this"


def pascal(text: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text) if part) or "Main"


class BlockSpec:
    """The class of every block: one subclass per file under tools/iac/blocks/."""

    kind: ClassVar[str]
    title: ClassVar[str]
    # Regular expressions (on the lower-cased request) that name this kind of resource.
    nouns: ClassVar[tuple[str, ...]]
    formats: ClassVar[tuple[IacFormat, ...]] = ("terraform", "cloudformation")
    params_model: ClassVar[type[BlockParams]] = BlockParams
    # The resource type that proves the block is in a file (anti-substitution check).
    tf_type: ClassVar[str] = ""
    cfn_type: ClassVar[str] = ""
    k8s_kind: ClassVar[str] = ""
    design: ClassVar[tuple[str, ...]] = ()
    # IAM actions another resource needs to use this one, by access mode.
    access: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # Links this block can be the source of: (relation, target kind).
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset()
    # Links the block cannot do without; the composition adds the other resource if it is missing.
    requires: ClassVar[tuple[tuple[Relation, str], ...]] = ()
    # Terraform attribute / CloudFormation GetAtt of the ARN; "" when Ref is the ARN.
    tf_arn_attr: ClassVar[str] = "arn"
    cfn_arn_attr: ClassVar[str] = "Arn"
    default_name: ClassVar[str] = "app"
    # Requests that exercise the block and its wiring (the type-count test renders them).
    examples: ClassVar[tuple[str, ...]] = ()

    # -- reading the request -------------------------------------------------------------------
    def read(self, f: Features, text: str) -> dict[str, Any]:
        """Parameter values this unit's part of the request states (only those)."""
        return {}

    def build(self, values: Mapping[str, Any]) -> Any:
        return self.params_model.model_validate(dict(values))

    # -- rendering -----------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        raise NotImplementedError(self.kind)

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        raise NotImplementedError(self.kind)

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        raise NotImplementedError(self.kind)

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return []

    # -- references other blocks use -----------------------------------------------------------
    def arn(self, u: Unit, s: Scene) -> Any:
        if s.fmt == "terraform":
            return ref(f"{self.tf_type}.{u.label}.{self.tf_arn_attr}")
        if not self.cfn_arn_attr:
            return yamlout.ref(u.lid)
        return yamlout.get_att(u.lid, self.cfn_arn_attr)

    def stream_arn(self, u: Unit, s: Scene) -> Any:
        """The ARN a Lambda event source mapping reads (the table's stream for DynamoDB)."""
        return self.arn(u, s)

    def resource_arns(self, u: Unit, s: Scene, mode: str) -> list[Any]:
        """What an IAM statement for `mode` access names (objects as well as the bucket, ...)."""
        return [self.arn(u, s)]


@dataclass
class Scene:
    """Everything shared while one composition renders."""

    fmt: IacFormat
    units: list[Unit]
    links: list[Link] = field(default_factory=list)
    region: str = "us-east-1"
    environment: str = "dev"
    tf_vars: dict[str, Block] = field(default_factory=dict)
    cfn_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    cfn_conditions: dict[str, Any] = field(default_factory=dict)
    tf_outputs: list[Block] = field(default_factory=list)
    cfn_outputs: dict[str, Any] = field(default_factory=dict)
    tf_data: dict[str, Block] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    # Service principals the shared customer-managed key must allow ("logs", "sns.amazonaws.com").
    key_services: dict[str, str] = field(default_factory=dict)
    key_used: bool = False
    notes: list[str] = field(default_factory=list)
    request: str = ""

    # -- units and links -----------------------------------------------------------------------
    def into(self, u: Unit, *relations: Relation) -> list[Unit]:
        """Units linked to `u` (u is the target)."""
        return [lk.source for lk in self.links if lk.target is u and lk.relation in relations]

    def out_of(self, u: Unit, *relations: Relation) -> list[Unit]:
        """Units `u` links to (u is the source)."""
        return [lk.target for lk in self.links if lk.source is u and lk.relation in relations]

    def first(self, kind: str) -> Unit | None:
        return next((u for u in self.units if u.kind == kind), None)

    # -- variables / parameters ----------------------------------------------------------------
    def var(self, name: str, tf_type: str, default: Any, description: str, cfn_type: str = "String") -> Any:
        """A Terraform variable or CloudFormation parameter, declared once; returns its reference."""
        if self.fmt == "terraform":
            if name not in self.tf_vars:
                body: list[hcl.Entry] = [("description", description), ("type", ref(tf_type))]
                if default is not None:
                    body.append(("default", default))
                self.tf_vars[name] = Block("variable", (name,), body)
            return ref(f"var.{name}")
        pname = pascal(name)
        if pname not in self.cfn_params:
            param: dict[str, Any] = {"Type": cfn_type, "Description": description}
            if default is not None and not cfn_type.startswith(("AWS::", "List<AWS::")):
                param["Default"] = ",".join(default) if isinstance(default, list) else default
            self.cfn_params[pname] = param
        return yamlout.ref(pname)

    def data(self, block: Block) -> Expr:
        """A Terraform data source, declared once; returns nothing useful but its address."""
        address = f"data.{block.labels[0]}.{block.labels[1]}"
        self.tf_data.setdefault(address, block)
        return ref(address)

    def account_id(self) -> Any:
        if self.fmt == "terraform":
            self.data(Block("data", ("aws_caller_identity", "current")))
            return ref("data.aws_caller_identity.current.account_id")
        return yamlout.ref("AWS::AccountId")

    def partition(self) -> Any:
        if self.fmt == "terraform":
            self.data(Block("data", ("aws_partition", "current")))
            return ref("data.aws_partition.current.partition")
        return yamlout.ref("AWS::Partition")

    def output(self, name: str, value: Any, description: str) -> None:
        if self.fmt == "terraform":
            self.tf_outputs.append(Block("output", (name,), [("description", description), ("value", value)]))
        else:
            self.cfn_outputs[pascal(name)] = {"Description": description, "Value": value}

    # -- shared customer-managed key -----------------------------------------------------------
    def key_arn(self, service: str | None = None, sid: str = "") -> Any:
        """The ARN of the composition's customer-managed KMS key (created on first use).

        `service` is a service principal that encrypts with it on its own (CloudWatch Logs, SNS,
        CloudTrail...): the key policy allows that service, scoped to this account.
        """
        self.key_used = True
        if service:
            self.key_services.setdefault(service, sid or pascal(service.split(".")[0]))
        if self.fmt == "terraform":
            return ref("aws_kms_key.main.arn")
        return yamlout.get_att("Key", "Arn")

    # -- network -------------------------------------------------------------------------------
    def vpc_id(self) -> Any:
        vpc = self.first("vpc")
        if vpc is not None:
            return ref(f"aws_vpc.{vpc.label}.id") if self.fmt == "terraform" else yamlout.ref(vpc.lid)
        return self.var("vpc_id", "string", None, "VPC to deploy into.", "AWS::EC2::VPC::Id")

    def private_subnets(self) -> Any:
        vpc = self.first("vpc")
        if vpc is not None:
            if self.fmt == "terraform":
                return ref(f"aws_subnet.{vpc.label}_private[*].id")
            return [yamlout.ref(f"{vpc.lid}PrivateSubnet{i}") for i in range(1, vpc.params.azs + 1)]
        return self.var(
            "private_subnet_ids",
            "list(string)",
            None,
            "Private subnets (two or more, in different AZs).",
            "List<AWS::EC2::Subnet::Id>",
        )

    def public_subnets(self) -> Any:
        vpc = self.first("vpc")
        if vpc is not None:
            if self.fmt == "terraform":
                return ref(f"aws_subnet.{vpc.label}_public[*].id")
            return [yamlout.ref(f"{vpc.lid}PublicSubnet{i}") for i in range(1, vpc.params.azs + 1)]
        return self.var(
            "public_subnet_ids",
            "list(string)",
            None,
            "Public subnets for the load balancer (two or more, in different AZs).",
            "List<AWS::EC2::Subnet::Id>",
        )

    def client_cidr(self) -> Any:
        vpc = self.first("vpc")
        if vpc is not None:
            if self.fmt == "terraform":
                return ref(f"aws_vpc.{vpc.label}.cidr_block")
            return yamlout.get_att(vpc.lid, "CidrBlock")
        return self.var(
            "client_cidr", "string", "10.0.0.0/16", "Private network allowed to connect (your VPC's CIDR)."
        )

    # -- IAM -----------------------------------------------------------------------------------
    def grants(self, u: Unit) -> list[Stmt]:
        """Statements for what `u` writes to, reads from, or consumes, scoped to those resources."""
        out: list[Stmt] = []
        for lk in self.links:
            if lk.source is u and lk.relation in ("write", "read", "front", "subscribe"):
                mode = "write" if lk.relation in ("write", "subscribe") else "read"
                if lk.relation == "front":
                    mode = "invoke"
                other = lk.target
            elif lk.target is u and lk.relation == "trigger" and "consume" in lk.source.block.access:
                mode, other = "consume", lk.source
            else:
                continue
            actions = other.block.access.get(mode)
            if not actions:
                continue
            out.append(
                Stmt(
                    pascal(f"{mode} {other.label}"),
                    actions,
                    tuple(other.block.resource_arns(other, self, mode)),
                )
            )
            # Writing to something encrypted with the shared key needs the key too.
            if (
                self.key_used
                and other.block.kind in ENCRYPTED_WITH_KEY
                and mode in ("write", "read", "consume")
            ):
                out.append(
                    Stmt(
                        pascal(f"key for {other.label}"),
                        ("kms:Decrypt", "kms:GenerateDataKey"),
                        (self.key_arn(),),
                    )
                )
        return out

    def role(
        self, u: Unit, service: str, statements: Sequence[Stmt], managed: Sequence[str] = ()
    ) -> tuple[list[Block], dict[str, Any]]:
        """An IAM role that `service` assumes, with only `statements` (inline) and `managed` policies."""
        assume: dict[str, Any] = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        unique = list({st.sid: st for st in statements}.values())
        policy: dict[str, Any] = {"Version": "2012-10-17", "Statement": [st.json() for st in unique]}
        if self.fmt == "terraform":
            blocks = [
                Block(
                    "resource",
                    ("aws_iam_role", f"{u.label}_role"),
                    [
                        ("name_prefix", f"{u.params.name[:30]}-"),
                        ("assume_role_policy", Call("jsonencode", assume)),
                    ],
                )
            ]
            if statements:
                blocks.append(
                    Block(
                        "resource",
                        ("aws_iam_role_policy", f"{u.label}_role"),
                        [
                            ("name", "least-privilege"),
                            ("role", ref(f"aws_iam_role.{u.label}_role.id")),
                            ("policy", Call("jsonencode", policy)),
                        ],
                    )
                )
            for i, arn in enumerate(managed):
                blocks.append(
                    Block(
                        "resource",
                        ("aws_iam_role_policy_attachment", f"{u.label}_role_{i}"),
                        [("role", ref(f"aws_iam_role.{u.label}_role.name")), ("policy_arn", interp(arn))],
                    )
                )
            return blocks, {}
        props: dict[str, Any] = {"AssumeRolePolicyDocument": assume}
        if statements:
            props["Policies"] = [{"PolicyName": "least-privilege", "PolicyDocument": policy}]
        if managed:
            props["ManagedPolicyArns"] = [
                yamlout.sub(arn.replace("${data.aws_partition.current.partition}", "${AWS::Partition}"))
                for arn in managed
            ]
        return [], {f"{u.lid}Role": {"Type": "AWS::IAM::Role", "Properties": props}}

    def role_arn(self, u: Unit) -> Any:
        if self.fmt == "terraform":
            return ref(f"aws_iam_role.{u.label}_role.arn")
        return yamlout.get_att(f"{u.lid}Role", "Arn")

    # -- tags ----------------------------------------------------------------------------------
    def cfn_tags(self, name: Any) -> list[dict[str, Any]]:
        return [
            {"Key": "Name", "Value": name},
            {"Key": "Environment", "Value": yamlout.ref("Environment")},
            {"Key": "ManagedBy", "Value": "cloudformation"},
        ]


# Kinds whose data the shared customer-managed key encrypts (users of them need kms:Decrypt etc.).
ENCRYPTED_WITH_KEY = frozenset(
    {
        "s3_bucket",
        "sqs_queue",
        "sns_topic",
        "dynamodb_table",
        "kinesis_stream",
        "secret",
        "efs",
        "ssm_parameter",
    }
)


def resource(rtype: str, label: str, *body: hcl.Entry) -> Block:
    return Block("resource", (rtype, label), list(body))


def cfn(rtype: str, props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A CloudFormation resource; `extra` adds DependsOn, DeletionPolicy, ..."""
    out: dict[str, Any] = {"Type": rtype}
    for key, value in extra.items():
        out[key] = value
    out["Properties"] = props
    return out


def retained(rtype: str, props: dict[str, Any], policy: str = "Retain") -> dict[str, Any]:
    return cfn(rtype, props, DeletionPolicy=policy, UpdateReplacePolicy=policy)


def first_number(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text, re.IGNORECASE)
    return int(next(g for g in m.groups() if g)) if m else None


# Plain words that describe a resource rather than name it, when written right after its kind.
_NOT_NAMES = frozenset(
    {
        "private", "public", "secure", "standard", "default", "main", "primary", "simple", "small",
        "large", "new", "only", "one", "two", "three", "policy", "rule", "key", "access", "logs",
        "log", "alarm", "group", "mode", "class", "type", "cluster", "instance",
    }
)  # fmt: skip


def named(f: Features, text: str, *nouns: str) -> str | None:
    """An explicit name for this unit: "named x" / "called x" / quoted in its part of the request,
    else a name written right after one of `nouns` ("queue orders-dlq")."""
    m = re.search(
        r"\b(?:named|called|name\s+it)\s+[\"'`]?([A-Za-z0-9][A-Za-z0-9._/-]{0,62}[A-Za-z0-9])", text, re.I
    )
    if m is None:
        m = re.search(r"[\"'`]([A-Za-z0-9][A-Za-z0-9._/-]{0,62})[\"'`]", text)
    if m is not None:
        return m.group(1)
    sub = Features(text=text, lower=text.lower())
    found = sub.name_after(*nouns) if nouns else None
    if (
        found
        and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", found)
        and re.search(
            rf"\b(?:{'|'.join(nouns)})s?\s+{re.escape(found)}\s*(?:[:;,(]|\.(?:\s|$)|$)", text, re.I
        )
    ):
        return found  # a plain word closing the phrase ("the table orders: daily backups")
    if (
        found
        and re.fullmatch(r"[A-Za-z][a-z0-9]{2,}", found)
        and not re.search(r"(?:ed|ing|en|al|ic|ly|ble)$", found, re.I)
        and found.lower() not in _NOT_NAMES
        and re.search(
            rf"\b(?:{'|'.join(nouns)})\s+{re.escape(found)}\s+(?:with|that|which|holding)\s", text, re.I
        )
    ):
        # A plain word between the kind and its settings ("kinesis stream clickstream with 4 shards");
        # participles and adjectives there describe it ("bucket encrypted with a key") instead.
        return found
    # Right after the noun only something that looks like an identifier ("queue orders-dlq"),
    # never an ordinary word ("topic fanning out").
    if not found or not re.search(r"[-_./0-9]", found) or found[0].isdigit():
        return None
    if re.match(r"^(?:db|cache)\.|^[a-z]\d+[a-z]*\.\w+$|^v?\d", found, re.I):
        return None  # an instance class or a version, not a name
    return found


def k8s_name(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:63].strip("-")
    return cleaned or None
