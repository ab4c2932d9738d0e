"""Each generated resource's daily usage, and the anomalies planted on top, drawn from the seed.

All randomness comes from numpy's PCG64 with the spec's seed: the same spec gives the same usage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from tools.cost.generator.catalogue import (
    ACCOUNTS,
    APPLICATIONS,
    KIND_INDEX,
    KINDS,
    REGION_WEIGHTS,
    REGIONS,
    Kind,
)
from tools.cost.generator.spec import GeneratorSpec, PlantedAnomaly


@dataclass
class Generated:
    """Per-day usage (resources x days) and what was planted."""

    spec: GeneratorSpec
    resources: list[dict[str, object]]
    quantity: np.ndarray  # shape (resources, days), usage per day (0 = not running)
    anomalies: list[PlantedAnomaly]


def plan(spec: GeneratorSpec) -> Generated:
    """Draw the resources, their daily usage and the planted anomalies."""
    rng = np.random.Generator(np.random.PCG64(spec.seed))
    days = spec.days
    if days < 14:
        raise ValueError("generate at least 14 days so that weekly patterns exist")
    day_index = np.arange(days)
    weekday = np.array([(spec.start + timedelta(days=int(d))).weekday() for d in day_index])
    weights = np.array([k.weight for k in KINDS])
    weights = weights / weights.sum()
    resources: list[dict[str, object]] = []
    rows: list[np.ndarray] = []
    accounts = ACCOUNTS[: max(1, min(spec.accounts, len(ACCOUNTS)))]
    for a_idx, (acct_id, acct_name, env, team) in enumerate(accounts):
        scale = 0.3 if env == "dev" else 0.6 if env == "staging" else 1.0
        home = list(REGIONS)[a_idx % 3 if a_idx % 4 else 0]
        for r in range(spec.resources_per_account):
            kind_idx = int(rng.choice(len(KINDS), p=weights))
            kind = KINDS[kind_idx]
            region = home if rng.random() < 0.6 else str(rng.choice(list(REGIONS), p=REGION_WEIGHTS))
            base = float(rng.uniform(kind.low, kind.high)) * scale
            series = _series(rng, kind, base, weekday, day_index, spec.monthly_growth)
            resources.append(_resource(kind_idx, acct_id, acct_name, env, team, region, a_idx, r, rng))
            rows.append(series)
    quantity = np.vstack(rows) if rows else np.zeros((0, days))
    generated = Generated(spec, resources, quantity, [])
    _plant(rng, generated, weekday)
    return generated


def _series(
    rng: np.random.Generator,
    kind: Kind,
    base: float,
    weekday: np.ndarray,
    day_index: np.ndarray,
    growth: float,
) -> np.ndarray:
    trend = (1 + growth * float(rng.uniform(0.3, 1.7))) ** (day_index / 30.0)
    weekly = np.where(weekday >= 5, kind.weekend, 1.0)
    noise = np.exp(rng.normal(0.0, kind.noise, size=len(day_index))) if kind.noise else 1.0
    series = base * trend * weekly * noise
    if kind.low == kind.high:
        # Always-on hourly resources bill whole hours.
        series = np.full(len(day_index), kind.low)
    return np.asarray(series, dtype=float)


def _resource(
    kind_idx: int,
    acct_id: str,
    acct_name: str,
    env: str,
    team: str,
    region: str,
    a_idx: int,
    r: int,
    rng: np.random.Generator,
) -> dict[str, object]:
    kind = KINDS[kind_idx]
    suffix = f"{a_idx:02x}{r:04x}{int(rng.integers(0, 16**9)):09x}"
    app = str(rng.choice(APPLICATIONS))
    return {
        "kind": kind_idx,
        "account_id": acct_id,
        "account_name": acct_name,
        "region": region,
        "resource_id": f"{kind.id_prefix}0{suffix}",
        "resource_name": f"{app}-{kind.key}-{r}",
        "tags": json.dumps(
            {"environment": env, "team": team, "application": app, "cost-center": f"cc-{team}"}
        ),
    }


_ANOMALY_KINDS = (
    ("ec2-c5.2xlarge", "compute fleet left running after a load test", "new"),
    ("nat-bytes", "NAT gateway data processing spike", "boost"),
    ("lambda-compute", "runaway Lambda retry loop", "boost"),
    ("s3-requests", "S3 request storm from a misconfigured client", "boost"),
    ("cloudwatch-logs", "debug logging left on", "boost"),
    ("dynamodb", "table scan in a hot loop", "boost"),
)


def _plant(rng: np.random.Generator, g: Generated, weekday: np.ndarray) -> None:
    spec = g.spec
    days = spec.days
    if spec.anomalies <= 0 or not g.resources:
        return
    window = min(spec.anomaly_window_days, days - 35)
    if window < 7:
        return
    # Days spread over the window so events never overlap; the last one lands in the final week.
    slots = np.linspace(days - window, days - 4, num=spec.anomalies).astype(int)
    service_daily = _service_daily(g)
    for n, slot in enumerate(slots):
        kind_key, note, mode = _ANOMALY_KINDS[n % len(_ANOMALY_KINDS)]
        kind = KINDS[KIND_INDEX[kind_key]]
        length = int(rng.integers(1, 4)) if mode == "new" else int(rng.integers(1, 3))
        start = int(min(slot, days - length))
        baseline = float(
            np.median(service_daily.get(kind.service, np.zeros(days))[max(0, start - 28) : start])
        )
        if baseline <= 0:
            baseline = 50.0
        # Big enough to matter against the whole service, not just the one resource.
        extra = baseline * float(rng.uniform(0.6, 1.6))
        candidates = [i for i, r in enumerate(g.resources) if r["kind"] == KIND_INDEX[kind_key]]
        if mode == "new" or not candidates:
            acct = ACCOUNTS[int(rng.integers(0, min(spec.accounts, len(ACCOUNTS))))]
            resource = _resource(
                KIND_INDEX[kind_key],
                acct[0],
                acct[1],
                acct[2],
                acct[3],
                "us-east-1",
                99,
                len(g.resources),
                rng,
            )
            g.resources.append(resource)
            row = np.zeros(days)
            g.quantity = np.vstack([g.quantity, row])
            idx = len(g.resources) - 1
        else:
            idx = int(rng.choice(candidates))
        g.quantity[idx, start : start + length] += extra / kind.unit_price
        res = g.resources[idx]
        g.anomalies.append(
            PlantedAnomaly(
                start=spec.start + timedelta(days=start),
                days=length,
                service=kind.service,
                account_id=str(res["account_id"]),
                account_name=str(res["account_name"]),
                region=str(res["region"]),
                usage_type=kind.usage_type,
                resource_id=str(res["resource_id"]),
                extra_per_day=round(extra, 2),
                note=note,
            )
        )


def _service_daily(g: Generated) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for res, series in zip(g.resources, g.quantity, strict=True):
        kind = KINDS[int(str(res["kind"]))]
        out[kind.service] = out.get(kind.service, np.zeros(g.spec.days)) + series * kind.unit_price
    return out
