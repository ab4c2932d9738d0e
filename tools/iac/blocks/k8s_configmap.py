"""Kubernetes ConfigMap, mounted read-only into the workload it is for (its files replace the
image's config directory)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from tools.iac.blocks.base import BlockParams, BlockSpec, Link, Scene, Unit
from tools.iac.blocks.k8s_common import K8sParams, meta, target_of
from tools.iac.features import Features
from tools.iac.model import IacFormat

NGINX_CONF = """server {
    listen 8080;
    location / {
        root /usr/share/nginx/html;
        index index.html;
    }
    location /healthz {
        return 200 'ok';
    }
}
"""


class ConfigMapParams(K8sParams):
    mount_path: str = Field(default="/etc/app", pattern=r"^/[A-Za-z0-9/._-]*$")
    data: dict[str, str] = Field(default_factory=dict)


class K8sConfigMap(BlockSpec):
    kind: ClassVar[str] = "configmap"
    title: ClassVar[str] = "ConfigMap"
    nouns: ClassVar[tuple[str, ...]] = (r"\bconfig\s?maps?\b",)
    formats: ClassVar[tuple[IacFormat, ...]] = ("kubernetes",)
    params_model: ClassVar[type[BlockParams]] = ConfigMapParams
    k8s_kind: ClassVar[str] = "ConfigMap"
    links: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {("attach", k) for k in ("deployment", "statefulset", "daemonset", "cronjob", "job")}
    )
    design: ClassVar[tuple[str, ...]] = ("ConfigMap: mounted read-only into the workload.",)

    def read(self, f: Features, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = re.search(r"\b(?:mounted\s+(?:at|in|on)|at\s+path|path)\s+(/[A-Za-z0-9/._-]+)", f.text, re.I)
        if m:
            out["mount_path"] = m.group(1)
        for key, value in re.findall(r"\b([A-Z][A-Z0-9_]{1,40})=([^\s,;]+)", f.text):
            out.setdefault("data", {})[key] = value
        return out

    def kubernetes(self, u: Unit, s: Scene) -> list[dict[str, Any]]:
        p: ConfigMapParams = u.params
        target = target_of(u, s)
        data = dict(p.data)
        if target is not None:
            image = str(target.params.image)
            name = f"{target.params.name}-config"
            p = p.model_copy(update={"name": name, "namespace": target.params.namespace})
            if "nginx" in image and not data:
                data = {"default.conf": NGINX_CONF}
                if "mount_path" not in p.model_fields_set:
                    p = p.model_copy(update={"mount_path": "/etc/nginx/conf.d"})
            u.params = p
            if all(x is not target for x in s.out_of(u, "attach")):
                s.links.append(Link(u, "attach", target))
        return [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": meta(p),
                "data": data or {"app.properties": "# your settings\n"},
            }
        ]
