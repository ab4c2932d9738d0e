"""Shared fixtures. Area-specific fixtures live in each area's own test files."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from config import Settings, load_settings
from store import Store
from tests import services
from tools.base import ToolContext
from tools.inventory.aws import AwsClients

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


_SERVICES = {
    "postgres": ("PostgreSQL", services.postgres_url),
    "redis": ("Redis", services.redis_url),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` / `redis` skip, with the reason, when that server does not answer
    (unless the test command asked for the services, where a missing one must fail loudly)."""
    if services.required():
        return
    for item in items:
        for marker, (label, url) in _SERVICES.items():
            if item.get_closest_marker(marker) and not services.reachable(url()):
                item.add_marker(
                    pytest.mark.skip(reason=f"{label} is not reachable at {url()} (./dev.sh test starts it)")
                )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer environment leaks into a test; tests set what they need."""
    for key in list(os.environ):
        if key.startswith(("CLOUDPILOT_", "AWS_", "SLACK_", "OPENAI_")):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One in-process moto server for the session; tests reset it when they need a clean account."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def fresh_moto(moto_endpoint: str) -> str:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"))
    return moto_endpoint


@pytest.fixture
def settings(tmp_path: Path, fresh_moto: str) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        now="2024-10-15",
        aws={"mode": "sandbox", "endpoint_url": fresh_moto, "regions": ["us-east-1", "eu-west-1"]},
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store(settings.sqlalchemy_url)
    yield s
    s.close()


@pytest.fixture
def ctx(settings: Settings, store: Store) -> ToolContext:
    return ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)


# --- moto sandbox helpers shared by the AWS-facing tests (security, remediation, sandbox, digests) ---

REGIONS = ["us-east-1", "eu-west-1"]


def make_settings(data_dir: Path, endpoint: str, roles: list[str] | None = None) -> Settings:
    """Sandbox settings on `endpoint` with a pinned clock and REGIONS (and member-account roles)."""
    # Built outside the function-scoped env cleaner, so drop CLOUDPILOT_ variables explicitly.
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith(("CLOUDPILOT_", "AWS_")):
                mp.delenv(key, raising=False)
        return load_settings(
            data_dir=data_dir,
            now="2024-10-15",
            aws={
                "mode": "sandbox",
                "endpoint_url": endpoint,
                "regions": REGIONS,
                "assume_role_arns": roles or [],
            },
        )


def reset_moto(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
