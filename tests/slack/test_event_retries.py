"""Slack's redeliveries of an event act once: the DM help reply and the Home publish, per event id.

Slack redelivers an event it got no 2xx for within 3 seconds (up to three times, with
`X-Slack-Retry-Num`), possibly to another replica while the first delivery is still being handled.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from bot.db.models import EventClaim
from tests.conftest import NOW
from tests.support.workspaces import oauth_harness

QUIET_S = 0.4  # how long to watch for a call that must not come
DM = {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "hello?", "ts": "1.1"}
HOME = {"type": "app_home_opened", "user": "U1", "channel": "D0HOME", "tab": "home", "event_ts": "1.0"}


def retry(n: int) -> dict[str, str]:
    return {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}


def deliver(slack, event: dict, event_id: str, *, attempts: int = 1, team: str = "T1") -> None:
    """The first delivery and `attempts - 1` redeliveries of one event."""
    for n in range(attempts):
        response = slack.event(event, event_id=event_id, team=team, headers=retry(n) if n else None)
        assert response.status == 200, response.body


def quiet(fake, method: str, expected: int) -> None:
    """No further call of `method` arrives (a lazy listener had time to run)."""
    time.sleep(QUIET_S)
    assert len(fake.of(method)) == expected, fake.of(method)


def claims(db) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(EventClaim))


def test_a_dm_and_its_redeliveries_get_one_help_reply(slack, db, fake_slack):
    deliver(slack, DM, "EvDM1", attempts=4)
    (post,) = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1" and "/invites help" in post.params["text"]
    quiet(fake_slack, "chat.postMessage", 1)


def test_a_redelivery_whose_first_delivery_never_arrived_is_answered(slack, db, fake_slack):
    slack.event(DM, event_id="EvDM2", headers=retry(2))
    fake_slack.wait_for("chat.postMessage")
    quiet(fake_slack, "chat.postMessage", 1)


def test_different_dms_each_get_a_reply(slack, db, fake_slack):
    deliver(slack, DM, "EvDM3", attempts=2)
    deliver(slack, {**DM, "ts": "1.2"}, "EvDM4", attempts=2)
    fake_slack.wait_for("chat.postMessage", 2)
    quiet(fake_slack, "chat.postMessage", 2)


def test_home_is_published_once_per_event_and_again_on_the_next_open(slack, db, fake_slack):
    deliver(slack, HOME, "EvHOME1", attempts=3)
    fake_slack.wait_for("views.publish")
    quiet(fake_slack, "views.publish", 1)
    deliver(slack, HOME, "EvHOME2")  # the member opens the tab again: a new event
    fake_slack.wait_for("views.publish", 2)
    quiet(fake_slack, "views.publish", 2)


def test_a_failed_reply_releases_the_event_for_its_redelivery(slack, db, fake_slack):
    fake_slack.queue("chat.postMessage", {"ok": False, "error": "internal_error"})
    deliver(slack, DM, "EvDM5")
    fake_slack.wait_for("chat.postMessage")
    deadline = time.monotonic() + 5
    while claims(db) and time.monotonic() < deadline:  # the failure gives the claim back
        time.sleep(0.02)
    assert claims(db) == 0
    slack.event(DM, event_id="EvDM5", headers=retry(1))  # Slack's redelivery now answers…
    fake_slack.wait_for("chat.postMessage", 2)
    slack.event(DM, event_id="EvDM5", headers=retry(2))  # …and the one after it finds the event done
    quiet(fake_slack, "chat.postMessage", 2)


def test_the_same_event_id_in_two_workspaces_acts_in_each(db, fake_slack, clock):
    slack = oauth_harness(db, fake_slack, clock, teams=("T1", "T2"), now=NOW)  # each its own installation
    deliver(slack, DM, "EvSAME", attempts=2)
    deliver(slack, DM, "EvSAME", attempts=2, team="T2")
    fake_slack.wait_for("chat.postMessage", 2)
    quiet(fake_slack, "chat.postMessage", 2)
