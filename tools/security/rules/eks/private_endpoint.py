"""EKS private endpoint is off.

The API server has no private endpoint, so nodes and tooling inside the VPC reach it over the
internet.
"""

from __future__ import annotations

from typing import ClassVar

from tools.inventory.resources import AnyResourceType
from tools.security.rule import Severity
from tools.security.rule_kinds import SettingRule


class EksWithoutPrivateEndpoint(SettingRule):
    id: ClassVar[str] = "eks-private-endpoint"
    title: ClassVar[str] = "EKS private endpoint is off"
    severity: ClassVar[Severity] = Severity.MEDIUM
    resource_type: ClassVar[AnyResourceType] = "eks_cluster"
    description: ClassVar[str] = (
        "The API server has no private endpoint, so nodes and tooling inside the VPC reach it "
        "over the internet."
    )
    compliance: ClassVar[dict[str, tuple[str, ...]]] = {}
    prowler_checks: ClassVar[tuple[str, ...]] = ("eks_cluster_private_nodes_enabled",)
    remediation: ClassVar[str] = (
        "Enable private endpoint access (aws eks update-cluster-config --resources-vpc-config "
        "endpointPrivateAccess=true)."
    )
    attribute: ClassVar[str] = "endpoint_private"
    passing: ClassVar[tuple[object, ...]] = (True,)
    failure: ClassVar[str] = "Cluster {name}: private endpoint access is off."
