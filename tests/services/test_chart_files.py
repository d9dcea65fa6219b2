"""The chart cache: one uploaded file per owner, kind and day, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services import admin, chart_files
from bot.services.chart_files import TEAM_OWNER, CachedChart
from tests.support.factories import make_member

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
DAY = date(2026, 11, 18)


def chart(file_id: str) -> CachedChart:
    return CachedChart(file_id=file_id, alt_text=f"figures of {file_id}", title="Acceptance")


def test_a_days_chart_is_found_again_only_for_its_owner_kind_and_day(db):
    make_member(db, "U1", now=NOW)
    make_member(db, "U2", now=NOW)
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=DAY) is None
    chart_files.remember(db, team_id="T1", owner="U1", kind="trend", day=DAY, chart=chart("F0000000001"), now=NOW)
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=DAY) == chart("F0000000001")
    assert chart_files.cached(db, team_id="T1", owner="U2", kind="trend", day=DAY) is None
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="leaderboard", day=DAY) is None
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=date(2026, 11, 19)) is None
    assert chart_files.cached(db, team_id="T2", owner="U1", kind="trend", day=DAY) is None


def test_a_new_day_replaces_the_old_one_and_a_second_upload_of_the_day_keeps_the_first(db):
    make_member(db, "U1", now=NOW)
    chart_files.remember(db, team_id="T1", owner="U1", kind="trend", day=DAY, chart=chart("F0000000001"), now=NOW)
    tomorrow = date(2026, 11, 19)
    chart_files.remember(db, team_id="T1", owner="U1", kind="trend", day=tomorrow, chart=chart("F0000000002"),
                         now=NOW)
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=DAY) is None
    kept = chart_files.remember(db, team_id="T1", owner="U1", kind="trend", day=tomorrow,
                                chart=chart("F0000000003"), now=NOW)
    assert kept == chart("F0000000002")
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=tomorrow) == chart("F0000000002")


def test_forget_me_and_purge_drop_the_charts(db):
    make_member(db, "U1", now=NOW)
    make_member(db, "U2", now=NOW)
    for owner in ("U1", "U2", TEAM_OWNER):
        chart_files.remember(db, team_id="T1", owner=owner, kind="trend" if owner != TEAM_OWNER else "leaderboard",
                             day=DAY, chart=chart("F0000000001"), now=NOW)
    admin.forget_member(db, team_id="T1", user_id="U1")
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=DAY) is None
    assert chart_files.cached(db, team_id="T1", owner="U2", kind="trend", day=DAY) is not None
    admin.purge_workspace(db, "T1")
    assert chart_files.cached(db, team_id="T1", owner="U2", kind="trend", day=DAY) is None
    assert chart_files.cached(db, team_id="T1", owner=TEAM_OWNER, kind="leaderboard", day=DAY) is None
