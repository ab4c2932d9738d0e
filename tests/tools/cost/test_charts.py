"""The PNG charts: category names on the category axis, money on the value axis from zero, bars
sorted, long names shortened, and trend titles naming the window drawn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from tools.base import ToolContext
from tools.cost import charts
from tools.cost.charts import Band, breakdown_chart, caption_of, comparison_chart, trend_chart
from tools.cost.cost_anomalies import CostAnomalies
from tools.cost.cost_forecast import CostForecast
from tools.cost.cost_query import CostQuery
from tools.savings.savings_opportunities import _KIND_LABELS

Figures = list[Any]


@pytest.fixture
def query_chart(cost_ctx: ToolContext) -> Callable[..., Any]:
    tool = CostQuery()
    return lambda **args: tool.run(cost_ctx, tool.parse({"chart": True, **args}))


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> Figures:
    """Each chart's figure, drawn, as it is saved."""
    seen: Figures = []
    save = charts._save

    def capture(fig: Any, plt: Any, path: Path) -> None:
        fig.canvas.draw()
        seen.append(fig)
        save(fig, plt, path)

    monkeypatch.setattr(charts, "_save", capture)
    return seen


def _ticks(labels: list[Any]) -> list[str]:
    return [t.get_text() for t in labels if t.get_text()]


def _top_down(ax: Any) -> list[str]:
    """The y tick labels as read, from the top of the chart down."""
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels(), strict=True), key=lambda t: -t[0])
    return [label.get_text() for _, label in ticks]


def _is_money(text: str) -> bool:
    return text.startswith("$") and text[1:].replace(",", "").replace(".", "").rstrip("kM").isdigit()


def _png(path: Path) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


LONG = "Amazon Elastic Container Service for Kubernetes"


def test_breakdown_names_on_y_sorted_money_on_x_from_zero(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    labels = ["S3", LONG, "EC2", "RDS"]
    values = [3.5, 1.25, 14.0, 7.0]
    chart = breakdown_chart(settings, "Cost by service", labels, values, "USD")
    _png(chart.path)
    ((fig,),) = [figures]
    ax = fig.axes[0]
    names = _top_down(ax)
    assert names == ["EC2", "RDS", "S3", charts._short(LONG)]
    assert not any(_is_money(n) for n in names)
    money = _ticks(ax.get_xticklabels())
    assert money and all(_is_money(t) for t in money), money
    assert ax.get_xlim()[0] == 0
    assert "…" in charts._short(LONG) and len(charts._short(LONG)) <= 28
    note = charts._short_note(f"{LONG}: +$40.00")
    assert "…" in note and note.endswith(": +$40.00") and len(note) <= 28
    # Names of one vendor share their start: the shortened forms must still differ.
    siblings = {charts._short(f"Amazon Elastic Container {end}") for end in ("Service", "Registry")}
    assert len(siblings) == 2
    assert chart.alt_text.startswith("Cost by service. EC2: ")


def test_savings_chart_is_sorted(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    by_kind = dict(zip(list(_KIND_LABELS.values())[:4], [2.0, 40.0, 0.5, 12.0], strict=True))
    breakdown_chart(
        settings, "Estimated monthly savings by kind", list(by_kind), list(by_kind.values()), "USD"
    )
    ax = figures[0].axes[0]
    shown = _top_down(ax)
    expected = sorted(by_kind, key=by_kind.__getitem__, reverse=True)
    assert shown == [charts._short(k) for k in expected]
    bars = sorted(ax.patches, key=lambda bar: -bar.get_y())
    widths = [bar.get_width() for bar in bars]
    assert widths == sorted(widths, reverse=True)


def test_comparison_names_on_y_money_on_x(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    chart = comparison_chart(
        settings, "EC2 vs", ["S3", "EC2", LONG], [1.0, 9.0, 4.0], [2.0, 8.0, 3.0], ("Oct", "Sep"), "USD"
    )
    _png(chart.path)
    ax = figures[0].axes[0]
    assert _top_down(ax) == ["EC2", charts._short(LONG), "S3"]
    assert all(_is_money(t) for t in _ticks(ax.get_xticklabels()))
    assert ax.get_xlim()[0] == 0


@pytest.mark.parametrize("stacked", [False, True])
def test_trend_value_axis_from_zero(tmp_path: Path, figures: Figures, stacked: bool) -> None:
    settings = load_settings(data_dir=tmp_path)
    days = [date(2024, 10, 1) + timedelta(days=i) for i in range(10)]
    band = Band([date(2024, 10, 11)], [105.0], [95.0], [115.0])
    trend_chart(
        settings,
        "t",
        [d.isoformat() for d in days],
        {LONG: [100.0 + i for i in range(10)]},
        "USD",
        stacked=stacked,
        forecast=band,
    )
    ax = figures[0].axes[0]
    assert ax.get_ylim()[0] == 0
    assert all(_is_money(t) for t in _ticks(ax.get_yticklabels()))


def test_anomalies_title_names_the_plotted_window(cost_ctx: ToolContext, figures: Figures) -> None:
    tool = CostAnomalies()
    result = tool.run(cost_ctx, tool.parse({"chart": True}))
    (chart,) = result.charts
    _png(chart.path)
    ax = figures[-1].axes[0]
    xs = [x for line in ax.get_lines() for x in line.get_xdata()]
    assert min(xs) == 0
    # The x tick labels are the plotted days: the first tick is the first day drawn.
    first = _ticks(ax.get_xticklabels())[0]
    last = date.fromisoformat(first) + timedelta(days=int(max(xs)))
    assert chart.title.startswith(f"Daily usage spend, {first} to {last.isoformat()}")
    assert ax.get_title() == chart.title
    assert ax.get_ylim()[0] <= 0  # zero on the axis (a credit may take a day below it)


def test_forecast_title_names_the_plotted_window(cost_ctx: ToolContext, figures: Figures) -> None:
    tool = CostForecast()
    result = tool.run(cost_ctx, tool.parse({"chart": True}))
    (chart,) = result.charts
    ax = figures[-1].axes[0]
    xs = [x for line in ax.get_lines() for x in line.get_xdata()]
    first = _ticks(ax.get_xticklabels())[0]
    last = date.fromisoformat(first) + timedelta(days=int(max(xs)))
    assert chart.title.endswith(f", {first} to {last.isoformat()}")


def test_render_each_chart(tmp_path: Path) -> None:
    """One of each chart type renders to a PNG."""
    render_all(tmp_path)


def render_all(folder: Path) -> list[Path]:
    settings = load_settings(data_dir=folder)
    days = [date(2024, 8, 18) + timedelta(days=i) for i in range(58)]
    paths = [
        breakdown_chart(
            settings,
            "Cost by service, October 2024",
            ["Amazon EC2", LONG, "Amazon S3", "AWS Lambda", "Amazon Relational Database Service"],
            [14.0, 3.2, 6.5, 0.4, 9.9],
            "USD",
        ).path,
        comparison_chart(
            settings,
            "Cost by region: October vs September",
            ["us-east-1", "eu-west-1", "ap-southeast-2"],
            [120.0, 40.0, 8.0],
            [100.0, 55.0, 9.0],
            ("October 2024", "September 2024"),
            "USD",
        ).path,
        trend_chart(
            settings,
            charts.window_title("Daily usage spend", days),
            [d.isoformat() for d in days],
            {"daily spend": [80.0 + (i % 7) * 3 for i in range(len(days))]},
            "USD",
            stacked=False,
            marks=[charts.Mark(days[40].isoformat(), "daily spend", f"{LONG}: +$40.00")],
        ).path,
        trend_chart(
            settings,
            "Cost per month",
            ["2024-07", "2024-08", "2024-09"],
            {LONG: [10.0, 12.0, 11.0], "Amazon S3": [4.0, 5.0, 6.0]},
            "USD",
        ).path,
    ]
    for p in paths:
        _png(p)
    return paths


# -- marks on their own series, forecasts joined to the actuals, captions, exact ticks ----------


def _rings(ax: Any) -> list[tuple[float, float]]:
    """The scattered points (the marks' rings) of an axes."""
    from matplotlib.collections import PathCollection

    rings: list[Any] = [c for c in ax.collections if isinstance(c, PathCollection)]
    return [(float(o[0]), float(o[1])) for c in rings for o in c.get_offsets()]


def _line(ax: Any, label: str) -> Any:
    return next(line for line in ax.get_lines() if line.get_label() == label)


def _y_at(line: Any, x: float) -> float:
    xs, ys = list(line.get_xdata()), list(line.get_ydata())
    return float(ys[xs.index(x)])


def _notes(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _value(label: str) -> float:
    """A money tick label read back: "$1.25k" is 1250."""
    text = label.replace("$", "").replace(",", "").replace("−", "-")
    scale = {"k": 1e3, "M": 1e6}.get(text[-1:], 1.0)
    return float(text.rstrip("kM")) * scale


def _days(n: int, first: date = date(2024, 9, 1)) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range(n)]


@pytest.mark.parametrize("big_total", [True, False])
def test_marks_sit_on_their_own_line(tmp_path: Path, figures: Figures, big_total: bool) -> None:
    settings = load_settings(data_dir=tmp_path)
    buckets = _days(20)
    a, b = [10.0] * 20, [5.0] * 20
    b[12] = 9.0
    total = [x + y + (100.0 if big_total else 0.0) for x, y in zip(a, b, strict=True)]
    trend_chart(
        settings,
        "t",
        buckets,
        {"A": a, LONG: b},
        "USD",
        stacked=False,
        marks=[charts.Mark(buckets[12], LONG, f"{LONG}: +$4.00")],
        total=("total", total),
    )
    fig = figures[0]
    # Lines far below the total get their own panel under it; the title stays on top.
    assert len(fig.axes) == (2 if big_total else 1)
    ax = fig.axes[-1]
    assert fig.axes[0].get_title() == "t"
    assert _rings(ax) == [(12.0, 9.0)]
    assert _y_at(_line(ax, charts._short(LONG)), 12.0) == 9.0 != total[12]
    (note,) = [n for n in _notes(ax) if "+$4.00" in n]
    assert note == charts._short_note(f"{LONG}: +$4.00") and note.startswith(LONG[:10])
    for axis in fig.axes:
        assert axis.get_ylim()[0] == 0


def test_marks_sit_on_their_stacked_segment(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    buckets = _days(10)
    trend_chart(
        settings,
        "t",
        buckets,
        {"A": [10.0] * 10, "B": [5.0] * 9 + [20.0]},
        "USD",
        marks=[charts.Mark(buckets[9], "B", "B: +$15.00"), charts.Mark(buckets[3], "A", "A: +$1.00")],
    )
    ax = figures[0].axes[0]
    # The top of each series' own segment: A's bar from 0, B's on top of A's.
    assert sorted(_rings(ax)) == [(3.0, 10.0), (9.0, 30.0)]
    assert ax.get_ylim()[0] == 0


def test_anomaly_marks_on_the_demo_data(cost_ctx: ToolContext, demo_store: Any, figures: Figures) -> None:
    cost_ctx.services.cost_store = demo_store
    tool = CostAnomalies()
    result = tool.run(cost_ctx, tool.parse({"period": "last_90_days", "group_by": "account"}))
    assert result.anomalies
    fig = figures[-1]
    ax = fig.axes[-1]
    first = date.fromisoformat(_ticks(ax.get_xticklabels())[0])
    rings = _rings(ax)
    assert len(rings) == len(result.anomalies[:6])
    for a in result.anomalies[:6]:
        x = float((a.start - first).days)
        line = _line(ax, charts._short(a.key))
        assert (x, _y_at(line, x)) in rings, a.key
        assert any(n.startswith(charts._short_note(f"{a.key}: ")[:6]) and a.key[:6] in n for n in _notes(ax))
    assert caption_of(fig) is None


def test_forecast_starts_at_the_last_actual_point(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    buckets = _days(30)
    actual = [100.0 + (i % 7) for i in range(30)]
    # The data ends on 2024-09-30; the forecast's first day is 2024-10-01.
    ahead = [date(2024, 10, 1) + timedelta(days=i) for i in range(31)]
    band = Band(
        ahead, [104.0] * 31, [95.0] * 31, [112.0] * 31, window=(ahead[0], ahead[-1]), window_label="Oct"
    )
    trend_chart(settings, "t", buckets, {"actual": actual}, "USD", stacked=False, forecast=band)
    ax = figures[0].axes[0]
    line = _line(ax, "forecast")
    assert (line.get_xdata()[0], line.get_ydata()[0]) == (29.0, actual[-1])
    assert line.get_xdata()[1] == 30.0  # the day after the last actual day, no gap
    assert "last actual day 2024-09-30 " in _notes(ax) and "Oct" in _notes(ax)
    assert ax.get_ylim()[0] == 0
    assert caption_of(figures[0]) is None


def test_a_wide_band_is_cut_and_said(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    ahead = [date(2024, 10, 1) + timedelta(days=i) for i in range(10)]
    band = Band(ahead, [10.0] * 10, [0.0] * 10, [400.0] * 10)
    trend_chart(settings, "t", _days(30), {"actual": [10.0] * 30}, "USD", stacked=False, forecast=band)
    fig = figures[0]
    top = fig.axes[0].get_ylim()[1]
    assert top <= charts.BAND_CLIP * 10.0 * 1.2  # the series is not flattened by the band
    caption = caption_of(fig)
    assert caption is not None and "reaches $400.00 a day, past the top of the chart ($15.00)" in caption


def test_short_history_charts_carry_a_caption(cost_ctx: ToolContext, figures: Figures) -> None:
    tool = CostForecast()
    result = tool.run(cost_ctx, tool.parse({"target": "next_month"}))
    fig = figures[-1]
    caption = caption_of(fig)
    assert caption is not None and caption.startswith("No forecast: ")
    ax = fig.axes[0]
    rate = _line(ax, next(line.get_label() for line in ax.get_lines() if "run rate" in line.get_label()))
    last_actual = _line(ax, "actual")
    assert rate.get_xdata()[0] == last_actual.get_xdata()[-1]
    assert rate.get_ydata()[0] == last_actual.get_ydata()[-1]
    assert "November 2024" in _notes(ax) and result.charts[0].title.startswith(
        "Daily usage spend and run rate"
    )
    spikes = CostAnomalies()
    spikes.run(cost_ctx, spikes.parse({}))
    caption = caption_of(figures[-1])
    assert caption is not None and caption.startswith("Too little history to judge anomalies")


def test_long_history_forecast_has_its_band_and_no_caption(
    cost_ctx: ToolContext, demo_store: Any, figures: Figures
) -> None:
    cost_ctx.services.cost_store = demo_store
    tool = CostForecast()
    tool.run(cost_ctx, tool.parse({}))
    fig = figures[-1]
    assert caption_of(fig) is None
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["actual", "forecast", "80% interval"]
    assert ax.get_ylim()[0] == 0


@pytest.mark.parametrize(
    "values", [[14.0, 3.2, 6.5, 0.4, 17.5], [2400.0, 1250.0, 300.0], [0.004, 0.012, 0.03]]
)
def test_money_ticks_are_exact(tmp_path: Path, figures: Figures, values: list[float]) -> None:
    settings = load_settings(data_dir=tmp_path)
    breakdown_chart(settings, "t", [f"s{i}" for i in range(len(values))], values, "USD")
    ax = figures[0].axes[0]
    ticks = [(t, label.get_text()) for t, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True)]
    assert len({label for _, label in ticks}) == len(ticks)  # no two ticks read the same
    for tick, label in ticks:
        assert _value(label) == pytest.approx(tick, abs=1e-9), (tick, label)


def test_sub_cent_bar_label(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    breakdown_chart(settings, "t", ["EC2", "SNS"], [16.04, 0.000001], "USD")
    assert " < $0.01" in _notes(figures[0].axes[0])


def test_credits_stack_down_from_zero(tmp_path: Path, figures: Figures) -> None:
    settings = load_settings(data_dir=tmp_path)
    trend_chart(settings, "t", _days(3), {"A": [1.0, 2.0, 3.0], "Other": [0.5, -0.4, 0.2]}, "USD")
    ax = figures[0].axes[0]
    credit = next(bar for bar in ax.patches if bar.get_height() < 0)
    assert credit.get_y() == 0 and ax.get_ylim()[0] < 0


def test_trend_per_day_by_service(query_chart: Callable[..., Any], figures: Figures) -> None:
    result = query_chart(granularity="daily", group_by="service")
    assert [c.title for c in result.charts] == [
        "Cost by service, September 2024",
        "Cost per day by service, September 2024",
    ]
    ax = figures[-1].axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "Amazon Elastic Compute Cloud" and labels[-1] == "Other" and len(labels) == 7
    assert _ticks(ax.get_xticklabels())[0] == "2024-09-01"
