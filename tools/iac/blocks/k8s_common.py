"""What the Kubernetes blocks share: names and namespaces read from the request, the restricted
pod template (from the catalogue's helpers), and how attached objects reach a workload (a
ConfigMap mounted read-only, a Secret's keys as environment, a PVC mounted, a service account)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from tools.iac.blocks.base import BlockParams, Scene, Unit, k8s_name
from tools.iac.catalogue.kubernetes import (
    CPU,
    MEMORY,
    check_pinned,
    container,
    labels,
    metadata,
    pod_spec,
    probes,
    resolve_image,
)
from tools.iac.features import STOP_WORDS, Features

K8S_NAME = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
WORKLOADS = ("deployment", "statefulset", "daemonset", "cronjob", "job")


class K8sParams(BlockParams):
    name: str = Field(default="app", pattern=K8S_NAME)
    namespace: str = Field(default="default", pattern=K8S_NAME)


class WorkParams(K8sParams):
    image: str = "nginx"
    port: int | None = Field(default=None, ge=1, le=65535)
    cpu_request: str = Field(default="100m", pattern=CPU)
    memory_request: str = Field(default="128Mi", pattern=MEMORY)
    cpu_limit: str = Field(default="500m", pattern=CPU)
    memory_limit: str = Field(default="256Mi", pattern=MEMORY)
    # HTTP probe paths the request names ("readiness /ready, liveness /healthz"); TCP otherwise.
    readiness_path: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9/._-]*$")
    liveness_path: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9/._-]*$")
    # Spread replicas over zones or nodes ("spread across zones", "pod anti-affinity").
    spread: Literal["zone", "node"] | None = None

    @field_validator("image")
    @classmethod
    def _image(cls, v: str) -> str:
        return check_pinned(v)

    @property
    def container_port(self) -> int | None:
        if self.port:
            return self.port
        _, known = resolve_image(self.image)
        return known.port if known else None


def namespace_of(f: Features) -> str | None:
    # "in the namespace logging": "the" is no name before "namespace"; later matches are tried too.
    for m in re.finditer(
        r"\b(?:in|into|for)\s+(?:the\s+)?[\"'`]?(?!the\s)([a-z0-9][a-z0-9-]*)[\"'`]?\s+(?:namespace|ns)\b"
        r"|\b(?:namespace|ns)\s*[:=]?\s*(?:(?:called|named)\s+)?[\"'`]?([a-z0-9][a-z0-9-]*)",
        f.lower,
    ):
        ns = m.group(1) or m.group(2)
        if ns not in ("a", "the", "with", "and", "for", "per", "each", "called", "named"):
            return ns
    return None


def app_name(f: Features, text: str) -> str | None:
    m = re.search(r"\b(?:named|called)\s+[\"'`]?([a-z0-9][a-z0-9-]*)", text, re.I) or re.search(
        r"[\"'`]([a-z0-9][a-z0-9-]{0,62})[\"'`]", text
    )
    if m:
        return k8s_name(m.group(1))
    # Right after the kind: "deployment api-gw, ...", "statefulset orders-db".
    m = re.search(
        r"\b(?:deployment|stateful\s?set|daemon\s?set|cron\s?job|job)\s+([a-z0-9][a-z0-9]*(?:-[a-z0-9]+)+)\b"
        r"|\b(?:deployment|stateful\s?set|daemon\s?set|cron\s?job|job)\s+([a-z0-9][a-z0-9-]*)"
        r"\s*(?=[,;:]|$|\s+(?:with|in|on|running|using|that|which)\b)",
        text,
        re.I,
    )
    if m and (m.group(1) or m.group(2)).lower() not in STOP_WORDS:
        return k8s_name(m.group(1) or m.group(2))
    m = re.search(r"\b(?:for|of|running)\s+(?:an?\s+|the\s+|our\s+)?([a-z0-9][a-z0-9-]*)\b", text, re.I)
    if m and m.group(1).lower() not in STOP_WORDS | {"my", "our", "kubernetes", "k8s", "memory", "cpu", "it"}:
        return k8s_name(m.group(1))
    return None


def workload_values(f: Features, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = app_name(f, text)
    if name:
        out["name"] = name
    ns = namespace_of(f)
    if ns:
        out["namespace"] = ns
    image = re.search(
        r"\bimage\s*[:=]?\s*[\"'`]?([a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+)", text, re.I
    ) or re.search(
        r"(?<![\w./:-])([a-z][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*:\d[A-Za-z0-9._-]*)(?![\w:])", text
    )
    if image:
        out["image"] = image.group(1)
    else:
        known = re.search(
            r"\b(nginx|redis|postgres(?:ql)?|memcached|busybox|python|node|alpine)\b", text, re.I
        )
        if known:
            out["image"] = {"postgresql": "postgres"}.get(known.group(1).lower(), known.group(1).lower())
            out.setdefault("name", out["image"])
    m = re.search(r"\bport\s+(\d{2,5})\b", text, re.I)
    if m:
        out["port"] = int(m.group(1))
    out.update(_probes_read(text))
    out.update(_spread_read(text))
    sized = _resources_read(text)
    if sized:
        out.update(sized)
        return out
    m = re.search(r"(\d{2,5})\s*(mi|gi)\b(?!\s+(?:volume|storage|disk|pvc))", text, re.I)
    if m and not re.search(r"(?:volume|storage|disk|pvc)\s+(?:of\s+)?" + m.group(0), text, re.I):
        mem = f"{m.group(1)}{m.group(2).capitalize()}"
        out["memory_request"] = out["memory_limit"] = mem
    m = re.search(r"\b(\d+m|\d+(?:\.\d+)?)\s*(?:cpu|cores?|vcpus?)\b", text, re.I)
    if m:
        out["cpu_request"] = m.group(1)
    return out


_CPU_AMOUNT = r"(\d+m|\d+(?:\.\d+)?)(?:\s*(?:cpus?|cores?|vcpus?))?"
_MEM_AMOUNT = r"(\d{1,5})\s*(mi|gi)\b"


def _resources_read(text: str) -> dict[str, str]:
    """Requests and limits written as "requests 250m/256Mi limits 1 cpu/512Mi" (either order)."""
    out: dict[str, str] = {}
    parts = re.split(r"\b(requests?|limits?)\b", text, flags=re.I)
    for label, body in zip(parts[1::2], parts[2::2], strict=True):
        which = "request" if label.lower().startswith("request") else "limit"
        body = re.split(r"[,;]|\b(?:and|with|plus)\b", body, maxsplit=1)[0] if "/" in body else body[:40]
        mem = re.search(_MEM_AMOUNT, body, re.I)
        if mem:
            out[f"memory_{which}"] = f"{mem.group(1)}{mem.group(2).capitalize()}"
            body = body.replace(mem.group(0), " ")
        cpu = re.search(r"(?<![\w.])" + _CPU_AMOUNT + r"(?![\w.])", body, re.I)
        if cpu:
            out[f"cpu_{which}"] = cpu.group(1)
    return out


def _probes_read(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind in ("readiness", "liveness"):
        m = re.search(
            rf"\b{kind}(?:\s+probe)?\s*(?:on|at|[:=])?\s*(?:path\s+)?(/[A-Za-z0-9/._-]*)", text, re.I
        )
        if m:
            out[f"{kind}_path"] = m.group(1)
    m = re.search(r"\bhealth\s*checks?\s*(?:on|at|[:=])?\s*(/[A-Za-z0-9/._-]*)", text, re.I)
    if m:
        out.setdefault("readiness_path", m.group(1))
        out.setdefault("liveness_path", m.group(1))
    return out


def _spread_read(text: str) -> dict[str, str]:
    if re.search(r"\b(?:spread|across|over)\s+(?:\w+\s+)?(?:zones|azs|availability\s+zones)\b", text, re.I):
        return {"spread": "zone"}
    if re.search(r"\banti[\s-]?affinity\b|\bspread\s+(?:\w+\s+)?(?:across|over)\s+nodes\b", text, re.I):
        return {"spread": "node"}
    return {}


def _probe_checks(p: Any, port: int) -> dict[str, Any]:
    """TCP probes on the port, or HTTP GETs on the paths the request names."""
    out = dict(probes(port))
    for kind in ("readiness", "liveness"):
        path = getattr(p, f"{kind}_path", None)
        if path:
            probe = {k: v for k, v in out[f"{kind}Probe"].items() if k != "tcpSocket"}
            out[f"{kind}Probe"] = {"httpGet": {"path": path, "port": port}, **probe}
    return out


def _affinity(p: Any) -> dict[str, Any]:
    """Preferred pod anti-affinity: replicas land on different zones (or nodes) where they can."""
    key = "topology.kubernetes.io/zone" if p.spread == "zone" else "kubernetes.io/hostname"
    term = {"labelSelector": {"matchLabels": labels(p.name)}, "topologyKey": key}
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": term}]
        }
    }


def pod_template(
    u: Unit, s: Scene, command: list[str] | None = None, extra_env: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The restricted pod spec of a workload, with what is attached to it mounted or injected."""
    p = u.params
    port = p.container_port
    mounts: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    extra: dict[str, Any] = _probe_checks(p, port) if port else {}
    env_from: list[dict[str, Any]] = []
    for other in s.into(u, "attach"):
        if other.kind == "configmap":
            mounts.append({"name": "config", "mountPath": other.params.mount_path, "readOnly": True})
            volumes.append({"name": "config", "configMap": {"name": other.params.name}})
        elif other.kind == "secret_ref":
            env_from.append({"secretRef": {"name": other.params.name}})
        elif other.kind == "pvc":
            mounts.append({"name": "data", "mountPath": other.params.mount_path})
            volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": other.params.name}})
    if env_from:
        extra["envFrom"] = env_from
    if extra_env:
        extra["env"] = extra_env
    c = container(p, port, command=command, extra=extra, mounts=mounts)
    more: dict[str, Any] = {}
    account = next((x for x in s.into(u, "attach") if x.kind == "service_account"), None)
    if account is not None:
        more["serviceAccountName"] = account.params.name
    if getattr(p, "spread", None):
        more["affinity"] = _affinity(p)
    spec = pod_spec(p, [c], volumes, **more)
    if account is not None and account.params.token:
        spec["automountServiceAccountToken"] = True
    return {"metadata": {"labels": labels(p.name)}, "spec": spec}


def meta(p: Any, extra: dict[str, str] | None = None) -> dict[str, Any]:
    return metadata(p.name, p.namespace, extra)


def target_of(u: Unit, s: Scene) -> Unit | None:
    """The workload an HPA, PDB, Service or policy is for: the one it is linked to, else the first."""
    linked = [x for x in s.out_of(u, "attach", "front") if x.kind in WORKLOADS]
    return linked[0] if linked else next((x for x in s.units if x.kind in WORKLOADS), None)
