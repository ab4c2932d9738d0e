"""PersistentVolumeClaim, mounted into the workload it is for."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Link, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta, namespace_of, target_of
from tools.iac.features import Features
from tools.iac.model import IacFormat


class PvcParams(K8sParams):
    name: str = Field(default="data", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    size: str = Field(default="10Gi", pattern=r"^\d+(?:Mi|Gi|Ti)$")
    access: Literal["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"] = "ReadWriteOnce"
    storage_class: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    mount_path: str = Field(default="/data", pattern=r"^/[A-Za-z0-9/._-]*$")


class K8sPvc(BlockSpec):
    kind: ClassVar[str] = "pvc"
    title: ClassVar[str] = "PersistentVolumeClaim"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bpvcs?\b",
        r"\bpersistent\s*volume\s*claims?\b",
        r"\bpersistent\s+(?:storage|volumes?)\b",
    )
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = PvcParams
    k8s_kind: ClassVar[str] = "PersistentVolumeClaim"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", "deployment"), ("attach", "cronjob"), ("attach", "job")}
    )
    design: ClassVar[tuple[str, ...]] = (
        "PVC: the size and access mode you name, mounted into the workload.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(r"\b(\d{1,5})\s*(gi|gb|ti|tb|mi)\b", f.text, re.I)
        if m:
            unit = {"gb": "Gi", "gi": "Gi", "tb": "Ti", "ti": "Ti", "mi": "Mi"}[m.group(2).lower()]
            out["size"] = f"{m.group(1)}{unit}"
        if re.search(r"\b(?:rwx|read[\s-]?write[\s-]?many|shared\s+between)\b", f.text, re.I):
            out["access"] = "ReadWriteMany"
        m = re.search(r"\bstorage\s*class\s+[\"'`]?([a-z0-9][a-z0-9.-]*)", f.text, re.I)
        if m:
            out["storage_class"] = m.group(1)
        m = re.search(r"\bmounted\s+(?:at|on|in)\s+(/[A-Za-z0-9/._-]+)", f.text, re.I)
        if m:
            out["mount_path"] = m.group(1)
        ns = namespace_of(f)
        if ns:
            out["namespace"] = ns
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: PvcParams = u.params
        target = target_of(u, s)
        if target is not None:
            p = p.model_copy(
                update={"name": f"{target.params.name}-data", "namespace": target.params.namespace}
            )
            u.params = p
            if all(x is not target for x in s.out_of(u, "attach")):
                s.links.append(Link(u, "attach", target))
        spec: dict[str, Any] = {"accessModes": [p.access], "resources": {"requests": {"storage": p.size}}}
        if p.storage_class:
            spec["storageClassName"] = p.storage_class
        return [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(p), "spec": spec}]
