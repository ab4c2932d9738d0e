"""A renderer for the subset of Helm's template language the chart keeps to, so the tests can
render it without the `helm` binary: `{{ .Values.a.b }}`, `{{ .Release.Name }}`,
`{{ .Release.Namespace }}`, `{{ .Chart.Name|Version|AppVersion }}`, the pipes `quote`,
`default X` and `nindent N`, `toYaml X`, `if X` / `if not X` / `end`, and the `{{-` / `-}}` trim
markers with Helm's meaning (all whitespace on that side, newlines included). Anything else
raises `UnsupportedTemplate`, so the chart cannot drift into syntax the tests do not render."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)
_PATH = re.compile(r"^\.(Values|Release|Chart)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$")


class UnsupportedTemplate(ValueError):
    pass


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


class Chart:
    def __init__(self, root: Path, release: str = "cp", namespace: str = "cloudpilot") -> None:
        self.root = root
        meta = yaml.safe_load((root / "Chart.yaml").read_text())
        self.chart = {"Name": meta["name"], "Version": meta["version"], "AppVersion": meta["appVersion"]}
        self.release = {"Name": release, "Namespace": namespace}
        self.defaults: dict[str, Any] = yaml.safe_load((root / "values.yaml").read_text())

    def render(self, overrides: dict[str, Any] | None = None) -> dict[str, str]:
        values = merge(self.defaults, overrides or {})
        scope = {"Values": values, "Release": self.release, "Chart": self.chart}
        return {
            path.name: render(path.read_text(), scope)
            for path in sorted((self.root / "templates").glob("*.yaml"))
        }


def render(template: str, scope: dict[str, Any]) -> str:
    pieces: list[tuple[str, str]] = []  # ("text", s) | ("action", expr)
    pos = 0
    trim_next = False
    for match in _ACTION.finditer(template):
        text = template[pos : match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        pieces.append(("text", text))
        pieces.append(("action", match.group(2)))
        trim_next = bool(match.group(3))
        pos = match.end()
    tail = template[pos:]
    pieces.append(("text", tail.lstrip() if trim_next else tail))

    out: list[str] = []
    live: list[bool] = []
    for kind, body in pieces:
        on = all(live)
        if kind == "text":
            if on:
                out.append(body)
        elif body.startswith("if "):
            condition = body[3:].strip()
            negate = condition.startswith("not ")
            value = bool(_pipeline(condition[4:] if negate else condition, scope))
            live.append(value != negate)
        elif body == "end":
            if not live:
                raise UnsupportedTemplate("'end' without 'if'")
            live.pop()
        elif on:
            out.append(_text(_pipeline(body, scope)))
    if live:
        raise UnsupportedTemplate("'if' without 'end'")
    return "".join(out)


def _pipeline(expr: str, scope: dict[str, Any]) -> Any:
    first, *filters = [part.strip() for part in expr.split("|")]
    if first.startswith("toYaml "):
        value: Any = _to_yaml(_lookup(first[len("toYaml ") :].strip(), scope))
    else:
        value = _lookup(first, scope)
    for f in filters:
        name, _, arg = f.partition(" ")
        if name == "quote" and not arg:
            value = json.dumps(_text(value))
        elif name == "default" and arg:
            value = value if value not in (None, "", [], {}, False, 0) else _lookup(arg.strip(), scope)
        elif name == "nindent" and arg.strip().isdigit():
            pad = " " * int(arg)
            value = "\n" + "\n".join(pad + line if line else line for line in _text(value).split("\n"))
        else:
            raise UnsupportedTemplate(f"unsupported pipe '{f}' in '{expr}'")
    return value


def _lookup(path: str, scope: dict[str, Any]) -> Any:
    match = _PATH.match(path)
    if not match:
        raise UnsupportedTemplate(f"unsupported expression '{path}'")
    value: Any = scope[match.group(1)]
    for key in match.group(2).split(".")[1:]:
        if not isinstance(value, dict) or key not in value:
            raise UnsupportedTemplate(f"no value at '{path}'")
        value = value[key]
    return value


def _to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
