"""savings_opportunities against the seeded sandbox additions (moto), priced from the bill."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from config import Settings, load_settings
from sandbox.seed_savings import seed_savings
from store import Store
from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.cost.datastore import memory_store
from tools.cost.defaults import generated_source
from tools.cost.generator.spec import DEMO_SPEC
from tools.inventory.aws import AwsClients
from tools.savings.prices import PriceBook
from tools.savings.savings_opportunities import SavingsOpportunities, SavingsResult


def run(ctx: ToolContext, **args: Any) -> SavingsResult:
    tool = SavingsOpportunities()
    return tool.run(ctx, tool.parse({"chart": False, **args}))


@pytest.fixture(scope="module")
def account(
    moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, dict[str, str]]]:
    """One seeded account for the module: the tests only read it."""
    with pytest.MonkeyPatch.context() as patch:
        # moto's thousands of public AMIs (and their snapshots) only slow these tests down; the
        # variable is read when the reset account's EC2 backend is first used.
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"))
        settings = load_settings(
            data_dir=tmp_path_factory.mktemp("savings"),
            now="2024-10-15",
            aws={"mode": "sandbox", "endpoint_url": moto_endpoint, "regions": ["us-east-1", "eu-west-1"]},
        )
        seeded = {r.name: r.id for r in seed_savings(AwsClients(settings.aws))}
        yield settings, seeded


@pytest.fixture
def seeded(account: tuple[Settings, dict[str, str]]) -> dict[str, str]:
    return account[1]


@pytest.fixture
def ctx(account: tuple[Settings, dict[str, str]]) -> Iterator[ToolContext]:
    settings = account[0]
    store = Store(settings.sqlalchemy_url)
    yield ToolContext(settings=settings, clock=settings.clock(), aws=AwsClients(settings.aws), store=store)
    store.close()


def test_finds_each_kind_of_waste(ctx: ToolContext, seeded: dict[str, str]) -> None:
    result = run(ctx)
    assert result.status == ToolStatus.OK, result.message
    found = {(f.kind, f.resource_id) for f in result.findings}
    assert ("idle_instance", seeded["batch-runner-old"]) in found
    assert ("gp2_volume", seeded["reports-data"]) in found
    assert ("old_snapshot", seeded["migration-2023-final"]) in found
    assert ("unassociated_address", seeded["old-nat-ip"]) in found
    assert ("unassociated_address", seeded["eu-legacy-ftp-ip"]) in found
    # Busy hosts, used addresses and snapshots of live volumes are not waste.
    flagged = {f.resource_id for f in result.findings}
    assert not flagged & {seeded["api-busy-1"], seeded["api-busy-ip"], seeded["reports-data-nightly"]}
    assert result.total_monthly_saving == sum(
        (f.monthly_saving for f in result.findings if f.monthly_saving is not None), Decimal(0)
    )
    assert "a month could be saved" in result.message


def test_findings_carry_remediations_for_fix_it(ctx: ToolContext, seeded: dict[str, str]) -> None:
    data = run(ctx).data()
    actions = {f["kind"]: f["remediation_action"] for f in data["findings"]}
    assert actions == {
        "idle_instance": "stop_instance",
        "gp2_volume": "modify_volume_type",
        "old_snapshot": "delete_snapshot",
        "unassociated_address": "release_address",
    }
    for f in data["findings"]:
        assert f["status"] == "open" and f["resource_id"] and f["region"]
        assert isinstance(f["remediation_params"], dict)
    gp2 = next(f for f in data["findings"] if f["kind"] == "gp2_volume")
    assert gp2["remediation_params"] == {"volume_type": "gp3"}


def test_prices_come_from_the_bill(ctx: ToolContext, seeded: dict[str, str]) -> None:
    ctx.services.cost_store = memory_store([generated_source(DEMO_SPEC)])
    result = run(ctx, kinds=["idle_instance"])
    idle = result.findings[0]
    assert idle.price_source == "bill"
    book = PriceBook(ctx.services.cost_store)
    price = book.instance_hour("m5.large", "us-east-1")
    assert price is not None and price.source == "bill"
    # The demo bill pays 72% of list for instances (commitments).
    assert price.unit_price == Decimal("0.069120")
    assert idle.monthly_saving == (price.unit_price * 730).quantize(Decimal("0.01"))
    assert PriceBook(None).instance_hour("m5.large", "us-east-1").source == "list price"  # type: ignore[union-attr]


def test_filters_and_errors(ctx: ToolContext, seeded: dict[str, str]) -> None:
    only_eu = run(ctx, regions=["eu-west-1"], kinds=["unassociated_address"])
    assert [f.resource_id for f in only_eu.findings] == [seeded["eu-legacy-ftp-ip"]]
    assert run(ctx, min_monthly_saving=1000).status == ToolStatus.NO_DATA
    with pytest.raises(UserFacingError, match="not configured"):
        run(ctx, regions=["mars-1"])
    with pytest.raises(ValidationError):
        SavingsOpportunities().parse({"kinds": ["everything"]})


def test_old_snapshots_by_age(ctx: ToolContext, seeded: dict[str, str]) -> None:
    result = run(ctx, kinds=["old_snapshot"], snapshot_age_days=1)
    # With a pinned clock before the snapshots were taken, only the orphaned one counts.
    assert [f.resource_id for f in result.findings] == [seeded["migration-2023-final"]]
