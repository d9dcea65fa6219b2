"""The replies of the other ways to log: the DM thread reply (one Undo), the workflow step's warnings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.domain.commands import DEFAULT_COMMANDS
from bot.domain.invites import Priority, Risk, Status
from bot.services.invites import InviteView, LogResult, Teammate
from bot.slack.ids import Action, Block, LogField
from bot.slack.mrkdwn import plain
from bot.slack.payloads import LogModalMeta, UndoChange
from bot.slack.render.capture import dm_log_reply, workflow_warnings
from bot.slack.render.modals import log_view

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CHANGE = "590311cd-fad6-5c17-b3ce-104da0853804"


def view(n: int, key: str = "in:jane-doe") -> InviteView:
    return InviteView(n, key, f"https://www.linkedin.com/in/{key[3:]}", None, None, Status.PENDING, Priority.NORMAL,
                      NOW, NOW, False)


class _Settings:
    resend_cooldown_days = 21


class _Actor:
    tz = UTC
    tier = "free"
    settings = _Settings()


def test_the_dm_reply_has_one_undo_for_the_whole_message():
    result = LogResult(logged=[view(1), view(2, "in:bob-ray")])
    reply = dm_log_reply(result, _Actor(), change_id=CHANGE, now=NOW, commands=DEFAULT_COMMANDS)
    (actions,) = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert actions["block_id"] == Block.UNDO_CHANGE
    (button,) = actions["elements"]
    assert (button["action_id"], button["text"]["text"]) == (Action.UNDO_CHANGE, "Undo")
    assert UndoChange.model_validate_json(button["value"]).change_id == CHANGE
    assert "Logged 2 invites" in reply["text"] and "these 2 invites" in json.dumps(reply["blocks"])


def test_a_dm_reply_that_logged_nothing_offers_no_undo():
    reply = dm_log_reply(LogResult(duplicates=[view(1)]), _Actor(), change_id=CHANGE, now=NOW,
                         commands=DEFAULT_COMMANDS)
    assert not [b for b in reply["blocks"] if b["type"] == "actions"]
    assert "not logged twice" in reply["text"]


def test_workflow_warnings_are_plain_text_in_invited_words():
    result = LogResult(logged=[view(1)], teammates={"in:jane-doe": [Teammate("U2", "Tom & Co", Status.PENDING)]},
                       pending=250, pending_warn_at=200, pending_limit=300, risk=Risk.WARN)
    text = workflow_warnings(result, _Actor(), now=NOW, commands=DEFAULT_COMMANDS)
    assert text.splitlines() == [
        "A teammate is already on Jane Doe: Tom & Co (pending).",
        "250 invites pending (warning level 200). Withdraw stale ones: /invites list stale.",
    ]
    assert workflow_warnings(LogResult(logged=[view(1)]), _Actor(), now=NOW, commands=DEFAULT_COMMANDS) == ""


def test_plain_reads_mrkdwn_as_text():
    assert plain(":warning: <https://x.test/a|Jane &amp; Co> is *already* `#1` &lt;ok&gt; <@U1>") == \
        "Jane & Co is already #1 <ok> @U1"


def test_the_modal_from_a_message_fills_in_its_profiles_and_says_where_they_came_from():
    modal = log_view(today=NOW.date(), channel_id="C1", from_message=("https://www.linkedin.com/in/a",
                                                                      "https://www.linkedin.com/in/b"))
    urls = next(b for b in modal["blocks"] if b.get("block_id") == LogField.URLS)
    assert urls["element"]["initial_value"] == "https://www.linkedin.com/in/a\nhttps://www.linkedin.com/in/b"
    assert "2 LinkedIn profiles found in the message" in json.dumps(modal["blocks"][0])
    assert LogModalMeta.load(modal["private_metadata"]) == LogModalMeta(channel_id="C1", source="shortcut")
    none = log_view(today=NOW.date(), channel_id=None, from_message=())
    assert "found no LinkedIn profile URL" in json.dumps(none["blocks"][0])
    plain_modal = log_view(today=NOW.date(), channel_id="C1")
    assert json.loads(plain_modal["private_metadata"]) == {"channel_id": "C1"}
    assert plain_modal["blocks"][0]["block_id"] == LogField.URLS
