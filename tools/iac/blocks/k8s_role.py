"""RBAC Role (or ClusterRole when cluster-wide is asked): read-only verbs (get, list, watch) on
the named resources unless more is asked; never secrets unless named, never wildcards."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta, namespace_of
from tools.iac.features import Features
from tools.iac.model import IacFormat

API_GROUPS = {
    "pods": "", "nodes": "", "namespaces": "", "services": "", "configmaps": "", "endpoints": "",
    "events": "", "secrets": "",
    "persistentvolumeclaims": "", "pods/log": "", "deployments": "apps", "statefulsets": "apps",
    "daemonsets": "apps", "replicasets": "apps", "jobs": "batch", "cronjobs": "batch",
    "ingresses": "networking.k8s.io",
}  # fmt: skip
DEFAULT_RESOURCES = ["pods", "pods/log", "services", "configmaps", "deployments", "replicasets", "events"]


class RoleParams(K8sParams):
    name: str = Field(default="read-only", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    verbs: list[str] = Field(default_factory=lambda: ["get", "list", "watch"])
    resources: list[str] = Field(default_factory=lambda: list(DEFAULT_RESOURCES))
    cluster: bool = False


class K8sRole(BlockSpec):
    kind: ClassVar[str] = "role"
    title: ClassVar[str] = "RBAC Role"
    nouns: ClassVar[tuple[str, ...]] = (r"\b(?:cluster\s*)?roles?\b(?!\s*binding)", r"\brbac\b")
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = RoleParams
    k8s_kind: ClassVar[str] = "Role"
    design: ClassVar[tuple[str, ...]] = (
        "RBAC: read-only verbs on named resources, no wildcards, no secrets unless named.",
    )

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        ns = namespace_of(f)
        if ns:
            out["namespace"] = ns
        m = re.search(r"\brole\s+(?:named\s+|called\s+)?[\"'`]?([a-z0-9][a-z0-9-]{1,62})", f.text, re.I)
        if m and m.group(1) not in ("for", "with", "and", "that", "to", "in", "binding", "named", "called"):
            out["name"] = m.group(1)
        asked = [
            r
            for r in API_GROUPS
            if re.search(rf"\b{re.escape(r.rstrip('s'))}s?\b", f.lower) and r != "pods/log"
        ]
        if asked and not re.search(
            r"\b(?:read[\s-]only|view(?:er)?)\s+(?:access\s+)?(?:to\s+)?(?:the\s+)?(?:namespace|everything|all)\b",
            f.lower,
        ):
            out["resources"] = asked + (["pods/log"] if "pods" in asked and "log" in f.lower else [])
        if re.search(r"\b(?:cluster[\s-]wide|clusterrole|all\s+namespaces)\b", f.lower):
            out["cluster"] = True
        if re.search(r"\b(?:edit|write|manage|deploy)\b", f.lower) and not re.search(
            r"\bread[\s-]only\b", f.lower
        ):
            out["verbs"] = ["get", "list", "watch", "create", "update", "patch"]
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: RoleParams = u.params
        groups: dict[str, list[str]] = {}
        for r in p.resources:
            groups.setdefault(API_GROUPS.get(r, ""), []).append(r)
        rules = [{"apiGroups": [g], "resources": rs, "verbs": p.verbs} for g, rs in groups.items()]
        m = meta(p)
        if p.cluster:
            m.pop("namespace")
        return [
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole" if p.cluster else "Role",
                "metadata": m,
                "rules": rules,
            }
        ]
