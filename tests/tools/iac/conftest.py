"""Fixtures of the IaC tests: one warmed-up validator state for the session (cfn-lint's rules
take about a second to load), and a ToolContext per test that reuses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config import Settings, load_settings
from store import Store
from tools.base import ToolContext
from tools.iac.checks import IacEnv
from tools.inventory.aws import AwsClients
from tools.services import Services


@pytest.fixture(scope="session")
def iac_env() -> IacEnv:
    env = IacEnv()
    env.warm_up()
    return env


@pytest.fixture
def iac_settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", now="2024-10-15")


@pytest.fixture
def iac_ctx(iac_settings: Settings, iac_env: IacEnv) -> Iterator[ToolContext]:
    store = Store(iac_settings.sqlalchemy_url)
    ctx = ToolContext(
        settings=iac_settings,
        clock=iac_settings.clock(),
        aws=AwsClients(iac_settings.aws),
        store=store,
        services=Services(iac_env=iac_env),
    )
    yield ctx
    store.close()
