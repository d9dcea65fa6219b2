"""Slack's Web API failing: bounded retries, a clear word to the user, nothing marked sent."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.db.models import Delivery, Invite
from bot.services.sweep import run_cycle
from bot.slack import outbound as outbound_module
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.slack.test_digest import buttons, deliver
from tests.support.factories import make_invites, make_member

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "answer",
    [
        (500, {}, {"ok": False, "error": "internal_error"}),
        (503, {}, {"ok": False, "error": "service_unavailable"}),
        (429, {"Retry-After": "30"}, {"ok": False, "error": "ratelimited"}),
        {"ok": False, "error": "invalid_auth"},
        lambda params: time.sleep(2.5) or {"ok": True, "user": {"id": "U1", "tz": "Asia/Tokyo"}},
    ],
    ids=["500", "503", "429", "invalid_auth", "timeout"],
)
def test_a_failing_profile_lookup_never_fails_or_stalls_a_command(slack, db, fake_slack, answer):
    fake_slack.queue("users.info", answer)
    started = time.monotonic()
    reply = slack.invited("https://linkedin.com/in/still-logged")
    assert time.monotonic() - started < 2.5  # within Slack's 3 seconds, whatever users.info does
    assert "Logged 1 invite" in reply.text
    with db.session(write=False) as s:
        assert s.scalar(select(Invite.prospect_key)) == "in:still-logged"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def test_connection_refused_leaves_the_digest_unsent_and_retried(db, settings):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    down = settings.model_copy(update={"slack_api_url": closed_port_url()})
    report = run_cycle(db, now=WED_9, send=slack_sender(down, db, single_workspace_tokens(down), FixedClock(WED_9)))
    assert report.sent == [] and report.failed[0][1].startswith("connection_error")
    with db.session(write=False) as s:
        assert s.scalar(select(Delivery.state)) == "failed"


def test_a_timeout_leaves_the_digest_unsent(db, settings, fake_slack, monkeypatch):
    monkeypatch.setattr(outbound_module, "WEB_API_TIMEOUT_S", 1)
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    for _ in range(3):
        fake_slack.queue("chat.postMessage", lambda params: time.sleep(1.5) or {"ok": True, "ts": "1"})
    report = run_cycle(db, now=WED_9, send=slack_sender(settings, db, single_workspace_tokens(settings),
                                                        FixedClock(WED_9)))
    # Slack may have posted it: recorded as unconfirmed, looked for before the next attempt posts.
    assert report.sent == [] and report.failed[0][1] == "unconfirmed:TimeoutError"
    with db.session(write=False) as s:
        assert s.scalar(select(Delivery.state)) == "failed"


def test_invalid_auth_on_delivery_is_final_for_the_day(db, settings, fake_slack):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=WED_9)
    fake_slack.queue("conversations.open", {"ok": False, "error": "invalid_auth"})
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    assert run_cycle(db, now=WED_9, send=send).failed[0][1] == "invalid_auth"
    assert run_cycle(db, now=WED_9.replace(hour=11), send=send).planned == []


def test_a_failed_message_refresh_still_tells_the_user_the_outcome_was_saved(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    fake_slack.queue("chat.update", {"ok": False, "error": "channel_not_found"})
    before = len(fake_slack.of("response_url"))
    slack.click_in_message(buttons(message, "Withdrawn")[0], message=message, channel=channel, ts="1.1")
    reply = fake_slack.wait_for("response_url", before + 1)[-1].params
    assert "saved" in reply["text"] and "channel_not_found" in reply["text"]
    with db.session(write=False) as s:
        assert s.scalar(select(Invite.status).where(Invite.prospect_key == "in:a-old")) == "withdrawn"


def test_views_open_failure_is_explained(slack, fake_slack):
    fake_slack.queue("views.open", (500, {}, {"ok": False, "error": "internal_error"}),
                     (500, {}, {"ok": False, "error": "internal_error"}), (500, {}, {"ok": False, "error": "x"}))
    answer = slack.invites("settings", user="U2")
    assert answer.status == 200
    assert "Please try again" in answer.text
