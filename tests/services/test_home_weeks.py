"""Home's weekly trend: calendar weeks that start Monday 00:00 in the member's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.home import TREND_WEEKS, home_data
from tests.support.factories import make_invites, make_member

TUE_DEC_1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday 19:00 in Tokyo, 05:00 in New York


def at(local: str, tz: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def specs(*sent: datetime, now: datetime) -> list[dict]:
    return [{"key": f"in:w-{n}", "days_ago": (now - s) / timedelta(days=1)} for n, s in enumerate(sent)]


def test_weeks_start_monday_in_the_members_zone(db):
    actor = make_member(db, "U1", tz="Asia/Tokyo", now=TUE_DEC_1)
    this_monday_early = at("2026-11-30T01:00", "Asia/Tokyo")  # Sunday 16:00 UTC: Tokyo's Monday
    last_sunday_late = at("2026-11-29T23:00", "Asia/Tokyo")
    make_invites(db, actor, specs(this_monday_early, last_sunday_late, TUE_DEC_1 - timedelta(hours=1),
                                  now=TUE_DEC_1), now=TUE_DEC_1)
    weeks = home_data(db, actor, now=TUE_DEC_1).weeks
    assert len(weeks) == TREND_WEEKS
    assert weeks[-1].start == at("2026-11-30T00:00", "Asia/Tokyo")
    assert weeks[-1].start.astimezone(ZoneInfo("Asia/Tokyo")).weekday() == 0
    assert weeks[-1].counts.sent == 2  # Monday 01:00 and Tuesday: this week
    assert weeks[-2].counts.sent == 1 and weeks[-2].start == at("2026-11-23T00:00", "Asia/Tokyo")
    assert weeks[0].start == at("2026-10-12T00:00", "Asia/Tokyo")


def test_weeks_across_a_daylight_saving_change_are_local_mondays(db):
    actor = make_member(db, "U1", tz="America/New_York", now=TUE_DEC_1)
    weeks = home_data(db, actor, now=TUE_DEC_1).weeks
    starts = [w.start.astimezone(ZoneInfo("America/New_York")) for w in weeks]
    assert all(s.weekday() == 0 and (s.hour, s.minute) == (0, 0) for s in starts), starts
    assert [w.end for w in weeks[:-1]] == [w.start for w in weeks[1:]]  # no gap, no overlap at Nov 1
