"""Ingress with TLS for the workload's Service (cert-manager issuer annotation)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta, target_of
from tools.iac.features import Features, read_features
from tools.iac.model import IacFormat


class IngressParams(K8sParams):
    host: str = Field(
        default="app.example.com", pattern=r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
    )
    path: str = Field(default="/", pattern=r"^/[A-Za-z0-9/._-]*$")
    ingress_class: str = Field(default="nginx", pattern=r"^[a-z0-9][a-z0-9-]*$")
    # The existing Service it routes to, when no workload is in the file ("-> svc api port 80").
    service_port: int | None = Field(default=None, ge=1, le=65535)
    # The TLS Secret the request names; "<service>-tls" (cert-manager fills it) otherwise.
    tls_secret: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


class K8sIngress(BlockSpec):
    kind: ClassVar[str] = "ingress"
    title: ClassVar[str] = "Ingress"
    nouns: ClassVar[tuple[str, ...]] = (r"\bingress(?:es)?\b(?!-)",)
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = IngressParams
    k8s_kind: ClassVar[str] = "Ingress"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset({("front", "deployment"), ("front", "service")})
    design: ClassVar[tuple[str, ...]] = (
        "Ingress: TLS only (cert-manager), routed to the workload's Service.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        hosts = read_features(text).hosts or f.hosts
        hosts = [h for h in hosts if not h.endswith((".io", ".dev")) or "ghcr" not in h] or hosts
        if hosts:
            out["host"] = hosts[-1]
        m = re.search(r"\bpath\s+[\"'`]?(/[A-Za-z0-9/._-]*)", f.text)
        if m:
            out["path"] = m.group(1)
        m = re.search(
            r"\b(nginx|traefik|alb|haproxy|contour)\b(?=.*ingress)|\bingress\s*class\s+(\w+)", f.lower
        )
        if m:
            out["ingress_class"] = m.group(1) or m.group(2)
        m = re.search(
            r"\b(?:tls|certificate|cert)\s+secret\s*(?:named\s+|called\s+)?[:=]?\s*[\"'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])"
            r"|\bsecret\s+[\"'`]?([a-z0-9][a-z0-9.-]*-tls)\b",
            f.lower,
        )
        if m:
            out["tls_secret"] = m.group(1) or m.group(2)
        m = re.search(
            r"\b(?:svc|service)\s+(?:named\s+|called\s+)?[\"'`]?([a-z0-9][a-z0-9-]*)[\"'`]?(?:\s+(?:on\s+)?port\s+(\d{1,5}))?",
            f.lower,
        )
        if m and m.group(1) not in ("on", "port", "with", "and", "for", "the", "a", "of", "account"):
            out["name"] = m.group(1)
            if m.group(2) and 1 <= int(m.group(2)) <= 65535:
                out["service_port"] = int(m.group(2))
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: IngressParams = u.params
        target = target_of(u, s)
        name = target.params.name if target else p.name
        namespace = target.params.namespace if target else p.namespace
        service = next((x for x in s.units if x.kind == "service"), None)
        port = service.params.port if service else (p.service_port or 80)
        m = meta(p.model_copy(update={"name": name, "namespace": namespace}))
        m["annotations"] = {"cert-manager.io/cluster-issuer": "letsencrypt"}
        backend = {"service": {"name": name, "port": {"number": port}}}
        spec = {
            "ingressClassName": p.ingress_class,
            "tls": [{"hosts": [p.host], "secretName": p.tls_secret or f"{name}-tls"}],
            "rules": [
                {
                    "host": p.host,
                    "http": {"paths": [{"path": p.path, "pathType": "Prefix", "backend": backend}]},
                }
            ],
        }
        return [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": m, "spec": spec}]
