"""Kubernetes Service in front of a workload: ClusterIP unless exposure is asked for."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta, target_of
from tools.iac.catalogue.kubernetes import labels
from tools.iac.features import Features
from tools.iac.model import IacFormat


class ServiceParams(K8sParams):
    port: int = Field(default=80, ge=1, le=65535)
    type: Literal["ClusterIP", "LoadBalancer", "NodePort"] = "ClusterIP"


class K8sService(BlockSpec):
    kind: ClassVar[str] = "service"
    title: ClassVar[str] = "Service"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:k8s\s+|kubernetes\s+|clusterip\s+|load\s*balancer\s+)?services?\b",
    )
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = ServiceParams
    k8s_kind: ClassVar[str] = "Service"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("front", "deployment"), ("front", "statefulset")}
    )
    design: ClassVar[tuple[str, ...]] = ("Service: ClusterIP unless you ask to expose it.",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if re.search(r"\bload\s*balancer\b|\bexternal(?:ly)?\b|\binternet[\s-]facing\b", f.text, re.I):
            out["type"] = "LoadBalancer"
        elif re.search(r"\bnode\s*port\b", f.text, re.I):
            out["type"] = "NodePort"
        # The service's own name may sit before its port ("the service storefront on port 8080").
        m = re.search(r"\bservice\s+(?:[a-z][a-z0-9-]*\s+)?(?:on\s+)?port\s+(\d{1,5})\b", f.text, re.I)
        if m:
            out["port"] = int(m.group(1))
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: ServiceParams = u.params
        target = target_of(u, s)
        if target is None or target.kind == "statefulset":
            return []  # a StatefulSet brings its own headless Service
        port = target.params.container_port or 8080
        return [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta(target.params),
                "spec": {
                    "type": p.type,
                    "selector": labels(target.params.name),
                    "ports": [{"name": "http", "port": p.port, "targetPort": port, "protocol": "TCP"}],
                },
            }
        ]
