"""Sandbox fixtures: one seeded sandbox (two accounts) shared by the read-only tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Settings
from sandbox.manifest import DEV_AUDIT_ROLE, SeedManifest
from sandbox.server import ensure_running, load_manifest
from store import Store
from tests.conftest import make_settings, reset_moto
from tools.base import ToolContext
from tools.inventory.aws import AwsClients


@dataclass
class SeededAccount:
    endpoint: str
    settings: Settings
    manifest: SeedManifest
    # Clients shared by the module's tests: building boto3 clients costs more than most calls.
    aws: AwsClients
    aws_both: AwsClients


@pytest.fixture(scope="module")
def seeded(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> SeededAccount:
    """A freshly reset moto sandbox seeded once for the whole module. Tests using it must not change AWS."""
    reset_moto(moto_endpoint)
    settings = make_settings(tmp_path_factory.mktemp("seeded"), moto_endpoint)
    ensure_running(settings)
    manifest = load_manifest(settings)
    assert manifest is not None
    both = make_settings(settings.data_dir, moto_endpoint, [DEV_AUDIT_ROLE])
    return SeededAccount(moto_endpoint, settings, manifest, AwsClients(settings.aws), AwsClients(both.aws))


def _ctx(settings: Settings, aws: AwsClients) -> Iterator[ToolContext]:
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=aws, store=store)
    store.close()


@pytest.fixture
def seeded_ctx(seeded: SeededAccount, tmp_path: Path) -> Iterator[ToolContext]:
    """The production account of the seeded sandbox, with its own empty database."""
    yield from _ctx(make_settings(tmp_path / "data", seeded.endpoint), seeded.aws)


@pytest.fixture
def both_accounts_ctx(seeded: SeededAccount, tmp_path: Path) -> Iterator[ToolContext]:
    """Production plus the development account reached through the audit role, with an empty database."""
    yield from _ctx(make_settings(tmp_path / "data", seeded.endpoint, [DEV_AUDIT_ROLE]), seeded.aws_both)
