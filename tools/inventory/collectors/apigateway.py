"""API Gateway REST API stages (one resource per stage).

api_gateway_stage attributes: api_id, api_name, stage, endpoint_types ("EDGE", "REGIONAL",
"PRIVATE"), execution_logging ("ERROR"/"INFO" for every method, None when off), access_logging
(an access log destination is set), tracing (X-Ray), client_certificate (a client certificate is
set for the backend), web_acl_arn (None without WAF), cache_enabled, cache_encrypted (None when
caching is off), authorizers (count of authorizers on the API).
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource


def _stage(api: dict[str, Any], stage: dict[str, Any], authorizers: int, region: str) -> Resource:
    methods = stage.get("methodSettings") or {}
    every = methods.get("*/*") or {}
    level = every.get("loggingLevel")
    name = f"{api.get('name', api['id'])}/{stage['stageName']}"
    return Resource(
        type="api_gateway_stage",
        id=f"{api['id']}/{stage['stageName']}",
        name=name,
        region=region,
        arn=f"arn:aws:apigateway:{region}::/restapis/{api['id']}/stages/{stage['stageName']}",
        attributes={
            "api_id": api["id"],
            "api_name": api.get("name"),
            "stage": stage["stageName"],
            "endpoint_types": list((api.get("endpointConfiguration") or {}).get("types") or ["EDGE"]),
            "execution_logging": level if level in ("ERROR", "INFO") else None,
            "access_logging": bool((stage.get("accessLogSettings") or {}).get("destinationArn")),
            "tracing": bool(stage.get("tracingEnabled")),
            "client_certificate": bool(stage.get("clientCertificateId")),
            "web_acl_arn": stage.get("webAclArn") or None,
            "cache_enabled": bool(stage.get("cacheClusterEnabled")),
            "cache_encrypted": bool(every.get("cacheDataEncrypted"))
            if stage.get("cacheClusterEnabled")
            else None,
            "authorizers": authorizers,
        },
        tags=dict(stage.get("tags") or {}),
    )


def collect_stages(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    gw = aws.client("apigateway", region)
    apis: list[dict[str, Any]] = []
    for page in gw.get_paginator("get_rest_apis").paginate():
        apis.extend(page.get("items", []))
    out: list[Resource] = []
    for api in apis:
        stages = gw.get_stages(restApiId=api["id"]).get("item", [])
        if not stages:
            continue
        authorizers = len(gw.get_authorizers(restApiId=api["id"]).get("items", []))
        out.extend(_stage(api, s, authorizers, region) for s in stages)
    return out
