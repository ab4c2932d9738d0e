"""From a request to checked code: pick the format and the writer (catalogue or LLM), then check.

Offline (no LLM, or a template named explicitly) the catalogue or the building blocks render it.
With an LLM configured the offline answer is still made first: when it covers the whole request
(passes every check, keeps every explicit value, declares every kind asked for) it is the answer
and the model is not asked. Otherwise the model writes the file, seeded with the blocks' output
as reviewed examples, and is held to the same checks (`llm.py`); a model answer that still fails
gives way to a passing offline answer. Either way nothing is returned unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from tools.base import ToolContext, UserFacingError
from tools.iac.asked_types import AskedKind, asked_kinds, declared_types, missing_kinds
from tools.iac.blocks import BLOCKS, get_block
from tools.iac.catalogue import TEMPLATES, get_template
from tools.iac.catalogue.base import Template, TemplateParams
from tools.iac.checks import Report, check_code, env_for
from tools.iac.compose import Composition, compose, family_of
from tools.iac.compose import render as render_blocks
from tools.iac.features import read_features
from tools.iac.fewshot import Example, select
from tools.iac.helm import Chart, build_chart, chart_check, kubernetes_request, wants_helm
from tools.iac.honour import deployed_region, explicit_values, not_applied
from tools.iac.insecure_asks import changed_from_request
from tools.iac.llm import Brief, LlmUnavailable, chat_model, judge, write_with_llm
from tools.iac.matching import best_match, closest, detect_format
from tools.iac.model import FORMAT_LABELS, IacFormat
from tools.iac.unsupported import SUPPORTED_FORMATS, unsupported_format, unsupported_kinds

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

DEFAULT_REGION = "us-east-1"
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


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
    # A Helm chart of the manifests in `code`, when one was asked for (tools/iac/helm.py).
    chart: Chart | None = None


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
    "vpc": frozenset({"vpc", "flow_logs"}),
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
    "iam_role_least_privilege": frozenset(
        {"iam_role", "s3_bucket", "lambda", "autoscaling_group", "ec2_instance", "ecs_service"}
    ),
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
        # The template grants on one bucket; anything else the role may use is the iam_role block's.
        "iam_role_least_privilege": r"\b(?:ssm|param(?:eter)?s?|tables?|dynamo\w*|queues?|sqs|topics?|sns"
        r"|secrets?|kms|keys?|cmk|session\s+manager|account\s+\d{12})\b|arn:aws:iam::",
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


# Resources a catalogue template builds on its own, with the block kind that composes them (if
# any): named in a request whose composition lacks that kind, they are reported as not applied.
NO_BLOCK_YET: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p, re.I), what, kind)
    for p, what, kind in (
        (r"\bec2\s+instances?\b", "EC2 instance", "ec2_instance"),
        (r"\bebs\s+volumes?\b", "EBS volume", "ebs_volume"),
        (r"(?<!/)\becs\b(?!/)|\bfargate\b", "ECS service", "ecs_service"),
        (r"\b(?:cloudwatch\s+)?alarms?\b", "CloudWatch alarm", "cloudwatch_alarm"),
        (r"\biam\s+roles?\b", "IAM role", "iam_role"),
        (r"\balb\b|\bapplication\s+load\s+balancer\b|\bnlb\b", "load balancer", "alb"),
        (r"\bcloudfront\b", "CloudFront distribution", "cloudfront"),
        (r"\bwaf\b", "WAF web ACL", "waf"),
        (r"\beventbridge\b", "EventBridge rule", "eventbridge_rule"),
        (r"\bkinesis\b", "Kinesis stream", "kinesis_stream"),
        (r"\beks\b", "EKS cluster", "eks_cluster"),
        (r"\broute\s?53\b", "Route 53 record", "route53_record"),
        (r"\bbackup\s+plan\b", "AWS Backup plan", "backup_plan"),
        (r"\bssm\s+parameter\b", "SSM parameter", "ssm_parameter"),
        (r"\b(?:new|a|an)\s+vpc\b", "VPC", "vpc"),
    )
)


def _blocks_cover(comp: Composition, request: str) -> bool:
    """The blocks build everything the request names: nothing it names lacks a block."""
    if not comp.units or comp.errors:
        return False
    return not any(p.search(request) and get_block(kind) is None for p, _, kind in NO_BLOCK_YET)


def _blocks_answer_better(
    comp: Composition, request: str, fmt: IacFormat, code: str, notes: list[str]
) -> bool:
    """The blocks honour more of the request than the template's `code`: fewer explicit values
    left out, or a secure-variant change they state and the template does not."""
    if not _blocks_cover(comp, request) or any(fmt not in u.block.formats for u in comp.units):
        return False
    try:
        blocks_code, blocks_notes = render_blocks(comp, fmt, request)
    except (ValueError, ValidationError):
        return False
    if len(not_applied(request, blocks_code)) < len(not_applied(request, code)):
        return True
    if _read_but_dropped(comp, blocks_code, code):
        return True
    changed = "Changed from your request"
    stated = any(changed in n for n in notes) or bool(changed_from_request(request))
    return any(changed in n for n in blocks_notes) and not stated


def _read_but_dropped(comp: Composition, blocks_code: str, code: str) -> bool:
    """A setting the blocks read from the request (a CPU size, a key attribute) that their code
    writes and the template's code does not: the template ignored part of the request."""
    for u in comp.units:
        defaults = u.block.build({}).model_dump()
        for key, value in u.params.model_dump().items():
            if key == "name" or isinstance(value, bool) or not isinstance(value, int | str):
                continue
            said = str(value)
            if value != defaults.get(key) and len(said) > 1 and said in blocks_code and said not in code:
                return True
    return False


def _template_fits(template: Template, comp: Composition, request: str) -> bool:
    kinds = TEMPLATE_KINDS.get(template.id, frozenset())
    veto = TEMPLATE_VETOES.get(template.id)
    if veto is not None and veto.search(request):
        return False
    return set(comp.kinds) <= kinds


def _check_format(request: str, fmt_arg: IacFormat | None) -> None:
    label = unsupported_format(request)
    if label and fmt_arg is None:
        raise UserFacingError(
            f"{label} is not supported: I write {SUPPORTED_FORMATS}. "
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
    "iam_role_least_privilege": frozenset(
        {"lambda", "autoscaling_group", "s3_bucket", "ec2_instance", "ecs_service"}
    ),
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
    for pattern, what, kind in NO_BLOCK_YET:
        # Where a block exists and is not in the composition, the words named something else
        # ("EC2 instance state changes" is an event, not an instance).
        if pattern.search(request) and kind not in comp.kinds and get_block(kind) is None:
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
    if wants_helm(request):
        return _helm_chart(ctx, request, fmt_arg, template_id, overrides)
    model = None if template_id else chat_model(ctx)
    if model is not None:
        g = _with_model(ctx, model, request, fmt_arg, overrides)
    else:
        g = _offline(ctx, request, fmt_arg, template_id, overrides)
    region = deployed_region(request, g.code)
    if region:
        # A template holds no region: the stack goes where it is deployed (honour.py counts the
        # region as applied by this command, so it must be said).
        g.notes.append(
            f"Region {region}: deploy the stack there, adding `--region {region}` to the command below."
        )
    return g


def _helm_chart(
    ctx: ToolContext,
    request: str,
    fmt_arg: IacFormat | None,
    template_id: str | None,
    overrides: Mapping[str, Any] | None,
) -> Generated:
    """The request generated and checked as Kubernetes, then packaged as a chart whose rendering
    must give back exactly the checked manifests."""
    if fmt_arg not in (None, "kubernetes"):
        raise UserFacingError(
            f"A Helm chart holds Kubernetes objects, not {FORMAT_LABELS[fmt_arg]}: ask for the chart "
            f"or for {FORMAT_LABELS[fmt_arg]}."
        )
    g = generate(ctx, kubernetes_request(request), "kubernetes", template_id, overrides)
    g.chart = build_chart(g.code)
    run, _ = chart_check(g.chart, env_for(ctx).k8s)
    g.report.runs.append(run)
    return g


def _offline(
    ctx: ToolContext,
    request: str,
    fmt_arg: IacFormat | None,
    template_id: str | None,
    overrides: Mapping[str, Any] | None,
) -> Generated:
    g = _generate(ctx, request, fmt_arg, template_id, overrides)
    changed = bool(changed_from_request(request)) or any("Changed from your request" in n for n in g.notes)
    g.not_applied += [
        value
        for value in not_applied(request, g.code)
        # An open-to-the-world CIDR the secure variant replaced is reported as a change instead.
        if not (changed and value in OPEN_CIDRS)
    ]
    if not template_id:
        g.not_applied += _kinds_not_built(request, g)
    return g


def _unbuilt(request: str, code: str, fmt: IacFormat, template: Template | None) -> list[AskedKind]:
    """The kinds the request asks for that `code` declares none of the types of."""
    context = TEMPLATE_CONTEXT.get(template.id, frozenset()) if template is not None else frozenset()
    return [
        k
        for k in missing_kinds(asked_kinds(request, fmt), code, fmt)
        if not k.block or k.block not in context
    ]


def _kinds_not_built(request: str, g: Generated) -> list[str]:
    """An "I did not apply" line for each asked kind the answer does not build (none is dropped
    silently), naming the closest block; a kind a line already names is not repeated."""
    said = " ".join(g.not_applied).lower()
    lines = []
    for kind in _unbuilt(request, g.code, g.fmt, g.template if g.source == "catalogue" else None):
        if kind.title.lower() in said:
            continue
        near = [b.title for k in kind.near if (b := get_block(k)) is not None and b.title != kind.title]
        types = set(kind.types(g.fmt))
        has_block = kind.block or any(types & {b.tf_type, b.cfn_type, b.k8s_kind} for b in BLOCKS)
        why = "not composed with the rest here" if has_block else "no building block for it offline"
        closest = f" (closest I build: {', '.join(near)})" if near else ""
        lines.append(f"{kind.title} — {why}, so it is not in this file{closest}")
    return lines


def _blocks_build_more(
    comp: Composition, request: str, fmt: IacFormat, code: str, template: Template
) -> bool:
    """The template leaves out a kind the request asks for, and the blocks build more of them."""
    left_out = _unbuilt(request, code, fmt, template)
    if not left_out or not comp.units or comp.errors or any(fmt not in u.block.formats for u in comp.units):
        return False
    try:
        blocks_code, _ = render_blocks(comp, fmt, request)
    except (ValueError, ValidationError):
        return False
    return len(_unbuilt(request, blocks_code, fmt, None)) < len(left_out)


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
    if not template_id:
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
    if missing or (not template_id and _blocks_build_more(comp, request, fmt, code, template)):
        # The template would have substituted something else or left a kind out: compose the
        # blocks instead.
        return _from_blocks(ctx, request, comp, fmt_asked, family)
    if not template_id and _blocks_answer_better(comp, request, fmt, code, notes):
        # The template fits but drops what the request said (a size, a secure-variant note).
        return _from_blocks(ctx, request, comp, fmt, family)
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


# -- with a language model ------------------------------------------------------------------------
def _covers(g: Generated, request: str, fmt: IacFormat) -> bool:
    """The offline answer is the whole answer: it passes, keeps every value, builds every kind."""
    return g.report.ok and not g.not_applied and not missing_kinds(asked_kinds(request, fmt), g.code, fmt)


def _with_model(
    ctx: ToolContext,
    model: BaseChatModel,
    request: str,
    fmt_arg: IacFormat | None,
    overrides: Mapping[str, Any] | None,
) -> Generated:
    """The offline answer when it covers the request; else the model's, held to the same checks."""
    _check_format(request, fmt_arg)
    offline: Generated | None = None
    offline_error = ""
    try:
        offline = _offline(ctx, request, fmt_arg, None, overrides)
    except (NotCovered, UserFacingError) as exc:
        offline_error = str(exc)
    fmt_asked = fmt_arg or detect_format(request)
    family = family_of(request, fmt_asked)
    fmt: IacFormat = (
        offline.fmt if offline else fmt_asked or ("kubernetes" if family == "kubernetes" else "terraform")
    )
    if offline is not None and _covers(offline, request, fmt):
        offline.notes.append(
            "CloudPilot's reviewed templates and blocks cover the whole request, so the language model "
            "was not asked."
        )
        return offline

    changed = changed_from_request(request)
    seed = None
    if offline is not None and offline.report.ok:
        seed = Example("CloudPilot's offline answer for this request (it misses part of it)", offline.code)
    kinds = asked_kinds(request, fmt)
    brief = Brief(
        request=request,
        fmt=fmt,
        examples=select(request, fmt, compose(request, family), kinds, seed),
        values=[v for v in explicit_values(request) if not (changed and v.said in OPEN_CIDRS)],
        kinds=kinds,
        secure=changed,
    )
    region = read_features(request).region or DEFAULT_REGION
    try:
        check = judge(env_for(ctx), brief, region)
        outcome = write_with_llm(model, brief, check, ctx.settings.llm.max_repair_rounds)
    except LlmUnavailable as exc:
        if offline is None:
            raise UserFacingError(f"The language model failed ({exc}). {offline_error}") from exc
        offline.notes.append(f"The language model failed ({exc}); this is the offline answer instead.")
        return offline
    best, rounds = outcome.best, outcome.rounds
    in_rounds = f"{rounds} round{'s' if rounds != 1 else ''}"
    failed = "; ".join(i.line() for i in best.report.errors()[:3])
    if not best.report.ok and offline is not None and (offline.report.ok or outcome.substituted):
        # A reviewed answer that leaves something out (and says so) beats a file that fails, and
        # one that fails a check beats one that builds something else.
        offline.notes.append(
            f"The language model's file still failed its checks after {in_rounds} ({failed}), "
            "so this is CloudPilot's offline answer."
        )
        return offline
    if outcome.substituted:
        wrote = ", ".join(sorted(declared_types(best.code, fmt))) or "no resource"
        asked = " and the ".join(i.location for i in outcome.substituted)
        raise UserFacingError(
            f"The language model did not write the {asked} you asked for in {in_rounds} (it wrote {wrote}), "
            f"and I won't show a substitute. {offline_error}"
        )
    titles = [e.title for e in brief.examples]
    return Generated(
        fmt=fmt,
        code=best.code,
        report=best.report,
        source="llm",
        template=offline.template if offline is not None and offline.source == "catalogue" else None,
        not_applied=outcome.not_applied,
        attempts=rounds,
        notes=[f"Reviewed examples given to the model: {'; '.join(titles)}."] if titles else [],
    )
