"""Kubernetes Deployment: restricted pods (non-root, no privilege escalation, capabilities
dropped, read-only root filesystem, RuntimeDefault seccomp), pinned image, requests and limits,
probes, rolling updates that never drop below the desired replicas."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import WorkParams, meta, pod_template, workload_values
from tools.iac.catalogue.kubernetes import image_notes, labels
from tools.iac.features import Features
from tools.iac.model import IacFormat


class DeploymentParams(WorkParams):
    replicas: int = Field(default=2, ge=1, le=500)


class K8sDeployment(BlockSpec):
    kind: ClassVar[str] = "deployment"
    title: ClassVar[str] = "Deployment"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bdeployments?\b",
        # "k8s deploy for worker": the chat abbreviation, only right after the format word.
        r"\b(?:k8s|kubernetes)\s+deploy\b",
        # Not a label selector ("app=frontend") nor part of a name ("app-config").
        r"(?<![\w=:.-])(?:web\s*)?apps?\b(?![=:.-])(?=.*\b(?:kubernetes|k8s|pods?|replicas?)\b)",
    )
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = DeploymentParams
    k8s_kind: ClassVar[str] = "Deployment"
    design: ClassVar[tuple[str, ...]] = (
        "Pods meet Pod Security 'restricted': non-root, no privilege escalation, capabilities dropped, "
        "RuntimeDefault seccomp, read-only root filesystem; pinned image, requests/limits, probes.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out = workload_values(f, text)
        replicas = f.count("replica", "pod", "copy")
        if replicas:
            out["replicas"] = replicas
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return image_notes(u.params)

    def build(self, values: Any) -> Any:
        p = super().build(values)
        # A server needs a port for its Service and probes: 8080 unless the image or request says.
        return p if p.container_port else p.model_copy(update={"port": 8080})

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: DeploymentParams = u.params
        return [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": meta(p),
                "spec": {
                    "replicas": p.replicas,
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": labels(p.name)},
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
                    },
                    "template": pod_template(u, s),
                },
            }
        ]
