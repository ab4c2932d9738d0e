"""The PNG charts: category names on the category axis, money on the value axis from zero, bars
sorted, long names shortened, and trend titles naming the window drawn."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from tools.base import ToolContext
from tools.cost import charts
from tools.cost.charts import Band, breakdown_chart, comparison_chart, trend_chart
from tools.cost.cost_anomalies import CostAnomalies
from tools.cost.cost_forecast import CostForecast
from tools.savings.savings_opportunities import _KIND_LABELS

Figures = list[Any]


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
    assert charts._short(LONG).endswith("…") and len(charts._short(LONG)) <= 28
    note = charts._short_note(f"{LONG}: +$40.00")
    assert note.endswith("…: +$40.00") and len(note) <= 28
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
            marks=[(days[40].isoformat(), 98.0, f"{LONG}: +$40.00")],
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
