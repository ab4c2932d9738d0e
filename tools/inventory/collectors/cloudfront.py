"""CloudFront distributions (global).

cloudfront_distribution attributes: domain_name, enabled, viewer_protocol_policies (one per cache
behaviour: "allow-all", "redirect-to-https", "https-only"), minimum_protocol_version (viewer TLS,
e.g. "TLSv1.2_2021"; "SSLv3"/"TLSv1" are deprecated), web_acl_id (None without WAF), logging,
default_root_object, s3_origins ([{id, domain, oac, oai}]), custom_origins ([{id, domain,
protocol_policy, ssl_protocols}]).
"""

from __future__ import annotations

from typing import Any

from tools.inventory.clients import AccountClients
from tools.inventory.resources import GLOBAL_REGION, Resource


def _items(block: Any) -> list[dict[str, Any]]:
    return list((block or {}).get("Items") or [])


def _distribution(cf: Any, summary: dict[str, Any]) -> Resource:
    dist_id = summary["Id"]
    config = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    behaviours = [config.get("DefaultCacheBehavior") or {}, *_items(config.get("CacheBehaviors"))]
    s3_origins, custom_origins = [], []
    for o in _items(config.get("Origins")):
        custom = o.get("CustomOriginConfig")
        if custom:
            custom_origins.append(
                {
                    "id": o.get("Id"),
                    "domain": o.get("DomainName"),
                    "protocol_policy": custom.get("OriginProtocolPolicy"),
                    "ssl_protocols": _items(custom.get("OriginSslProtocols")),
                }
            )
        else:
            s3_origins.append(
                {
                    "id": o.get("Id"),
                    "domain": o.get("DomainName"),
                    "oac": bool(o.get("OriginAccessControlId")),
                    "oai": bool((o.get("S3OriginConfig") or {}).get("OriginAccessIdentity")),
                }
            )
    return Resource(
        type="cloudfront_distribution",
        id=dist_id,
        name=config.get("Comment") or summary.get("DomainName") or dist_id,
        region=GLOBAL_REGION,
        arn=summary.get("ARN"),
        attributes={
            "domain_name": summary.get("DomainName"),
            "enabled": bool(config.get("Enabled")),
            "viewer_protocol_policies": [b.get("ViewerProtocolPolicy") for b in behaviours if b],
            "minimum_protocol_version": (config.get("ViewerCertificate") or {}).get("MinimumProtocolVersion"),
            "web_acl_id": config.get("WebACLId") or None,
            "logging": bool((config.get("Logging") or {}).get("Enabled")),
            "default_root_object": config.get("DefaultRootObject") or None,
            "s3_origins": s3_origins,
            "custom_origins": custom_origins,
        },
    )


def collect_distributions(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    cf = aws.client("cloudfront", "us-east-1")
    summaries: list[dict[str, Any]] = []
    for page in cf.get_paginator("list_distributions").paginate():
        summaries.extend(_items(page.get("DistributionList")))
    if lookup:
        summaries = [s for s in summaries if lookup in (s["Id"], s.get("ARN"), s.get("DomainName"))]
    return [_distribution(cf, s) for s in summaries]
