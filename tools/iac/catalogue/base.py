"""What a catalogue template is: parameters, how to recognise its requests, how to render it.

A template's parameters are a pydantic model (defaults and limits in one place); `extract`
turns a request's `Features` into parameter values, and `render` prints one format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tools.iac.features import Features
from tools.iac.model import IacFormat

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class TemplateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AwsParams(TemplateParams):
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(?:-[a-z]+)+-\d$")
    environment: str = Field(default="dev", pattern=r"^[a-z0-9-]{1,20}$")


P = TypeVar("P", bound=TemplateParams)


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    formats: tuple[IacFormat, ...]
    params: type[TemplateParams]
    # (regex, weight): the request matches when the weights of the patterns found add up to 1+.
    patterns: tuple[tuple[str, float], ...]
    extract: Callable[[Features], dict[str, Any]]
    render: Callable[[Any, IacFormat], str]
    # Why the code looks the way it does: shown to the user with the code.
    design: tuple[str, ...]
    examples: tuple[str, ...] = ()
    # Non-default parameters that tests render too.
    variants: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    # Remarks about the rendered parameters worth telling the user (e.g. an image that was pinned).
    notes: Callable[[Any], list[str]] | None = None
    # Other templates the request also asks for, rendered into the same file, with the parameter
    # values that tie them to this one: (params, lower-case request) -> [(template, values)].
    addons: Callable[[Any, str], list[tuple[Template, dict[str, Any]]]] | None = None

    @property
    def default_format(self) -> IacFormat:
        return self.formats[0]

    def score(self, lower: str) -> float:
        return sum(weight for pattern, weight in self.patterns if re.search(pattern, lower))

    def build_params(self, values: Mapping[str, Any]) -> TemplateParams:
        return self.params.model_validate(dict(values))

    def remarks(self, params: TemplateParams) -> list[str]:
        return self.notes(params) if self.notes else []

    def render_code(self, params: TemplateParams, fmt: IacFormat) -> str:
        if fmt not in self.formats:
            raise ValueError(f"{self.id} has no {fmt} form")
        return self.render(params, fmt)


def slug(text: str, fallback: str, limit: int = 40) -> str:
    """A name usable for most AWS and Kubernetes resources: lower-case letters, digits, hyphens."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:limit].strip("-")
    return cleaned or fallback


def pick(**values: Any) -> dict[str, Any]:
    """Only the values a request actually stated."""
    return {k: v for k, v in values.items() if v is not None}


def aws_common(f: Features) -> dict[str, Any]:
    env = None
    m = re.search(r"\b(prod(?:uction)?|staging|stage|dev(?:elopment)?|test|qa|sandbox)\b", f.lower)
    if m:
        env = {"production": "prod", "development": "dev", "stage": "staging"}.get(m.group(1), m.group(1))
    return pick(region=f.region, environment=env)


def first_name(f: Features, *nouns: str) -> str | None:
    """The request's explicit name ("named x", "'x'"), else a name written after one of `nouns`."""
    if f.names:
        return slug(f.names[-1], f.names[-1])
    found = f.name_after(*nouns) if nouns else None
    return slug(found, found) if found else None
