"""Terraform: parse with python-hcl2, then check types, required arguments and references.

python-hcl2 returns blocks as lists of dicts and keeps expressions as "${...}" strings; the
`TfDoc` below is that output rearranged by block kind, plus the few evaluations the checks and
the security mapping need (a variable's default, a local's value, a jsonencode() object).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tools.iac.model import CheckRun, Issue, Level
from tools.iac.validate.terraform_types import DATA_SOURCES, PROVIDERS, RESOURCES, TypeSpec

PARSER = "python-hcl2"

_WHOLE_REF = re.compile(r"^\$\{\s*(var|local)\.([A-Za-z0-9_-]+)\s*\}$")
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
_REFERENCE = re.compile(
    r"(?<![\w.\"])(data\.[A-Za-z0-9_]+\.[A-Za-z0-9_-]+|(?:var|local|module)\.[A-Za-z0-9_-]+"
    r"|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)"
)
# Names that look like references but are Terraform's own objects.
_BUILTIN_PREFIXES = frozenset({"each", "count", "path", "self", "terraform"})


class TerraformParseError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class TfBlock:
    """A resource or data block: `kind` is "resource" or "data"."""

    kind: str
    type: str
    name: str
    body: dict[str, Any]

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class TfDoc:
    resources: list[TfBlock] = field(default_factory=list)
    data: list[TfBlock] = field(default_factory=list)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    has_required_providers: bool = False
    duplicates: list[str] = field(default_factory=list)

    def resolve(self, value: Any) -> Any:
        """A `var.x` or `local.x` reference replaced by its default/value (once); else `value`."""
        if isinstance(value, str):
            m = _WHOLE_REF.match(value)
            if m:
                kind, name = m.groups()
                if kind == "var" and name in self.variables:
                    return self.variables[name].get("default", value)
                if kind == "local" and name in self.locals:
                    return self.locals[name]
        return value

    def by_type(self, resource_type: str) -> list[TfBlock]:
        return [r for r in self.resources if r.type == resource_type]

    def region(self) -> str | None:
        for name, body in self.providers:
            if name == "aws" and "alias" not in body:
                region = self.resolve(body.get("region"))
                if isinstance(region, str) and not region.startswith("${"):
                    return region
        return None


def _first(items: Any) -> dict[str, Any]:
    if isinstance(items, list):
        return items[0] if items and isinstance(items[0], dict) else {}
    return items if isinstance(items, dict) else {}


def parse_hcl(code: str) -> dict[str, Any]:
    # Imported here: building python-hcl2's parser is slow, and only Terraform needs it.
    import hcl2
    from hcl2.utils import SerializationOptions
    from lark.exceptions import LarkError, UnexpectedInput

    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    try:
        return dict(hcl2.loads(code, serialization_options=options))
    except UnexpectedInput as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TerraformParseError(first, getattr(exc, "line", None)) from exc
    except (LarkError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TerraformParseError(f"{type(exc).__name__}: {exc}") from exc


def parse_terraform(code: str) -> TfDoc:
    raw = parse_hcl(code)
    doc = TfDoc()
    seen: set[str] = set()
    for kind in ("resource", "data"):
        for entry in raw.get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    block = TfBlock(kind, rtype, name, body if isinstance(body, dict) else {})
                    if block.address in seen:
                        doc.duplicates.append(block.address)
                    seen.add(block.address)
                    (doc.resources if kind == "resource" else doc.data).append(block)
    for entry in raw.get("variable", []):
        for name, body in entry.items():
            doc.variables[name] = body if isinstance(body, dict) else {}
    for entry in raw.get("locals", []):
        doc.locals.update(entry)
    for entry in raw.get("output", []):
        doc.outputs.update(entry)
    for entry in raw.get("module", []):
        doc.modules.update(entry)
    for entry in raw.get("provider", []):
        for name, body in entry.items():
            doc.providers.append((name, body if isinstance(body, dict) else {}))
    for entry in raw.get("terraform", []):
        if entry.get("required_providers"):
            doc.has_required_providers = True
    return doc


# -- expression helpers ---------------------------------------------------------------------------
def _scan_interpolations(text: str) -> list[str]:
    """The bodies of top-level ${...} in `text`, matching braces and skipping string literals."""
    out: list[str] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return out
        if start > 0 and text[start - 1] == "$":  # "$${" is an escaped literal
            i = start + 2
            continue
        depth, j, in_string = 1, start + 2, False
        while j < len(text) and depth:
            ch = text[j]
            if in_string:
                if ch == "\\":
                    j += 1
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            j += 1
        out.append(text[start + 2 : j - 1] if depth == 0 else text[start + 2 :])
        i = j


def interpolations(value: Any) -> list[str]:
    """Every ${...} expression inside a parsed value."""
    found: list[str] = []
    if isinstance(value, str):
        found.extend(_scan_interpolations(value))
    elif isinstance(value, dict):
        for k, v in value.items():
            found.extend(interpolations(k))
            found.extend(interpolations(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(interpolations(v))
    return found


def references(expression: str) -> list[str]:
    """Addresses an expression refers to (var.x, local.x, module.x, data.t.n, type.name)."""
    code = _STRING_LITERAL.sub(lambda m: " ".join(interpolations(m.group(0)[1:-1])) or '""', expression)
    return [m.group(1) for m in _REFERENCE.finditer(code)]


def reference_target(text: Any) -> str | None:
    """`aws_s3_bucket.logs` for "${aws_s3_bucket.logs.id}" (a whole-value resource reference)."""
    if not isinstance(text, str):
        return None
    m = re.match(r"^\$\{\s*([a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])?\.", text)
    return m.group(1) if m else None


def jsonencode_object(value: Any) -> Any:
    """The object inside "${jsonencode({...})}" as data, or a JSON heredoc/string decoded; else None."""
    if isinstance(value, dict | list):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("<<"):
        lines = text.splitlines()
        text = "\n".join(lines[1:-1])
    m = re.match(r"^\$\{\s*jsonencode\((.*)\)\s*\}$", text, re.DOTALL)
    if m:
        try:
            return parse_hcl(f"value = {m.group(1)}\n").get("value")
        except TerraformParseError:
            return None
    try:
        return json.loads(text)
    except ValueError:
        return None


# -- checks ---------------------------------------------------------------------------------------
def _check_block(block: TfBlock, spec: TypeSpec, issues: list[Issue]) -> None:
    body = block.body
    for arg in spec.required:
        if arg not in body:
            issues.append(Issue("schema", f"missing required argument {arg!r}", location=block.address))
    for nested in spec.blocks:
        if not body.get(nested):
            issues.append(Issue("schema", f"missing required block {nested!r}", location=block.address))
    for old, new in spec.removed:
        if old in body:
            issues.append(
                Issue(
                    "schema",
                    f"argument {old!r} was removed from the AWS provider: use {new}",
                    location=block.address,
                )
            )
    for old, new in spec.deprecated:
        if old in body:
            issues.append(
                Issue(
                    "schema",
                    f"argument {old!r} is deprecated since AWS provider v4: use {new}",
                    level=Level.WARNING,
                    location=block.address,
                )
            )


def _known_objects(doc: TfDoc) -> tuple[set[str], set[str]]:
    """Declared addresses, and names that may appear as the first part of a reference."""
    declared = {b.address for b in doc.resources + doc.data}
    declared |= {f"var.{v}" for v in doc.variables} | {f"local.{k}" for k in doc.locals}
    declared |= {f"module.{m}" for m in doc.modules}
    iterators: set[str] = set(_BUILTIN_PREFIXES)
    for block in doc.resources + doc.data:
        for dyn in block.body.get("dynamic", []) if isinstance(block.body.get("dynamic"), list) else []:
            for name, content in dyn.items():
                iterators.add(name)
                if isinstance(content, dict) and isinstance(content.get("iterator"), str):
                    iterators.add(content["iterator"])
    return declared, iterators


def _check_references(doc: TfDoc, issues: list[Issue]) -> None:
    declared, iterators = _known_objects(doc)
    scopes: list[tuple[str, Any]] = [(b.address, b.body) for b in doc.resources + doc.data]
    scopes += [(f"output.{k}", v) for k, v in doc.outputs.items()]
    scopes += [(f"local.{k}", v) for k, v in doc.locals.items()]
    scopes += [(f"provider.{name}", body) for name, body in doc.providers]
    scopes += [(f"module.{k}", v) for k, v in doc.modules.items()]
    for where, body in scopes:
        missing: list[str] = []
        for expression in interpolations(body):
            for reference in references(expression):
                head = reference.split(".")[0]
                if head in iterators or reference in declared:
                    continue
                if head in ("var", "local", "module", "data") or head in RESOURCES or head.startswith("aws_"):
                    missing.append(reference)
        for reference in dict.fromkeys(missing):
            issues.append(Issue("references", f"{reference} is not declared", location=where))


def validate_terraform(code: str) -> tuple[TfDoc | None, list[CheckRun]]:
    parse = CheckRun("syntax", PARSER)
    try:
        doc = parse_terraform(code)
    except TerraformParseError as exc:
        location = f"line {exc.line}" if exc.line else ""
        parse.issues.append(Issue("syntax", str(exc), location=location))
        return None, [parse]
    parse.detail = f"{len(doc.resources)} resources, {len(doc.data)} data sources"
    if not doc.resources and not doc.data and not doc.modules:
        parse.issues.append(Issue("syntax", "no resource, data or module blocks found"))

    schema = CheckRun("schema", "CloudPilot table of AWS provider types")
    for block in doc.resources + doc.data:
        table = RESOURCES if block.kind == "resource" else DATA_SOURCES
        spec = table.get(block.type)
        if spec is None:
            what = "resource" if block.kind == "resource" else "data source"
            schema.issues.append(
                Issue("schema", f"unknown {what} type {block.type!r}", location=block.address)
            )
            continue
        _check_block(block, spec, schema.issues)
    for address in doc.duplicates:
        schema.issues.append(Issue("schema", "declared more than once", location=address))
    for name, _ in doc.providers:
        if name not in PROVIDERS:
            schema.issues.append(
                Issue("schema", f"unsupported provider {name!r}", location=f"provider.{name}")
            )
    if not doc.has_required_providers:
        schema.issues.append(
            Issue(
                "schema",
                "no terraform { required_providers } block: provider versions are not pinned",
                level=Level.WARNING,
            )
        )
    schema.detail = (
        f"{len(doc.resources) + len(doc.data)} blocks checked against {len(RESOURCES)} known types"
    )

    refs = CheckRun("references", PARSER)
    _check_references(doc, refs.issues)
    return doc, [parse, schema, refs]
