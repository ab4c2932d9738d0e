"""A reference to a Kubernetes Secret: the workload reads its keys as environment variables. The
Secret itself is created outside the file (kubectl, External Secrets, Sealed Secrets), so no
secret value is ever in the code."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tools.iac.blocks.base import BlockParams, BlockSpec, Link, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, target_of
from tools.iac.features import Features
from tools.iac.model import IacFormat


class K8sSecretRef(BlockSpec):
    kind: ClassVar[str] = "secret_ref"
    title: ClassVar[str] = "Secret reference"
    nouns: ClassVar[tuple[str, ...]] = (r"\b(?:k8s\s+|kubernetes\s+)?secrets?\b", r"\bcredentials\b")
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = K8sParams
    k8s_kind: ClassVar[str] = ""
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", k) for k in ("deployment", "statefulset", "daemonset", "cronjob", "job")}
    )
    design: ClassVar[tuple[str, ...]] = (
        "Secrets: referenced by name (envFrom), created outside the file: no value in code.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        m = re.search(
            r"\b(?:secret|credentials)\s+(?:named|called)?\s*[\"'`]?([a-z0-9][a-z0-9-]{1,62})", text, re.I
        )
        return {"name": m.group(1)} if m and m.group(1) not in ("from", "with", "for", "and", "as") else {}

    def notes(self, u: Unit, s: Scene) -> list[str]:
        return [
            f"Create the Secret `{u.params.name}` outside this file (kubectl create secret, External "
            f"Secrets): the manifests only reference it."
        ]

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        target = target_of(u, s)
        if target is not None:
            if "name" not in u.params.model_fields_set:
                u.params = u.params.model_copy(update={"name": f"{target.params.name}-credentials"})
            if all(x is not target for x in s.out_of(u, "attach")):
                s.links.append(Link(u, "attach", target))
        return []
