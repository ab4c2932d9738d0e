"""HorizontalPodAutoscaler (autoscaling/v2) for a workload, on CPU and/or memory utilisation,
as the request says; scale-down is slowed to avoid flapping."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta, target_of
from tools.iac.features import Features
from tools.iac.model import IacFormat

Metric = Literal["cpu", "memory"]


def _cpu_only() -> list[Metric]:
    return ["cpu"]


class HpaParams(K8sParams):
    metrics: list[Metric] = Field(default_factory=_cpu_only)
    cpu_percent: int = Field(default=70, ge=1, le=100)
    memory_percent: int = Field(default=75, ge=1, le=100)
    min_replicas: int = Field(default=2, ge=1, le=1000)
    max_replicas: int = Field(default=10, ge=1, le=1000)


class K8sHpa(BlockSpec):
    kind: ClassVar[str] = "hpa"
    title: ClassVar[str] = "HorizontalPodAutoscaler"
    nouns: ClassVar[tuple[str, ...]] = (r"\bhpa\b", r"\bhorizontal\s*pod\s*autoscal\w*\b", r"\bautoscaler\b")
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = HpaParams
    k8s_kind: ClassVar[str] = "HorizontalPodAutoscaler"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", "deployment"), ("attach", "statefulset")}
    )
    design: ClassVar[tuple[str, ...]] = (
        "HPA: autoscaling/v2 on the metrics you name, slow scale-down to avoid flapping.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lower = f.lower
        memory = re.search(r"\b(?:memory|ram|mem)\b", lower) is not None and not re.search(
            r"\d+\s*(?:mi|gi)\b\s*(?:of\s+)?(?:memory|ram)", lower
        )
        cpu = re.search(r"\bcpu\b", lower) is not None
        if memory or cpu:
            out["metrics"] = (["cpu"] if cpu else []) + (["memory"] if memory else [])
        for metric in ("cpu", "memory"):
            m = re.search(
                rf"\b{metric}\b[^.,;]{{0,25}}?(\d{{1,3}})\s*%|(\d{{1,3}})\s*%\s*(?:of\s+)?{metric}\b", lower
            )
            if metric == "memory" and m is None:
                m = re.search(r"\b(?:ram|mem)\b[^.,;]{0,25}?(\d{1,3})\s*%", lower)
            if m:
                out[f"{metric}_percent"] = int(m.group(1) or m.group(2))
        if len(out.get("metrics", [])) == 1 and f.percent and f"{out['metrics'][0]}_percent" not in out:
            out[f"{out['metrics'][0]}_percent"] = f.percent
        if f.minimum is not None:
            out["min_replicas"] = f.minimum
        if f.maximum is not None:
            out["max_replicas"] = f.maximum
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: HpaParams = u.params
        target = target_of(u, s)
        name = target.params.name if target else p.name
        namespace = target.params.namespace if target else p.namespace
        kind = "StatefulSet" if target is not None and target.kind == "statefulset" else "Deployment"
        metrics = [
            {
                "type": "Resource",
                "resource": {
                    "name": m,
                    "target": {
                        "type": "Utilization",
                        "averageUtilization": p.cpu_percent if m == "cpu" else p.memory_percent,
                    },
                },
            }
            for m in p.metrics
        ]
        return [
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": meta(p.model_copy(update={"name": name, "namespace": namespace})),
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
                    "minReplicas": p.min_replicas,
                    "maxReplicas": max(p.max_replicas, p.min_replicas),
                    "metrics": metrics,
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
                },
            }
        ]
