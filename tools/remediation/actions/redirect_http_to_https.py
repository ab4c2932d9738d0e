"""redirect_http_to_https: make an Application Load Balancer's HTTP listeners redirect to HTTPS.

Safe: it runs only when the load balancer already has an HTTPS listener to redirect to, and it
changes only the HTTP listener's default action (its rules are kept). Reversible: the plan records
the listener's previous default actions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from tools.base import ToolContext
from tools.inventory.resources import AnyResourceType, Resource
from tools.remediation.base import ActionParams, SettingAction
from tools.security.rule import Rule
from tools.security.rules.elb.http_without_redirect import HttpListenerWithoutRedirect


class RedirectParams(ActionParams):
    listener_arn: str | None = Field(
        default=None,
        min_length=1,
        description="Only this HTTP listener; every HTTP listener that does not redirect when omitted.",
    )


def https_port(resource: Resource) -> int | None:
    """The port of the HTTPS listener to redirect to (443 when there is one), None without one."""
    ports = sorted(
        int(li["port"])
        for li in resource.attributes.get("listeners") or []
        if li.get("protocol") == "HTTPS" and li.get("port") is not None
    )
    if not ports:
        return None
    return 443 if 443 in ports else ports[0]


def redirect_action(port: int) -> dict[str, Any]:
    return {
        "Type": "redirect",
        "RedirectConfig": {
            "Protocol": "HTTPS",
            "Port": str(port),
            "Host": "#{host}",
            "Path": "/#{path}",
            "Query": "#{query}",
            "StatusCode": "HTTP_301",
        },
    }


class RedirectHttpToHttps(SettingAction):
    name: ClassVar[str] = "redirect_http_to_https"
    description: ClassVar[str] = (
        "Change the default action of an Application Load Balancer's HTTP listeners to a permanent "
        "redirect (HTTP 301) to its HTTPS listener; only when it has one."
    )
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    params_model: ClassVar[type[ActionParams]] = RedirectParams
    permissions: ClassVar[tuple[str, ...]] = (
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:ModifyListener",
    )
    rule: ClassVar[type[Rule] | None] = HttpListenerWithoutRedirect

    def _plain(self, resource: Resource, params: ActionParams) -> list[dict[str, Any]]:
        """The HTTP listeners still to redirect."""
        assert isinstance(params, RedirectParams)
        return [
            li
            for li in resource.attributes.get("listeners") or []
            if li.get("protocol") == "HTTP"
            and not li.get("redirects_to_https")
            and params.listener_arn in (None, li.get("arn"))
        ]

    def _text(self, resource: Resource, listener: dict[str, Any], port: int | None) -> str:
        return (
            f"redirect HTTP listener on port {listener.get('port')} of load balancer {resource.id} "
            f"to HTTPS port {port} (HTTP 301)"
        )

    def describe(self, resource: Resource) -> dict[str, Any]:
        return {
            "listeners": [
                {k: li.get(k) for k in ("arn", "protocol", "port", "default_actions")}
                for li in resource.attributes.get("listeners") or []
            ]
        }

    def blocked(self, resource: Resource, params: ActionParams) -> str | None:
        assert isinstance(params, RedirectParams)
        attrs = resource.attributes
        if attrs.get("lb_type") != "application":
            kind = attrs.get("lb_type")
            return f"Load balancer {resource.id} is a {kind} load balancer; only ALBs redirect."
        listeners = attrs.get("listeners") or []
        if params.listener_arn is not None:
            named = [li for li in listeners if li.get("arn") == params.listener_arn]
            if not named:
                return f"Load balancer {resource.id} has no listener {params.listener_arn}."
            if named[0].get("protocol") != "HTTP":
                return f"Listener {params.listener_arn} is {named[0].get('protocol')}, not HTTP."
        if self._plain(resource, params) and https_port(resource) is None:
            return (
                f"Load balancer {resource.id} has no HTTPS listener to redirect to; add one (with a "
                "certificate) first, or HTTP clients would be sent to a port that does not answer."
            )
        return None

    def pending(self, resource: Resource, params: ActionParams) -> list[str]:
        port = https_port(resource)
        return [self._text(resource, li, port) for li in self._plain(resource, params)]

    def summary(self, resource: Resource, params: ActionParams) -> str:
        ports = ", ".join(str(li.get("port")) for li in self._plain(resource, params))
        return (
            f"Redirect HTTP on port {ports} of load balancer {resource.id} ({resource.region}) to HTTPS "
            f"port {https_port(resource)} with a permanent redirect. Plain-HTTP clients that do not follow "
            "redirects stop working; the listener's rules and the previous default action (in the plan) "
            "are kept so it can be restored."
        )

    def change(self, ctx: ToolContext, resource: Resource, params: ActionParams, todo: list[str]) -> None:
        port = https_port(resource)
        assert port is not None  # blocked() refuses load balancers without an HTTPS listener
        elb = ctx.aws.client("elbv2", resource.region)
        for li in self._plain(resource, params):
            if self._text(resource, li, port) in todo:
                elb.modify_listener(ListenerArn=li["arn"], DefaultActions=[redirect_action(port)])
