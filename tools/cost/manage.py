"""What `cloudpilot cost ingest` and `cloudpilot cost status` do, kept out of the CLI module."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from tools import progress
from tools.cost.datastore import CostStore, store_path
from tools.cost.defaults import default_sources, sync_defaults
from tools.cost.exports import SourceFile, discover
from tools.cost.s3source import download
from tools.cost.writer import BatchRecord, IngestReport, ingest_files, write_file_store

if TYPE_CHECKING:
    from config import Settings
    from tools.inventory.aws import AwsClients


def ingest(
    settings: Settings, inputs: Sequence[str], now: datetime, aws: AwsClients | None = None
) -> IngestReport:
    """Load exports (local files or folders, s3:// prefixes) into the data dir's store.

    The whole set is one batch: its billing periods replace what the store held for them.
    """
    from config.metrics import observe_ingest, timed

    with timed(lambda seconds: observe_ingest("cost", seconds)):
        return _ingest(settings, inputs, now, aws)


def _ingest(
    settings: Settings, inputs: Sequence[str], now: datetime, aws: AwsClients | None
) -> IngestReport:
    db = store_path(settings)
    with tempfile.TemporaryDirectory(prefix="cloudpilot-ingest-") as tmp:
        files: list[SourceFile] = []
        for item in inputs:
            if item.startswith("s3://"):
                if aws is None:
                    from tools.inventory.aws import AwsClients

                    aws = AwsClients(settings.aws)
                files += download(aws.client("s3"), item, Path(tmp))
            else:
                files += discover([Path(item)])
        with write_file_store(db) as writer:
            report = ingest_files(writer, files, origin="manual", source=", ".join(inputs), now=now)
            progress.report("writing the cost store", 0, None, f"{report.rows:,} rows")
    progress.report("cost ingest", report.files, report.files, finished=True)
    # Real data now stands in for the bundled sample; configured sources stay.
    sync_defaults(db, default_sources(settings), now)
    return report


@dataclass(frozen=True)
class PeriodRow:
    billing_period: str
    provider: str
    rows: int
    billed: Decimal
    currency: str


@dataclass
class StoreStatus:
    path: Path
    exists: bool
    rows: int = 0
    providers: list[str] = field(default_factory=list)
    periods: list[PeriodRow] = field(default_factory=list)
    batches: list[BatchRecord] = field(default_factory=list)
    last_ingest: datetime | None = None
    first_day: str | None = None
    last_day: str | None = None


def status(settings: Settings, now: datetime) -> StoreStatus:
    db = store_path(settings)
    sync_defaults(db, default_sources(settings), now)
    store = CostStore.open(db)
    try:
        out = StoreStatus(path=db, exists=True, rows=store.row_count())
        rows = store.fetch(
            "SELECT strftime(BillingPeriodStart, '%Y-%m'), coalesce(ProviderName, '(unknown)'), count(*), "
            "sum(BilledCost), coalesce(BillingCurrency, '') FROM charges GROUP BY ALL ORDER BY 1, 2, 5"
        )
        out.periods = [PeriodRow(p, prov, int(n), Decimal(b or 0), cur) for p, prov, n, b, cur in rows]
        out.providers = sorted({p.provider for p in out.periods})
        out.batches = store.batches()
        out.last_ingest = max((b.ingested_at for b in out.batches), default=None)
        coverage = store.coverage()
        if coverage:
            out.first_day, out.last_day = coverage.first_day.isoformat(), coverage.last_day.isoformat()
        return out
    finally:
        store.close()
