"""Reviewed examples for the model: the building blocks' own output for the kinds a request names.

A model that sees how CloudPilot already writes a bucket, a queue or a Deployment (the customer-
managed key, the TLS-only policy, the restricted pod) writes the same settings into what it adds;
the checks then hold it to them. The examples are, in order: the offline answer for the request
(the blocks or a catalogue template, rendered with the request's own values), else the blocks'
composition of the request; then one default rendering per asked kind the first does not show;
then the blocks closest to kinds no block builds. The total is bounded (`MAX_EXAMPLE_CHARS`) so a
small local model's context is not filled with examples.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tools.iac.asked_types import AskedKind, declared_types
from tools.iac.blocks import BLOCKS, KUBERNETES_BLOCKS
from tools.iac.compose import Composition, compose, render
from tools.iac.model import IacFormat

MAX_EXAMPLE_CHARS = 12_000
CUT = "\n# ... (example cut to fit)\n"


@dataclass(frozen=True)
class Example:
    title: str
    code: str


@functools.lru_cache(maxsize=128)
def block_example(kind: str, fmt: IacFormat) -> Example | None:
    """One block rendered alone with its defaults (and whatever it cannot do without)."""
    block = next((b for b in BLOCKS if b.kind == kind), None)
    if block is None or fmt not in block.formats:
        return None
    text = f"a {block.title}"
    comp = compose(text, "kubernetes" if block in KUBERNETES_BLOCKS else "aws")
    if kind not in comp.kinds or comp.errors:
        return None
    code, _ = render(comp, fmt, text)
    return Example(f"building block: {block.title}", code)


def _shown_kinds(code: str, fmt: IacFormat) -> set[str]:
    declared = declared_types(code, fmt)
    return {
        b.kind
        for b in BLOCKS
        if {"terraform": b.tf_type, "cloudformation": b.cfn_type, "kubernetes": b.k8s_kind}[fmt] in declared
    }


def _composition(comp: Composition, fmt: IacFormat, request: str) -> Example | None:
    if not comp.units or comp.errors or any(fmt not in u.block.formats for u in comp.units):
        return None
    code, _ = render(comp, fmt, request)
    return Example("the building blocks' file for the parts of this request they cover", code)


def select(
    request: str,
    fmt: IacFormat,
    comp: Composition,
    asked: list[AskedKind],
    offline: Example | None = None,
    limit: int = MAX_EXAMPLE_CHARS,
) -> list[Example]:
    """The examples for one request, most relevant first, at most `limit` characters of code."""
    candidates: list[Example] = []
    first = offline or _composition(comp, fmt, request)
    shown: set[str] = set()
    if first is not None:
        candidates.append(first)
        shown = _shown_kinds(first.code, fmt)
    for kind in dict.fromkeys(k for a in asked for k in a.near):
        if kind in shown:
            continue
        example = block_example(kind, fmt)
        if example is not None:
            candidates.append(example)
            shown.add(kind)
    chosen: list[Example] = []
    used = 0
    for example in candidates:
        if used + len(example.code) <= limit:
            chosen.append(example)
            used += len(example.code)
    if not chosen and candidates:
        # Even the closest example alone is too long: its beginning still shows the settings.
        head = candidates[0].code[: limit - len(CUT)]
        chosen.append(Example(candidates[0].title, head[: head.rfind("\n") + 1] + CUT))
    return chosen
