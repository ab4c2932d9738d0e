"""PNG charts for cost answers (matplotlib, Agg backend), written under settings.data_dir/charts.

Charts carry the answer's figures only; they are rendered by the front-ends (Slack uploads
them, the terminal prints their path).
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
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

    target = ax.xaxis if axis == "x" else ax.yaxis

    def fmt(value: float, _pos: int) -> str:
        # Exact for each tick, alike along the axis: "$0, $500, $1k, $1.5k", "$0.00, $2.50, $5.00".
        sign, size = ("-" if value < 0 else ""), abs(value)
        ticks = [abs(t) for t in target.get_majorticklocs()]
        top = max(ticks, default=size)
        if size >= 1000:
            scale, unit = (1_000_000, "M") if size >= 1_000_000 else (1000, "k")
            return f"{sign}{symbol}{f'{size / scale:,.2f}'.rstrip('0').rstrip('.')}{unit}"
        if top >= 10 and all(abs(t - round(t)) < 1e-9 for t in ticks):
            return f"{sign}{symbol}{size:,.0f}"
        # Ticks a fraction of a cent apart need more places, or they all read "$0.00".
        places = 2 if top >= 0.1 else 3 if top >= 0.01 else 4
        return f"{sign}{symbol}{size:,.{places}f}"

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


def caption_of(fig: Any) -> str | None:
    """The caption written under a figure's plot, if any."""
    found = [t.get_text() for t in fig.texts if t.get_gid() == "caption"]
    return found[0] if found else None


def _save(fig: Any, plt: Any, path: Path) -> None:
    text = caption_of(fig)
    if text is None:
        fig.tight_layout()
    else:  # keep the caption's lines clear of the plot
        lines = text.count("\n") + 1
        fig.tight_layout(rect=(0, (0.17 * lines + 0.08) / fig.get_size_inches()[1], 1, 1))
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
    """What comes after the actuals: a forecast with its interval, or a flat run rate (low == high:
    no interval is drawn). It is drawn from the last actual point, so the two never part."""

    days: Sequence[date]
    values: Sequence[float]
    low: Sequence[float]
    high: Sequence[float]
    label: str = "forecast"
    interval_label: str = "80% interval"
    # The days the answer is about (first, last), shaded and named; None: nothing shaded.
    window: tuple[date, date] | None = None
    window_label: str = ""


@dataclass(frozen=True)
class Mark:
    """A point to mark on one series (an anomaly of that service), with its note."""

    bucket: str
    series: str
    text: str


# Lines of a few groups under this fraction of the total get a panel of their own under it.
SPLIT_BELOW = 0.25
# A forecast band may reach this far above the highest point (actual or forecast) before it is cut
# at the chart's edge: a wider band would flatten the series it belongs to into the floor.
BAND_CLIP = 1.5
_MARK = "#c44e52"
_LINES = tuple(c for c in _COLOURS if c != _MARK)
_CONTEXT = "#b9c3cf"


def trend_chart(
    settings: Settings,
    title: str,
    buckets: Sequence[str],
    series: Mapping[str, Sequence[float]],
    currency: str | None,
    *,
    stacked: bool = True,
    forecast: Band | None = None,
    marks: Sequence[Mark] = (),
    total: tuple[str, Sequence[float]] | None = None,
    caption: str | None = None,
) -> Chart:
    """Spend over time: stacked bars per group, or one line per series; optionally a `total` drawn
    as a grey area behind the lines, a forecast joined to the last actual point, and marks placed
    on the series they belong to. Daily buckets (ISO dates) sit on a true time axis: a day without
    charges keeps its place instead of being squeezed out. `caption` (and any note about a cut
    band) is written under the plot."""
    plt = _pyplot()
    notes = [caption] if caption else []
    x, origin = _positions(buckets)
    small = max((v for vals in series.values() for v in vals), default=0.0)
    big = max(total[1], default=0.0) if total is not None else 0.0
    # Lines far below the total would lie flat along its floor: give them a panel of their own.
    split = total is not None and not stacked and bool(series) and 0 < small < SPLIT_BELOW * big
    if split:
        fig, (top_ax, ax) = plt.subplots(
            2, 1, sharex=True, figsize=(10, 6.6), gridspec_kw={"height_ratios": [1.0, 1.5]}
        )
    else:
        fig, ax = plt.subplots(figsize=(10, 4.4))
        top_ax = ax
    tops: list[float] = []  # the y of what is drawn on `ax`, for its limits
    ys: dict[str, list[float]] = {}  # where each series' marks sit
    if total is not None:
        name, values = total
        vals = list(values)
        top_ax.fill_between(
            x, [0.0] * len(vals), vals, color=_CONTEXT, alpha=0.55, linewidth=0, label=_short(name)
        )
        top_ax.plot(x, vals, color="#8c9aab", linewidth=1.0)
        ys[name] = vals
        if split:
            _money_axis(top_ax, currency)
            _from_zero(top_ax, "y", vals)
            top_ax.spines[["top", "right"]].set_visible(False)
            top_ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
            ax.set_title("on their own scale", fontsize=9, loc="left", color="#555555")
        else:
            tops += vals
    if stacked and series:
        # Charges stack up from zero, credits down from it.
        up, down = [0.0] * len(buckets), [0.0] * len(buckets)
        for i, (name, values) in enumerate(series.items()):
            vals = list(values)
            bottom = [u if v >= 0 else d for u, d, v in zip(up, down, vals, strict=True)]
            ax.bar(x, vals, bottom=bottom, color=_LINES[i % len(_LINES)], label=_short(name), width=0.85)
            ys[name] = [b + v for b, v in zip(bottom, vals, strict=True)]
            up = [u + max(v, 0.0) for u, v in zip(up, vals, strict=True)]
            down = [d + min(v, 0.0) for d, v in zip(down, vals, strict=True)]
        tops += up + down
        shown = [u + d for u, d in zip(up, down, strict=True)]
    else:
        for i, (name, values) in enumerate(series.items()):
            vals = list(values)
            ax.plot(x, vals, color=_LINES[i % len(_LINES)], linewidth=1.6, label=_short(name))
            ys[name] = vals
            tops += vals
        # The forecast joins what a reader takes for "the spend": the total, else the sum of the lines.
        sums = [sum(day) for day in zip(*series.values(), strict=True)]
        shown = ys[total[0]] if total is not None else sums
    if forecast is not None and forecast.days and x:
        tops += _draw_forecast(ax, forecast, x, origin, buckets, shown, notes, currency)
    _tick_labels(ax, buckets, x, origin, forecast)
    levels = _draw_marks(ax, marks, x, buckets, ys)
    top_ax.set_title(title, fontsize=11)
    _money_axis(ax, currency)
    _from_zero(ax, "y", tops)
    top = max(tops, default=0.0)
    if top > 0:  # headroom for the marks' notes, clear of the title
        ax.set_ylim(top=top * (1.12 + 0.1 * levels))
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1 or forecast is not None or marks or total is not None:
        # Beside the plot, never over the data.
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _caption(fig, notes)
    path = _path(settings, "trend")
    _save(fig, plt, path)
    sums = [sum(vals) for vals in zip(*series.values(), strict=True)] if series else []
    alt_values = list(total[1]) if total is not None else sums
    return Chart(title=title, path=path, alt_text=_alt(title, list(buckets), alt_values, currency))


def _positions(buckets: Sequence[str]) -> tuple[list[float], date | None]:
    """x of each bucket: days since the first for daily buckets, else the bucket's index."""
    try:
        days = [date.fromisoformat(b) for b in buckets]
    except ValueError:
        days = []
    if not days or any(len(b) != 10 for b in buckets):
        return [float(i) for i in range(len(buckets))], None
    return [float((d - days[0]).days) for d in days], days[0]


def _x_of(day: date, origin: date | None, after: int, index: int) -> float:
    return float((day - origin).days) if origin is not None else float(after + index)


def _draw_forecast(
    ax: Any,
    band: Band,
    x: list[float],
    origin: date | None,
    buckets: Sequence[str],
    shown: list[float],
    notes: list[str],
    currency: str | None,
) -> list[float]:
    """The forecast line (and band) from the last actual point on; returns the y values drawn."""
    fx = [_x_of(d, origin, len(buckets), i) for i, d in enumerate(band.days)]
    last_x = x[-1]
    last_y = shown[-1] if shown else band.values[0]
    line_x, line_y = [last_x, *fx], [last_y, *band.values]
    ax.plot(line_x, line_y, color=_COLOURS[1], linestyle="--", linewidth=1.8, label=band.label)
    drawn = [*band.values]
    if any(h > lo for lo, h in zip(band.low, band.high, strict=True)):
        limit = BAND_CLIP * max([*shown, *band.values], default=0.0)
        high = [min(h, limit) for h in band.high] if limit > 0 else list(band.high)
        ax.fill_between(
            line_x,
            [last_y, *band.low],
            [last_y, *high],
            color=_COLOURS[1],
            alpha=0.2,
            label=band.interval_label,
        )
        drawn += high
        if limit > 0 and max(band.high) > limit:
            notes.append(
                f"The {band.interval_label} reaches {money(max(band.high), currency)} a day, "
                f"past the top of the chart ({money(limit, currency)})."
            )
    ax.axvline(last_x, color="#8c8c8c", linestyle=":", linewidth=1.0)
    ax.annotate(
        f"last actual day {buckets[-1]} ",
        (last_x, 0.98),
        xycoords=("data", "axes fraction"),
        ha="right",
        va="top",
        fontsize=7,
        color="#555555",
    )
    if band.window is not None:
        first, last = band.window
        x0 = _x_of(first, origin, len(buckets), _index(band.days, first))
        x1 = _x_of(last, origin, len(buckets), _index(band.days, last))
        ax.axvspan(x0 - 0.5, x1 + 0.5, color="#8c8c8c", alpha=0.08, linewidth=0)
        if band.window_label:
            ax.annotate(
                band.window_label,
                ((x0 + x1) / 2, 0.98),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="top",
                fontsize=8,
                color="#555555",
            )
    return drawn


def _index(days: Sequence[date], day: date) -> int:
    return list(days).index(day) if day in days else 0


def _tick_labels(
    ax: Any, buckets: Sequence[str], x: list[float], origin: date | None, forecast: Band | None
) -> None:
    """About a dozen readable x ticks: whole weeks apart on a long daily axis."""
    if origin is not None:
        ahead = list(forecast.days) if forecast is not None else []
        last = max([origin + timedelta(days=int(x[-1])) if x else origin, *ahead])
        span = (last - origin).days
        step = max(1, -(-span // 12))
        if step > 3:
            step = 7 * -(-step // 7)
        ticks = list(range(0, span + 1, step))
        labels = [(origin + timedelta(days=t)).isoformat() for t in ticks]
    else:
        labels = list(buckets) + ([d.isoformat() for d in forecast.days] if forecast is not None else [])
        step = max(1, -(-len(labels) // 12))
        ticks = list(range(0, len(labels), step))
        labels = [labels[t] for t in ticks]
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, rotation=35, ha="right", fontsize=8)


def _draw_marks(
    ax: Any, marks: Sequence[Mark], x: list[float], buckets: Sequence[str], ys: dict[str, list[float]]
) -> int:
    """Ring each mark on its own series (the top of its bar segment when stacked) and write its
    note above; notes of nearby marks are stacked so they do not overlap. Returns the levels used."""
    index = {b: i for i, b in enumerate(buckets)}
    placed: list[tuple[float, int]] = []
    for mark in sorted(marks, key=lambda m: index.get(m.bucket, -1)):
        i = index.get(mark.bucket)
        values = ys.get(mark.series)
        if i is None or values is None:
            continue
        px, py = x[i], values[i]
        near = {level for qx, level in placed if abs(qx - px) < 6}
        level = min(set(range(len(near) + 1)) - near)
        placed.append((px, level))
        ax.scatter([px], [py], s=70, facecolors="none", edgecolors=_MARK, linewidths=1.8, zorder=6)
        ax.annotate(
            _short_note(mark.text),
            (px, py),
            textcoords="offset points",
            xytext=(0, 8 + 11 * level),
            ha="center",
            fontsize=7,
            color=_MARK,
            zorder=7,
        )
    return max((level for _, level in placed), default=0) + (1 if placed else 0)


def _caption(fig: Any, notes: Sequence[str]) -> None:
    """Notes under the plot (a short history, a cut band): part of the figure, not only the answer."""
    if not notes:
        return
    text = "\n".join(textwrap.fill(n, 130) for n in notes)
    lines = text.count("\n") + 1
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height + 0.17 * lines)
    fig.text(0.01, 0.01, text, fontsize=8, style="italic", color="#444444", va="bottom", gid="caption")


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
    # Under the axis, never over the bars.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncols=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    path = _path(settings, "comparison")
    _save(fig, plt, path)
    return Chart(title=title, path=path, alt_text=_alt(title, labels, current, currency))


def _short(text: str, limit: int = 28) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut (the table keeps the full name).

    The cut is in the middle: names of one vendor share their start ("Amazon Elastic Container
    Service" / "… Registry"), so the end is what tells them apart.
    """
    if len(text) <= limit:
        return text
    tail = max(1, (limit - 1) // 3)
    head = limit - 1 - tail
    return text[:head].rstrip() + "…" + text[-tail:].lstrip()


def _short_note(text: str) -> str:
    """A mark's note, "name: figure": shorten the name, keep the figure."""
    name, sep, figure = text.rpartition(": ")
    return f"{_short(name, max(8, 28 - len(figure) - 2))}{sep}{figure}" if sep else _short(text)


def _label(value: float, currency: str | None) -> str:
    return money(value, currency)


def _alt(title: str, labels: Sequence[str], values: Sequence[float], currency: str | None) -> str:
    parts = [f"{label}: {money(v, currency)}" for label, v in list(zip(labels, values, strict=False))[:8]]
    return f"{title}. " + "; ".join(parts)
