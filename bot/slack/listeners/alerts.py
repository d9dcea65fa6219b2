"""After a change that may cross an alert level, DM the member the alert, right after the ack.

The check runs in the background (a small pool of `Deps`), only for changes that can cross
(invites logged, an undo, an outcome, a tier): reads and lists cost nothing, and no request is
copied as Bolt's lazy listeners copy it.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.services import alerts
from bot.services.invites import LogResult
from bot.services.members import Actor
from bot.slack.deps import Deps
from bot.slack.outbound import slack_sender

log = logging.getLogger("bot.slack.alerts")


def check_after(deps: Deps, *, team_id: str, user_id: str, client: WebClient,
                known: tuple[int, int] | None = None) -> None:
    """Queue the alert check of this member's change (the listener has acked by then)."""
    token = client.token
    deps.background.submit(_check, deps, team_id, user_id, token, known)


def check_after_log(deps: Deps, actor: Actor, result: LogResult, *, client: WebClient) -> None:
    """After invites were logged: the check, with the pending and 7-day sends the log's reply counted."""
    if result.logged:
        check_after(deps, team_id=actor.team_id, user_id=actor.user_id, client=client,
                    known=(result.pending, result.sends_last_7_days))


def _check(deps: Deps, team_id: str, user_id: str, token: str | None, known: tuple[int, int] | None) -> None:
    try:
        now = deps.clock.now()
        due = alerts.raise_alerts(deps.db, team_id=team_id, user_id=user_id, now=now, known=known)
        if due:
            send = slack_sender(deps.settings, deps.db, lambda _team: token, deps.clock)
            alerts.send_alerts(deps.db, due, send=send, now=now)
    except Exception:  # the next cycle sends what was due; nobody waits on this thread
        log.exception("alert check failed team=%s user=%s", team_id, user_id)
