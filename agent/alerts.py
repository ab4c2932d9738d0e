"""Alert evaluation: what each `[[alerts]]` entry sees right now, as occurrences with stable keys.

Each evaluation runs the registered tools the agent would call for the same question — cost_query
and cost_forecast for a budget, cost_anomalies for anomalies, security_scan for findings — on every
account (an alert is configured by the operator, not asked in a channel). It returns occurrences;
whether one was posted already is the delivery side's business (`store/alerts.py` keeps the keys).

Keys, one per occurrence:
- budget: `<YYYY-MM>:actual:<pct>` and `<YYYY-MM>:forecast:<pct>`; the highest threshold passed
  is the occurrence, the lower ones it covers are recorded with it and never posted on their own;
- anomaly: `<series>:<first day>` (an anomaly that goes on for days is one occurrence);
- findings: the finding id, released when the finding is resolved so that a relapse alerts again.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from config.alerts import SEVERITY_RANK, AlertSettings, AnomalyAlert, BudgetAlert, FindingsAlert
from store.finding_types import FindingStatus
from store.findings import FindingStore
from tools.base import ReadOnlyTool, ToolContext, ToolResult, ToolStatus, UserFacingError

if TYPE_CHECKING:
    from agent.runtime import Runtime


@dataclass(frozen=True)
class AlertEvent:
    """One occurrence: posted once, under `key`, with what the message and the webhook show."""

    key: str
    severity: str  # critical, high, medium, low, or warning / info for budgets
    title: str
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # Lower thresholds this one stands for: recorded as seen when it posts.
    covers: tuple[str, ...] = ()


@dataclass
class AlertEvaluation:
    alert: str
    kind: str
    events: list[AlertEvent] = field(default_factory=list)
    # Occurrences that ended (resolved findings): they may fire again if they recur.
    ended: list[str] = field(default_factory=list)
    # A question that continues the conversation in the alert's thread.
    followup: str = ""
    note: str = ""
    ok: bool = True


def evaluate_alert(rt: Runtime, alert: AlertSettings, known: set[str] | None = None) -> AlertEvaluation:
    """What `alert` sees now. `known` (the keys posted before) lets a findings alert report which
    of them ended. Tool failures are reported in `note` with `ok=False`, never raised."""
    ctx = replace(rt.ctx, allowed_accounts=None)
    try:
        if isinstance(alert, BudgetAlert):
            return _budget(rt, ctx, alert)
        if isinstance(alert, AnomalyAlert):
            return _anomalies(rt, ctx, alert)
        return _findings(rt, ctx, alert, known or set())
    except UserFacingError as exc:
        return AlertEvaluation(alert.name, alert.kind, note=str(exc), ok=False)


def _run(rt: Runtime, ctx: ToolContext, tool_name: str, args: dict[str, Any]) -> ToolResult:
    tool = rt.registry[tool_name]
    if not isinstance(tool, ReadOnlyTool):
        raise UserFacingError(f"{tool_name} is not a read-only tool")
    result: ToolResult = tool.run(ctx, tool.parse(args))
    return result


def _scope(alert: BudgetAlert | AnomalyAlert) -> str:
    parts = []
    if alert.service:
        parts.append(alert.service)
    if alert.account:
        parts.append(f"account {alert.account}")
    if isinstance(alert, BudgetAlert):
        parts += [f"{k}={v}" for k, v in sorted(alert.tags.items())]
    return ", ".join(parts) or "all spend"


def _money(value: Decimal, currency: str | None) -> str:
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${cents:,}" if currency in (None, "USD") else f"{cents:,} {currency}"


def _pct(value: float) -> str:
    return f"{value:g}%"


def _budget(rt: Runtime, ctx: ToolContext, alert: BudgetAlert) -> AlertEvaluation:
    out = AlertEvaluation(alert.name, alert.kind)
    today = ctx.clock.now().date()
    month = f"{today:%Y-%m}"
    scope = _scope(alert)
    filters: dict[str, Any] = {"service": alert.service, "account": alert.account}
    query = _run(
        rt,
        ctx,
        "cost_query",
        {**filters, "tags": alert.tags, "period": "this_month", "cost_type": alert.cost_type, "chart": False},
    )
    if query.status == ToolStatus.ERROR:
        out.ok, out.note = False, query.message
        return out
    data = query.data()
    currency: str | None = data.get("currency")
    actual = Decimal(str(data.get("total", "0")))
    forecast: Decimal | None = None
    method = "forecast"
    if alert.forecast_thresholds:
        if alert.tags:  # the forecaster has no tag filter: project the month from its run rate
            forecast, method = _run_rate(actual, data.get("data_end"), today), "run rate"
        else:
            projected = _run(
                rt,
                ctx,
                "cost_forecast",
                {**filters, "target": "month_end", "cost_type": alert.cost_type, "chart": False},
            )
            if projected.status == ToolStatus.OK:
                forecast = Decimal(str(projected.data()["total"]))
                currency = currency or projected.data().get("currency")
                if projected.data().get("basis") == "run_rate":  # too little history to forecast
                    method = "run rate"
            else:
                out.note = f"no forecast: {projected.message}"
    amount = alert.amount
    base = {
        "month": month,
        "scope": scope,
        "amount": str(amount),
        "currency": currency or "USD",
        "actual": str(actual),
        "forecast": None if forecast is None else str(forecast),
    }
    for measure, value, thresholds in (
        ("actual", actual, alert.thresholds),
        ("forecast", forecast, alert.forecast_thresholds),
    ):
        if value is None:
            continue
        used = float(value / amount * 100)
        passed = [p for p in thresholds if used >= p]
        if not passed:
            continue
        top = passed[-1]
        keys = [f"{month}:{measure}:{p:g}" for p in passed]
        if measure == "actual":
            title = (
                f"Budget {alert.name} ({scope}): {_money(value, currency)} spent in {today:%B %Y} so far, "
                f"{used:.0f}% of {_money(amount, currency)} (threshold {_pct(top)})"
            )
        else:
            title = (
                f"Budget {alert.name} ({scope}): {today:%B %Y} is forecast at {_money(value, currency)} "
                f"({method}), {used:.0f}% of {_money(amount, currency)} (threshold {_pct(top)})"
            )
        out.events.append(
            AlertEvent(
                key=keys[-1],
                severity="critical" if top >= 100 else "warning",
                title=title,
                data={**base, "measure": measure, "threshold_pct": top, "used_pct": round(used, 1)},
                covers=tuple(keys[:-1]),
            )
        )
    what = f"{alert.service} " if alert.service else ""
    out.followup = f"what will we spend on {what}this month, and what drives it?"
    return out


def _run_rate(actual: Decimal, data_end: Any, today: date) -> Decimal:
    last = date.fromisoformat(str(data_end)) if data_end else today
    last = min(last, today)
    days = calendar.monthrange(today.year, today.month)[1]
    elapsed = max(1, last.day if (last.year, last.month) == (today.year, today.month) else today.day)
    return (actual / elapsed * days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _anomalies(rt: Runtime, ctx: ToolContext, alert: AnomalyAlert) -> AlertEvaluation:
    out = AlertEvaluation(alert.name, alert.kind)
    result = _run(
        rt,
        ctx,
        "cost_anomalies",
        {
            "period": alert.period,
            "group_by": alert.group_by,
            "service": alert.service,
            "account": alert.account,
            "sensitivity": alert.sensitivity,
            "limit": 100,
            "chart": False,
        },
    )
    if result.status == ToolStatus.ERROR:
        out.ok, out.note = False, result.message
        return out
    data = result.data()
    currency = data.get("currency")
    floor = SEVERITY_RANK[alert.min_severity]
    for anomaly in data.get("anomalies", []):
        if SEVERITY_RANK[anomaly["severity"]] > floor:
            continue
        impact = Decimal(str(anomaly["impact"]))
        relative = anomaly.get("relative")
        change = f" (+{relative * 100:.0f}%)" if relative is not None else ""
        days = "" if anomaly["start"] == anomaly["end"] else f" to {anomaly['end']}"
        drivers = ", ".join(d["resource_id"] or d["usage_type"] for d in anomaly.get("drivers", [])[:3])
        out.events.append(
            AlertEvent(
                key=f"{anomaly['key']}:{anomaly['start']}",
                severity=anomaly["severity"],
                title=(
                    f"{anomaly['severity'].capitalize()} cost anomaly: {anomaly['key']} spent "
                    f"{_money(Decimal(str(anomaly['actual'])), currency)} from {anomaly['start']}{days}, "
                    f"{_money(impact, currency)} above the usual{change}"
                ),
                detail=f"Drivers: {drivers}" if drivers else "",
                data={**anomaly, "currency": currency},
            )
        )
    if out.events:
        first = out.events[0].data
        out.followup = f"what drove the {first['key']} cost spike on {first['start']}?"
    else:
        out.followup = "any cost spikes in the last 7 days?"
    return out


def _findings(rt: Runtime, ctx: ToolContext, alert: FindingsAlert, known: set[str]) -> AlertEvaluation:
    out = AlertEvaluation(
        alert.name, alert.kind, followup="which findings are critical, and how do I fix them?"
    )
    result = _run(rt, ctx, "security_scan", {"services": alert.services})
    if result.status == ToolStatus.ERROR:
        out.ok, out.note = False, result.message
        return out
    data = result.data()
    floor = SEVERITY_RANK[alert.min_severity]
    for finding in data.get("findings", []):
        if finding["status"] != FindingStatus.OPEN or SEVERITY_RANK.get(finding["severity"], 9) > floor:
            continue
        where = " ".join(p for p in (finding.get("account"), finding.get("region")) if p)
        out.events.append(
            AlertEvent(
                key=finding["id"],
                severity=finding["severity"],
                title=f"{finding['severity'].capitalize()}: {finding['title']} — {finding['resource_id']}"
                + (f" ({where})" if where else ""),
                detail=finding.get("detail", ""),
                data={
                    k: finding.get(k)
                    for k in (
                        "id",
                        "severity",
                        "rule_id",
                        "title",
                        "service",
                        "account",
                        "region",
                        "resource_id",
                        "resource_type",
                        "detail",
                        "first_seen",
                        "remediation",
                        "remediation_action",
                    )
                },
            )
        )
    findings = FindingStore(ctx.store)
    for key in sorted(known):
        stored = findings.get(key)
        if stored is None or stored.status == FindingStatus.RESOLVED:
            out.ended.append(key)
    out.note = f"scan {data.get('scan_id', '')}: {data.get('resources_scanned', 0)} resources"
    return out
