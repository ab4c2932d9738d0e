"""Kubernetes DaemonSet: one restricted pod per node. A privileged or host-access ask is refused
the privileges (the pod stays restricted) and the answer says what changed and why."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import WorkParams, meta, pod_template, workload_values
from tools.iac.catalogue.kubernetes import image_notes, labels
from tools.iac.features import Features
from tools.iac.model import IacFormat

PRIVILEGED = re.compile(
    r"\bprivileged\b|\bhost\s*(?:network|pid|ipc|path)\b|\brun(?:s|ning)?\s+as\s+root\b", re.I
)


class K8sDaemonSet(BlockSpec):
    kind: ClassVar[str] = "daemonset"
    title: ClassVar[str] = "DaemonSet"
    nouns: ClassVar[tuple[str, ...]] = (r"\bdaemon\s?sets?\b",)
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = WorkParams
    k8s_kind: ClassVar[str] = "DaemonSet"
    design: ClassVar[tuple[str, ...]] = (
        "DaemonSet: one restricted pod per node, rolling updates one node at a time.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        return workload_values(f, text)

    def notes(self, u: Unit, s: Scene) -> list[str]:
        notes = image_notes(u.params)
        if PRIVILEGED.search(u.text) and not re.search(
            r"\b(?:not|no|non|un)[\s-]?privileged\b", u.text, re.I
        ):
            notes.append(
                "Changed from your request: the DaemonSet is NOT privileged and gets no host network, PID or "
                "paths: a privileged pod on every node is root on every node (Pod Security 'restricted', "
                "CKV_K8S_16). Grant the single capability or read-only hostPath the agent needs, reviewed."
            )
        return notes

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: WorkParams = u.params
        return [
            {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "metadata": meta(p),
                "spec": {
                    "selector": {"matchLabels": labels(p.name)},
                    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                    "template": pod_template(u, s),
                },
            }
        ]
