"""One live digest: when the next digest is posted, the previous one becomes a one-line summary (issue 15 item 5)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from bot.clock import FixedClock
from bot.db.models import Delivery, Invite
from bot.services.sweep import run_cycle
from bot.slack.outbound import digest_updater, single_workspace_tokens, slack_sender
from tests.slack.test_digest import WED_9, buttons, deliver
from tests.support.factories import make_invites, make_member

THU_9 = WED_9 + timedelta(days=1)


def blocks_of(call):
    blocks = call.params["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def next_day(db, settings, fake_slack, clock):
    """Thursday's cycle, with the previous digest replaced."""
    clock.instant = THU_9
    tokens = single_workspace_tokens(settings)
    run_cycle(db, now=THU_9, send=slack_sender(settings, db, tokens, FixedClock(THU_9)),
              update_digest=digest_updater(settings, tokens))


def test_the_ledger_keeps_the_digest_s_ts_and_its_invites(db, settings, fake_slack, clock):
    deliver(db, settings, fake_slack, clock)
    (post,) = fake_slack.of("chat.postMessage")
    with db.session(write=False) as s:
        row = s.scalars(select(Delivery)).one()
        ids = sorted(s.scalars(select(Invite.id)))
    assert row.ts and row.channel == post.params["channel"]
    assert sorted(int(i) for i in row.invite_ids.split(",")) == ids


def test_the_next_digest_collapses_the_previous_one_to_what_happened(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    with db.session(write=False) as s:
        ts = s.scalar(select(Delivery.ts))
    slack.click_in_message(buttons(message, "Withdrawn")[0], message=message, channel=channel, ts=ts)
    fake_slack.wait_for("chat.update")
    slack.click_in_message(buttons(message, "Accepted")[1], message=message, channel=channel, ts=ts)
    fake_slack.wait_for("chat.update", 2)
    next_day(db, settings, fake_slack, clock)
    assert len(fake_slack.of("chat.postMessage")) == 2  # Thursday's digest (the third invite is still stale)
    collapse = fake_slack.of("chat.update")[-1]
    assert collapse.params["channel"] == channel and collapse.params["ts"] == ts
    text = json.dumps(blocks_of(collapse))
    assert "1 withdrawn, 1 accepted, 1 left for today's digest" in text
    assert "Nov 18" in text
    assert [b for b in blocks_of(collapse) if b["type"] == "actions"] == []


def test_an_old_button_still_acts_on_the_invite_s_current_state_and_says_so(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    with db.session(write=False) as s:
        ts = s.scalar(select(Delivery.ts))
    slack.click_in_message(buttons(message, "Withdrawn")[0], message=message, channel=channel, ts=ts)
    fake_slack.wait_for("chat.update")
    next_day(db, settings, fake_slack, clock)
    collapsed = {"text": "x", "blocks": blocks_of(fake_slack.of("chat.update")[-1])}
    updates = len(fake_slack.of("chat.update"))
    # A cached client still shows Wednesday's buttons: the click reaches the app with the collapsed message.
    slack.click_in_message(buttons(message, "Withdrawn")[0], message=collapsed, channel=channel, ts=ts)
    reply = fake_slack.wait_for("response_url")[-1].params
    assert "already withdrawn" in reply["text"]
    slack.click_in_message(buttons(message, "Withdrawn")[1], message=collapsed, channel=channel, ts=ts)
    reply = fake_slack.wait_for("response_url", 2)[-1].params
    assert "B Old marked withdrawn" in reply["text"] and reply["response_type"] == "ephemeral"
    assert len(fake_slack.of("chat.update")) == updates  # the summary stays as it is
    with db.session(write=False) as s:
        assert s.scalar(select(Invite.status).where(Invite.prospect_key == "in:b-old")) == "withdrawn"
    # And the bulk button of the old digest: what is still pending is withdrawn, and it says so.
    (bulk,) = buttons(message, "Withdrew all 3")
    slack.click_in_message(bulk, message=collapsed, channel=channel, ts=ts)
    reply = fake_slack.wait_for("response_url", 3)[-1].params
    assert "Marked 1 invite withdrawn" in reply["text"] and "already withdrawn" in reply["text"]


def test_a_first_digest_updates_nothing(db, settings, fake_slack, clock):
    actor = make_member(db, "U1", tz="UTC", now=THU_9)
    make_invites(db, actor, [{"key": "in:a-old", "days_ago": 30}], now=THU_9)
    next_day(db, settings, fake_slack, clock)
    assert len(fake_slack.of("chat.postMessage")) == 1 and fake_slack.of("chat.update") == []


def test_a_digest_that_cannot_be_updated_leaves_today_s_delivered(db, settings, fake_slack, clock):
    deliver(db, settings, fake_slack, clock)
    fake_slack.queue("chat.update", {"ok": False, "error": "message_not_found"})
    next_day(db, settings, fake_slack, clock)
    with db.session(write=False) as s:
        assert sorted(s.scalars(select(Delivery.state))) == ["sent", "sent"]


def test_a_digest_from_before_the_ledger_kept_its_invites_is_replaced_all_the_same(db, settings, fake_slack, clock):
    deliver(db, settings, fake_slack, clock)
    with db.session() as s:  # as a row settled before migration 0013
        s.execute(update(Delivery).values(invite_ids=None))
    next_day(db, settings, fake_slack, clock)
    (collapse,) = fake_slack.of("chat.update")
    assert "Nov 18 digest was replaced by today's" in json.dumps(blocks_of(collapse))
