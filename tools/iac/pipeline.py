"""From a request to checked code: pick the format and the writer (catalogue or LLM), then check.

With an LLM configured the model writes the code, seeded with the closest catalogue template as
a reviewed example, and repairs it from the checks' errors. Without one (or when a template is
named explicitly) the catalogue renders it. Either way nothing is returned unchecked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from tools.base import ToolContext, UserFacingError
from tools.iac.catalogue import TEMPLATES, get_template
from tools.iac.catalogue.base import Template, TemplateParams
from tools.iac.checks import Report, check_code, env_for
from tools.iac.features import read_features
from tools.iac.llm import LlmUnavailable, chat_model, write_with_llm
from tools.iac.matching import best_match, closest, detect_format
from tools.iac.model import FORMAT_LABELS, IacFormat

DEFAULT_REGION = "us-east-1"


@dataclass
class Generated:
    fmt: IacFormat
    code: str
    report: Report
    source: Literal["catalogue", "llm"]
    template: Template | None = None
    params: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1
    notes: list[str] = field(default_factory=list)


class NotCovered(Exception):
    """The catalogue has nothing for the request and no LLM is configured."""

    def __init__(self, message: str, closest: list[Template]) -> None:
        super().__init__(message)
        self.closest = closest


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


def generate(
    ctx: ToolContext,
    request: str,
    fmt_arg: IacFormat | None = None,
    template_id: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Generated:
    env = env_for(ctx)
    overrides = dict(overrides or {})
    fmt_asked = fmt_arg or detect_format(request)
    template = _pick_template(request, fmt_asked, template_id)
    model = None if template_id else chat_model(ctx)
    notes: list[str] = []

    if model is not None:
        fmt: IacFormat = fmt_asked or (template.default_format if template else "terraform")
        reference = None
        params = None
        if template is not None and fmt in template.formats:
            try:
                params = build_params(template, request, overrides)
                reference = render(template, params, fmt)
            except UserFacingError:
                reference = None
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
