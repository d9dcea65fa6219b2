"""Log by DM: a member's message in the app's DM holding LinkedIn profile URLs logs them, once.

Signed Events API deliveries through the real app against the strict fake Web API, on SQLite and
PostgreSQL: Slack's redeliveries (X-Slack-Retry-Num), edits, bot messages and the app's own
messages, a share-sheet message, a DM without a profile, and the thread's Undo button.
"""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.db.models import Invite
from bot.slack.errors import DB_DOWN
from tests.support.harness import block_text, visible
from tests.support.linkedin import fixture

QUIET_S = 0.4  # how long to watch for a call that must not come
JANE = "https://www.linkedin.com/in/jane-doe"
BOB = "https://www.linkedin.com/in/bob-ray"


def dm(text: str, *, ts: str = "1763460000.000100", user: str = "U1", **extra) -> dict:
    return {"type": "message", "channel": "D1", "channel_type": "im", "user": user, "text": text, "ts": ts,
            "event_ts": ts, "client_msg_id": f"m-{ts}", **extra}


def retry(n: int) -> dict[str, str]:
    return {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}


def invites(db) -> list[tuple[str, str]]:
    with db.session(write=False) as s:
        return [(i.prospect_key, i.source) for i in s.scalars(select(Invite).order_by(Invite.id))]


def blocks_of(call) -> list[dict]:
    blocks = call.params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def shown(call) -> str:
    return visible("\n".join([call.params.get("text") or "", *(block_text(b) for b in blocks_of(call))]))


def buttons(call) -> list[dict]:
    return [e for b in blocks_of(call) if b["type"] == "actions" for e in b["elements"]]


def quiet(fake, method: str, expected: int) -> None:
    time.sleep(QUIET_S)
    assert len(fake.of(method)) == expected, [c.params for c in fake.of(method)]


def test_a_dm_with_two_profiles_logs_both_and_replies_in_its_thread_with_one_undo(slack, db, fake_slack):
    response = slack.event(dm(f"sent today <{JANE}> and <{BOB}|linkedin.com/in/bob-ray>"))
    assert response.status == 200
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply.params["channel"] == "D1" and reply.params["thread_ts"] == "1763460000.000100"
    text = shown(reply)
    assert "Logged 2 invites" in text and "Jane Doe" in text and "Bob Ray" in text
    (undo,) = buttons(reply)
    assert undo["text"]["text"] == "Undo"
    assert invites(db) == [("in:jane-doe", "dm"), ("in:bob-ray", "dm")]


def test_redeliveries_of_the_event_log_nothing_twice(slack, db, fake_slack):
    for n in range(4):
        assert slack.event(dm(JANE), event_id="EvDMLOG1", headers=retry(n) if n else None).status == 200
    fake_slack.wait_for("chat.postMessage")
    quiet(fake_slack, "chat.postMessage", 1)
    assert invites(db) == [("in:jane-doe", "dm")]


def test_the_same_message_under_another_event_id_is_not_logged_again(slack, db, fake_slack):
    slack.event(dm(JANE), event_id="EvDMLOG2")
    fake_slack.wait_for("chat.postMessage")
    slack.event(dm(JANE), event_id="EvDMLOG3")
    quiet(fake_slack, "chat.postMessage", 1)
    assert invites(db) == [("in:jane-doe", "dm")]


def test_an_edit_logs_nothing(slack, db, fake_slack):
    edit = {"type": "message", "subtype": "message_changed", "channel": "D1", "channel_type": "im",
            "hidden": True, "ts": "1763460001.000100", "event_ts": "1763460001.000100",
            "message": {"type": "message", "user": "U1", "text": f"<{JANE}>", "ts": "1763460000.000100",
                        "edited": {"user": "U1", "ts": "1763460001.000000"}},
            "previous_message": {"type": "message", "user": "U1", "text": "typo", "ts": "1763460000.000100"}}
    assert slack.event(edit).status == 200
    quiet(fake_slack, "chat.postMessage", 0)
    assert invites(db) == []


def test_bot_messages_and_the_apps_own_messages_log_nothing(slack, db, fake_slack):
    slack.event({**dm(f"<{JANE}>", ts="1.1"), "bot_id": "B9", "subtype": "bot_message"})
    slack.event({**dm(f"<{JANE}>", ts="1.2", user="UBOT"), "bot_id": "BBOT", "app_id": "A1"})
    slack.event(dm(f"<{JANE}>", ts="1.3", user="UBOT"))  # the app's own user, without bot_id
    quiet(fake_slack, "chat.postMessage", 0)
    assert invites(db) == []


def test_a_share_sheet_message_logs_the_profile_in_its_attachment(slack, db, fake_slack):
    shared = dm("Check out Jane Doe’s profile on LinkedIn", attachments=[{
        "id": 1, "service_name": "LinkedIn", "title": "Jane Doe - Acme | LinkedIn",
        "title_link": "https://www.linkedin.com/in/jane-doe-4b1a2c",
        "from_url": "https://www.linkedin.com/in/jane-doe-4b1a2c?utm_source=share&amp;utm_medium=member_ios",
        "original_url": "https://www.linkedin.com/in/jane-doe-4b1a2c?utm_source=share&amp;utm_medium=member_ios",
        "fallback": "LinkedIn: Jane Doe - Acme"}])
    slack.event(shared)
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "Logged 1 invite" in shown(reply) and "Jane Doe" in shown(reply)
    assert invites(db) == [("in:jane-doe-4b1a2c", "dm")]


def test_a_dm_without_a_profile_still_gets_the_short_help(slack, db, fake_slack):
    slack.event(dm("hello? <https://www.linkedin.com/feed/>"))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "/invites help" in shown(reply) and "thread_ts" not in reply.params
    assert invites(db) == []


def test_the_same_rules_and_warnings_as_invited(slack, db, fake_slack):
    slack.invited(JANE)
    slack.event(dm(f"<{JANE}> <{BOB}>"))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    text = shown(reply)
    assert "Logged 1 invite" in text and "is already pending as" in text and "not logged twice" in text
    assert invites(db) == [("in:jane-doe", "command"), ("in:bob-ray", "dm")]


def test_only_duplicates_offer_no_undo(slack, db, fake_slack):
    slack.invited(JANE)
    slack.event(dm(f"<{JANE}>"))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "Nothing new was logged" in shown(reply) and buttons(reply) == []


def click_in_thread(slack, fake_slack, reply, *, user: str = "U1") -> dict:
    (undo,) = buttons(reply)
    message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": reply.params["text"],
               "blocks": blocks_of(reply), "ts": "1763460002.000100", "thread_ts": reply.params["thread_ts"]}
    before = len(fake_slack.of("response_url"))
    response = slack.click_in_message(undo, message=message, channel="D1", ts="1763460002.000100", user=user)
    assert response.status == 200
    return fake_slack.wait_for("response_url", before + 1)[-1].params


def test_the_threads_undo_reverts_the_whole_message_in_place(slack, db, fake_slack):
    slack.event(dm(f"<{JANE}> <{BOB}>"))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    update = click_in_thread(slack, fake_slack, reply)
    assert update["replace_original"] is True
    assert "Undone" in visible(update["text"]) and "Jane Doe" in visible(update["text"])
    assert invites(db) == []
    again = click_in_thread(slack, fake_slack, reply)  # a second click (or a cached client)
    assert "already undone" in visible(again["text"])


def test_invites_undo_reverts_a_dm_logged_message_as_one_change(slack, db, fake_slack):
    slack.event(dm(f"<{JANE}> <{BOB}>"))
    fake_slack.wait_for("chat.postMessage")
    answer = slack.invites("undo")
    assert "removed" in answer.visible and "Jane Doe" in answer.visible and "Bob Ray" in answer.visible
    assert invites(db) == []


def test_a_teammate_cannot_undo_someone_elses_message(slack, db, fake_slack):
    slack.event(dm(f"<{JANE}>"))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    update = click_in_thread(slack, fake_slack, reply, user="U2")
    assert "Nothing to undo" in visible(update["text"])
    assert invites(db) == [("in:jane-doe", "dm")]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_dm_while_the_database_is_down_is_told_so_in_its_thread(slack, db, fake_slack):
    path = make_url(str(db.engine.url)).database
    blocker = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        slack.event(dm(f"<{JANE}>"))
        (reply,) = fake_slack.wait_for("chat.postMessage")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert reply.params["thread_ts"] == "1763460000.000100"
    assert DB_DOWN in shown(reply)
    assert invites(db) == []


def test_the_help_says_profile_urls_are_logged_here_and_answers_a_thread_in_it(slack, db, fake_slack):
    slack.event(dm("thanks!", ts="1763460009.000100", thread_ts="1763460000.000100"))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == "1763460000.000100"
    text = shown(reply)
    assert "Paste or share LinkedIn profile URLs here" in text and "Invitations.csv" in text
    assert "don't read messages" not in text


def test_a_file_with_a_profile_url_in_its_message_still_goes_to_the_importer(slack, db, fake_slack):
    fake_slack.add_file("F0CAPTURE", "Invitations.csv", fixture("Invitations.csv"))
    slack.event(dm(f"my export, and <{JANE}>", subtype="file_share", files=[{"id": "F0CAPTURE", "name": "x.csv"}]))
    (reply,) = fake_slack.wait_for("chat.postMessage")
    assert "thread_ts" not in reply.params and "Logged" not in shown(reply)
    quiet(fake_slack, "chat.postMessage", 1)
    found = invites(db)
    assert found and {source for _, source in found} == {"import"}
