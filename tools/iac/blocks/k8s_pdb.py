"""PodDisruptionBudget for a workload: node drains keep enough replicas up."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, app_name, meta, namespace_of, target_of
from tools.iac.catalogue.kubernetes import labels
from tools.iac.features import Features
from tools.iac.model import IacFormat


class PdbParams(K8sParams):
    min_available: str | None = Field(default=None, pattern=r"^\d{1,4}%?$")
    max_unavailable: str | None = Field(default=None, pattern=r"^\d{1,4}%?$")


class K8sPdb(BlockSpec):
    kind: ClassVar[str] = "pdb"
    title: ClassVar[str] = "PodDisruptionBudget"
    nouns: ClassVar[tuple[str, ...]] = (
        r"\bpdbs?\b",
        r"\bpod\s*disruption\s*budgets?\b",
        r"\bdisruption\s+budgets?\b",
    )
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = PdbParams
    k8s_kind: ClassVar[str] = "PodDisruptionBudget"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", "deployment"), ("attach", "statefulset")}
    )
    design: ClassVar[tuple[str, ...]] = (
        "PDB: node drains and upgrades keep the replicas you name available.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        name = app_name(f, text)
        if name:
            out["name"] = name
        ns = namespace_of(f)
        if ns:
            out["namespace"] = ns
        m = re.search(
            r"\bmin(?:imum)?[\s_-]*available\s*(?:of|=|:)?\s*(\d{1,4}%?)|\bat\s+least\s+(\d{1,4}%?)",
            f.text,
            re.I,
        )
        if m:
            out["min_available"] = m.group(1) or m.group(2)
        m = re.search(
            r"\bmax(?:imum)?[\s_-]*unavailable\s*(?:of|=|:)?\s*(\d{1,4}%?)|\b(?:at\s+most|no\s+more\s+than)\s+(\d{1,4}%?)",
            f.text,
            re.I,
        )
        if m:
            out["max_unavailable"] = m.group(1) or m.group(2)
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: PdbParams = u.params
        target = target_of(u, s)
        if target is not None:
            p = p.model_copy(update={"name": target.params.name, "namespace": target.params.namespace})
        spec: dict[str, Any] = {}
        if p.min_available is not None:
            spec["minAvailable"] = int(p.min_available) if p.min_available.isdigit() else p.min_available
        else:
            spec["maxUnavailable"] = (
                (int(p.max_unavailable) if p.max_unavailable.isdigit() else p.max_unavailable)
                if p.max_unavailable
                else 1
            )
        spec["selector"] = {"matchLabels": labels(p.name)}
        return [{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(p), "spec": spec}]
