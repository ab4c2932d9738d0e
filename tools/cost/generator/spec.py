"""What to generate (a seeded spec) and what was planted in it, for detectors to be scored on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from tools.cost.generator.catalogue import ACCOUNTS

# Part of every spec's fingerprint: bump it when the same spec starts giving other rows.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class PlantedAnomaly:
    """A planted jump: `service` in `account` costs about `extra` more per day on these days."""

    start: date
    days: int
    service: str
    account_id: str
    account_name: str
    region: str
    usage_type: str
    resource_id: str
    extra_per_day: float
    note: str

    @property
    def end(self) -> date:
        """Last day included."""
        return self.start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class GeneratorSpec:
    seed: int = 7
    start: date = date(2024, 4, 1)
    # Exclusive.
    end: date = date(2024, 10, 15)
    resources_per_account: int = 24
    accounts: int = len(ACCOUNTS)
    # 1: one row per resource and day; 24: hourly rows.
    rows_per_day: int = 1
    anomalies: int = 5
    # Anomalies land in the last `anomaly_window_days` of the range; one in the last week.
    anomaly_window_days: int = 100
    monthly_growth: float = 0.02
    extra: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        text = json.dumps({**asdict(self), "version": GENERATOR_VERSION}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def days(self) -> int:
        return (self.end - self.start).days


# The demo's history: April to the demo's pinned "now" (2024-10-15), a few thousand rows a month.
DEMO_SPEC = GeneratorSpec()
