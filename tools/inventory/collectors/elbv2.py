"""Application, network and gateway load balancers (Elastic Load Balancing v2).

load_balancer attributes: lb_type ("application", "network", "gateway"), scheme
("internet-facing"/"internal"), dns_name, vpc_id, availability_zones (names), listeners
([{arn, protocol, port, ssl_policy, redirects_to_https, default_actions}], the last as the API gives
them), access_logs, deletion_protection,
drop_invalid_headers (ALB only, else None), desync_mode (ALB only), waf_web_acl (ARN of the
associated WAFv2 web ACL; None without one, or when WAF cannot be read).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tools.inventory.clients import AccountClients
from tools.inventory.resources import Resource, tags_dict


def _redirects_to_https(listener: dict[str, Any]) -> bool:
    for action in listener.get("DefaultActions", []):
        redirect = action.get("RedirectConfig") or {}
        if action.get("Type") == "redirect" and str(redirect.get("Protocol", "")).upper() == "HTTPS":
            return True
    return False


def _waf(aws: AccountClients, region: str, arn: str) -> str | None:
    try:
        acl = aws.client("wafv2", region).get_web_acl_for_resource(ResourceArn=arn).get("WebACL")
    except (ClientError, BotoCoreError):
        return None
    return (acl or {}).get("ARN")


def _balancer(
    aws: AccountClients, elb: Any, lb: dict[str, Any], region: str, tags: dict[str, str]
) -> Resource:
    arn = lb["LoadBalancerArn"]
    attrs = {
        a["Key"]: a.get("Value")
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn).get("Attributes", [])
    }
    listeners = []
    for page in elb.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn):
        for li in page["Listeners"]:
            listeners.append(
                {
                    "arn": li.get("ListenerArn"),
                    "protocol": li.get("Protocol"),
                    "port": li.get("Port"),
                    "ssl_policy": li.get("SslPolicy"),
                    "redirects_to_https": _redirects_to_https(li),
                    "default_actions": li.get("DefaultActions", []),
                }
            )
    is_alb = lb.get("Type") == "application"
    return Resource(
        type="load_balancer",
        id=lb["LoadBalancerName"],
        name=lb["LoadBalancerName"],
        region=region,
        arn=arn,
        attributes={
            "lb_type": lb.get("Type"),
            "scheme": lb.get("Scheme"),
            "dns_name": lb.get("DNSName"),
            "vpc_id": lb.get("VpcId"),
            "availability_zones": sorted(z["ZoneName"] for z in lb.get("AvailabilityZones", [])),
            "listeners": listeners,
            "access_logs": attrs.get("access_logs.s3.enabled") == "true",
            "deletion_protection": attrs.get("deletion_protection.enabled") == "true",
            "drop_invalid_headers": (
                attrs.get("routing.http.drop_invalid_header_fields.enabled") == "true" if is_alb else None
            ),
            "desync_mode": attrs.get("routing.http.desync_mitigation_mode", "defensive") if is_alb else None,
            "waf_web_acl": _waf(aws, region, arn) if is_alb else None,
        },
        tags=tags,
    )


def collect_load_balancers(aws: AccountClients, region: str | None, lookup: str | None) -> list[Resource]:
    assert region is not None
    elb = aws.client("elbv2", region)
    found: list[dict[str, Any]] = []
    for page in elb.get_paginator("describe_load_balancers").paginate():
        found.extend(page["LoadBalancers"])
    if lookup:
        found = [lb for lb in found if lookup in (lb["LoadBalancerName"], lb["LoadBalancerArn"])]
    tags: dict[str, dict[str, str]] = {}
    arns = [lb["LoadBalancerArn"] for lb in found]
    for start in range(0, len(arns), 20):  # DescribeTags takes 20 ARNs at most
        for d in elb.describe_tags(ResourceArns=arns[start : start + 20]).get("TagDescriptions", []):
            tags[d["ResourceArn"]] = tags_dict(d.get("Tags"))
    return [_balancer(aws, elb, lb, region, tags.get(lb["LoadBalancerArn"], {})) for lb in found]
