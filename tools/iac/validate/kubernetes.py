"""Kubernetes: JSON-schema validation, cross-object consistency, and Pod security basics.

Schemas: the strict (no unknown fields) OpenAPI-derived JSON schemas that the
kubernetes-validate package ships for every minor version, read offline from the package.

The security rules of tools/security judge AWS resources and have no Kubernetes resource type,
so Pod security is checked here against the Pod Security Standards "restricted" profile
(non-root, no privilege escalation, all capabilities dropped, a seccomp profile, no host
namespaces or hostPath volumes) plus pinned images and resource requests and limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from tools.iac.model import CheckRun, Issue, Level

K8S_VERSION = "1.31"
SCHEMAS = "kubernetes-json-schema"

# kind -> path of the pod template spec inside the object.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
ALLOWED_ADDED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})


class K8sSchemas:
    """Validators for the schema files of one Kubernetes version, loaded on first use."""

    def __init__(self, version: str = K8S_VERSION) -> None:
        self.requested = version
        self._version: str | None = None
        self._definitions: Any = None
        self._validators: dict[str, Any] = {}

    @property
    def version(self) -> str:
        if self._version is None:
            from kubernetes_validate.utils import all_versions, major_minor

            wanted = tuple(int(p) for p in major_minor(self.requested).split("."))
            fitting = [v for v in all_versions() if tuple(int(p) for p in v.split(".")[:2]) <= wanted]
            self._version = fitting[-1] if fitting else all_versions()[0]
        return self._version

    def _load(self, name: str) -> Any:
        from kubernetes_validate.utils import schema_contents

        return schema_contents(f"{SCHEMAS}/v{self.version}-local-strict/{name}", self.version)

    def validator(self, kind: str, api_version: str) -> Any | None:
        """A Draft 2020-12 validator for kind+apiVersion, or None when no schema exists."""
        import jsonschema
        from referencing import Registry, Resource

        group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
        key = f"{kind.lower()}-{group}.json"
        if key not in self._validators:
            try:
                schema = self._load(key)
            except FileNotFoundError:
                self._validators[key] = None
                return None
            if self._definitions is None:
                self._definitions = self._load("_definitions.json")
            registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
            registry = Resource.from_contents(self._definitions) @ registry
            self._validators[key] = jsonschema.Draft202012Validator(schema, registry=registry)
        return self._validators[key]

    def warm_up(self) -> None:
        self.validator("Deployment", "apps/v1")


def object_name(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    return f"{doc.get('kind', '?')}/{(meta or {}).get('name', '?')}"


def _dig(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    path = POD_SPEC_PATHS.get(str(doc.get("kind")))
    spec = _dig(doc, path) if path else None
    return spec if isinstance(spec, dict) else None


def _containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield c


def _pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and not last.endswith(":latest")


def _policy_issues(doc: dict[str, Any]) -> list[Issue]:
    spec = pod_spec(doc)
    if spec is None:
        return []
    where = object_name(doc)
    out: list[Issue] = []

    def add(message: str, level: Level = Level.ERROR, container: str = "") -> None:
        loc = f"{where} container {container}" if container else where
        out.append(Issue("pod-security", message, level=level, location=loc))

    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(host):
            add(f"{host} is enabled: the pod shares the node's namespace")
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict) and "hostPath" in volume:
            add(f"volume {volume.get('name', '?')} mounts a hostPath from the node")
    pod_ctx = spec.get("securityContext") or {}
    for c in _containers(spec):
        name = str(c.get("name", "?"))
        ctx = c.get("securityContext") or {}
        image = str(c.get("image", ""))
        if not _pinned(image):
            add(f"image {image or '(none)'!r} is not pinned to a version tag or digest", container=name)
        if ctx.get("privileged"):
            add("runs privileged", container=name)
        if ctx.get("allowPrivilegeEscalation") is not False:
            add("allowPrivilegeEscalation is not false", container=name)
        if not (
            ctx.get("runAsNonRoot") or (pod_ctx.get("runAsNonRoot") and ctx.get("runAsNonRoot") is not False)
        ):
            add("runAsNonRoot is not true", container=name)
        if ctx.get("runAsUser") == 0 or (pod_ctx.get("runAsUser") == 0 and "runAsUser" not in ctx):
            add("runs as user 0 (root)", container=name)
        caps = ctx.get("capabilities") or {}
        if "ALL" not in [str(x).upper() for x in caps.get("drop") or []]:
            add("does not drop ALL capabilities", container=name)
        added = {str(x).upper() for x in caps.get("add") or []} - ALLOWED_ADDED_CAPABILITIES
        if added:
            add(f"adds capabilities {', '.join(sorted(added))}", container=name)
        seccomp = (ctx.get("seccompProfile") or pod_ctx.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            add("no RuntimeDefault seccomp profile", container=name)
        for port in c.get("ports") or []:
            if isinstance(port, dict) and port.get("hostPort"):
                add(f"binds hostPort {port['hostPort']}", container=name)
        resources = c.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        missing = [f"requests.{r}" for r in ("cpu", "memory") if r not in requests]
        missing += ["limits.memory"] if "memory" not in limits else []
        if missing:
            add(f"no resource {', '.join(missing)}", container=name)
        if ctx.get("readOnlyRootFilesystem") is not True:
            add("root filesystem is writable (readOnlyRootFilesystem is not true)", Level.WARNING, name)
    return out


def _labels(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    found = _dig(doc, path)
    return found if isinstance(found, dict) else {}


def _consistency_issues(docs: list[dict[str, Any]]) -> list[Issue]:
    out: list[Issue] = []
    names = {(d.get("kind"), _dig(d, ("metadata", "name"))) for d in docs}
    pod_labels = [_labels(d, ("spec", "template", "metadata", "labels")) for d in docs if pod_spec(d)]
    for d in docs:
        kind, where = d.get("kind"), object_name(d)
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
            selector = _labels(d, ("spec", "selector", "matchLabels"))
            labels = _labels(d, ("spec", "template", "metadata", "labels"))
            if selector and any(labels.get(k) != v for k, v in selector.items()):
                out.append(
                    Issue(
                        "consistency", "spec.selector does not match the pod template labels", location=where
                    )
                )
        if kind == "Service":
            selector = _labels(d, ("spec", "selector"))
            if (
                selector
                and pod_labels
                and not any(all(lab.get(k) == v for k, v in selector.items()) for lab in pod_labels)
            ):
                out.append(
                    Issue("consistency", "the selector matches no pod template in this file", location=where)
                )
            if _dig(d, ("spec", "type")) == "LoadBalancer":
                out.append(
                    Issue(
                        "consistency",
                        "type LoadBalancer exposes the service outside the cluster",
                        level=Level.WARNING,
                        location=where,
                    )
                )
        if kind == "HorizontalPodAutoscaler":
            target = _labels(d, ("spec", "scaleTargetRef"))
            if (target.get("kind"), target.get("name")) not in names:
                out.append(
                    Issue(
                        "consistency",
                        f"scales {target.get('kind')}/{target.get('name')}, which "
                        "this file does not define (it must exist in the cluster)",
                        level=Level.WARNING,
                        location=where,
                    )
                )
        if kind == "Ingress":
            for rule in _dig(d, ("spec", "rules")) or []:
                for path in _dig(rule, ("http", "paths")) or []:
                    service = _dig(path, ("backend", "service", "name"))
                    if service and ("Service", service) not in names:
                        out.append(
                            Issue(
                                "consistency",
                                f"routes to Service/{service}, which this file "
                                "does not define (it must exist in the cluster)",
                                level=Level.WARNING,
                                location=where,
                            )
                        )
    return out


def parse_manifests(code: str) -> list[Any]:
    return [d for d in yaml.safe_load_all(code) if d is not None]


def validate_kubernetes(code: str, schemas: K8sSchemas) -> tuple[list[dict[str, Any]] | None, list[CheckRun]]:
    parse = CheckRun("syntax", "PyYAML")
    try:
        loaded = parse_manifests(code)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        parse.issues.append(Issue("syntax", str(problem), location=location))
        return None, [parse]
    docs: list[dict[str, Any]] = []
    for i, d in enumerate(loaded, 1):
        if not isinstance(d, dict) or not d.get("kind") or not d.get("apiVersion"):
            parse.issues.append(
                Issue(
                    "syntax", "not a Kubernetes object (needs apiVersion and kind)", location=f"document {i}"
                )
            )
            continue
        docs.append(d)
    if not loaded:
        parse.issues.append(Issue("syntax", "no Kubernetes objects found"))
    parse.detail = f"{len(docs)} objects"

    schema = CheckRun("schema", f"Kubernetes {schemas.version} JSON schemas (strict)")
    for d in docs:
        validator = schemas.validator(str(d["kind"]), str(d["apiVersion"]))
        where = object_name(d)
        if validator is None:
            schema.issues.append(
                Issue("schema", f"unknown kind {d['kind']} for apiVersion {d['apiVersion']}", location=where)
            )
            continue
        if not _dig(d, ("metadata", "name")):
            schema.issues.append(Issue("schema", "metadata.name is required", location=where))
        for error in sorted(validator.iter_errors(d), key=lambda e: list(e.path))[:10]:
            path = ".".join(str(p) for p in error.absolute_path)
            schema.issues.append(Issue("schema", error.message, location=f"{where} {path}".strip()))

    consistency = CheckRun("consistency", "CloudPilot")
    consistency.issues.extend(_consistency_issues(docs))
    policy = CheckRun("pod-security", "CloudPilot (Pod Security Standards, restricted)")
    for d in docs:
        policy.issues.extend(_policy_issues(d))
    policy.detail = f"{sum(1 for d in docs if pod_spec(d))} workloads checked"
    return docs, [parse, schema, consistency, policy]
