"""Shared test data for the planner tests: the tool contract written out by hand.

The planners only know tools by name and JSON schema, so these stand-in input models mirror the
argument contract; validating planned calls against them proves the planner speaks it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.planner import PlannedCall, ToolSpec

NOW = datetime(2024, 10, 15, 12, 0, tzinfo=UTC)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DescribeResourcesArgs(_Strict):
    resource_type: (
        Literal["ec2_instance", "security_group", "s3_bucket", "iam_user", "rds_instance", "ebs_volume"]
        | None
    ) = None
    region: str | None = None
    resource_id: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class CostQueryArgs(_Strict):
    period: str = "last_month"
    service: str | None = None
    region: str | None = None
    account: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    group_by: str | None = None
    top: int | None = None


class SecurityScanArgs(_Strict):
    services: list[Literal["s3", "ec2", "iam", "ebs", "rds"]] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    resource_id: str | None = None


class ListFindingsArgs(_Strict):
    severity: Literal["critical", "high", "medium", "low"] | None = None
    service: str | None = None
    status: Literal["open", "resolved", "suppressed"] | None = "open"
    resource_id: str | None = None
    limit: int = 50


class RemediateArgs(_Strict):
    action: Literal["revoke_ingress", "block_public_access"]
    resource_id: str
    region: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class SearchKnowledgeArgs(_Strict):
    query: str
    top_k: int = 5
    source: str | None = None


CONTRACT: dict[str, tuple[type[BaseModel], bool, str]] = {
    "cost_query": (CostQueryArgs, False, "Cloud costs from billing data. Filters and groups spend."),
    "describe_resources": (DescribeResourcesArgs, False, "Read-only inventory of cloud resources."),
    "security_scan": (SecurityScanArgs, False, "Scans resources for security misconfigurations."),
    "list_findings": (ListFindingsArgs, False, "Lists stored security findings."),
    "remediate": (RemediateArgs, True, "Fixes a misconfiguration. Needs approval."),
    "search_knowledge": (SearchKnowledgeArgs, False, "Searches runbooks and documentation."),
}


def tool_specs(*names: str) -> list[ToolSpec]:
    chosen = names or tuple(CONTRACT)
    return [
        ToolSpec(
            name=n,
            description=CONTRACT[n][2],
            mutating=CONTRACT[n][1],
            parameters=CONTRACT[n][0].model_json_schema(),
        )
        for n in chosen
    ]


def assert_valid(call: PlannedCall) -> None:
    """The call names a contract tool and its arguments pass that tool's strict input model."""
    assert call.name in CONTRACT, call.name
    CONTRACT[call.name][0].model_validate(call.args)


def summary(calls: list[PlannedCall]) -> list[tuple[str, dict[str, Any]]]:
    return [(c.name, c.args) for c in calls]
