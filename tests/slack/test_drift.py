"""`/invites linkedin <count>`: the drift both ways, on Home, and the digest's reminder at most weekly."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot.clock import SystemClock
from bot.db.models import Member
from bot.services.sweep import run_cycle
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.slack.test_home import open_home, published
from tests.support.factories import set_workspace
from tests.unit.test_home_blocks import home_as_text

REMINDER = "Your last LinkedIn report"


@pytest.fixture
def clock():
    return SystemClock()


def log(slack, n: int, *, user: str = "U1", sent: str = "2d") -> None:
    for i in range(n):
        slack.invited(f"https://linkedin.com/in/{user.lower()}-{sent}-{i} --sent {sent}", user=user)


def test_more_on_linkedin_means_invites_missing_here(slack, db):
    with freeze_time("2026-11-18 10:00:00"):
        log(slack, 2)
        answer = slack.invites("linkedin 5").visible
    assert "LinkedIn shows 5, you logged 2 pending: 3 are missing here — import your export to catch up" in answer
    with db.session(write=False) as s:
        row = s.execute(select(Member.linkedin_pending, Member.linkedin_logged, Member.linkedin_reported_at)
                        .where(Member.user_id == "U1")).one()
    assert tuple(row) == (5, 2, datetime(2026, 11, 18, 10, tzinfo=UTC))


def test_more_here_means_outcomes_not_recorded_and_suggests_connections(slack):
    with freeze_time("2026-11-18 10:00:00"):
        log(slack, 4)
        answer = slack.invites("linkedin 1").visible
    assert "LinkedIn shows 1, you logged 4 pending: 3 logged here have an outcome you haven't recorded" in answer
    assert "import your `Connections.csv` to mark the accepted ones" in answer


def test_in_step(slack):
    with freeze_time("2026-11-18 10:00:00"):
        log(slack, 3)
        assert "LinkedIn shows 3, you logged 3 pending: in step." in slack.invites("linkedin 3").visible


def test_the_logged_count_is_the_pending_count_of_every_surface(slack):
    with freeze_time("2026-11-18 10:00:00"):
        log(slack, 2)
        log(slack, 1, sent="200d")  # past expire_after_days: not pending on any surface
        slack.invites("accepted #1")
        summary = slack.invites("").visible
        answer = slack.invites("linkedin 1,000").visible
    assert "Pending: 1" in summary
    assert "LinkedIn shows 1000, you logged 1 pending: 999 are missing here" in answer


@pytest.mark.parametrize("text", ["linkedin", "linkedin lots", "linkedin -3", "linkedin 100001"])
def test_a_count_that_is_not_one_is_refused_with_the_usage(slack, text):
    answer = slack.invites(text).visible
    assert "How many invites does LinkedIn show as sent and pending" in answer and "Usage:" in answer


def test_home_shows_the_last_report_and_its_drift(slack, fake_slack):
    with freeze_time("2026-11-18 10:00:00"):
        open_home(slack)
        before = home_as_text(published(fake_slack))
        log(slack, 2)
        slack.invites("linkedin 5")
        so_far = len(fake_slack.of("views.publish"))
        open_home(slack)
        after = home_as_text(published(fake_slack, so_far + 1))
    assert "Compare with LinkedIn" in before
    assert "LinkedIn, your report of Nov 18:* LinkedIn shows 5, you logged 2 pending: 3 are missing here" in after


def digest_texts(fake_slack) -> list[str]:
    texts = []
    for call in fake_slack.of("chat.postMessage"):
        blocks = call.params.get("blocks")
        texts.append(json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks, ensure_ascii=False))
    return texts


def cycle(db, settings, at: str) -> list[str]:
    with freeze_time(at):
        now = datetime.now(UTC)
        send = slack_sender(settings, db, single_workspace_tokens(settings), SystemClock())
        return [m.user_id for m in run_cycle(db, now=now, send=send).sent]


@pytest.fixture
def slow_threshold(slack, db):
    """Invites logged in October are not stale in November (so a digest goes out only for the reminder)."""
    with freeze_time("2026-10-01 09:00:00"):
        slack.invites("help")
    set_workspace(db, withdraw_after_days=60)


def test_the_digest_reminds_of_an_old_big_drift_at_most_weekly(slack, db, settings, fake_slack, slow_threshold):
    with freeze_time("2026-10-01 10:00:00"):  # a Thursday; 10 logged, LinkedIn shows 5: 100% drift
        log(slack, 10)
        slack.invites("linkedin 5")
    # Berlin, 09:00 local = 07:00 UTC in November (CET). Nothing stale: the reminder alone is worth a digest.
    assert cycle(db, settings, "2026-10-29 08:00:00") == []  # 28 days: not yet
    assert cycle(db, settings, "2026-11-02 08:00:00") == ["U1"]  # 32 days, a Monday
    assert REMINDER in digest_texts(fake_slack)[-1] and "showed 5 pending where you had logged 10" in digest_texts(
        fake_slack)[-1]
    assert cycle(db, settings, "2026-11-03 08:00:00") == []  # reminded yesterday
    assert cycle(db, settings, "2026-11-06 08:00:00") == []
    assert cycle(db, settings, "2026-11-09 08:00:00") == ["U1"]  # a week later
    assert REMINDER in digest_texts(fake_slack)[-1]


def test_a_small_drift_or_a_fresh_report_is_never_reminded(slack, db, settings, fake_slack, slow_threshold):
    with freeze_time("2026-10-01 10:00:00"):
        log(slack, 10, user="U1")
        slack.invites("linkedin 11", user="U1")  # 1 of 11: 9%
    with freeze_time("2026-10-30 10:00:00"):
        log(slack, 10, user="U3")
        slack.invites("linkedin 30", user="U3")  # big, but 3 days old
    assert cycle(db, settings, "2026-11-02 08:00:00") == []
    assert not any(REMINDER in t for t in digest_texts(fake_slack))


def test_a_digest_due_anyway_carries_the_reminder(slack, db, settings, fake_slack, slow_threshold):
    with freeze_time("2026-10-01 10:00:00"):
        log(slack, 3, sent="40d")  # stale by November
        slack.invites("linkedin 30")
    assert cycle(db, settings, "2026-11-02 08:00:00") == ["U1"]
    (text,) = digest_texts(fake_slack)
    assert REMINDER in text and "Withdrawn" in text
