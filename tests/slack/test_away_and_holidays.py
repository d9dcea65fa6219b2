"""`/invites away` / `back` and workspace holidays, across time zones, with freezegun.

U1 is in Berlin (UTC+1 in November), U2 in Los Angeles (UTC-8), U3 in Tokyo (UTC+9); the daily
digest comes at 09:00 local on Mon-Fri.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot.clock import SystemClock
from bot.db.models import Delivery, Member, Workspace
from bot.domain.away import weekly_digest_day
from bot.services.sweep import run_cycle
from bot.services.team_digest import plan_team_digests
from bot.slack.ids import SettingsView
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.slack.test_settings_privacy import workspace_values
from tests.support.factories import set_workspace

WELCOME = "Welcome back: you were away"


class PinnableClock(SystemClock):
    """The system clock (freezegun's), or a pinned instant: the alert check runs on a background
    thread that may outlive a `freeze_time` block, and must see the command's own instant."""

    pinned: datetime | None = None

    def now(self) -> datetime:
        return self.pinned or super().now()


@pytest.fixture
def clock():
    return PinnableClock()


def stale(slack, user: str, n: int = 2) -> None:
    for i in range(n):
        slack.invited(f"https://linkedin.com/in/{user.lower()}-old-{i} --sent 20d", user=user)


def cycle(db, settings, at: str) -> list[tuple[str, str]]:
    """One sweep at `at` (UTC): (user, kind) of what went out."""
    with freeze_time(at):
        send = slack_sender(settings, db, single_workspace_tokens(settings), SystemClock())
        return [(m.user_id, str(m.kind)) for m in run_cycle(db, now=datetime.now(UTC), send=send).sent]


def last_dm(fake_slack, user: str) -> str:
    posts = [c for c in fake_slack.of("chat.postMessage") if c.params["channel"] == f"D{user}"]
    blocks = posts[-1].params["blocks"]
    return json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks, ensure_ascii=False)


# ---- the commands -----------------------------------------------------------------------------------------


def test_away_until_a_date_and_for_a_length(slack):
    with freeze_time("2026-11-18 10:00:00"):  # Wednesday
        until = slack.invites("away until 2026-12-24").visible
        weeks = slack.invites("away 2w", user="U2").visible
    assert "Away through Thu Dec 24: no digests or alerts until then; they resume on Fri Dec 25." in until
    assert "Away through Tue Dec 1" in weeks and "resume on Wed Dec 2" in weeks


@pytest.mark.parametrize(("text", "words"), [
    ("away", "Away until when?"),
    ("away soon", "`away soon` is not a date or a length"),
    ("away 400d", "Away for 1 to 365 days"),
    ("away until 2026-11-17", "2026-11-17 is in the past"),
])
def test_away_refusals_say_why(slack, text, words):
    with freeze_time("2026-11-18 10:00:00"):
        assert words in slack.invites(text).visible


def test_today_in_the_members_own_zone_decides_the_past(slack):
    # 02:00 UTC on Nov 18 is still Nov 17 in Los Angeles: away until the 17th is today there.
    with freeze_time("2026-11-18 02:00:00"):
        assert "Away through Tue Nov 17" in slack.invites("away until 2026-11-17", user="U2").visible
        assert "is in the past" in slack.invites("away until 2026-11-17", user="U3").visible  # Tokyo: Nov 18


def test_back_without_being_away(slack):
    with freeze_time("2026-11-18 10:00:00"):
        assert "You weren't away" in slack.invites("back").visible


# ---- digests and alerts -------------------------------------------------------------------------------------


def test_no_digest_while_away_and_the_next_one_says_how_long(slack, db, settings, fake_slack):
    with freeze_time("2026-11-18 06:00:00"):  # 07:00 Wednesday in Berlin, before the digest
        stale(slack, "U1")
        slack.invites("away until 2026-11-19")
    assert cycle(db, settings, "2026-11-18 08:00:00") == []  # 09:00 Wednesday in Berlin
    assert cycle(db, settings, "2026-11-19 08:00:00") == []  # Thursday, the last day away
    assert cycle(db, settings, "2026-11-20 08:00:00") == [("U1", "daily_digest")]  # Friday: back
    assert f"{WELCOME} 2 days." in last_dm(fake_slack, "U1")
    assert cycle(db, settings, "2026-11-23 08:00:00") == [("U1", "daily_digest")]  # Monday: no welcome again
    assert WELCOME not in last_dm(fake_slack, "U1")
    with db.session(write=False) as s:
        assert s.execute(select(Member.away_until, Member.away_since).where(Member.user_id == "U1")).one() == (
            None, None)


def test_west_of_utc_the_absence_ends_by_the_local_date(slack, db, settings, fake_slack):
    with freeze_time("2026-11-18 18:00:00"):  # 10:00 Wednesday in Los Angeles
        stale(slack, "U2")
        slack.invites("away until 2026-11-19", user="U2")
    # 07:00 UTC on Friday is 23:00 Thursday in Los Angeles: still away, though UTC says Friday.
    assert cycle(db, settings, "2026-11-20 07:00:00") == []
    assert cycle(db, settings, "2026-11-20 17:00:00") == [("U2", "daily_digest")]  # 09:00 Friday there
    assert f"{WELCOME} 2 days." in last_dm(fake_slack, "U2")


def test_east_of_utc_the_absence_ends_before_utc_says_so(slack, db, settings, fake_slack):
    with freeze_time("2026-11-18 12:00:00"):  # 21:00 Wednesday in Tokyo
        stale(slack, "U3")
        slack.invites("away until 2026-11-19", user="U3")
    # 00:00 UTC on Friday is 09:00 Friday in Tokyo: back, though UTC is still at Thursday's midnight.
    assert cycle(db, settings, "2026-11-19 23:59:00") == []  # 08:59 Friday in Tokyo: not the hour yet
    assert cycle(db, settings, "2026-11-20 00:00:00") == [("U3", "daily_digest")]
    assert f"{WELCOME} 2 days." in last_dm(fake_slack, "U3")


def test_back_early_brings_the_digest_back_the_same_day(slack, db, settings, fake_slack):
    with freeze_time("2026-11-18 06:00:00"):
        stale(slack, "U1")
        slack.invites("away 2w")
    assert cycle(db, settings, "2026-11-20 08:00:00") == []
    with freeze_time("2026-11-23 07:30:00"):  # Monday 08:30 in Berlin
        answer = slack.invites("back").visible
    assert "Welcome back after 5 days" in answer  # Wed 18 to Sun 22
    assert cycle(db, settings, "2026-11-23 08:00:00") == [("U1", "daily_digest")]
    assert f"{WELCOME} 5 days." in last_dm(fake_slack, "U1")


def test_no_alert_while_away_then_the_day_after(slack, db, settings, fake_slack, clock):
    with freeze_time("2026-11-18 10:00:00"):
        slack.invites("help")
    set_workspace(db, pending_warn_at=2, pending_limit=50)
    clock.pinned = datetime(2026, 11, 18, 10, tzinfo=UTC)
    with freeze_time("2026-11-18 10:00:00"):
        slack.invites("away until 2026-11-18")
        for i in range(3):
            slack.invited(f"https://linkedin.com/in/fresh-{i}")
    time.sleep(0.5)  # let the background alert checks finish (they find nothing to send)
    clock.pinned = None
    assert [c for c in fake_slack.of("chat.postMessage") if "pending" in str(c.params.get("text"))] == []
    assert cycle(db, settings, "2026-11-18 20:00:00") == []
    sent = cycle(db, settings, "2026-11-19 08:00:00")
    assert ("U1", "pending_warn") in sent


# ---- holidays ----------------------------------------------------------------------------------------------


def test_admins_set_holidays_and_bad_dates_are_refused(slack, db, fake_slack):
    fake_slack.add_user("UADMIN", tz="UTC", name="Boss")
    slack.invites("settings", user="UADMIN")
    view = fake_slack.of("views.open")[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert "holidays" in [b.get("block_id") for b in view["blocks"]]
    answer = slack.submit(SettingsView.WORKSPACE, workspace_values() | {
        "holidays": {"value": {"type": "plain_text_input", "value": "2026-12-25,2026-12-24  2027-01-01"}}},
        user="UADMIN")
    assert answer.body["response_action"] == "update"
    with db.session(write=False) as s:
        assert s.scalar(select(Workspace.holidays)) == "2026-12-24, 2026-12-25, 2027-01-01"
    bad = slack.submit(SettingsView.WORKSPACE, workspace_values() | {
        "holidays": {"value": {"type": "plain_text_input", "value": "2026-12-24, xmas"}}}, user="UADMIN")
    assert bad.body["response_action"] == "errors"
    assert "“xmas” is not a date" in bad.body["errors"]["holidays"]


def test_no_daily_digest_on_a_holiday_in_each_members_own_date(slack, db, settings):
    with freeze_time("2026-11-18 10:00:00"):
        for user in ("U1", "U2", "U3"):
            stale(slack, user)
    set_workspace(db, holidays="2026-11-20")
    # 17:00 UTC on Thursday: 09:00 Thursday in Los Angeles, 18:00 Thursday in Berlin, but 02:00 on
    # Friday, the holiday, in Tokyo.
    assert sorted(cycle(db, settings, "2026-11-19 17:00:00")) == [("U1", "daily_digest"), ("U2", "daily_digest")]
    # Friday, 09:00 in each zone: Tokyo's is 00:00 UTC, Berlin's 08:00 UTC, Los Angeles' 17:00 UTC.
    assert cycle(db, settings, "2026-11-20 00:00:00") == []
    assert cycle(db, settings, "2026-11-20 08:00:00") == []
    assert cycle(db, settings, "2026-11-20 17:00:00") == []
    assert cycle(db, settings, "2026-11-23 00:00:00") == [("U3", "daily_digest")]  # Monday again
    assert sorted(cycle(db, settings, "2026-11-23 17:00:00")) == [("U1", "daily_digest"), ("U2", "daily_digest")]


def test_the_weekly_digest_moves_to_the_next_working_day(db, slack):
    with freeze_time("2026-11-18 10:00:00"):
        slack.invites("help")
    set_workspace(db, timezone="America/New_York", digest_channel="C0DIGEST", nudge_hour=9,
                  holidays="2026-11-23, 2026-11-24")
    monday, tuesday, wednesday = (datetime(2026, 11, d, 14, 0, tzinfo=UTC) for d in (23, 24, 25))  # 09:00 NY
    assert plan_team_digests(db, now=monday) == []
    assert plan_team_digests(db, now=tuesday) == []
    (plan,) = plan_team_digests(db, now=wednesday)
    assert plan.local_date == date(2026, 11, 23)  # the ledger keeps one digest per week, by its Monday
    assert plan_team_digests(db, now=datetime(2026, 11, 26, 14, 0, tzinfo=UTC)) == []  # Thursday
    with db.session(write=False) as s:
        assert s.scalars(select(Delivery)).all() == []


def test_the_weekly_digest_day_rule():
    assert weekly_digest_day(date(2026, 11, 25), working_days="12345", holidays=()) == date(2026, 11, 23)
    assert weekly_digest_day(date(2026, 11, 25), working_days="12345",
                             holidays=(date(2026, 11, 23),)) == date(2026, 11, 24)
    assert weekly_digest_day(date(2026, 11, 25), working_days="135",
                             holidays=(date(2026, 11, 23),)) == date(2026, 11, 25)
    assert weekly_digest_day(date(2026, 11, 25), working_days="1",
                             holidays=(date(2026, 11, 23),)) is None
