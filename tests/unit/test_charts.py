"""The chart drawings: plain numbers in, a bounded PNG out, every figure in the alt text."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from bot import charts
from bot.charts import BoardBar, WeekPoint

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png.startswith(PNG_MAGIC)
    return struct.unpack(">II", png[16:24])


def assert_image(chart: charts.Chart) -> None:
    assert chart.png.startswith(PNG_MAGIC)
    assert len(chart.png) < charts.MAX_BYTES == 200_000
    width, height = size_of(chart.png)
    assert (width, height) == (640, 280)
    assert 0 < len(chart.alt_text) <= 2000
    assert chart.title


WEEKS = [WeekPoint("Sep 28", 0.5, 4), WeekPoint("Oct 5", None, 0), WeekPoint("Oct 12", 0.25, 8),
         WeekPoint("Oct 19", 1.0, 1), WeekPoint("Oct 26", 0.4, 10), WeekPoint("Nov 2", 0.0, 3),
         WeekPoint("Nov 9", 0.333, 9), WeekPoint("Nov 16", None, 0)]


def test_trend_chart_is_a_bounded_png_with_every_week_in_the_alt_text() -> None:
    chart = charts.trend_chart(WEEKS)
    assert_image(chart)
    assert chart.alt_text.startswith("Acceptance by week sent, last 8 weeks, oldest to newest.")
    for part in ("Sep 28: 50% (n=4)", "Oct 5: nothing decided", "Oct 12: 25% (n=8)", "Oct 19: 100% (n=1)",
                 "Nov 2: 0% (n=3)", "Nov 9: 33% (n=9)", "Nov 16: nothing decided"):
        assert part in chart.alt_text


def test_trend_chart_with_nothing_decided_still_draws() -> None:
    chart = charts.trend_chart([WeekPoint(f"W{i}", None, 0) for i in range(8)])
    assert_image(chart)
    assert chart.alt_text.count("nothing decided") == 8


def test_leaderboard_chart_ranks_and_caps_the_bars() -> None:
    bars = [BoardBar(f"Member {i} $x$", 1 - i / 40, 10 + i) for i in range(20)]
    chart = charts.leaderboard_chart(bars, period="the last 30 days")
    assert_image(chart)
    assert "1. Member 0 $x$: 100% (n=10)" in chart.alt_text
    assert f"{charts.MAX_BARS}. Member 14 $x$" in chart.alt_text
    assert "Member 15" not in chart.alt_text
    assert "And 5 more ranked." in chart.alt_text


def test_leaderboard_chart_with_nobody_ranked() -> None:
    chart = charts.leaderboard_chart([], period="the last 30 days")
    assert_image(chart)
    assert "Nobody ranked yet." in chart.alt_text


def test_curve_chart_takes_plain_days_and_shares() -> None:
    chart = charts.curve_chart({1: 0.2, 3: 0.5, 7: 0.88, 14: 0.93, 21: 0.95, 30: 0.99, 60: 1.0},
                               suggested=21, accepted=120)
    assert_image(chart)
    assert "120 acceptances" in chart.alt_text
    assert "within 1 day: 20%" in chart.alt_text and "within 30 days: 99%" in chart.alt_text
    assert "Suggested withdraw threshold: 21 days." in chart.alt_text
    published = charts.curve_chart({7: 0.88, 30: 0.99}, suggested=22, source="published")
    assert "published figures" in published.alt_text


def test_alt_text_is_cut_to_slacks_limit() -> None:
    bars = [BoardBar("x" * 300, 0.5, 10) for _ in range(15)]
    chart = charts.leaderboard_chart(bars, period="all time")
    assert len(chart.alt_text) == 2000 and chart.alt_text.endswith("…")


@pytest.mark.parametrize("module", ["bot.charts", "bot.slack.app"])
def test_matplotlib_is_not_imported_at_startup(module: str) -> None:
    code = f"import sys, {module}; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
