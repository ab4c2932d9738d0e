"""cost_query's provider filter and grouping, against the bundled FOCUS sample (AWS, Microsoft, Oracle)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tools.cost.cost_query_models import CostQueryResult
from tools.cost.providers import match_provider

Query = Callable[..., CostQueryResult]


def test_provider_aliases_match_the_data_names() -> None:
    data = ["AWS", "Microsoft", "Oracle"]
    assert match_provider("azure", data) == ("Microsoft",)
    assert match_provider("AWS", data) == ("AWS",)
    assert match_provider("oci", data) == ("Oracle",)
    assert match_provider("gcp", data) == ()


def test_provider_filter_splits_the_total(query: Query) -> None:
    args: dict[str, Any] = {"period": "2024-09"}
    total = query(**args).total
    parts = [query(**args, provider=p) for p in ("aws", "azure", "oracle")]
    assert all(p.status == "ok" for p in parts)
    assert parts[1].filters.provider_names == ["Microsoft"]
    # Each part is rounded to the cent on its own.
    assert abs(sum((p.total for p in parts), Decimal(0)) - total) <= Decimal("0.02")
    assert "provider Microsoft (Azure)" in parts[1].message


def test_provider_not_in_the_data_says_so(query: Query) -> None:
    result = query(period="2024-09", provider="gcp")
    assert result.status == "no_data"
    assert "No Google Cloud (GCP) data is loaded" in result.message
    assert "AWS, Microsoft, Oracle" in result.message


def test_group_by_provider(query: Query) -> None:
    result = query(period="2024-09", group_by="provider")
    assert {g.key for g in result.groups} == {"AWS", "Microsoft", "Oracle"}
