"""AWS-area fixtures: one seeded sandbox account shared by the read-only tests of a module."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Settings, load_settings
from sandbox.seed import SeedManifest
from sandbox.server import ensure_running, load_manifest
from store import Store
from tools.aws import AwsClients
from tools.base import ToolContext

REGIONS = ["us-east-1", "eu-west-1"]


def make_settings(data_dir: Path, endpoint: str) -> Settings:
    # Built outside the function-scoped env cleaner, so drop CLOUDPILOT_ variables explicitly.
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith(("CLOUDPILOT_", "AWS_")):
                mp.delenv(key, raising=False)
        return load_settings(
            data_dir=data_dir,
            now="2024-10-15",
            aws={"mode": "sandbox", "endpoint_url": endpoint, "regions": REGIONS},
        )


@dataclass
class SeededAccount:
    endpoint: str
    settings: Settings
    manifest: SeedManifest


@pytest.fixture(scope="module")
def seeded(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> SeededAccount:
    """A freshly reset moto account seeded once for the whole module. Tests using it must not change AWS."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"))
    settings = make_settings(tmp_path_factory.mktemp("seeded"), moto_endpoint)
    ensure_running(settings)
    manifest = load_manifest(settings)
    assert manifest is not None
    return SeededAccount(moto_endpoint, settings, manifest)


@pytest.fixture
def seeded_ctx(seeded: SeededAccount, tmp_path: Path) -> Iterator[ToolContext]:
    """A context on the seeded account with its own empty database."""
    settings = make_settings(tmp_path / "data", seeded.endpoint)
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    store.close()
