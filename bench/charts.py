"""Charts off the request path: the member's 8-week trend read, drawn and uploaded, as App Home's and
`/invites stats`' background task does it (bot.slack.charts.obtain), against the fake Web API.

Timed per run: the trend query (`trend_weeks`), the drawing (`bot.charts.trend_chart`), the upload
(`files_upload_v2`: three HTTP calls to FakeSlack on loopback) and the cache write, each on a cache miss
(a new day per run); the first drawing in the process (matplotlib's import and font cache) apart; a
cache hit (what a second Home open of the day costs); the weekly digest's leaderboard chart the same way.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from slack_sdk import WebClient

from bench.commands import actors
from bench.common import NOW, Latency
from bot import charts
from bot.db.engine import Database
from bot.domain.invites import PERIODS
from bot.services import chart_files
from bot.services import home as home_service
from bot.services.leaderboard import team_leaderboard
from bot.services.members import identify
from bot.slack import charts as slack_charts
from bot.slack.render.team import member_name
from tests.support.fake_slack import FakeSlack
from tests.support.signing import BOT_TOKEN

CHART_TARGET_MS = 500.0
FIRST_DAY = date(2030, 1, 1)  # cache keys no real run uses: every timed run is a miss


def run(db: Database, fake: FakeSlack, *, runs: int) -> dict[str, Any]:
    """Median and p99 of a chart made off the request path (read + draw + upload + remember)."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.base_url, timeout=10)
    people = sorted(actors(db), key=lambda a: -a.invites)[: max(1, runs)]
    members = [identify(db, team_id=p.team_id, user_id=p.user_id, now=NOW) for p in people]
    started = time.perf_counter()
    charts.trend_chart([charts.WeekPoint("Oct 5", 0.4, 5)] * 8)
    cold_ms = (time.perf_counter() - started) * 1000
    total, read, draw, upload, hit = Latency(), Latency(), Latency(), Latency(), Latency()
    sizes: list[int] = []
    for i in range(runs):
        actor = members[i % len(members)]
        day = FIRST_DAY + timedelta(days=i)
        t0 = time.perf_counter()
        weeks = home_service.trend_weeks(db, actor, now=NOW)
        t1 = time.perf_counter()
        drawn: list[charts.Chart] = []

        def drawing(weeks=weeks, actor=actor, drawn=drawn) -> charts.Chart:
            chart = charts.trend_chart(slack_charts.trend_points(weeks, actor.tz))
            drawn.append(chart)
            return chart

        made = slack_charts.obtain(db, client, team_id=actor.team_id, owner=actor.user_id, kind="trend", day=day,
                                   draw=drawing, filename=f"bench-{i}.png", now=NOW)
        t2 = time.perf_counter()
        if made is None or not drawn:
            raise RuntimeError("the bench chart was not made (see the log)")
        total.add(t2 - t0)
        read.add(t1 - t0)
        sizes.append(len(drawn[0].png))
        d0 = time.perf_counter()
        charts.trend_chart(slack_charts.trend_points(weeks, actor.tz))
        draw.add(time.perf_counter() - d0)
        u0 = time.perf_counter()
        slack_charts.upload(client, drawn[0], filename=f"bench-again-{i}.png")
        upload.add(time.perf_counter() - u0)
        h0 = time.perf_counter()
        chart_files.cached(db, team_id=actor.team_id, owner=actor.user_id, kind="trend", day=day)
        hit.add(time.perf_counter() - h0)
    board = team_leaderboard(db, team_id=members[0].team_id, period=PERIODS["30d"], now=NOW)
    bars = [charts.BoardBar(member_name(r), r.rate, r.n) for r in board.rows_ranked if r.rate is not None]
    digest = Latency()
    for i in range(max(1, runs // 4)):
        d0 = time.perf_counter()
        chart = charts.leaderboard_chart(bars, period="the last 30 days")
        slack_charts.upload(client, chart, filename=f"bench-board-{i}.png")
        digest.add(time.perf_counter() - d0)
    return {"runs": runs, "cold_first_draw_ms": cold_ms, "total": total.summary(), "read": read.summary(),
            "draw": draw.summary(), "upload": upload.summary(), "cache_hit": hit.summary(),
            "digest_draw_upload": digest.summary(), "bars": len(bars), "png_bytes_max": max(sizes),
            "target_ms": CHART_TARGET_MS}


def report_lines(results: dict[str, Any]) -> list[str]:
    """The charts section of RESULTS.md (both backends side by side)."""
    backends = results["backends"]
    head = results["headline"]
    found = {b: ((results["results"].get(b) or {}).get(head) or {}).get("charts") for b in backends}
    if not any(found.values()):
        return []
    rows = [("read + draw + upload + remember (cache miss)", "total"), ("  of which the trend query", "read"),
            ("  drawing alone", "draw"), ("  upload alone (files_upload_v2 to the fake)", "upload"),
            ("cache hit (a second open the same day)", "cache_hit"),
            ("digest leaderboard: draw + upload", "digest_draw_upload")]
    out = ["## Charts off the request path", "",
           "The member's trend as App Home's and `/invites stats`' background task makes it (`bot.slack.charts."
           "obtain`) for the busiest members; a new day per run so every run draws and uploads. The upload goes to "
           "the fake Web API on loopback (three HTTP calls), so Slack's own latency is not in it.", "",
           "| step | " + " | ".join(f"{b} median" for b in backends) + " | " + " | ".join(f"{b} p99" for b in backends) + " |",
           "|---|" + "---:|" * (2 * len(backends))]
    for label, key in rows:
        med = [f"{found[b][key]['median']:.1f} ms" if found[b] else "–" for b in backends]
        p99 = [f"{found[b][key]['p99']:.1f} ms" if found[b] else "–" for b in backends]
        out.append(f"| {label} | " + " | ".join(med) + " | " + " | ".join(p99) + " |")
    for b in backends:
        if found[b]:
            out.append(f"\n{b}: {found[b]['runs']} runs; first drawing in the process (matplotlib import, font cache) "
                       f"{found[b]['cold_first_draw_ms']:.0f} ms; largest PNG {found[b]['png_bytes_max']:,} bytes; "
                       f"leaderboard of {found[b]['bars']} ranked members (at most {charts.MAX_BARS} drawn).")
    return [*out, ""]
