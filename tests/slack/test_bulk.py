"""Bulk outcomes: the digest's and Home's "Withdrew all N", undone as one change (issue 15 items 4, 6)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Invite, InviteEvent
from bot.slack.ids import Action
from bot.slack.payloads import MAX_BULK_IDS, BulkWithdraw
from tests.slack.test_digest import WED_9, buttons, deliver
from tests.slack.test_home import home_click, open_home, published
from tests.support.factories import make_invites, make_member, record_event


def withdraw_all(message):
    (button,) = [b for b in buttons(message, "Withdrew all 3")]
    return button


def statuses(db) -> dict[str, str]:
    with db.session(write=False) as s:
        return dict(s.execute(select(Invite.prospect_key, Invite.status)).all())


def test_the_digest_batch_has_one_withdrew_all_button_with_a_confirm(db, settings, fake_slack, clock):
    message, _ = deliver(db, settings, fake_slack, clock)
    button = withdraw_all(message)
    confirm = button["confirm"]
    assert "3" in confirm["title"]["text"] and "3" in confirm["text"]["text"]
    assert "over days" in confirm["text"]["text"]  # LinkedIn spreads withdrawals best over days
    assert set(BulkWithdraw.model_validate_json(button["value"]).invite_ids) == {
        i for i, in _ids(db)}


def _ids(db):
    with db.session(write=False) as s:
        return s.execute(select(Invite.id)).all()


def test_withdrew_all_marks_exactly_the_rows_shown_and_updates_in_place(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": "in:d-later", "days_ago": 40}], now=WED_9)  # stale, but not in the message
    slack.click_in_message(withdraw_all(message), message=message, channel=channel, ts="5.5")
    (update,) = fake_slack.wait_for("chat.update")
    assert update.params["ts"] == "5.5"
    blocks = update.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    shown = json.dumps(blocks)
    assert "Withdrew all" not in shown and [b for b in blocks if b["type"] == "actions"] == []
    assert "Marked 3 invites withdrawn" in shown and "1 pending" in shown
    assert statuses(db) == {"in:a-old": "withdrawn", "in:b-old": "withdrawn", "in:c-old": "withdrawn",
                            "in:d-later": "pending"}
    with db.session(write=False) as s:
        changes = set(s.scalars(select(InviteEvent.change_id).where(InviteEvent.to_status == "withdrawn")))
    assert len(changes) == 1  # one change: one undo reverts it


def test_undo_reverts_a_bulk_click_as_one_change(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    slack.click_in_message(withdraw_all(message), message=message, channel=channel, ts="5.5")
    fake_slack.wait_for("chat.update")
    answer = slack.invites("undo")
    assert answer.body["text"].count("is pending again (was withdrawn)") == 3
    assert set(statuses(db).values()) == {"pending"}
    assert "nothing of yours to undo" in slack.invites("undo").text


def test_past_the_daily_withdrawals_the_bulk_click_warns(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    actor = make_member(db, "U1", now=WED_9)
    done = make_invites(db, actor, [{"key": f"in:done-{n}", "days_ago": 30, "status": "withdrawn"}
                                    for n in range(19)], now=WED_9)
    for invite_id in done:  # 19 withdrawn earlier today: 3 more pass the 20 a day
        record_event(db, actor, invite_id, "withdrawn", at=WED_9 - timedelta(minutes=30), via="button")
    slack.click_in_message(withdraw_all(message), message=message, channel=channel, ts="5.5")
    (update,) = fake_slack.wait_for("chat.update")
    shown = json.dumps(update.params["blocks"])
    assert "22 withdrawals today" in shown and "20 a day" in shown
    assert "over the next days" in shown


def test_a_forged_bulk_value_only_touches_the_clickers_own_pending_invites(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    other = make_member(db, "U2", now=WED_9)
    (theirs,) = make_invites(db, other, [{"key": "in:theirs", "days_ago": 30}], now=WED_9)
    ids = [i for i, in _ids(db) if i != theirs]
    forged = {"action_id": Action.DIGEST_WITHDRAW_ALL, "value": BulkWithdraw(invite_ids=(*ids, theirs)).dump(),
              "text": {"type": "plain_text", "text": "Withdrew all 4"}}
    slack.click_in_message(forged, message=message, channel=channel, ts="5.5")
    fake_slack.wait_for("chat.update")
    assert statuses(db)["in:theirs"] == "pending"
    assert statuses(db)["in:a-old"] == "withdrawn"
    # The teammate clicking the clicker's button changes nothing of the clicker's.
    slack.click_in_message(withdraw_all(message), message=message, channel=channel, ts="5.5", user="U2")
    reply = fake_slack.wait_for("response_url")[-1].params
    assert "none of these invites are yours" in reply["text"].lower()
    assert statuses(db)["in:theirs"] == "pending"


def test_a_second_bulk_click_says_they_are_already_withdrawn(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    slack.click_in_message(withdraw_all(message), message=message, channel=channel, ts="5.5")
    fake_slack.wait_for("chat.update")
    slack.click_in_message(withdraw_all(message), message=message, channel=channel, ts="5.5")
    reply = fake_slack.wait_for("response_url")[-1].params
    assert "already" in reply["text"]
    with db.session(write=False) as s:
        assert len(s.scalars(select(InviteEvent).where(InviteEvent.to_status == "withdrawn")).all()) == 3


def test_after_one_row_is_marked_the_bulk_button_names_the_rows_left(slack, db, settings, fake_slack, clock):
    message, channel = deliver(db, settings, fake_slack, clock)
    slack.click_in_message(buttons(message, "Accepted")[0], message=message, channel=channel, ts="5.5")
    (update,) = fake_slack.wait_for("chat.update")
    blocks = update.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    (left,) = buttons({"blocks": blocks}, "Withdrew all 2")
    assert len(BulkWithdraw.model_validate_json(left["value"]).invite_ids) == 2


def test_home_stale_list_has_withdrew_all_and_republishes(slack, db, settings, fake_slack, clock):
    clock.instant = WED_9
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20 + n} for n in range(3)], now=WED_9)
    open_home(slack)
    view = published(fake_slack)
    (button,) = [b for b in _view_buttons(view) if b["text"]["text"] == "Withdrew all 3"]
    assert "over days" in button["confirm"]["text"]["text"]
    home_click(slack, button["action_id"], value=button["value"])
    view = published(fake_slack, 2)
    assert not [b for b in _view_buttons(view) if b["text"]["text"].startswith("Withdrew all")]
    assert set(statuses(db).values()) == {"withdrawn"}


def _view_buttons(view):
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"]


def test_the_largest_bulk_value_fits_in_a_button():
    """Slack keeps button values to 2,000 characters: the most ids a bulk button carries, at their largest."""
    value = BulkWithdraw(invite_ids=tuple(2**53 - n for n in range(MAX_BULK_IDS))).dump()
    assert len(value) <= 2000
    from bot.domain.settings import setting
    from bot.services.home import MAX_BATCH_ROWS
    from bot.slack.render.nudges import MAX_ROWS
    # The rows shown (digest and Home) are what a bulk click carries; a default day's batch fits whole.
    assert max(MAX_ROWS, MAX_BATCH_ROWS) <= MAX_BULK_IDS
    assert setting("max_withdrawals_per_day").default <= MAX_BULK_IDS


def test_home_bulk_click_past_the_daily_withdrawals_warns_in_the_dm(slack, db, settings, fake_slack, clock):
    clock.instant = WED_9
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20 + n} for n in range(3)], now=WED_9)
    open_home(slack)
    (button,) = [b for b in _view_buttons(published(fake_slack)) if b["text"]["text"] == "Withdrew all 3"]
    done = make_invites(db, actor, [{"key": f"in:done-{n}", "days_ago": 30, "status": "withdrawn"}
                                    for n in range(18)], now=WED_9)
    for invite_id in done:  # a bulk value carries the rows shown when Home was opened
        record_event(db, actor, invite_id, "withdrawn", at=WED_9 - timedelta(minutes=5), via="button")
    home_click(slack, button["action_id"], value=button["value"])
    published(fake_slack, 2)
    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U1" and "21 withdrawals today" in dm.params["text"]
    assert set(statuses(db).values()) == {"withdrawn"}


def test_home_bulk_click_within_the_day_sends_no_dm(slack, db, settings, fake_slack, clock):
    clock.instant = WED_9
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20 + n} for n in range(3)], now=WED_9)
    open_home(slack)
    (button,) = [b for b in _view_buttons(published(fake_slack)) if b["text"]["text"] == "Withdrew all 3"]
    home_click(slack, button["action_id"], value=button["value"])
    published(fake_slack, 2)
    assert fake_slack.of("chat.postMessage") == []


def test_a_home_click_on_rows_handled_elsewhere_shows_home_again(slack, db, settings, fake_slack, clock):
    clock.instant = WED_9
    actor = make_member(db, "U1", now=WED_9)
    make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20 + n} for n in range(3)], now=WED_9)
    open_home(slack)
    (button,) = [b for b in _view_buttons(published(fake_slack)) if b["text"]["text"] == "Withdrew all 3"]
    slack.invites("withdrawn #1")
    slack.invites("withdrawn #2")
    slack.invites("accepted #3")
    home_click(slack, button["action_id"], value=button["value"])  # Home still showed them as pending
    view = published(fake_slack, 2)
    assert not [b for b in _view_buttons(view) if b["text"]["text"].startswith("Withdrew all")]
    assert "0 pending" in json.dumps(view)
