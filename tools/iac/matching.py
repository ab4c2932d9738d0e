"""Which format a request wants and which catalogue template fits it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.iac.catalogue import TEMPLATES
from tools.iac.catalogue.base import Template
from tools.iac.model import IacFormat

_F = re.IGNORECASE
FORMAT_PATTERNS: tuple[tuple[IacFormat, re.Pattern[str]], ...] = (
    ("cloudformation", re.compile(r"\bcloud\s?formation\b|\bcfn\b|\bcloudformation\s+yaml\b", _F)),
    ("terraform", re.compile(r"\bterraform\b|\bopentofu\b|\bhcl\b|\.tf\b|\btf\s+(?:code|module|file)\b", _F)),
    ("kubernetes", re.compile(r"\bkubernetes\b|\bk8s\b|\bkubectl\b|\bmanifests?\b|\bkustomize\b", _F)),
)
# A request matches a template when the weights of the patterns it contains reach this.
MATCH_THRESHOLD = 1.0


def detect_format(text: str) -> IacFormat | None:
    """The format the request names; the last one named wins ("... now as CloudFormation")."""
    found = [(m.start(), fmt) for fmt, pattern in FORMAT_PATTERNS for m in pattern.finditer(text)]
    return max(found)[1] if found else None


@dataclass(frozen=True)
class Candidate:
    template: Template
    score: float

    @property
    def matches(self) -> bool:
        return self.score >= MATCH_THRESHOLD


def rank(text: str, fmt: IacFormat | None = None) -> list[Candidate]:
    """Templates by how well they fit the request; those lacking the requested format sort last."""
    lower = text.lower()
    scored = [Candidate(t, t.score(lower)) for t in TEMPLATES]
    scored = [c for c in scored if c.score > 0]
    return sorted(scored, key=lambda c: (fmt is not None and fmt not in c.template.formats, -c.score))


def best_match(text: str, fmt: IacFormat | None = None) -> Candidate | None:
    """The best template offering the format (when one is asked for), if any reaches the threshold."""
    for candidate in rank(text, fmt):
        if candidate.matches and (fmt is None or fmt in candidate.template.formats):
            return candidate
    return None


def closest(text: str, limit: int = 3) -> list[Template]:
    return [c.template for c in rank(text)[:limit]]
