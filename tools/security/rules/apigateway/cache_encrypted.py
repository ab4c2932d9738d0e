"""API Gateway cache is not encrypted.

The stage caches responses without encrypting the cache data.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import FSBP, PCI_DSS, Severity
from tools.security.rule_kinds import SettingRule


class ApiCacheUnencrypted(SettingRule):
    id: ClassVar[str] = "apigateway-cache-unencrypted"
    title: ClassVar[str] = "API Gateway cache is not encrypted"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "api_gateway_stage"
    description: ClassVar[str] = "The stage caches responses without encrypting the cache data."
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {
        FSBP: ("APIGateway.5",),
        PCI_DSS: ("3.5.1", "8.3.2"),
    }
    prowler_checks: ClassVar[tuple[str, ...]] = ("apigateway_restapi_cache_encrypted",)
    remediation: ClassVar[str] = "Turn on cache data encryption in the stage's method settings."
    attribute: ClassVar[str] = "cache_encrypted"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Stage {name}: cached responses are not encrypted."
