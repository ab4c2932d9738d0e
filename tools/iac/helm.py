"""Helm charts: the checked Kubernetes manifests, packaged as a small chart.

A "Helm chart" request is generated as Kubernetes (blocks, catalogue or the model), checked as
usual, then packaged: Chart.yaml, values.yaml and one file per object under templates/, where each
workload's replicas, image and resources come from values.yaml. The chart is validated by
rendering it with its own values (`render_template`: the few template actions the chart uses, as
Helm evaluates them) and checking that the rendered objects are exactly the checked manifests and
valid against the Kubernetes schemas. No helm binary is needed (Debian ships none).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from tools.iac import yamlout
from tools.iac.model import CheckRun, Issue
from tools.iac.validate.kubernetes import K8sSchemas, pod_spec, validate_kubernetes

_F = re.IGNORECASE
# "helm chart", "a chart for helm", "as helm" — but not "helm release"/"helm repo" (about installing).
HELM = re.compile(r"\bhelm\b(?!\s+(?:release|repo(?:sitory)?|install|upgrade)s?\b)", _F)
_WORKLOAD_NOUN = re.compile(r"\b(?:deployments?|stateful\s?sets?|daemon\s?sets?|cron\s?jobs?|jobs?)\b", _F)
_HELM_PHRASE = re.compile(r"\b(?:a\s+|the\s+)?helm(?:\s+charts?)?\b", _F)
API_VERSION = "v2"
CHART_VERSION = "0.1.0"
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
# Placeholders written into the objects before they are dumped, replaced by template actions after.
_MARK = "CLOUDPILOT-HELM-VALUE-"


# "helm-free", "without helm", "no helm": plain manifests.
_NOT_HELM = re.compile(r"\bhelm[\s-]*(?:free|less)\b|\b(?:no|not|without|non)[\s-]+(?:a\s+)?helm\b", _F)


def wants_helm(request: str) -> bool:
    return bool(HELM.search(_NOT_HELM.sub(" ", request)))


def kubernetes_request(request: str) -> str:
    """The request as the Kubernetes generator reads it: "a Helm chart for nginx" asks for a
    Deployment (and Service) of nginx unless it names the workload kind itself."""
    if _WORKLOAD_NOUN.search(request):
        return _HELM_PHRASE.sub("kubernetes", request)
    text = _HELM_PHRASE.sub("a kubernetes deployment", request, count=1)
    # The Service goes last: "a deployment for nginx" names the app, "... and service for" does not.
    return text if re.search(r"\bservice\b", text, _F) else f"{text.rstrip(' .')}, with a service"


@dataclass
class Chart:
    name: str
    # (path inside the chart folder, content), Chart.yaml first.
    files: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    objects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def templates(self) -> list[tuple[str, str]]:
        return [(path, text) for path, text in self.files if path.startswith("templates/")]


def _key(name: str, taken: set[str]) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", name)
    key = parts[0].lower() + "".join(p.capitalize() for p in parts[1:]) or "app"
    key = key if key[0].isalpha() else f"app{key}"
    base, n = key, 2
    while key in taken:
        key, n = f"{base}{n}", n + 1
    taken.add(key)
    return key


def _image_values(image: str) -> tuple[dict[str, str], str]:
    """values.yaml's image entry and the template text that rebuilds the reference."""
    if "@" in image:
        repository, digest = image.split("@", 1)
        return {"repository": repository, "digest": digest}, "{repo}@{digest}"
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repository, tag = image.rsplit(":", 1)
        return {"repository": repository, "tag": tag}, "{repo}:{tag}"
    return {"repository": image}, "{repo}"


def _templatize(doc: dict[str, Any], key: str, values: dict[str, Any]) -> dict[str, str]:
    """Put placeholders where the workload's values go; returns placeholder -> template action."""
    actions: dict[str, str] = {}
    spec = pod_spec(doc)
    containers = (spec or {}).get("containers") or []
    own: dict[str, Any] = {}
    if isinstance(doc.get("spec"), dict) and isinstance(doc["spec"].get("replicas"), int):
        own["replicaCount"] = doc["spec"]["replicas"]
        mark = f"{_MARK}{key}-replicas"
        doc["spec"]["replicas"] = mark
        actions[mark] = f"{{{{ .Values.{key}.replicaCount }}}}"
    if containers and isinstance(containers[0], dict):
        c = containers[0]
        if isinstance(c.get("image"), str):
            entry, shape = _image_values(c["image"])
            own["image"] = entry
            mark = f"{_MARK}{key}-image"
            c["image"] = mark
            ref = shape.format(
                repo=f"{{{{ .Values.{key}.image.repository }}}}",
                tag=f"{{{{ .Values.{key}.image.tag }}}}",
                digest=f"{{{{ .Values.{key}.image.digest }}}}",
            )
            actions[mark] = f'"{ref}"'
        if isinstance(c.get("resources"), dict):
            own["resources"] = c["resources"]
            mark = f"{_MARK}{key}-resources"
            c["resources"] = mark
            actions[mark] = f"toYaml .Values.{key}.resources"
    if own:
        values[key] = own
    return actions


def _apply(text: str, actions: dict[str, str]) -> str:
    # A literal "{{" in the manifests (a config value) must not start a template action.
    text = text.replace("{{", '{{ "{{" }}')
    lines = []
    for line in text.splitlines():
        for mark, action in actions.items():
            if mark not in line:
                continue
            if action.startswith("toYaml"):
                indent = len(line) - len(line.lstrip()) + 2
                expression = f"{{{{- {action} | nindent {indent} }}}}"
                line = line.replace(mark, "").rstrip() + "\n" + " " * indent + expression
            else:
                line = line.replace(mark, action)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _filename(doc: dict[str, Any], used: set[str]) -> str:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    base = f"{str(doc.get('kind', 'object')).lower()}-{(meta or {}).get('name', 'object')}"
    base = re.sub(r"[^a-z0-9.-]+", "-", base.lower()).strip("-") or "object"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return f"templates/{name}.yaml"


def chart_name(objects: list[dict[str, Any]]) -> str:
    for doc in objects:
        if doc.get("kind") in WORKLOAD_KINDS:
            name = str((doc.get("metadata") or {}).get("name", ""))
            if NAME.match(name):
                return name
    return "app"


def build_chart(manifests: str) -> Chart:
    """The chart of the manifests (the Kubernetes code that was generated and checked)."""
    objects = [d for d in yaml.safe_load_all(manifests) if isinstance(d, dict)]
    name = chart_name(objects)
    values: dict[str, Any] = {}
    taken: set[str] = set()
    used: set[str] = set()
    templates: list[tuple[str, str]] = []
    for original in objects:
        doc = copy.deepcopy(original)  # the placeholders go into a copy
        actions: dict[str, str] = {}
        if doc.get("kind") in WORKLOAD_KINDS:
            meta = doc.get("metadata") or {}
            actions = _templatize(doc, _key(str(meta.get("name", "app")), taken), values)
        templates.append((_filename(doc, used), _apply(yamlout.dump(doc), actions)))
    app_version = next(
        (str(v["image"].get("tag")) for v in values.values() if v.get("image", {}).get("tag")), "1.0.0"
    )
    chart_yaml = yamlout.dump(
        {
            "apiVersion": API_VERSION,
            "name": name,
            "description": f"{name}: generated by CloudPilot from checked Kubernetes manifests",
            "type": "application",
            "version": CHART_VERSION,
            "appVersion": app_version,
        }
    )
    values_yaml = (
        "# Generated by CloudPilot. Each workload's replicas, image and resources; the templates hold "
        "the rest.\n" + (yamlout.dump(values) if values else "{}\n")
    )
    files = [("Chart.yaml", chart_yaml), ("values.yaml", values_yaml), *templates]
    return Chart(name=name, files=files, values=values, objects=objects)


# -- rendering: the template actions the chart uses, evaluated as Helm does ----------------------
_ACTION = re.compile(r"(\s*)\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)
_VALUE = re.compile(r"^\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$")
_TO_YAML = re.compile(r"^toYaml\s+(\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\|\s*nindent\s+(\d+)$")
_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


class TemplateError(ValueError):
    pass


def _lookup(values: dict[str, Any], path: str) -> Any:
    m = _VALUE.match(path)
    if not m:
        raise TemplateError(f"unsupported reference {path!r}")
    node: Any = values
    for part in m.group(1).strip(".").split("."):
        if not isinstance(node, dict) or part not in node:
            raise TemplateError(f"{path} is not in values.yaml")
        node = node[part]
    return node


def _evaluate(action: str, values: dict[str, Any]) -> str:
    if m := _LITERAL.match(action):
        return m.group(1).encode().decode("unicode_escape")
    if m := _TO_YAML.match(action):
        body = yaml.safe_dump(_lookup(values, m.group(1)), sort_keys=False, default_flow_style=False)
        pad = " " * int(m.group(2))
        return "\n" + "\n".join(pad + line for line in body.rstrip("\n").splitlines())
    value = _lookup(values, action)
    if isinstance(value, (dict, list)):
        raise TemplateError(f"{action} is a map or list: print it with toYaml")
    return "true" if value is True else "false" if value is False else str(value)


def render_template(text: str, values: dict[str, Any]) -> str:
    """A template rendered with `values`: `{{ .Values.x }}`, `{{- toYaml .Values.x | nindent N }}`
    and `{{ "literal" }}`, with `{{-` / `-}}` trimming whitespace as in Go templates."""
    out: list[str] = []
    pos = 0
    for m in _ACTION.finditer(text):
        leading = m.group(1)
        out.append(text[pos : m.start()])
        if not m.group(2):
            out.append(leading)
        out.append(_evaluate(m.group(3), values))
        pos = m.end()
        if m.group(4):
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    out.append(text[pos:])
    return "".join(out)


def render_chart(chart: Chart, values: dict[str, Any] | None = None) -> str:
    """Every template rendered (with values.yaml's values unless others are given), as one stream."""
    use = chart.values if values is None else values
    return "".join(
        "---\n" + render_template(text, use).lstrip("\n").removeprefix("---\n") for _, text in chart.templates
    )


def chart_check(chart: Chart, schemas: K8sSchemas) -> tuple[CheckRun, str]:
    """Render the chart; the rendered objects must be the checked ones and schema-valid.
    Returns the check and the rendered manifests."""
    run = CheckRun("helm", "CloudPilot chart renderer")
    try:
        rendered = render_chart(chart)
        docs = [d for d in yaml.safe_load_all(rendered) if d is not None]
    except (TemplateError, yaml.YAMLError) as exc:
        run.issues.append(Issue("helm", f"the chart does not render: {exc}"))
        return run, ""
    if docs != chart.objects:
        run.issues.append(Issue("helm", "the rendered chart differs from the checked manifests"))
    _, runs = validate_kubernetes(rendered, schemas)
    for r in runs:
        run.issues += [Issue("helm", f"rendered: {i.message}", i.level, i.location) for i in r.errors]
    run.detail = (
        f"{len(chart.templates)} templates rendered with values.yaml: the checked manifests, "
        "schema-valid (no helm binary needed)"
    )
    return run, rendered
