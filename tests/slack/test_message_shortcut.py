"""The message shortcut "Log as sent invites" (`log_from_message`): the Log invites modal, filled in.

A `message_action` payload as Slack posts it, through the real app against the strict fake Web API
(SQLite and PostgreSQL): the modal opens first (the trigger lasts 3 seconds), with the message's
LinkedIn URLs one per line, or saying it found none; its submission logs through `/invited`'s rules
as one change, which `/invites undo` reverts.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlalchemy import select

from bot.db.models import Invite
from bot.slack.ids import LogField, LogModal
from tests.slack.test_log_modal import values
from tests.support.harness import block_text, visible

TRIGGER = "13345224609.738474920.8088930838d88f008e0"


def message_action(message: dict, *, user: str = "U1", team: str = "T1", channel: str = "C1") -> dict:
    """A message shortcut payload, as Slack's reference shows it."""
    return {
        "type": "message_action", "token": "legacy-verification-token", "action_ts": "1763460100.000200",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": team, "name": user.lower()},
        "channel": {"id": channel, "name": "sales"}, "is_enterprise_install": False, "enterprise": None,
        "callback_id": LogModal.MESSAGE_SHORTCUT, "trigger_id": TRIGGER,
        "response_url": "https://hooks.slack.com/app/T1/1/abc", "message_ts": message["ts"], "message": message,
    }


def send(slack, payload: dict):
    response = slack.dispatch(urlencode({"payload": json.dumps(payload)}),
                              content_type="application/x-www-form-urlencoded")
    assert response.status == 200, response.body
    return response


def opened_view(fake_slack) -> dict:
    (call,) = fake_slack.of("views.open")
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def url_field(view: dict) -> dict:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == LogField.URLS]
    return block["element"]


CHANNEL_MESSAGE = {
    "type": "message", "user": "U2", "ts": "1763460000.000100", "team": "T1",
    "text": "Great people from the meetup: <https://www.linkedin.com/in/jane-doe|Jane> and "
            "<https://uk.linkedin.com/in/bob-ray/?trk=x> (and our page <https://www.linkedin.com/company/acme>)",
    "attachments": [{"from_url": "https://www.linkedin.com/in/ann-lee", "title": "Ann Lee | LinkedIn"}],
}


def test_the_modal_opens_first_with_the_messages_profiles_one_per_line(slack, db, fake_slack):
    send(slack, message_action(CHANNEL_MESSAGE))
    methods = [c.method for c in fake_slack.calls]
    assert set(methods[:methods.index("views.open")]) <= {"auth.test"}  # no Slack call before the trigger is used
    (call,) = fake_slack.of("views.open")
    assert call.params["trigger_id"] == TRIGGER
    view = opened_view(fake_slack)
    assert view["callback_id"] == LogModal.VIEW
    assert url_field(view)["initial_value"].splitlines() == [
        "https://www.linkedin.com/in/jane-doe", "https://www.linkedin.com/in/bob-ray",
        "https://www.linkedin.com/in/ann-lee"]
    assert "3 LinkedIn profiles" in "\n".join(block_text(b) for b in view["blocks"])


def test_a_message_without_a_profile_opens_the_modal_saying_so(slack, db, fake_slack):
    send(slack, message_action({"type": "message", "user": "U2", "ts": "1763460000.000200", "text": "lunch?"}))
    view = opened_view(fake_slack)
    assert "initial_value" not in url_field(view)
    assert "found no LinkedIn profile URL" in "\n".join(block_text(b) for b in view["blocks"])


def test_the_submission_logs_them_as_one_change_from_the_shortcut(slack, db, fake_slack):
    send(slack, message_action(CHANNEL_MESSAGE))
    view = opened_view(fake_slack)
    answer = slack.submit(LogModal.VIEW, values(urls=url_field(view)["initial_value"]),
                          private_metadata=view["private_metadata"])
    assert answer.body == {}
    (confirmation,) = fake_slack.wait_for("chat.postEphemeral")
    assert confirmation.params["channel"] == "C1" and "Logged 3 invites" in visible(confirmation.params["text"])
    with db.session(write=False) as s:
        assert [(i.prospect_key, i.source) for i in s.scalars(select(Invite).order_by(Invite.id))] == [
            ("in:jane-doe", "shortcut"), ("in:bob-ray", "shortcut"), ("in:ann-lee", "shortcut")]
    undone = slack.invites("undo")
    assert visible(undone.body["text"]).count("removed") == 3
    with db.session(write=False) as s:
        assert s.scalars(select(Invite)).all() == []


def test_a_refused_trigger_is_explained_in_the_dm(slack, db, fake_slack):
    fake_slack.queue("views.open", {"ok": False, "error": "expired_trigger_id"})
    send(slack, message_action(CHANNEL_MESSAGE))
    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U1" and "expired_trigger_id" in dm.params["text"]
