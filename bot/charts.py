"""Charts as PNG images, pure: plain numbers in, PNG bytes out, with the figures as alt text.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI backend, no global figure
state). matplotlib is imported on the first drawing, never at app start (it takes about a second).
Text stays the source of truth: every figure drawn is also written into `alt_text`.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Slack shows images up to any size, but a Home view or a digest should not wait on megabytes.
MAX_BYTES = 200_000
# Block Kit: an image block's alt_text holds at most 2,000 characters.
ALT_TEXT_LIMIT = 2000
TITLE_LIMIT = 2000
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 2.8, 100  # 640 x 280 px
MAX_BARS = 15  # the leaderboard chart shows the best ranked rows; the text lists them all

INK, GRID, ACCENT, MUTED, WARN = "#1d1c1d", "#dddddd", "#2eb67d", "#9a9a9a", "#e01e5a"
LOW_RATE = 0.30  # the healthy-rate line drawn on the charts (DOMAIN.md: flagged below 30%)

# matplotlib's object API is safe for separate figures, but its font cache and text layout are
# shared: one drawing at a time (a chart takes a few tens of milliseconds).
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the PNG, the figures in words (alt text) and a short title."""

    png: bytes
    alt_text: str
    title: str


@dataclass(frozen=True)
class WeekPoint:
    """One week of the acceptance trend: its label (`Oct 5`), the rate (None: nothing decided) and n."""

    label: str
    rate: float | None
    n: int


@dataclass(frozen=True)
class BoardBar:
    """One ranked member on the leaderboard chart."""

    name: str
    rate: float
    n: int


def percent(rate: float) -> str:
    """`42%`, rounded as the text surfaces round it."""
    return f"{rate:.0%}"


def cut(text: str, limit: int) -> str:
    """Text cut to a limit, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _literal(text: str) -> str:
    """Text matplotlib must draw as written: a `$` would otherwise start mathtext."""
    return text.replace("$", r"\$")


def _figure():
    """A new figure on an Agg canvas (matplotlib imported here, on first use)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _style(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=8)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:  # a bug, not a user error: the sizes above keep charts far below it
        raise ValueError(f"chart of {len(data)} bytes, more than {MAX_BYTES}")
    return data


def _percent_axis(axes, *, vertical: bool = True) -> None:
    from matplotlib.ticker import PercentFormatter

    axis = axes.yaxis if vertical else axes.xaxis
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    (axes.set_ylim if vertical else axes.set_xlim)(0, 1)


def trend_chart(weeks: Sequence[WeekPoint]) -> Chart:
    """The member's acceptance rate by week sent (oldest first), with each week's n under it."""
    title = f"Acceptance by week sent, last {len(weeks)} weeks"
    parts = [f"{w.label}: {percent(w.rate)} (n={w.n})" if w.rate is not None else f"{w.label}: nothing decided"
             for w in weeks]
    alt = cut(f"{title}, oldest to newest. " + "; ".join(parts) + ".", ALT_TEXT_LIMIT)
    with _LOCK:
        figure = _figure()
        axes = figure.add_subplot()
        _style(axes)
        xs = list(range(len(weeks)))
        known = [(x, w.rate) for x, w in zip(xs, weeks, strict=True) if w.rate is not None]
        axes.axhline(LOW_RATE, color=WARN, linewidth=0.8, linestyle="--")
        if known:
            axes.plot([x for x, _ in known], [r for _, r in known], color=ACCENT, linewidth=2, marker="o",
                      markersize=5)
            for x, rate in known:
                axes.annotate(percent(rate), (x, rate), textcoords="offset points", xytext=(0, 7), ha="center",
                              fontsize=7, color=INK)
        axes.set_xticks(xs, labels=[f"{_literal(w.label)}\nn={w.n}" for w in weeks])
        _percent_axis(axes)
        axes.set_ylim(0, 1.12)
        axes.set_title(_literal(title), fontsize=9, color=INK, loc="left")
        png = _png(figure)
    return Chart(png=png, alt_text=alt, title=cut(title, TITLE_LIMIT))


def leaderboard_chart(bars: Sequence[BoardBar], *, period: str) -> Chart:
    """The ranked members' acceptance rates as horizontal bars, best first (at most MAX_BARS)."""
    shown = list(bars[:MAX_BARS])
    title = f"Leaderboard, {period}: acceptance rate"
    parts = [f"{i}. {b.name}: {percent(b.rate)} (n={b.n})" for i, b in enumerate(shown, start=1)]
    more = f" And {len(bars) - len(shown)} more ranked." if len(bars) > len(shown) else ""
    alt = cut(f"{title}. " + ("; ".join(parts) + "." if parts else "Nobody ranked yet.") + more, ALT_TEXT_LIMIT)
    with _LOCK:
        figure = _figure()
        axes = figure.add_subplot()
        _style(axes)
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", color=GRID, linewidth=0.6)
        ys = list(range(len(shown)))
        if shown:
            axes.barh(ys, [b.rate for b in shown], color=ACCENT, height=0.6)
            for y, bar in zip(ys, shown, strict=True):
                axes.annotate(f"{percent(bar.rate)} (n={bar.n})", (bar.rate, y), textcoords="offset points",
                              xytext=(4, 0), va="center", fontsize=7, color=INK)
        axes.set_yticks(ys, labels=[_literal(cut(b.name, 24)) for b in shown])
        axes.invert_yaxis()
        _percent_axis(axes, vertical=False)
        axes.set_xlim(0, 1.2)  # room for the labels right of a full bar
        axes.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        axes.axvline(LOW_RATE, color=WARN, linewidth=0.8, linestyle="--")
        axes.set_title(_literal(title), fontsize=9, color=INK, loc="left")
        png = _png(figure)
    return Chart(png=png, alt_text=alt, title=cut(title, TITLE_LIMIT))


def curve_chart(within: Mapping[int, float], *, suggested: int | None = None, accepted: int | None = None,
                source: str = "team") -> Chart:
    """The days-to-accept curve: the share of acceptances that came within d days, for each d given."""
    days = sorted(within)
    whose = "published figures" if source == "published" else "your team's acceptances"
    title = f"Days to accept ({whose})"
    parts = [f"within {d} {'day' if d == 1 else 'days'}: {percent(within[d])}" for d in days]
    alt = f"{title}" + (f", {accepted} acceptances" if accepted is not None else "") + ". " + "; ".join(parts) + "."
    if suggested is not None:
        alt += f" Suggested withdraw threshold: {suggested} days."
    alt = cut(alt, ALT_TEXT_LIMIT)
    with _LOCK:
        figure = _figure()
        axes = figure.add_subplot()
        _style(axes)
        if days:
            axes.plot(days, [within[d] for d in days], color=ACCENT, linewidth=2, marker="o", markersize=5)
            for d in days:
                axes.annotate(percent(within[d]), (d, within[d]), textcoords="offset points", xytext=(0, 7),
                              ha="center", fontsize=7, color=INK)
            axes.set_xticks(days, labels=[str(d) for d in days])
        if suggested is not None:
            axes.axvline(suggested, color=WARN, linewidth=0.8, linestyle="--")
            axes.annotate(f"suggested: {suggested} days", (suggested, 0.05), textcoords="offset points",
                          xytext=(4, 0), fontsize=7, color=WARN)
        axes.set_xlabel("days after sending", fontsize=8, color=INK)
        _percent_axis(axes)
        axes.set_ylim(0, 1.12)
        axes.set_title(_literal(title), fontsize=9, color=INK, loc="left")
        png = _png(figure)
    return Chart(png=png, alt_text=alt, title=cut(title, TITLE_LIMIT))
