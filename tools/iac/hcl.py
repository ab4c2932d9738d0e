"""A small HCL writer: templates describe Terraform as data and this module prints it.

Printing from data rather than from string templates means every string is escaped the same
way and parameters can never break the syntax (a name with a quote or a "${" stays a literal).
Output follows `terraform fmt` conventions: two-space indents, aligned `=` in runs of
single-line attributes, a blank line between top-level blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
INDENT = "  "
_INLINE_LIMIT = 80


@dataclass(frozen=True)
class Expr:
    """An HCL expression written as is: a reference, a function call, an interpolated string."""

    text: str


@dataclass(frozen=True)
class Heredoc:
    """A multi-line string printed as <<-EOT ... EOT (template sequences escaped)."""

    text: str


@dataclass(frozen=True)
class Call:
    """A function call whose single argument is a value, e.g. jsonencode({...})."""

    name: str
    arg: Value


@dataclass(frozen=True)
class Comment:
    """A comment line inside a block: checkov reads `checkov:skip=<id>:<reason>` from these."""

    text: str


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...] = ()
    body: Sequence[Entry] = field(default_factory=tuple)


Value: TypeAlias = (
    str | int | float | bool | Expr | Heredoc | Call | Sequence["Value"] | Mapping[str, "Value"] | None
)
Entry: TypeAlias = tuple[str, Value] | Block | Comment


def ref(text: str) -> Expr:
    return Expr(text)


def interp(template: str) -> Expr:
    """A quoted string whose ${...} parts are interpolations (quotes are still escaped)."""
    return Expr('"' + template.replace("\\", "\\\\").replace('"', '\\"') + '"')


def quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("${", "$${")
        .replace("%{", "%%{")
    )
    return f'"{escaped}"'


def _key(name: str) -> str:
    return name if _IDENT.match(name) else quote(name)


def _is_multiline(value: Value) -> bool:
    if isinstance(value, Mapping):
        return bool(value)
    if isinstance(value, Call):
        return _is_multiline(value.arg)
    if isinstance(value, Heredoc):
        return True
    if isinstance(value, list | tuple):
        return any(_is_multiline(v) for v in value) or len(_inline_list(value)) > _INLINE_LIMIT
    return False


def _inline_list(values: Sequence[Value]) -> str:
    return "[" + ", ".join(value(v, 0) for v in values) + "]"


def value(v: Value, depth: int) -> str:
    """One value printed at nesting `depth` (continuation lines are indented to match)."""
    if isinstance(v, Expr):
        return v.text
    if isinstance(v, Call):
        return f"{v.name}({value(v.arg, depth)})"
    if isinstance(v, Heredoc):
        body = v.text.replace("${", "$${").replace("%{", "%%{").rstrip("\n")
        return "<<-EOT\n" + body + "\nEOT"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return quote(v)
    if v is None:
        return "null"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        return "{\n" + _attributes(list(v.items()), depth + 1) + INDENT * depth + "}"
    if not _is_multiline(v):
        return _inline_list(v)
    inner = INDENT * (depth + 1)
    items = ",\n".join(inner + value(item, depth + 1) for item in v)
    return "[\n" + items + ",\n" + INDENT * depth + "]"


def _attributes(pairs: list[tuple[str, Value]], depth: int) -> str:
    """Attribute lines with `=` aligned across each run of single-line values."""
    pad = INDENT * depth
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {text}" for k, text in run)
        run.clear()

    for name, v in pairs:
        if v is None:
            continue
        text = value(v, depth)
        if "\n" in text:
            flush()
            lines.append(f"{pad}{_key(name)} = {text}")
        else:
            run.append((_key(name), text))
    flush()
    return "".join(line + "\n" for line in lines)


def block(b: Block, depth: int = 0) -> str:
    pad = INDENT * depth
    head = " ".join([b.type, *(quote(label) for label in b.labels)])
    parts: list[str] = []
    pending: list[tuple[str, Value]] = []
    for entry in b.body:
        if isinstance(entry, Block):
            if pending:
                parts.append(_attributes(pending, depth + 1))
                pending = []
            parts.append(block(entry, depth + 1))
        elif isinstance(entry, Comment):
            if pending:
                parts.append(_attributes(pending, depth + 1))
                pending = []
            parts.append(f"{INDENT * (depth + 1)}# {entry.text}\n")
        else:
            pending.append(entry)
    if pending:
        parts.append(_attributes(pending, depth + 1))
    if not parts:
        return f"{pad}{head} {{}}\n"
    # A blank line between attribute runs and nested blocks, as `terraform fmt` leaves them.
    return f"{pad}{head} {{\n" + "\n".join(parts) + f"{pad}}}\n"


def document(blocks: Sequence[Block], header: str = "") -> str:
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    body = "\n".join(block(b) for b in blocks)
    return comment + ("\n" if comment else "") + body
