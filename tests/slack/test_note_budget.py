"""The personalised-note budget: `/invited --note` at and past the month's cap, in the member's own month.

The clock is the system clock under freezegun, across month ends in zones east (Berlin) and west
(Los Angeles) of UTC.
"""

from __future__ import annotations

import json
from itertools import count

import pytest
from freezegun import freeze_time

from bot.clock import SystemClock
from bot.slack.ids import SettingsView
from tests.slack.test_home import open_home, published
from tests.slack.test_settings_privacy import number, workspace_values
from tests.unit.test_home_blocks import home_as_text

LAST = "That was your last personalised note this month"
PAST = "LinkedIn will have sent this invite without the note"
_n = count()


@pytest.fixture
def clock():
    return SystemClock()


def note(slack, user: str = "U1", *, extra: str = "") -> str:
    return slack.invited(f"https://linkedin.com/in/p{next(_n)} --note {extra}".strip(), user=user).visible


def test_the_fifth_note_is_the_last_and_the_sixth_goes_without(slack):
    with freeze_time("2026-11-18 10:00:00"):
        replies = [note(slack) for _ in range(6)]
    assert not any(LAST in r or PAST in r for r in replies[:4])
    assert f"{LAST} (5 of 5, Free account): LinkedIn sends invites without a note until Dec 1." in replies[4]
    assert "Past your 5 personalised notes this month (Free account)" in replies[5]
    assert f"{PAST}. Notes are back on Dec 1." in replies[5]


def test_invites_without_a_note_never_count_or_warn(slack):
    with freeze_time("2026-11-18 10:00:00"):
        for _ in range(5):
            note(slack)
        answer = slack.invited("https://linkedin.com/in/bare").visible
    assert LAST not in answer and PAST not in answer


def test_east_of_utc_the_month_turns_before_utc_does(slack):
    with freeze_time("2026-11-30 20:00:00"):  # 21:00 in Berlin, still November
        for _ in range(5):
            note(slack)
    with freeze_time("2026-11-30 23:30:00"):  # 00:30 on Dec 1 in Berlin, November in UTC
        answer = note(slack)
        stats = slack.invites("stats").visible
    assert LAST not in answer and PAST not in answer
    assert "notes this month: 1 of 5" in stats


def test_west_of_utc_the_month_turns_after_utc_does(slack):
    with freeze_time("2026-11-30 10:00:00"):
        for _ in range(5):
            note(slack, "U2")
    with freeze_time("2026-12-01 05:00:00"):  # 21:00 on Nov 30 in Los Angeles
        late = note(slack, "U2")
    with freeze_time("2026-12-01 09:00:00"):  # 01:00 on Dec 1 in Los Angeles
        fresh = note(slack, "U2")
    assert PAST in late
    assert LAST not in fresh and PAST not in fresh


def test_a_note_back_dated_to_last_month_counts_there(slack):
    with freeze_time("2026-12-02 10:00:00"):
        for _ in range(5):
            note(slack, extra="--sent 2026-11-20")
        answer = note(slack)
        stats = slack.invites("stats").visible
    assert LAST not in answer and PAST not in answer
    assert "notes this month: 1 of 5" in stats


def test_premium_has_no_cap(slack):
    with freeze_time("2026-11-18 10:00:00"):
        slack.invites("tier premium")
        replies = [note(slack) for _ in range(7)]
        stats = slack.invites("stats").visible
    assert not any(LAST in r or PAST in r for r in replies)
    assert "notes this month: 7 (no cap)" in stats


def test_stats_and_home_show_the_notes_of_the_month(slack, fake_slack):
    with freeze_time("2026-11-18 10:00:00"):
        for _ in range(3):
            note(slack)
        stats = slack.invites("stats").visible
        open_home(slack)
        home = home_as_text(published(fake_slack))
    assert "notes this month: 3 of 5" in stats
    assert "notes this month: 3 of 5" in home


def test_admins_change_the_numbers(slack, fake_slack):
    fake_slack.add_user("UADMIN", tz="UTC", name="Boss")
    with freeze_time("2026-11-18 10:00:00"):
        slack.invites("settings", user="UADMIN")
        view = fake_slack.of("views.open")[0].params["view"]
        view = json.loads(view) if isinstance(view, str) else view
        free = next(b for b in view["blocks"] if b.get("block_id") == "notes_per_month_free")
        assert free["element"]["initial_value"] == "5" and free["optional"] is True
        premium = next(b for b in view["blocks"] if b.get("block_id") == "notes_per_month_premium")
        assert "initial_value" not in premium["element"]
        values = workspace_values() | {"notes_per_month_free": number(2), "notes_per_month_premium": number(1)}
        answer = slack.submit(SettingsView.WORKSPACE, values, user="UADMIN")
        assert answer.body["response_action"] == "update"
        second = [note(slack) for _ in range(2)][-1]
        slack.invites("tier premium", user="U2")
        premium_first = note(slack, "U2")
    assert f"{LAST} (2 of 2, Free account)" in second
    assert f"{LAST} (1 of 1, Premium account)" in premium_first


def test_an_out_of_range_note_cap_is_refused_on_its_field(slack):
    answer = slack.submit(SettingsView.WORKSPACE, workspace_values() | {"notes_per_month_free": number(5000)},
                          user="UADMIN")
    assert answer.body["response_action"] == "errors"
    assert "Notes a month (Free) must be between 0 and 1,000 notes." in answer.body["errors"]["notes_per_month_free"]
