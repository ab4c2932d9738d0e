"""PNG charts for cost answers (matplotlib, Agg backend), written under settings.data_dir/charts.

Charts carry the answer's figures only; they are rendered by the front-ends (Slack uploads
them, the terminal prints their path).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.cost.money import money
from tools.presentation import Chart

if TYPE_CHECKING:
    from config import Settings

_COLOURS = ("#2f6db5", "#e07b39", "#4a9d5b", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c")


def chart_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "charts"


def _pyplot() -> Any:
    import matplotlib

    # A file backend: no display is needed or wanted on servers.
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _path(settings: Settings, stem: str) -> Path:
    folder = chart_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stem}-{uuid.uuid4().hex[:12]}.png"


def _money_axis(ax: Any, currency: str | None, axis: str = "y") -> None:
    """Money tick labels on the value axis: y for vertical charts, x for horizontal bars (whose y
    axis carries the category names)."""
    from matplotlib.ticker import FuncFormatter

    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency or "", "")

    def fmt(value: float, _pos: int) -> str:
        if abs(value) >= 1_000_000:
            return f"{symbol}{value / 1_000_000:.1f}M"
        if abs(value) >= 10_000:
            return f"{symbol}{value / 1000:.0f}k"
        if abs(value) >= 1000:
            return f"{symbol}{value / 1000:.1f}k"
        return f"{symbol}{value:,.2f}" if abs(value) < 10 else f"{symbol}{value:,.0f}"

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(fmt))


def _from_zero(ax: Any, axis: str, values: Sequence[float]) -> None:
    """Start the value axis at zero (bars and areas are read from zero), unless a value is negative."""
    if all(v >= 0 for v in values):
        if axis == "x":
            ax.set_xlim(left=0)
        else:
            ax.set_ylim(bottom=0)


def window_title(prefix: str, days: Sequence[date]) -> str:
    """A title naming the window actually plotted: its first and last day."""
    if not days:
        return prefix
    first, last = min(days), max(days)
    return f"{prefix}, {first.isoformat()} to {last.isoformat()}"


def _save(fig: Any, plt: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def breakdown_chart(
    settings: Settings, title: str, labels: Sequence[str], values: Sequence[float], currency: str | None
) -> Chart:
    """Horizontal bars, largest on top: category names on the y axis, money on the x axis."""
    plt = _pyplot()
    ranked = sorted(zip(labels, values, strict=True), key=lambda lv: lv[1], reverse=True)
    height = max(2.5, 0.38 * len(ranked) + 1.2)
    fig, ax = plt.subplots(figsize=(8.5, height))
    # barh draws its first bar at the bottom: reverse so the largest is on top.
    data = [v for _, v in ranked][::-1]
    y = list(range(len(data)))
    bars = ax.barh(y, data, color=_COLOURS[0])
    ax.set_yticks(y)
    ax.set_yticklabels([_short(label) for label, _ in ranked][::-1], fontsize=8)
    for bar, value in zip(bars, data, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {_label(value, currency)}",
            va="center",
            fontsize=8,
        )
    ax.set_title(title, fontsize=11)
    _money_axis(ax, currency, "x")
    _from_zero(ax, "x", data)
    if data and max(data) > 0:  # room for the value labels at the end of the longest bar
        ax.set_xlim(right=max(data) * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    path = _path(settings, "breakdown")
    _save(fig, plt, path)
    return Chart(
        title=title,
        path=path,
        alt_text=_alt(title, [label for label, _ in ranked], [v for _, v in ranked], currency),
    )


@dataclass(frozen=True)
class Band:
    """A forecast: points and an interval for days after the actuals."""

    days: Sequence[date]
    values: Sequence[float]
    low: Sequence[float]
    high: Sequence[float]


def trend_chart(
    settings: Settings,
    title: str,
    buckets: Sequence[str],
    series: dict[str, Sequence[float]],
    currency: str | None,
    *,
    stacked: bool = True,
    forecast: Band | None = None,
    marks: Sequence[tuple[str, float, str]] = (),
) -> Chart:
    """Spend over time: stacked bars per group (or one line), a forecast band, marked points."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 4.2))
    x = list(range(len(buckets)))
    if len(series) == 1 and not stacked:
        ((name, values),) = series.items()
        ax.plot(x, list(values), color=_COLOURS[0], linewidth=1.6, label=name)
    else:
        bottom = [0.0] * len(buckets)
        for i, (name, values) in enumerate(series.items()):
            vals = list(values)
            ax.bar(x, vals, bottom=bottom, color=_COLOURS[i % len(_COLOURS)], label=_short(name), width=0.85)
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    if forecast is not None and forecast.days:
        fx = list(range(len(buckets), len(buckets) + len(forecast.days)))
        ax.plot(fx, list(forecast.values), color=_COLOURS[1], linestyle="--", linewidth=1.6, label="forecast")
        ax.fill_between(
            fx, list(forecast.low), list(forecast.high), color=_COLOURS[1], alpha=0.2, label="interval"
        )
        labels = list(buckets) + [d.isoformat() for d in forecast.days]
    else:
        labels = list(buckets)
    index = {b: i for i, b in enumerate(labels)}
    for bucket, value, text in marks:
        if bucket in index:
            ax.scatter([index[bucket]], [value], color=_COLOURS[3], zorder=5, s=36)
            ax.annotate(
                _short_note(text),
                (index[bucket], value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
                color=_COLOURS[3],
            )
    step = max(1, len(labels) // 12)
    ax.set_xticks(list(range(0, len(labels), step)))
    ax.set_xticklabels([labels[i] for i in range(0, len(labels), step)], rotation=35, ha="right", fontsize=8)
    ax.set_title(title, fontsize=11)
    _money_axis(ax, currency)
    plotted = [v for vals in series.values() for v in vals]
    if forecast is not None:
        plotted += [*forecast.values, *forecast.low, *forecast.high]
    _from_zero(ax, "y", plotted)
    top = max([*plotted, *(value for _, value, _ in marks)], default=0.0)
    if top > 0:  # headroom for the legend and the marks' notes, clear of the title
        ax.set_ylim(top=top * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1 or forecast is not None or marks:
        ax.legend(fontsize=7, loc="upper left", ncols=2)
    path = _path(settings, "trend")
    _save(fig, plt, path)
    totals = [sum(vals) for vals in zip(*series.values(), strict=True)] if series else []
    return Chart(title=title, path=path, alt_text=_alt(title, list(buckets), totals, currency))


def comparison_chart(
    settings: Settings,
    title: str,
    labels: Sequence[str],
    current: Sequence[float],
    previous: Sequence[float],
    names: tuple[str, str],
    currency: str | None,
) -> Chart:
    """Paired bars: this period against the one compared with, per group."""
    plt = _pyplot()
    ranked = sorted(zip(labels, current, previous, strict=True), key=lambda r: r[1], reverse=True)
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.45 * len(ranked) + 1.4)))
    y = list(range(len(ranked)))[::-1]  # the first (largest) on top
    ax.barh(
        [v + 0.2 for v in y], [r[2] for r in ranked], height=0.4, color=_COLOURS[7], label=_short(names[1])
    )
    ax.barh(
        [v - 0.2 for v in y], [r[1] for r in ranked], height=0.4, color=_COLOURS[0], label=_short(names[0])
    )
    ax.set_yticks(y)
    ax.set_yticklabels([_short(r[0]) for r in ranked], fontsize=8)
    ax.set_title(title, fontsize=11)
    _money_axis(ax, currency, "x")
    _from_zero(ax, "x", [*current, *previous])
    ax.legend(fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    path = _path(settings, "comparison")
    _save(fig, plt, path)
    return Chart(title=title, path=path, alt_text=_alt(title, labels, current, currency))


def _short(text: str, limit: int = 28) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut (the table keeps the full name)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_note(text: str) -> str:
    """A mark's note, "name: figure": shorten the name, keep the figure."""
    name, sep, figure = text.rpartition(": ")
    return f"{_short(name, max(8, 28 - len(figure) - 2))}{sep}{figure}" if sep else _short(text)


def _label(value: float, currency: str | None) -> str:
    return money(value, currency)


def _alt(title: str, labels: Sequence[str], values: Sequence[float], currency: str | None) -> str:
    parts = [f"{label}: {money(v, currency)}" for label, v in list(zip(labels, values, strict=False))[:8]]
    return f"{title}. " + "; ".join(parts)
