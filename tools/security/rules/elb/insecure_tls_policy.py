"""Load balancer allows old TLS versions.

An HTTPS/TLS listener uses a security policy that still accepts TLS 1.0 or 1.1 (or weak ciphers).
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType, Resource
from tools.security.rule import Rule, Severity, Violation

# Predefined policies that accept TLS 1.2 and later only.
SECURE_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    }
)


class InsecureTlsPolicy(Rule):
    id: ClassVar[str] = "elb-insecure-tls-policy"
    title: ClassVar[str] = "Load balancer allows old TLS versions"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "load_balancer"
    description: ClassVar[str] = (
        "An HTTPS/TLS listener uses a security policy that still accepts TLS 1.0 or 1.1 (or weak ciphers)."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("elbv2_insecure_ssl_ciphers",)
    remediation: ClassVar[str] = (
        "Switch the listener to a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06."
    )

    def evaluate(self, resource: Resource) -> Violation | None:
        listeners = resource.attributes.get("listeners")
        if not listeners:
            return None
        weak = [
            li
            for li in listeners
            if li.get("protocol") in ("HTTPS", "TLS")
            and li.get("ssl_policy")
            and li["ssl_policy"] not in SECURE_POLICIES
        ]
        if not weak:
            return None
        parts = ", ".join(f"port {li.get('port')} ({li['ssl_policy']})" for li in weak)
        return Violation(detail=f"Load balancer {resource.name}: {parts} allow TLS below 1.2.")
