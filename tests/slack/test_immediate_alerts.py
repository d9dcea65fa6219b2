"""Crossing a pending level or reaching the weekly safe limit DMs the member from that command."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.models import Delivery, Workspace
from bot.services.sweep import run_cycle
from bot.slack.app import create_app
from tests.conftest import NOW
from tests.support.harness import SlackHarness


def url(n: int) -> str:
    return f"https://www.linkedin.com/in/alert-prospect-{n}"


@pytest.fixture
def low_levels(db, slack):
    """Workspace T1 warns at 3 pending, limits at 5, and a free account's safe week is 6 invites."""
    slack.invites("help")  # the workspace row exists
    with db.session() as s:
        s.execute(update(Workspace).where(Workspace.team_id == "T1")
                  .values(pending_warn_at=3, pending_limit=5, safe_weekly_free=6))
    return slack


def alert_dms(fake_slack) -> list[str]:
    return [c.params.get("text", "") for c in fake_slack.of("chat.postMessage")]


def test_the_command_that_crosses_the_warning_level_dms_at_once(low_levels, fake_slack, db):
    low_levels.invited(f"{url(1)} {url(2)}")
    assert alert_dms(fake_slack) == []
    answer = low_levels.invited(url(3))
    assert "Logged 1 invite" in answer.text
    (dm,) = [c for c in fake_slack.wait_for("chat.postMessage")]
    assert "3 pending invites" in dm.params["text"]
    assert dm.params["channel"] == "DU1"
    low_levels.invited(url(4))  # still in the warning zone: no second DM
    low_levels.invites("list")
    time.sleep(0.3)
    assert len(alert_dms(fake_slack)) == 1


def test_the_limit_is_its_own_crossing_and_the_sweep_does_not_repeat_either(low_levels, fake_slack, db):
    low_levels.invited(" ".join(url(n) for n in range(1, 4)))
    fake_slack.wait_for("chat.postMessage", 1)
    low_levels.invited(f"{url(4)} {url(5)}")
    dms = fake_slack.wait_for("chat.postMessage", 2)
    assert "past the limit" in dms[1].params["text"]
    sent = []
    run_cycle(db, now=NOW, send=lambda m, _claim: sent.append(m) or ("DU1", "1.1"))
    assert [str(m.kind) for m in sent] == ["daily_digest"]  # the digest, never the alerts again
    with db.session(write=False) as s:
        kinds = sorted(s.scalars(select(Delivery.kind).where(Delivery.state == "sent")))
    assert kinds == ["daily_digest", "pending_limit", "pending_warn"]


def test_reaching_the_weekly_safe_limit_dms_at_once(low_levels, fake_slack, db):
    with db.session() as s:
        s.execute(update(Workspace).where(Workspace.team_id == "T1").values(pending_warn_at=50, pending_limit=60))
    low_levels.invited(" ".join(url(n) for n in range(1, 6)))
    assert alert_dms(fake_slack) == []
    low_levels.invited(url(6))
    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert "6 invites in the last 7 days" in dm.params["text"]


def test_falling_back_below_re_arms_the_alert_for_the_next_day(low_levels, fake_slack, db, clock):
    low_levels.invited(" ".join(url(n) for n in range(1, 4)))
    fake_slack.wait_for("chat.postMessage", 1)
    low_levels.invites("withdrawn alert-prospect-1")
    low_levels.invites("withdrawn alert-prospect-2")  # back below 3: re-armed by this command
    clock.advance(timedelta(days=1))
    low_levels.invited(f"{url(7)} {url(8)}")
    dms = fake_slack.wait_for("chat.postMessage", 2)
    assert "3 pending invites" in dms[1].params["text"]


def test_two_replicas_crossing_at_once_send_one_alert(settings, db, clock, fake_slack, low_levels):
    low_levels.invited(f"{url(1)} {url(2)}")
    replicas = [SlackHarness(create_app(settings, db, clock=clock), fake_slack) for _ in range(2)]
    start = threading.Barrier(2)

    def log(harness: SlackHarness, n: int) -> None:
        start.wait()
        harness.invited(url(n))

    threads = [threading.Thread(target=log, args=(h, 10 + i)) for i, h in enumerate(replicas)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fake_slack.wait_for("chat.postMessage", 1)
    time.sleep(0.5)  # any second alert would have been posted by now
    assert len([t for t in alert_dms(fake_slack) if "pending invites" in t]) == 1


def test_an_alert_slack_refused_is_sent_by_the_next_cycle(low_levels, fake_slack, db):
    low_levels.invited(f"{url(1)} {url(2)}")
    fake_slack.queue("chat.postMessage", {"ok": False, "error": "ratelimited_forever"})
    low_levels.invited(url(3))
    fake_slack.wait_for("chat.postMessage", 1)
    time.sleep(0.3)
    sent = []
    run_cycle(db, now=NOW, send=lambda m, _claim: sent.append(m) or ("DU1", "1.1"))
    assert "pending_warn" in [str(m.kind) for m in sent]


def test_the_sweep_does_not_undo_a_crossing_a_command_alerted_meanwhile(low_levels, fake_slack, db):
    from bot.db.models import Member
    from bot.services.sweep import apply_state, plan

    with db.session() as s:
        s.execute(update(Workspace).where(Workspace.team_id == "T1").values(pending_warn_at=50, pending_limit=60))
    low_levels.invited(f"{url(1)} {url(2)} {url(3)}")
    with db.session() as s:  # an admin lowers the level: the member is now past it, not yet alerted
        s.execute(update(Workspace).where(Workspace.team_id == "T1").values(pending_warn_at=3, pending_limit=5))
    planned = plan(db, now=NOW)  # the cycle read the member before any alert…
    low_levels.invites("tier free")  # …a command alerted meanwhile…
    fake_slack.wait_for("chat.postMessage", 1)
    apply_state(db, planned, sent=set())  # …and the cycle, whose own send found it done, writes back
    with db.session(write=False) as s:
        assert s.scalar(select(Member.alerted_level).where(Member.user_id == "U1")) == "warn"


def test_a_crossing_command_that_says_payload_still_alerts(low_levels, fake_slack):
    """The lazy listener gets a copy of the request: it must parse as the edge did."""
    low_levels.invited(f"{url(1)} {url(2)}")
    low_levels.invited("https://www.linkedin.com/in/payload-pete asked about payload pricing")
    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert "3 pending invites" in dm.params["text"]
