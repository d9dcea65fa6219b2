"""Slack retries, double clicks, double submits and simultaneous teammates: each effect once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from bot.db.models import Invite, InviteEvent, Member, Workspace
from bot.slack.ids import SettingsView
from tests.slack.test_settings_privacy import workspace_values


def test_event_redelivery_is_harmless(slack, db):
    slack.invited("https://linkedin.com/in/a-a", user="U2")
    event = {"type": "user_change", "user": {"id": "U2", "team_id": "T1", "deleted": True}}
    for retry in ("", "1", "2"):
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        assert slack.event(event, headers=headers).status == 200
    with db.session(write=False) as s:
        assert s.scalar(select(Member.deactivated).where(Member.user_id == "U2")) is True


def test_uninstall_delivered_twice(slack, db):
    slack.invited("https://linkedin.com/in/a-a")
    for _ in range(2):
        assert slack.event({"type": "app_uninstalled"}).status == 200
    with db.session(write=False) as s:
        assert s.scalar(select(Workspace.uninstalled_at)) is not None
        assert s.scalar(select(func.count()).select_from(Invite)) == 1


def test_the_same_outcome_button_twice_records_once(slack, db):
    slack.invited("https://linkedin.com/in/jane-a Jane Smith")
    slack.invited("https://linkedin.com/in/jane-b Jane Miller")
    (button, _) = slack.invites("accepted jane").buttons
    first, second = slack.click(button), slack.click(button)
    assert "Marked" in first["text"] and "already accepted" in second["text"]
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(InviteEvent).where(InviteEvent.to_status == "accepted")) == 1


def test_the_settings_modal_submitted_twice_lands_once(slack, db):
    slack.invites("help", user="UADMIN")
    for _ in range(2):
        assert slack.submit(SettingsView.WORKSPACE, workspace_values(), user="UADMIN").body["response_action"] == "update"
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Workspace)) == 1
        assert s.scalar(select(Workspace.withdraw_after_days)) == 10


def test_two_teammates_log_the_same_prospect_at_the_same_moment(slack, db):
    barrier = threading.Barrier(2)
    answers = {}

    def log(user):
        barrier.wait()
        answers[user] = slack.invited("https://linkedin.com/in/hot-lead", user=user)

    threads = [threading.Thread(target=log, args=(u,)) for u in ("U1", "U2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("Logged 1 invite" in a.text for a in answers.values())
    with db.session(write=False) as s:
        owners = s.scalars(select(Invite.member_id)).all()
    assert len(owners) == 2 and len(set(owners)) == 2


def test_one_member_double_submitting_the_same_command(slack, db):
    barrier = threading.Barrier(4)
    texts = []

    def log():
        barrier.wait()
        texts.append(slack.invited("https://linkedin.com/in/double-tap").text)

    threads = [threading.Thread(target=log) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum("Logged 1 invite" in t for t in texts) == 1
    assert sum("not logged twice" in t for t in texts) == 3
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 1
