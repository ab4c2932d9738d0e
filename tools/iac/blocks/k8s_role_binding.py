"""RoleBinding: binds the Role to the ServiceAccount, user or group the request names."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta
from tools.iac.features import Features
from tools.iac.model import IacFormat


class BindingParams(K8sParams):
    subject_kind: Literal["ServiceAccount", "User", "Group"] = "ServiceAccount"
    subject: str = Field(default="app", pattern=r"^[A-Za-z0-9@._:-]{1,128}$")


class K8sRoleBinding(BlockSpec):
    kind: ClassVar[str] = "role_binding"
    title: ClassVar[str] = "RoleBinding"
    nouns: ClassVar[tuple[str, ...]] = (r"\b(?:cluster\s*)?role\s*bindings?\b", r"\bbound\s+to\b")
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = BindingParams
    k8s_kind: ClassVar[str] = "RoleBinding"
    design: ClassVar[tuple[str, ...]] = ("RoleBinding: the role for exactly the subject you name.",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        m = re.search(r"\b(user|group)\s+[\"'`]?([A-Za-z0-9@._:-]{1,128}[A-Za-z0-9])", f.text, re.I)
        if m and m.group(2).lower() not in ("named", "called", "and", "with"):
            return {"subject_kind": m.group(1).capitalize(), "subject": m.group(2)}
        return {}

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: BindingParams = u.params
        role = next((x for x in s.units if x.kind == "role"), None)
        account = next((x for x in s.units if x.kind == "service_account"), None)
        namespace = role.params.namespace if role else p.namespace
        subject: dict[str, Any] = {"kind": p.subject_kind, "name": p.subject}
        if p.subject_kind == "ServiceAccount":
            subject = {
                "kind": "ServiceAccount",
                "name": account.params.name if account else p.subject,
                "namespace": namespace,
            }
        else:
            subject["apiGroup"] = "rbac.authorization.k8s.io"
        cluster = bool(role and role.params.cluster)
        role_name = role.params.name if role else "view"
        m = meta(p.model_copy(update={"name": f"{role_name}-binding", "namespace": namespace}))
        if cluster:
            m.pop("namespace")
        return [
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding" if cluster else "RoleBinding",
                "metadata": m,
                "subjects": [subject],
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole" if cluster or role is None else "Role",
                    "name": role_name,
                },
            }
        ]
