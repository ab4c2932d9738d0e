"""From a request to checked code: pick the format and the writer (catalogue or LLM), then check.

With an LLM configured the model writes the code, seeded with the closest catalogue template as
a reviewed example, and repairs it from the checks' errors. Without one (or when a template is
named explicitly) the catalogue renders it. Either way nothing is returned unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from tools.base import ToolContext, UserFacingError
from tools.iac.blocks import BLOCKS
from tools.iac.catalogue import TEMPLATES, get_template
from tools.iac.catalogue.base import Template, TemplateParams
from tools.iac.checks import Report, check_code, env_for
from tools.iac.compose import Composition, compose, family_of
from tools.iac.compose import render as render_blocks
from tools.iac.features import read_features
from tools.iac.honour import not_applied
from tools.iac.insecure_asks import changed_from_request
from tools.iac.llm import LlmUnavailable, chat_model, write_with_llm
from tools.iac.matching import best_match, closest, detect_format
from tools.iac.model import FORMAT_LABELS, FORMATS, IacFormat
from tools.iac.unsupported import unsupported_format, unsupported_kinds

DEFAULT_REGION = "us-east-1"


@dataclass
class Generated:
    fmt: IacFormat
    code: str
    report: Report
    source: Literal["catalogue", "blocks", "llm"]
    template: Template | None = None
    # The blocks the file was composed of (source "blocks").
    blocks: list[str] = field(default_factory=list)
    # Explicit values of the request the code does not contain, and what was added or changed.
    not_applied: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1
    notes: list[str] = field(default_factory=list)


class NotCovered(Exception):
    """The catalogue has nothing for the request and no LLM is configured."""

    def __init__(self, message: str, closest: list[Template], supported: list[str] | None = None) -> None:
        super().__init__(message)
        self.closest = closest
        # Block titles offered instead (when the request names something no block builds).
        self.supported = supported or []


# The resource kinds each catalogue template builds. A template answers a request only when it
# builds every kind the request names; otherwise the blocks compose it (or it is refused).
TEMPLATE_KINDS: dict[str, frozenset[str]] = {
    "s3_private_bucket": frozenset({"s3_bucket", "kms_key"}),
    "vpc": frozenset({"vpc"}),
    "security_group": frozenset({"security_group"}),
    "sqs_with_dlq": frozenset({"sqs_queue"}),
    "sns_topic": frozenset({"sns_topic"}),
    "lambda_s3_trigger": frozenset({"lambda", "s3_bucket"}),
    "scheduled_lambda": frozenset({"lambda", "eventbridge_rule"}),
    "rds_postgres": frozenset({"rds_instance"}),
    "dynamodb_table": frozenset({"dynamodb_table"}),
    "ecs_fargate_service": frozenset({"ecs_service", "ecs_cluster", "alb"}),
    "ec2_instance": frozenset({"ec2_instance", "ebs_volume"}),
    "ebs_volume": frozenset({"ebs_volume"}),
    "ecr_repository": frozenset({"ecr_repository"}),
    "iam_role_least_privilege": frozenset({"iam_role", "s3_bucket", "lambda", "autoscaling_group"}),
    "kms_key": frozenset({"kms_key"}),
    "secrets_manager_secret": frozenset({"secret"}),
    "cloudwatch_alarm": frozenset(
        {"cloudwatch_alarm", "sns_topic", "lambda", "sqs_queue", "rds_instance", "dynamodb_table"}
    ),
    "cloudwatch_log_group": frozenset({"log_group"}),
    "k8s_deployment_service": frozenset({"deployment", "service", "ingress", "hpa", "network_policy", "pdb"}),
    "k8s_ingress": frozenset({"ingress", "service"}),
    "k8s_cronjob": frozenset({"cronjob"}),
    "k8s_job": frozenset({"job"}),
    "k8s_configmap_secret": frozenset({"configmap", "secret_ref", "deployment"}),
    "k8s_hpa": frozenset({"hpa", "deployment"}),
    "k8s_statefulset": frozenset({"statefulset", "service", "pvc"}),
    "k8s_network_policy": frozenset({"network_policy"}),
    "k8s_namespace": frozenset({"namespace", "network_policy"}),
}
# What a template does not do even though it builds the kind: the blocks answer these.
TEMPLATE_VETOES: dict[str, re.Pattern[str]] = {
    k: re.compile(v, re.I)
    for k, v in {
        "rds_postgres": r"\b(?:mysql|maria\s?db|aurora)\b|\bpublic",
        "secrets_manager_secret": r"\brotat\w*|\barn:aws",
        "k8s_hpa": r"\bmemory\b|\bram\b",
        "k8s_deployment_service": r"\bmemory\b.{0,30}\b(?:hpa|autoscal\w*|scal\w+)\b"
        r"|\b(?:hpa|autoscal\w*)\b.{0,40}\bmemory\b|\bmin(?:imum)?\s*available|\bmax(?:imum)?\s*unavailable|\bpdb\b|disruption|config\s?map"
        r"|\bpvc\b|persistent|service\s*account|\bsecret|\bonly\s+(?:reachable\s+)?from\b",
        "sqs_with_dlq": r"\b(?:cmk|customer[\s-]managed|kms)\b",
        "ecr_repository": r"\bscan|untagged|\bnamed\s+\S+/\S+",
        "kms_key": r"\bdeletion|\bpending",
        "k8s_network_policy": r"default[\s-]deny|\bfor\s+the\s+\S+\s+namespace",
        "cloudwatch_log_group": r"\bmonths?\b|\byears?\b|\bkms\b|\bencrypt",
        "lambda_s3_trigger": r"\b(?:named|called)\b",
        "security_group": r"\bssh\b[^.]{0,20}\b(?:anywhere|world|internet|0\.0\.0\.0/0)|\b(?:named|called)\b",
        "k8s_statefulset": r"\b(?:postgres\w*|mysql|maria\s?db)\b",
        "k8s_configmap_secret": r"\bmounted\b",
        "k8s_job": r"\bretr",
    }.items()
}


def _formats(t: Template) -> str:
    return " or ".join(FORMAT_LABELS[f] for f in t.formats)


def describe_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())) or "parameters"
        message = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def build_params(template: Template, request: str, overrides: Mapping[str, Any]) -> TemplateParams:
    values = template.extract(read_features(request))
    values.update(overrides)
    try:
        return template.build_params(values)
    except ValidationError as exc:
        accepted = ", ".join(template.params.model_fields)
        raise UserFacingError(
            f"I can't build {template.title} with those settings: {describe_errors(exc)}. "
            f"Its parameters are: {accepted}."
        ) from exc


def render(template: Template, params: TemplateParams, fmt: IacFormat) -> str:
    return template.render_code(params, fmt)


def _region(params: TemplateParams | None, request: str) -> str:
    region = getattr(params, "region", None) or read_features(request).region
    return str(region or DEFAULT_REGION)


def _pick_template(request: str, fmt: IacFormat | None, template_id: str | None) -> Template | None:
    if template_id:
        template = get_template(template_id)
        if template is None:
            ids = ", ".join(t.id for t in TEMPLATES)
            raise UserFacingError(f"There is no template {template_id!r}. Templates: {ids}.")
        return template
    fitting = best_match(request, fmt)
    return fitting.template if fitting else None


# Resources a catalogue template builds on its own but no block composes yet.
NO_BLOCK_YET: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), what)
    for p, what in (
        (r"\bec2\s+instances?\b", "EC2 instance"),
        (r"\bebs\s+volumes?\b", "EBS volume"),
        (r"(?<!/)\becs\b(?!/)|\bfargate\b", "ECS service"),
        (r"\b(?:cloudwatch\s+)?alarms?\b", "CloudWatch alarm"),
        (r"\biam\s+roles?\b", "IAM role"),
        (r"\balb\b|\bapplication\s+load\s+balancer\b|\bnlb\b", "load balancer"),
        (r"\bcloudfront\b", "CloudFront distribution"),
        (r"\bwaf\b", "WAF web ACL"),
        (r"\beventbridge\b", "EventBridge rule"),
        (r"\bkinesis\b", "Kinesis stream"),
        (r"\beks\b", "EKS cluster"),
        (r"\broute\s?53\b", "Route 53 record"),
        (r"\bbackup\s+plan\b", "AWS Backup plan"),
        (r"\bssm\s+parameter\b", "SSM parameter"),
        (r"\b(?:new|a|an)\s+vpc\b", "VPC"),
    )
)


def _template_fits(template: Template, comp: Composition, request: str) -> bool:
    kinds = TEMPLATE_KINDS.get(template.id, frozenset())
    veto = TEMPLATE_VETOES.get(template.id)
    if veto is not None and veto.search(request):
        return False
    return set(comp.kinds) <= kinds


def _check_format(request: str, fmt_arg: IacFormat | None) -> None:
    label = unsupported_format(request)
    if label and fmt_arg is None:
        supported = ", ".join(FORMAT_LABELS[f] for f in FORMATS)
        raise UserFacingError(
            f"{label} is not supported: I write {supported} (Kubernetes as plain manifests). "
            "Ask for one of those and I will generate and check it."
        )


def _check_kinds(request: str, comp: Composition) -> None:
    missing = unsupported_kinds(request)
    if not missing:
        return
    what = "; ".join(m.label for m in missing)
    near = [m.closest for m in missing if m.closest]
    closest_text = f" Closest supported: {', '.join(dict.fromkeys(near))}." if near else ""
    others = (
        f" (I could build the rest: {', '.join(u.block.title for u in comp.units)})" if comp.units else ""
    )
    raise NotCovered(
        f"I can't generate {what} offline: no block or template builds it, and I won't substitute "
        f"something else{others}.{closest_text} Configure an LLM (CLOUDPILOT_LLM__PROVIDER) to have it "
        "written and checked.",
        [],
        list(dict.fromkeys(near)),
    )


# Kinds a template refers to without building them ("a role for a Lambda", "an alarm on a queue").
TEMPLATE_CONTEXT: dict[str, frozenset[str]] = {
    "iam_role_least_privilege": frozenset({"lambda", "autoscaling_group", "s3_bucket"}),
    "cloudwatch_alarm": frozenset({"lambda", "sqs_queue", "rds_instance", "dynamodb_table"}),
}


def _kinds_in_code(code: str, fmt: IacFormat, kinds: list[str], template: Template) -> list[str]:
    """Kinds the request named that the code does not contain (a template that substituted)."""
    missing = []
    for kind in dict.fromkeys(kinds):
        if kind in TEMPLATE_CONTEXT.get(template.id, frozenset()):
            continue
        if fmt == "kubernetes" and kind in ("service", "secret_ref"):
            continue  # usually an existing object the manifest refers to ("to the web service")
        block = next((b for b in BLOCKS if b.kind == kind), None)
        if block is None:
            continue
        marker = {
            "terraform": f'"{block.tf_type}"',
            "cloudformation": block.cfn_type,
            "kubernetes": f"kind: {block.k8s_kind}",
        }[fmt]
        if marker.strip('"') and marker not in code:
            missing.append(block.title)
    return missing


def _from_blocks(
    ctx: ToolContext, request: str, comp: Composition, fmt_asked: IacFormat | None, family: str
) -> Generated:
    env = env_for(ctx)
    fmt: IacFormat = fmt_asked or ("kubernetes" if family == "kubernetes" else "terraform")
    wrong = [u.block.title for u in comp.units if fmt not in u.block.formats]
    if wrong:
        offered = " or ".join(FORMAT_LABELS[f] for f in comp.units[0].block.formats)
        raise UserFacingError(
            f"{', '.join(wrong)} can't be written as {FORMAT_LABELS[fmt]}: ask for {offered}."
        )
    if comp.errors:
        raise UserFacingError("I can't build that with those settings: " + "; ".join(comp.errors) + ".")
    code, notes = render_blocks(comp, fmt, request)
    for pattern, what in NO_BLOCK_YET:
        if pattern.search(request):
            comp.not_applied.append(
                f"the {what}: no building block composes it with the rest yet, so it is not in this file"
            )
    report = check_code(env, code, fmt, read_features(request).region or DEFAULT_REGION)
    notes = [f"Also added: {a}." for a in comp.added] + notes
    return Generated(
        fmt=fmt,
        code=code,
        report=report,
        source="blocks",
        blocks=[u.block.title for u in comp.units],
        params={u.label: u.params.model_dump(mode="json") for u in comp.units},
        notes=notes,
        not_applied=comp.not_applied,
    )


def generate(
    ctx: ToolContext,
    request: str,
    fmt_arg: IacFormat | None = None,
    template_id: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Generated:
    g = _generate(ctx, request, fmt_arg, template_id, overrides)
    if g.source != "llm":
        changed = bool(changed_from_request(request)) or any(
            "Changed from your request" in n for n in g.notes
        )
        g.not_applied += [
            value
            for value in not_applied(request, g.code)
            # An open-to-the-world CIDR the secure variant replaced is reported as a change instead.
            if not (changed and value in ("0.0.0.0/0", "::/0"))
        ]
    return g


def _generate(
    ctx: ToolContext,
    request: str,
    fmt_arg: IacFormat | None = None,
    template_id: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Generated:
    env = env_for(ctx)
    overrides = dict(overrides or {})
    _check_format(request, fmt_arg)
    fmt_asked = fmt_arg or detect_format(request)
    family = family_of(request, fmt_asked)
    comp = compose(request, family)
    model = None if template_id else chat_model(ctx)
    if not template_id and model is None:
        # Offline, something no block builds is refused by name; a model may write it.
        _check_kinds(request, comp)
    template = _pick_template(request, fmt_asked, template_id)
    if (
        template is not None
        and not template_id
        and comp.units
        and not _template_fits(template, comp, request)
    ):
        template = None
    notes: list[str] = []

    if model is not None:
        fmt: IacFormat = fmt_asked or (
            template.default_format if template else ("kubernetes" if family == "kubernetes" else "terraform")
        )
        reference = None
        params = None
        if template is not None and fmt in template.formats:
            try:
                params = build_params(template, request, overrides)
                reference = render(template, params, fmt)
            except UserFacingError:
                reference = None
        elif comp.units and all(fmt in u.block.formats for u in comp.units) and not comp.errors:
            # The blocks' rendering is the model's reviewed example: it extends their guarantees.
            reference, _ = render_blocks(comp, fmt, request)
        try:
            outcome = write_with_llm(
                model,
                env,
                request,
                fmt,
                _region(params, request),
                ctx.settings.llm.max_repair_rounds,
                reference,
            )
        except LlmUnavailable as exc:
            if template is None:
                raise UserFacingError(
                    f"The language model failed ({exc}) and no template fits the request."
                ) from exc
            notes.append(f"The language model failed ({exc}); this is the catalogue template instead.")
        else:
            return Generated(
                fmt=fmt,
                code=outcome.best.code,
                report=outcome.best.report,
                source="llm",
                template=template,
                attempts=outcome.rounds,
            )

    if template is None and comp.units:
        return _from_blocks(ctx, request, comp, fmt_asked, family)
    if template is None:
        top = best_match(request)
        if fmt_asked is not None and top is not None:
            raise UserFacingError(
                f"The closest template, {top.template.title}, is available as {_formats(top.template)}, "
                f"not {FORMAT_LABELS[fmt_asked]}. Ask for {_formats(top.template)}, or configure an LLM "
                f"to write {FORMAT_LABELS[fmt_asked]} for this request."
            )
        raise NotCovered(
            "I can't generate that offline: no catalogue template fits the request. "
            "Configure an LLM (CLOUDPILOT_LLM__PROVIDER) to have it "
            "written and checked, or ask for one of the templates.",
            closest(request),
        )
    fmt = fmt_asked or template.default_format
    if fmt not in template.formats:
        raise UserFacingError(
            f"{template.title} is available as {_formats(template)}, not {FORMAT_LABELS[fmt]}."
        )
    params = build_params(template, request, overrides)
    code = render(template, params, fmt)
    notes = template.remarks(params) + notes
    for addon, values in template.addons(params, request.lower()) if template.addons else []:
        addon_params = build_params(addon, request, values)
        extra = render(addon, addon_params, fmt).splitlines(True)
        code += "".join(line for line in extra if not line.startswith("#"))  # one header is enough
        notes.append(f"Also in the file: {addon.title} ({addon.design[0]})")
    missing = _kinds_in_code(code, fmt, comp.kinds, template) if not template_id else []
    if missing:
        # The template would have substituted something else: compose the blocks instead.
        return _from_blocks(ctx, request, comp, fmt_asked, family)
    report = check_code(env, code, fmt, _region(params, request))
    return Generated(
        fmt=fmt,
        code=code,
        report=report,
        source="catalogue",
        template=template,
        params=params.model_dump(mode="json"),
        notes=notes,
    )
