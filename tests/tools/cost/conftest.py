"""A ToolContext for cost tests: the tool reads local files and never calls AWS, so no moto."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from store import Store
from tests.tools.cost.reference import Row, load_rows
from tools.base import ToolContext
from tools.cost import BUNDLED_SAMPLE, CostStore
from tools.cost.cost_query import CostQuery
from tools.cost.cost_query_models import CostQueryResult
from tools.cost.datastore import memory_store
from tools.cost.defaults import generated_source
from tools.cost.generator.spec import DEMO_SPEC
from tools.inventory.aws import AwsClients

ContextFactory = Callable[..., ToolContext]


@pytest.fixture
def make_ctx(tmp_path: Path) -> Iterator[ContextFactory]:
    stores: list[Store] = []

    def build(**overrides: Any) -> ToolContext:
        settings = load_settings(
            data_dir=tmp_path / f"data{len(stores)}", **{"now": "2024-10-15", **overrides}
        )
        store = Store(settings.sqlalchemy_url)
        stores.append(store)
        return ToolContext(
            settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store
        )

    yield build
    for s in stores:
        s.close()


@pytest.fixture(scope="session")
def sample_store() -> Iterator[CostStore]:
    store = CostStore.from_paths([BUNDLED_SAMPLE])
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_store() -> Iterator[CostStore]:
    """The demo's generated history (April to mid-October 2024), built once for the session."""
    store = memory_store([generated_source(DEMO_SPEC)])
    yield store
    store.close()


@pytest.fixture
def cost_ctx(make_ctx: ContextFactory, sample_store: CostStore) -> ToolContext:
    """Default settings (bundled sample, clock pinned to 2024-10-15), with the sample loaded once
    per session: the tool only reads it."""
    ctx = make_ctx()
    ctx.services.cost_store = sample_store
    return ctx


@pytest.fixture
def query(cost_ctx: ToolContext) -> Callable[..., CostQueryResult]:
    tool = CostQuery()

    def run(**args: Any) -> CostQueryResult:
        # Charts are checked in their own tests; drawing them here would only slow the suite.
        args.setdefault("chart", False)
        return tool.run(cost_ctx, tool.parse(args))

    return run


@pytest.fixture(scope="session")
def reference_rows() -> list[Row]:
    return load_rows()
