"""A stand-alone IAM role for a service ("an iam role for ec2 that can read ssm params under
/app/prod"): assumable only by the named service principal (or a named account / role ARN), with an
inline policy that grants only the asked actions on only the named resources. The resources are
existing ones, named in the request; the role never creates them. An EC2 role also gets the
instance profile EC2 needs to use it."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.iac import yamlout
from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit, cfn, named, resource
from tools.iac.features import Features
from tools.iac.hcl import Block, Call, Expr, interp, ref

Service = Literal[
    "ec2", "lambda", "ecs-tasks", "states", "events", "scheduler", "codebuild", "glue", "firehose"
]
Target = Literal["ssm", "s3", "dynamodb", "sqs", "sns", "secretsmanager", "kms"]
Mode = Literal["read", "write", "readwrite"]

# Words naming the service that assumes the role, earliest in the request wins.
_SERVICES: tuple[tuple[str, Service], ...] = (
    (r"\bec2\b|\binstance\s+(?:role|profile)\b|\b(?:ec2\s+)?instances?\b", "ec2"),
    (r"\blambdas?\b|\bfunctions?\b", "lambda"),
    (r"\becs\b|\bfargate\b|\btasks?\b|\bcontainers?\b", "ecs-tasks"),
    (r"\bstep\s+functions?\b|\bstate\s+machines?\b|\bsfn\b", "states"),
    (r"\beventbridge\s+scheduler\b|\bscheduler\b", "scheduler"),
    (r"\beventbridge\b|\bevent\s+rules?\b", "events"),
    (r"\bcodebuild\b", "codebuild"),
    (r"\bglue\b", "glue"),
    (r"\bfirehose\b", "firehose"),
)
# Services that pass the calling account, so the trust can be pinned to it (confused deputy).
_SOURCE_ACCOUNT = frozenset({"ecs-tasks", "states", "events", "scheduler", "codebuild", "glue", "firehose"})

_NAME = r"(?:\s+(?:named|called))?\s+[\"'`]?(arn:aws[\w:/.+=@,-]+|[A-Za-z0-9][\w.\-/]*[A-Za-z0-9])"
_TARGETS: tuple[tuple[Target, str], ...] = (
    ("ssm", r"\b(?:ssm\s+)?param(?:eter)?s?(?:\s+store(?:\s+param(?:eter)?s?)?)?\b|\bparameter\s+store\b"),
    ("s3", r"\b(?:s3\s+)?buckets?\b|\bs3\b"),
    ("dynamodb", r"\b(?:dynamo(?:db)?\s+)?tables?\b|\bdynamo(?:db)?\b"),
    ("sqs", r"\b(?:sqs\s+)?queues?\b|\bsqs\b"),
    ("sns", r"\b(?:sns\s+)?topics?\b|\bsns\b"),
    ("secretsmanager", r"\b(?:secrets?\s+manager\s+)?secrets?\b"),
    ("kms", r"\b(?:kms\s+)?keys?\b|\bcmk\b|\bkms\b"),
)
_VERBS: tuple[tuple[str, Mode], ...] = (
    (r"\bread[\s/-]*(?:and\s+)?write\b|\bread[\s/-]write\b|\bfull\s+access\b|\brw\b", "readwrite"),
    (
        r"\bwrit\w*|\bput\w*|\bsend\w*|\bpublish\w*|\bupdat\w*|\bupload\w*|\bstor\w*|\bencrypt\w*"
        r"|\bdelet\w*|\bsav\w*",
        "write",
    ),
    (
        r"\bread\w*|\bget\w*|\bfetch\w*|\breceiv\w*|\bconsum\w*|\bpoll\w*|\bdecrypt\w*|\blist\w*"
        r"|\bquery\w*",
        "read",
    ),
)
_NOT_A_NAME = frozenset(
    {
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "and",
        "or",
        "that",
        "which",
        "under",
        "at",
        "from",
        "by",
        "named",
        "called",
        "only",
        "its",
        "their",
        "our",
        "my",
        "this",
        "it",
        "is",
        "are",
        "access",
        "read",
        "write",
    }
)


class Grant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    target: Target
    mode: Mode = "read"
    # An existing resource: its name (a parameter path for SSM) or full ARN; "" for a variable.
    name: str = Field(default="", pattern=r"^(?:arn:aws[\w:/.+=@,*-]*|/?[A-Za-z0-9_.\-/]{0,1011}\*?)$")


class IamRoleParams(BlockParams):
    service: Service = "lambda"
    # A named account id or role ARN that may assume the role instead of a service.
    trusted: str | None = Field(
        default=None, pattern=r"^(?:\d{12}|arn:aws:iam::\d{12}:(?:root|role/[\w+=,.@/-]+))$"
    )
    grants: list[Grant] = Field(default_factory=list, max_length=12)
    # Session Manager / SSM agent access for an instance (AWS-managed AmazonSSMManagedInstanceCore).
    ssm_managed: bool = False
    # The first parameter path, kept here as text so a reviewer sees it among the parameters.
    ssm_path: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_.\-/]{0,1011}$")


# Actions per target and mode: only what the access needs, never a wildcard action.
_ACTIONS: dict[Target, dict[str, tuple[str, ...]]] = {
    "ssm": {
        "read": ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"),
        "write": ("ssm:PutParameter", "ssm:DeleteParameter"),
    },
    "s3": {
        "read": ("s3:ListBucket", "s3:GetObject"),
        "write": ("s3:ListBucket", "s3:PutObject", "s3:AbortMultipartUpload"),
    },
    "dynamodb": {
        "read": (
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:ConditionCheckItem",
        ),
        "write": (
            "dynamodb:DescribeTable",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
        ),
    },
    "sqs": {
        "read": (
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
        ),
        "write": ("sqs:SendMessage", "sqs:GetQueueAttributes"),
    },
    # A role only ever publishes to a topic; reading one is a subscription, not a permission.
    "sns": {"read": ("sns:Publish",), "write": ("sns:Publish",)},
    "secretsmanager": {
        "read": ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
        "write": ("secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"),
    },
    "kms": {
        "read": ("kms:Decrypt", "kms:DescribeKey"),
        "write": ("kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"),
    },
}
# ARN templates with {p} partition, {r} region, {a} account and {n} the resource's name.
_ARNS: dict[Target, tuple[str, ...]] = {
    "ssm": ("arn:{p}:ssm:{r}:{a}:parameter{n}",),
    "s3": ("arn:{p}:s3:::{n}", "arn:{p}:s3:::{n}/*"),
    "dynamodb": ("arn:{p}:dynamodb:{r}:{a}:table/{n}", "arn:{p}:dynamodb:{r}:{a}:table/{n}/index/*"),
    "sqs": ("arn:{p}:sqs:{r}:{a}:{n}",),
    "sns": ("arn:{p}:sns:{r}:{a}:{n}",),
    # Secrets Manager appends a dash and six random characters to every secret's ARN.
    "secretsmanager": ("arn:{p}:secretsmanager:{r}:{a}:secret:{n}-??????",),
    "kms": ("arn:{p}:kms:{r}:{a}:key/{n}",),
}
_TITLES: dict[Target, str] = {
    "ssm": "SSM parameter path",
    "s3": "S3 bucket",
    "dynamodb": "DynamoDB table",
    "sqs": "SQS queue",
    "sns": "SNS topic",
    "secretsmanager": "Secrets Manager secret",
    "kms": "KMS key id",
}


def _service(text: str) -> Service | None:
    best: tuple[int, Service] | None = None
    for pattern, service in _SERVICES:
        m = re.search(pattern, text, re.I)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), service)
    return best[1] if best else None


def aws_role_named(text: str) -> bool:
    """The role the request names is an AWS one: IAM or an AWS service is said."""
    said = re.search(r"\b(?:iam|aws|instance\s+role|execution\s+role|arn:aws)\b", text, re.I)
    return bool(said) or _service(text) is not None


def read_grants(text: str) -> list[Grant]:
    """Each named resource the request grants access to, with the verb said before it."""
    lower = text.lower()
    hits: list[tuple[int, int, Target]] = []
    for target, pattern in _TARGETS:
        for m in re.finditer(pattern, lower):
            if all(m.end() <= s or m.start() >= e for s, e, _ in hits):
                hits.append((m.start(), m.end(), target))
    hits.sort()
    grants: list[Grant] = []
    mode: Mode | None = None
    prev = 0
    for start, end, target in hits:
        said = _last_verb(lower[prev:start])
        mode = said or mode
        prev = end
        name = _name_after(text[end:], target)
        if name is None and target == "ssm" and re.search(r"\bssm\s+access\b", lower[start:]):
            continue  # "with ssm access": the instance's Session Manager access, not parameters
        grants.append(Grant(target=target, mode=mode or "read", name=name or ""))
    return list(dict.fromkeys(grants))


def _last_verb(text: str) -> Mode | None:
    best: tuple[int, Mode] | None = None
    for pattern, mode in _VERBS:
        for m in re.finditer(pattern, text, re.I):
            # The last verb wins; "read/write" ends where its "write" does and wins over it.
            if best is None or m.end() > best[0] or (m.end() == best[0] and mode == "readwrite"):
                best = (m.end(), mode)
    return best[1] if best else None


def _name_after(rest: str, target: Target) -> str | None:
    if target == "ssm":
        m = re.match(r"[^/]{0,40}?(/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.\-*])", rest)
        return m.group(1).rstrip("/").removesuffix("/*").rstrip("/") or None if m else None
    m = re.match(_NAME, rest)
    if m is None or m.group(1).lower() in _NOT_A_NAME:
        return None
    return m.group(1)


class IamRole(BlockSpec):
    kind: ClassVar[str] = "iam_role"
    title: ClassVar[str] = "IAM role"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:iam|instance|execution|service)\s+roles?\b",
        r"\broles?(?=\s+(?:for|letting|allowing|that|which|to\s+let|assumable|with)\b)",
    )
    params_model: ClassVar[type[BlockParams]] = IamRoleParams
    tf_type: ClassVar[str] = "aws_iam_role"
    cfn_type: ClassVar[str] = "AWS::IAM::Role"
    design: ClassVar[tuple[str, ...]] = (
        "Role: only the named service (or account) can assume it; its policy names the asked actions on "
        "the named resources only, never a wildcard action.",
    )
    examples: ClassVar[tuple[str, ...]] = (
        "an iam role for ec2 that can read ssm params under /app/prod",
        "a role letting lambda write to table orders and send to queue jobs",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        whole = f.text
        service = _service(whole)
        if service:
            out["service"] = service
        m = re.search(r"\b(arn:aws:iam::\d{12}:(?:root|role/[\w+=,.@/-]+))", whole) or re.search(
            r"\baccount\s+(?:id\s+)?(\d{12})\b", whole, re.I
        )
        if m:
            out["trusted"] = m.group(1)
        grants = read_grants(re.sub(r"\barn:aws:iam::\S+", " ", whole))
        if grants:
            out["grants"] = [g.model_dump() for g in grants]
            path = next((g.name for g in grants if g.target == "ssm" and g.name.startswith("/")), None)
            if path:
                out["ssm_path"] = path
        if re.search(
            r"\bssm\s+access\b|\bsession\s+manager\b|\bssm\s+agent\b|\bmanaged\s+by\s+ssm\b", whole, re.I
        ):
            out["ssm_managed"] = True
        name = named(f, text, "role")
        if name and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", name):
            out["name"] = name
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        p: IamRoleParams = u.params
        out = []
        unnamed = sorted({_TITLES[g.target] for g in p.grants if not g.name})
        if unnamed:
            out.append(f"Set the variables naming the {', '.join(unnamed)} the role may use.")
        if any(g.target == "ssm" and g.mode != "write" for g in p.grants):
            out.append(
                "SecureString parameters need kms:Decrypt on their key: set the key's ARN in the variable "
                "(decrypt is allowed only through SSM)."
            )
        if not p.grants and not p.ssm_managed:
            out.append("The role has no permissions yet: say what it may read or write to get them.")
        return out

    # -- the policy ------------------------------------------------------------------------------
    def _arn(self, s: Scene, u: Unit, g: Grant, i: int, pattern: str) -> Any:
        name = g.name
        if name.startswith("arn:"):
            suffix = "/*" if pattern.endswith("/*") and g.target == "s3" else ""
            suffix = "/index/*" if pattern.endswith("/index/*") else suffix
            return name + suffix
        if not name:
            var = s.var(
                f"{u.label}_{g.target}_{i}_name",
                "string",
                None,
                f"Name of the {_TITLES[g.target]} the role may use.",
            )
            placeholder = "${" + (var.text if isinstance(var, Expr) else var.value) + "}"
        else:
            placeholder = name
            if g.target == "ssm":
                placeholder = "/" + name.lstrip("/")
        if s.fmt == "terraform":
            s.account_id()
            s.partition()
            values = {
                "p": "${data.aws_partition.current.partition}",
                "r": "${var.region}",
                "a": "${data.aws_caller_identity.current.account_id}",
            }
        else:
            values = {"p": "${AWS::Partition}", "r": "${AWS::Region}", "a": "${AWS::AccountId}"}
        text = pattern.format(n=placeholder, **values)
        return interp(text) if s.fmt == "terraform" else yamlout.sub(text)

    def _statements(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: IamRoleParams = u.params
        out: list[dict[str, Any]] = []
        for i, g in enumerate(p.grants):
            modes = ("read", "write") if g.mode == "readwrite" else (g.mode,)
            actions = list(dict.fromkeys(a for mode in modes for a in _ACTIONS[g.target][mode]))
            patterns = _ARNS[g.target]
            if g.target == "ssm":
                # The path itself (GetParametersByPath names it) and every parameter under it.
                patterns = (patterns[0], patterns[0] + "/*")
            if g.target == "s3":
                # ListBucket is on the bucket, object actions on its objects.
                bucket = [a for a in actions if a == "s3:ListBucket"]
                objects = [a for a in actions if a != "s3:ListBucket"]
                out.append(self._stmt(f"List{i}", bucket, [self._arn(s, u, g, i, patterns[0])]))
                out.append(self._stmt(f"Objects{i}", objects, [self._arn(s, u, g, i, patterns[1])]))
                continue
            sid = f"{g.target.capitalize()}{g.mode.capitalize()}{i}"
            out.append(self._stmt(sid, actions, [self._arn(s, u, g, i, pt) for pt in patterns]))
            if g.target == "ssm" and "read" in modes:
                key = s.var(
                    f"{u.label}_parameters_key_arn",
                    "string",
                    None,
                    "ARN of the KMS key that encrypts the SecureString parameters.",
                )
                stmt = self._stmt(f"DecryptParameters{i}", ["kms:Decrypt"], [key])
                via = (
                    interp("ssm.${var.region}.amazonaws.com")
                    if s.fmt == "terraform"
                    else yamlout.sub("ssm.${AWS::Region}.amazonaws.com")
                )
                stmt["Condition"] = {"StringEquals": {"kms:ViaService": via}}
                out.append(stmt)
        return out

    @staticmethod
    def _stmt(sid: str, actions: list[str], resources: list[Any]) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Action": actions,
            "Resource": resources[0] if len(resources) == 1 else resources,
        }

    def _trust(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: IamRoleParams = u.params
        statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
        if p.trusted:
            arn = p.trusted if p.trusted.startswith("arn:") else f"arn:aws:iam::{p.trusted}:root"
            statement["Principal"] = {"AWS": arn}
        else:
            statement["Principal"] = {"Service": f"{p.service}.amazonaws.com"}
            if p.service in _SOURCE_ACCOUNT:
                statement["Condition"] = {"StringEquals": {"aws:SourceAccount": s.account_id()}}
        return {"Version": "2012-10-17", "Statement": [statement]}

    def _managed(self, u: Unit) -> list[str]:
        p: IamRoleParams = u.params
        if p.ssm_managed and p.service == "ec2" and not p.trusted:
            # What the SSM agent needs (Session Manager, Run Command, inventory). AWS maintains it;
            # its few "*" resources are on APIs that take no resource (ssmmessages, ec2messages).
            return ["AmazonSSMManagedInstanceCore"]
        return []

    # -- rendering -------------------------------------------------------------------------------
    def terraform(self, u: Unit, s: Scene) -> list[Block]:
        p: IamRoleParams = u.params
        role = f"aws_iam_role.{u.label}"
        blocks = [
            resource(
                "aws_iam_role",
                u.label,
                ("name_prefix", f"{p.name[:30]}-"),
                ("description", f"Assumed by {p.trusted or p.service}; only the permissions asked for."),
                ("assume_role_policy", Call("jsonencode", self._trust(u, s))),
                ("max_session_duration", 3600),
            )
        ]
        statements = self._statements(u, s)
        if statements:
            blocks.append(
                resource(
                    "aws_iam_role_policy",
                    u.label,
                    ("name", "least-privilege"),
                    ("role", ref(f"{role}.id")),
                    ("policy", Call("jsonencode", {"Version": "2012-10-17", "Statement": statements})),
                )
            )
        for policy in self._managed(u):
            s.partition()
            blocks.append(
                resource(
                    "aws_iam_role_policy_attachment",
                    f"{u.label}_{policy.lower()}",
                    ("role", ref(f"{role}.name")),
                    (
                        "policy_arn",
                        interp(f"arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{policy}"),
                    ),
                )
            )
        if p.service == "ec2" and not p.trusted:
            blocks.append(
                resource(
                    "aws_iam_instance_profile",
                    u.label,
                    ("name_prefix", f"{p.name[:30]}-"),
                    ("role", ref(f"{role}.name")),
                )
            )
            s.output(
                f"{u.label}_instance_profile",
                ref(f"aws_iam_instance_profile.{u.label}.name"),
                "Instance profile to launch instances with.",
            )
        s.output(f"{u.label}_role_arn", ref(f"{role}.arn"), "ARN of the role.")
        return blocks

    def cloudformation(self, u: Unit, s: Scene) -> dict[str, Any]:
        p: IamRoleParams = u.params
        props: dict[str, Any] = {
            "Description": f"Assumed by {p.trusted or p.service}; only the permissions asked for.",
            "AssumeRolePolicyDocument": self._trust(u, s),
            "MaxSessionDuration": 3600,
        }
        statements = self._statements(u, s)
        if statements:
            props["Policies"] = [
                {
                    "PolicyName": "least-privilege",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ]
        managed = self._managed(u)
        if managed:
            props["ManagedPolicyArns"] = [
                yamlout.sub(f"arn:${{AWS::Partition}}:iam::aws:policy/{m}") for m in managed
            ]
        out = {u.lid: cfn("AWS::IAM::Role", props)}
        if p.service == "ec2" and not p.trusted:
            out[f"{u.lid}Profile"] = cfn("AWS::IAM::InstanceProfile", {"Roles": [yamlout.ref(u.lid)]})
            s.output(
                f"{u.label}_instance_profile",
                yamlout.ref(f"{u.lid}Profile"),
                "Instance profile to launch instances with.",
            )
        s.output(f"{u.label}_role_arn", yamlout.get_att(u.lid, "Arn"), "ARN of the role.")
        return out
