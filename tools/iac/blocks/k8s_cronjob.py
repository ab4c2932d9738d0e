"""Kubernetes CronJob: restricted pods on a schedule, no overlapping runs, bounded history and
retries, a deadline per run."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import WorkParams, meta, pod_template, workload_values
from tools.iac.catalogue.kubernetes import image_notes
from tools.iac.features import Features, read_schedule
from tools.iac.model import IacFormat


class CronJobParams(WorkParams):
    image: str = "busybox:1.36"
    schedule: str = Field(default="0 2 * * *", pattern=r"^[\d*/,A-Za-z-]+(?:\s+[\d*/,A-Za-z?-]+){4}$")
    command: list[str] = Field(default_factory=lambda: ["sh", "-c", "echo replace me"])
    timezone: str | None = Field(default=None, pattern=r"^[A-Za-z_]+(?:/[A-Za-z_+-]+)*$")
    deadline_s: int = Field(default=3600, ge=60, le=86400)


class K8sCronJob(BlockSpec):
    kind: ClassVar[str] = "cronjob"
    title: ClassVar[str] = "CronJob"
    nouns: ClassVar[tuple[str, ...]] = (r"\bcron\s?jobs?\b", r"\bscheduled\s+jobs?\b")
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = CronJobParams
    k8s_kind: ClassVar[str] = "CronJob"
    design: ClassVar[tuple[str, ...]] = (
        "CronJob: restricted pods, no overlapping runs, bounded retries and history.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out = workload_values(f, f.text)
        schedule = read_schedule(f.lower)
        if schedule:
            out["schedule"] = schedule[0]
        m = re.search(r"\b(?:time\s*zone|tz)\s+([A-Za-z_]+/[A-Za-z_]+|UTC)\b", f.text)
        if m:
            out["timezone"] = m.group(1)
        m = re.search(r"\b(?:runs?|running|command)\s+[`\"']([^`\"']+)[`\"']", f.text)
        if m:
            out["command"] = ["sh", "-c", m.group(1)]
        return out

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return image_notes(u.params)

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: CronJobParams = u.params
        template = pod_template(u, s, command=p.command)
        template["spec"]["restartPolicy"] = "OnFailure"
        spec: dict[str, Any] = {
            "schedule": p.schedule,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 300,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {"backoffLimit": 2, "activeDeadlineSeconds": p.deadline_s, "template": template}
            },
        }
        if p.timezone:
            spec["timeZone"] = p.timezone
        return [{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(p), "spec": spec}]
