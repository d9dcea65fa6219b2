"""A delivered digest's buttons: record, update the DM in place, refuse a second click."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FixedClock
from bot.db.models import Invite, InviteEvent
from bot.services.sweep import run_cycle
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.support.factories import make_invites, make_member

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def deliver(db, settings, fake_slack, clock):
    clock.instant = WED_9
    actor = make_member(db, "U1", tz="UTC", now=WED_9)
    make_invites(db, actor, [
        {"key": "in:a-old", "days_ago": 30, "url": "https://www.linkedin.com/in/a-old", "name": "Ann Old"},
        {"key": "in:b-old", "days_ago": 20, "url": "https://www.linkedin.com/in/b-old"},
        {"key": "in:c-old", "days_ago": 15},
    ], now=WED_9)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    run_cycle(db, now=WED_9, send=send)
    (post,) = fake_slack.of("chat.postMessage")
    blocks = post.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {"text": post.params["text"], "blocks": blocks}, post.params["channel"]


def buttons(message, label):
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == label]


def test_digest_lists_the_batch_with_three_buttons_each(db, settings, fake_slack, clock):
    message, _ = deliver(db, settings, fake_slack, clock)
    text = json.dumps(message)
    assert "3 pending" in text and "3 stale" in text
    assert len(buttons(message, "Withdrawn")) == 3 and len(buttons(message, "Accepted")) == 3
    assert len(buttons(message, "Snooze 7d")) == 3
    # Oldest first; without a name, the slug made readable (PRODUCT.md: `in:c-old` shows as "C Old").
    assert text.index("Ann Old") < text.index("B Old") < text.index("C Old")


def test_withdrawn_click_records_and_updates_in_place(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    first = buttons(message, "Withdrawn")[0]
    response = slack.click_in_message(first, message=message, channel=channel, ts="111.222")
    assert response.status == 200
    (update,) = fake_slack.wait_for("chat.update")
    assert update.params["channel"] == channel and update.params["ts"] == "111.222"
    updated = json.dumps(update.params["blocks"])
    assert "Ann Old marked withdrawn" in updated
    assert "2 pending" in updated and "2 stale" in updated
    rows = [b for b in json.loads(updated) if b["type"] == "actions" and b["block_id"].startswith("digest_row:")]
    assert len(rows) == 2
    with db.session(write=False) as s:
        assert s.scalar(select(Invite.status).where(Invite.prospect_key == "in:a-old")) == "withdrawn"
        assert s.scalar(select(InviteEvent.via).where(InviteEvent.to_status == "withdrawn")) == "button"
    # The same click again (a double click or a Slack retry): already done, nothing changes.
    before = len(fake_slack.of("response_url"))
    slack.click_in_message(first, message=message, channel=channel, ts="111.222")
    reply = fake_slack.wait_for("response_url", before + 1)[-1].params
    assert "already withdrawn" in reply["text"] and reply["response_type"] == "ephemeral"
    assert len(fake_slack.of("chat.update")) == 1
    with db.session(write=False) as s:
        assert len(s.scalars(select(InviteEvent).where(InviteEvent.to_status == "withdrawn")).all()) == 1


def test_snooze_click_hides_the_invite_from_stale_for_a_week(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    slack.click_in_message(buttons(message, "Snooze 7d")[1], message=message, channel=channel, ts="1.2")
    (update,) = fake_slack.wait_for("chat.update")
    assert "snoozed for 7 days" in json.dumps(update.params["blocks"])
    updated = "\n".join(b["text"]["text"] for b in update.params["blocks"] if isinstance(b.get("text"), dict))
    # A snoozed invite is still stale (and counted so everywhere), just not in today's batch.
    assert "*3 pending* · *3 stale (1 snoozed)* · today's batch: *2*" in updated
    assert "Withdraw these 2 on LinkedIn today" in updated
    with db.session(write=False) as s:
        until = s.scalar(select(Invite.snoozed_until).where(Invite.prospect_key == "in:b-old"))
    assert until == WED_9 + timedelta(days=7)


def test_a_teammate_cannot_click_someone_elses_digest(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    slack.click_in_message(buttons(message, "Accepted")[0], message=message, channel=channel, ts="1.2", user="U2")
    reply = fake_slack.wait_for("response_url")[-1].params
    assert "You have no invite" in reply["text"]
    with db.session(write=False) as s:
        assert set(s.scalars(select(Invite.status))) == {"pending"}
    assert fake_slack.of("chat.update") == []
