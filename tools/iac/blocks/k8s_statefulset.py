"""Kubernetes StatefulSet: restricted pods, a volume claim template per replica, a headless
Service for stable names; for PostgreSQL the data directory, a password from a Secret and a
readiness check on the port."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import WorkParams, meta, pod_template, workload_values
from tools.iac.catalogue.kubernetes import image_notes, labels
from tools.iac.features import Features
from tools.iac.model import IacFormat

DATA_PATHS = {"postgres": "/var/lib/postgresql/data", "redis": "/data", "mysql": "/var/lib/mysql"}
PINNED = {"postgres": "postgres:16.4-alpine", "mysql": "mysql:8.4"}


class StatefulSetParams(WorkParams):
    replicas: int = Field(default=1, ge=1, le=50)
    storage: str = Field(default="10Gi", pattern=r"^\d+(?:Mi|Gi|Ti)$")
    storage_class: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]*$")


class K8sStatefulSet(BlockSpec):
    kind: ClassVar[str] = "statefulset"
    title: ClassVar[str] = "StatefulSet"
    nouns: ClassVar[tuple[str, ...]] = (r"\bstateful\s?sets?\b",)
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = StatefulSetParams
    k8s_kind: ClassVar[str] = "StatefulSet"
    design: ClassVar[tuple[str, ...]] = (
        "StatefulSet: restricted pods, one persistent volume per replica, a headless Service for "
        "stable names.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out = workload_values(f, f.text)
        if out.get("image") in PINNED:
            out["image"] = PINNED[out["image"]]
        replicas = f.count("replica", "pod", "node")
        if replicas:
            out["replicas"] = replicas
        m = re.search(r"\b(\d{1,5})\s*(gi|gb|ti|tb|mi)\b", f.text, re.I)
        if m:
            unit = {"gb": "Gi", "gi": "Gi", "tb": "Ti", "ti": "Ti", "mi": "Mi"}[m.group(2).lower()]
            out["storage"] = f"{m.group(1)}{unit}"
            if out.get("memory_request") == f"{m.group(1)}{unit}":
                out.pop("memory_request")
                out.pop("memory_limit", None)
        m = re.search(r"\bstorage\s*class\s+[\"'`]?([a-z0-9][a-z0-9.-]*)", f.text, re.I)
        if m:
            out["storage_class"] = m.group(1)
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return image_notes(u.params)

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: StatefulSetParams = u.params
        kind = p.image.split("/")[-1].split(":")[0]
        path = DATA_PATHS.get(kind, "/data")
        env: list[dict[str, Any]] | None = None
        if kind == "postgres":
            env = [
                {"name": "PGDATA", "value": f"{path}/pgdata"},
                {
                    "name": "POSTGRES_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": f"{p.name}-credentials", "key": "password"}},
                },
            ]
            if p.port is None:
                p = p.model_copy(update={"port": 5432})
                u.params = p
        template = pod_template(u, s, extra_env=env)
        container = template["spec"]["containers"][0]
        container["volumeMounts"].append({"name": "data", "mountPath": path})
        claim: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": p.storage}},
        }
        if p.storage_class:
            claim["storageClassName"] = p.storage_class
        port = p.container_port or 8080
        return [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta(p),
                "spec": {
                    "clusterIP": "None",
                    "selector": labels(p.name),
                    "ports": [{"name": "app", "port": port, "targetPort": port}],
                },
            },
            {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": meta(p),
                "spec": {
                    "serviceName": p.name,
                    "replicas": p.replicas,
                    "selector": {"matchLabels": labels(p.name)},
                    "template": template,
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim}],
                },
            },
        ]
