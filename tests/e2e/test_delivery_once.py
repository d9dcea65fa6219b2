"""A digest reaches a member once even when Slack answers too late: `invite-hygiene sweep` processes.

Slack posts the message and its answer never arrives in time (the client times out). The ledger
cannot tell "not posted" from "posted, answer lost"; the next cycle must look for the message
(tagged with the delivery's ledger id in its metadata) before posting it again.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Delivery
from tests.e2e.conftest import console_script
from tests.support.factories import make_invites, make_member, set_workspace
from tests.support.signing import BOT_TOKEN

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
CLIENT_TIMEOUT_S = 1


def sweep(db, fake_slack, tmp_path, now: datetime) -> list[dict]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake_slack.base_url,
           "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "WEB_API_TIMEOUT_SECONDS": str(CLIENT_TIMEOUT_S)}
    done = subprocess.run([*console_script(), "sweep", "--now", now.isoformat()], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_a_digest_posted_but_answered_too_late_is_not_posted_again(db, fake_slack, tmp_path):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:late-answer", "days_ago": 20}], now=WED_9)

    def posted_then_stalled(params):
        answer = fake_slack.post(params)  # Slack has posted it...
        time.sleep(CLIENT_TIMEOUT_S + 1.0)  # ...and answers after the client gave up
        return answer

    fake_slack.queue("chat.postMessage", posted_then_stalled)
    for minutes in (0, 5, 10):
        sweep(db, fake_slack, tmp_path, WED_9.replace(minute=minutes))
    posts = fake_slack.of("chat.postMessage")
    assert len(posts) == 1, [p.params.get("text") for p in posts]
    (message,) = fake_slack.posted["DU1"]
    with db.session(write=False) as s:
        row = s.execute(select(Delivery.id, Delivery.state, Delivery.channel, Delivery.ts, Delivery.attempts)).one()
    assert message["metadata"] == {"event_type": "invite_hygiene_delivery", "event_payload": {"delivery_id": row.id}}
    assert (row.state, row.channel, row.ts, row.attempts) == ("sent", "DU1", message["ts"], 2)
    history = fake_slack.of("conversations.history")
    assert [(c.params["channel"], c.params["include_all_metadata"] in {"1", "true"}) for c in history] == [("DU1", True)]


def test_a_timed_out_post_that_never_reached_slack_is_sent_on_the_next_cycle(db, fake_slack, tmp_path):
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:lost-post", "days_ago": 20}], now=WED_9)
    fake_slack.queue("chat.postMessage", lambda params: time.sleep(CLIENT_TIMEOUT_S + 1.0) or {"ok": False})
    for minutes in (0, 5, 10):
        sweep(db, fake_slack, tmp_path, WED_9.replace(minute=minutes))
    assert len(fake_slack.posted["DU1"]) == 1  # the retry, once: the first never landed
    assert len(fake_slack.of("chat.postMessage")) == 2
    with db.session(write=False) as s:
        assert s.scalar(select(Delivery.state)) == "sent"


def test_the_weekly_team_digest_is_tagged_and_not_posted_twice(db, fake_slack, tmp_path):
    make_member(db, "U1", now=WED_9)
    set_workspace(db, digest_channel="CTEAM", timezone="UTC")
    monday_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def posted_then_stalled(params):
        answer = fake_slack.post(params)
        time.sleep(CLIENT_TIMEOUT_S + 1.0)
        return answer

    fake_slack.queue("chat.postMessage", posted_then_stalled)
    for minutes in (0, 5, 10):
        sweep(db, fake_slack, tmp_path, monday_9.replace(minute=minutes))
    team_posts = [c for c in fake_slack.of("chat.postMessage") if c.params.get("channel") == "CTEAM"]
    assert len(team_posts) == 1
    (message,) = fake_slack.posted["CTEAM"]
    assert message["metadata"]["event_type"] == "invite_hygiene_delivery"
