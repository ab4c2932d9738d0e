"""Kubernetes Job: a one-off run of restricted pods, bounded retries and a deadline, cleaned up
after it finishes."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import WorkParams, meta, pod_template, workload_values
from tools.iac.catalogue.kubernetes import image_notes
from tools.iac.features import Features
from tools.iac.model import IacFormat


class JobParams(WorkParams):
    image: str = "busybox:1.36"
    command: list[str] = Field(default_factory=lambda: ["sh", "-c", "echo replace me"])
    retries: int = Field(default=2, ge=0, le=20)
    deadline_s: int = Field(default=3600, ge=60, le=86400)


class K8sJob(BlockSpec):
    kind: ClassVar[str] = "job"
    title: ClassVar[str] = "Job"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\b(?:one[\s-]off\s+|batch\s+|migration\s+|k8s\s+|kubernetes\s+)?jobs?\b",
    )
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = JobParams
    k8s_kind: ClassVar[str] = "Job"
    design: ClassVar[tuple[str, ...]] = (
        "Job: restricted pods, bounded retries and deadline, removed an hour after it finishes.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out = workload_values(f, f.text)
        m = re.search(r"\b(\d{1,2})\s+(?:retries|attempts)\b|\bretr(?:y|ies)\s+(\d{1,2})\b", f.text, re.I)
        if m:
            out["retries"] = int(m.group(1) or m.group(2))
        m = re.search(r"\b(?:runs?|running|command)\s+[`\"']([^`\"']+)[`\"']", f.text)
        if m:
            out["command"] = ["sh", "-c", m.group(1)]
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return image_notes(u.params)

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: JobParams = u.params
        template = pod_template(u, s, command=p.command)
        template["spec"]["restartPolicy"] = "Never"
        spec = {
            "backoffLimit": p.retries,
            "activeDeadlineSeconds": p.deadline_s,
            "ttlSecondsAfterFinished": 3600,
            "template": template,
        }
        return [{"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(p), "spec": spec}]
