"""NetworkPolicy: default-deny for the namespace (ingress and egress), then only what is named:
traffic to the workload's port (from the namespace, or the labelled clients asked for) and DNS."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import WORKLOADS, K8sParams, meta, namespace_of
from tools.iac.catalogue.kubernetes import labels
from tools.iac.features import Features
from tools.iac.model import IacFormat


class NetPolParams(K8sParams):
    name: str = Field(default="default-deny", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    allow_from: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    deny_only: bool = False
    # Traffic between pods named only by label ("app=frontend can reach app=backend on 8080").
    label_key: str = Field(default="app", pattern=r"^[a-z0-9]([-a-z0-9./]{0,61}[a-z0-9])?$")
    from_label: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$")
    to_label: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$")
    port: int | None = Field(default=None, ge=1, le=65535)


def deny_all(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "default-deny-all",
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "cloudpilot"},
        },
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }


def allow_dns(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "allow-dns",
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "cloudpilot"},
        },
        "spec": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }
            ],
        },
    }


def allow_to(workload: Unit, source: str | None) -> dict[str, Any]:
    p = workload.params
    peer: dict[str, Any] = {"podSelector": {"matchLabels": labels(source)}} if source else {"podSelector": {}}
    rule: dict[str, Any] = {"from": [peer]}
    if p.container_port:
        rule["ports"] = [{"protocol": "TCP", "port": p.container_port}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(p.model_copy(update={"name": f"{p.name}-ingress"})),
        "spec": {
            "podSelector": {"matchLabels": labels(p.name)},
            "policyTypes": ["Ingress"],
            "ingress": [rule],
        },
    }


# "app=frontend", "tier: web": a label selector written in the request.
_LABEL = re.compile(
    r"\b(app|tier|role|component|app\.kubernetes\.io/name)\s*[=:]\s*([a-z0-9][a-z0-9.-]*[a-z0-9])", re.I
)
# The second selector is the destination: "A can reach B", "from A to B"; "to B from A" reverses it.
_REVERSED = re.compile(
    r"\b(?:to|into)\s+(?:pods?\s+)?(?:labell?ed\s+)?\w+\s*[=:]\s*\S+\s+(?:only\s+)?from\b", re.I
)


def read_label_traffic(text: str) -> dict[str, Any]:
    found = _LABEL.findall(text)
    if len(found) < 2:
        return {}
    (key, first), (_, second) = found[0], found[1]
    src, dst = (second, first) if _REVERSED.search(text) else (first, second)
    out: dict[str, Any] = {"label_key": key.lower(), "from_label": src.lower(), "to_label": dst.lower()}
    m = re.search(r"\b(?:on|port)\s+(?:port\s+)?(\d{2,5})\b", text, re.I)
    if m and 1 <= int(m.group(1)) <= 65535:
        out["port"] = int(m.group(1))
    return out


def allow_between(p: NetPolParams, namespace: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"from": [{"podSelector": {"matchLabels": {p.label_key: p.from_label}}}]}
    if p.port:
        rule["ports"] = [{"protocol": "TCP", "port": p.port}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": f"allow-{p.from_label}-to-{p.to_label}"[:63].rstrip("-."),
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "cloudpilot"},
        },
        "spec": {
            "podSelector": {"matchLabels": {p.label_key: p.to_label}},
            "policyTypes": ["Ingress"],
            "ingress": [rule],
        },
    }


def policies_for(namespace: str, workloads: list[Unit], source: str | None = None) -> list[dict[str, Any]]:
    return [deny_all(namespace), allow_dns(namespace), *(allow_to(w, source) for w in workloads)]


class K8sNetworkPolicy(BlockSpec):
    kind: ClassVar[str] = "network_policy"
    title: ClassVar[str] = "NetworkPolicy"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bnetwork\s*polic(?:y|ies)\b",
        r"\bnetpols?\b",
        r"\bdefault[\s-]deny\b",
    )
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = NetPolParams
    k8s_kind: ClassVar[str] = "NetworkPolicy"
    design: ClassVar[tuple[str, ...]] = (
        "NetworkPolicy: default-deny ingress and egress, then only the named traffic and DNS.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        ns = namespace_of(f)
        if ns:
            out["namespace"] = ns
        m = re.search(
            r"\b(?:only\s+)?from\s+(?:the\s+)?(?:pods?\s+)?(?:labell?ed\s+)?(?:app[=:]\s*)?[\"'`]?([a-z0-9][a-z0-9-]*)[\"'`]?\s*(?:pods?|app|service)?",
            f.text,
            re.I,
        )
        if m and m.group(1).lower() not in (
            "the",
            "a",
            "any",
            "all",
            "anywhere",
            "outside",
            "other",
            "same",
            "everything",
            "namespace",
        ):
            out["allow_from"] = m.group(1).lower()
        out.update(read_label_traffic(f.text))
        if "from_label" in out:
            out.pop("allow_from", None)
        if not any(
            re.search(n, f.lower)
            for n in (r"\bdeployments?\b", r"\bstateful\s?sets?\b", r"\bdaemon\s?sets?\b")
        ):
            out["deny_only"] = True
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: NetPolParams = u.params
        workloads = [x for x in s.units if x.kind in WORKLOADS and x.kind not in ("cronjob", "job")]
        namespace = (
            workloads[0].params.namespace
            if workloads and "namespace" not in p.model_fields_set
            else p.namespace
        )
        if p.from_label and p.to_label and not workloads:
            return [deny_all(namespace), allow_dns(namespace), allow_between(p, namespace)]
        if p.deny_only or not workloads:
            return [deny_all(namespace), allow_dns(namespace)]
        return policies_for(namespace, workloads, p.allow_from)
