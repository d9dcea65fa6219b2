"""The pure rules of issue 16: note budgets, LinkedIn drift, away days and holidays, the curve's published line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.away import BadHolidays, back_from, days_away, holidays_text, is_away, read_holidays
from bot.domain.commands import Away, UsageError, parse_invites
from bot.domain.curve import curve_of, published_suggestion
from bot.domain.drift import Drift, wants_reminder
from bot.domain.notes import NoteBudget, month_span

NOW = datetime(2026, 11, 18, 10, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "start", "end"), [
    ("UTC", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ("Europe/Berlin", datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC)),
    ("America/Los_Angeles", datetime(2026, 11, 1, 7, tzinfo=UTC), datetime(2026, 12, 1, 8, tzinfo=UTC)),  # DST ends
])
def test_the_month_is_the_members_own(zone, start, end):
    assert month_span(NOW, ZoneInfo(zone)) == (start, end)


def test_december_turns_into_january():
    assert month_span(datetime(2026, 12, 31, 23, tzinfo=UTC), ZoneInfo("Asia/Tokyo"))[0] == datetime(
        2026, 12, 31, 15, tzinfo=UTC)  # already January 1 in Tokyo


@pytest.mark.parametrize(("used", "logged", "past", "last"), [
    (4, 1, 0, False), (5, 1, 0, True), (6, 1, 1, False), (7, 3, 2, False), (5, 2, 0, True), (9, 1, 1, False),
])
def test_notes_at_and_past_the_cap(used, logged, past, last):
    budget = NoteBudget(used=used, limit=5, resets=date(2026, 12, 1))
    assert budget.past_cap(logged) == past and budget.took_the_last(logged) is last
    assert budget.text == f"notes this month: {used} of 5"


def test_no_cap_never_warns():
    budget = NoteBudget(used=40, limit=None, resets=date(2026, 12, 1))
    assert budget.past_cap(40) == 0 and not budget.took_the_last(40) and budget.text == "notes this month: 40 (no cap)"


@pytest.mark.parametrize(("linkedin", "logged", "share"), [(212, 150, 62 / 212), (150, 212, 62 / 150), (0, 0, 0.0),
                                                           (0, 3, 1.0), (100, 100, 0.0)])
def test_drift_both_ways(linkedin, logged, share):
    drift = Drift(linkedin, logged, NOW)
    assert drift.difference == logged - linkedin and drift.share == pytest.approx(share)


def test_the_reminder_needs_an_old_big_drift_and_a_week_between():
    old_big = Drift(100, 130, NOW - timedelta(days=31))
    assert wants_reminder(old_big, reminded_at=None, now=NOW)
    assert not wants_reminder(old_big, reminded_at=NOW - timedelta(days=6), now=NOW)
    assert wants_reminder(old_big, reminded_at=NOW - timedelta(days=7), now=NOW)
    assert not wants_reminder(Drift(100, 120, NOW - timedelta(days=31)), reminded_at=None, now=NOW)  # 20%: not over
    assert not wants_reminder(Drift(100, 130, NOW - timedelta(days=30)), reminded_at=None, now=NOW)
    assert not wants_reminder(None, reminded_at=None, now=NOW)


def test_away_days_and_the_end_of_an_absence():
    since = datetime(2026, 11, 18, 6, tzinfo=UTC)
    assert is_away(date(2026, 11, 19), date(2026, 11, 19)) and not is_away(date(2026, 11, 19), date(2026, 11, 20))
    assert not back_from(since, date(2026, 11, 19), date(2026, 11, 19))
    assert back_from(since, date(2026, 11, 19), date(2026, 11, 20))
    assert days_away(since, date(2026, 11, 19), ZoneInfo("Europe/Berlin")) == 2
    # 23:00 UTC on the 17th is already the 18th in Tokyo.
    assert days_away(datetime(2026, 11, 17, 23, tzinfo=UTC), date(2026, 11, 19), ZoneInfo("Asia/Tokyo")) == 2


@pytest.mark.parametrize(("text", "last_day"), [
    ("away until 2026-12-24", date(2026, 12, 24)), ("away 2026-12-24", date(2026, 12, 24)),
    ("away 2w", date(2026, 12, 1)), ("away 1d", date(2026, 11, 18)), ("away 10 days", date(2026, 11, 27)),
    ("AWAY 3 Weeks", date(2026, 12, 8)),
])
def test_away_parses_a_date_or_a_length(text, last_day):
    parsed = parse_invites(text)
    assert isinstance(parsed, Away) and parsed.last_day(date(2026, 11, 18)) == last_day


@pytest.mark.parametrize("text", ["away", "away later", "away 0d", "away 2026-13-01", "linkedin", "linkedin many",
                                  "back now"])
def test_what_is_not_understood_is_refused(text):
    with pytest.raises(UsageError):
        parse_invites(text)


def test_holidays_are_read_sorted_and_refused_when_not_dates():
    assert read_holidays("2026-12-25, 2026-12-24\n2026-12-25") == (date(2026, 12, 24), date(2026, 12, 25))
    assert holidays_text(read_holidays("2027-01-01 2026-12-24")) == "2026-12-24, 2027-01-01"
    assert read_holidays("") == () and holidays_text(()) is None
    for bad in ("christmas", "2026-02-30", "24.12.2026"):
        with pytest.raises(BadHolidays):
            read_holidays(bad)


def test_the_published_suggestion_and_the_small_sample_fallback():
    assert published_suggestion() == 22
    assert curve_of({3: 49}).as_json() == {"accepted": 49, "within_days": {"7": 0.88, "30": 0.99},
                                           "suggested_withdraw_after_days": 22, "source": "published"}
    assert curve_of({3: 50}).source == "team"
    assert curve_of({90: 50}).suggested_withdraw_after_days == 60  # nothing within 60 days: the cap
