"""ServiceAccount for a workload: its token is mounted only when the workload calls the API (a
Role is bound to it), never by default; an IAM role ARN becomes the IRSA annotation."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, app_name, meta, namespace_of, target_of
from tools.iac.features import Features
from tools.iac.model import IacFormat


class ServiceAccountParams(K8sParams):
    token: bool = False
    role_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


class K8sServiceAccount(BlockSpec):
    kind: ClassVar[str] = "service_account"
    title: ClassVar[str] = "ServiceAccount"
    nouns: ClassVar[tuple[str, ...]] = (r"\bservice\s*accounts?\b", r"\birsa\b")
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = ServiceAccountParams
    k8s_kind: ClassVar[str] = "ServiceAccount"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", k) for k in ("deployment", "statefulset", "daemonset", "cronjob", "job")}
    )
    design: ClassVar[tuple[str, ...]] = ("ServiceAccount: token mounted only where a Role is bound to it.",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(
            r"\bservice\s*account\s+(?:named\s+|called\s+)?[\"'`]?([a-z0-9][a-z0-9-]{1,62})", f.text, re.I
        )
        name = (
            m.group(1)
            if m and m.group(1) not in ("for", "with", "and", "that", "named", "called")
            else app_name(f, text)
        )
        if name:
            out["name"] = name
        ns = namespace_of(f)
        if ns:
            out["namespace"] = ns
        m = re.search(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", f.text)
        if m:
            out["role_arn"] = m.group(0)
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: ServiceAccountParams = u.params
        target = target_of(u, s)
        if target is not None and "name" not in p.model_fields_set:
            p = p.model_copy(update={"name": target.params.name, "namespace": target.params.namespace})
        if any(x.kind in ("role", "role_binding") for x in s.units):
            p = p.model_copy(update={"token": True})
        u.params = p
        m = meta(p)
        if p.role_arn:
            m["annotations"] = {"eks.amazonaws.com/role-arn": p.role_arn}
        return [
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": m,
                "automountServiceAccountToken": p.token,
            }
        ]
