"""The lazy half of a change: after the ack, DM the member an alert their change crossed."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services import alerts
from bot.slack.deps import Deps
from bot.slack.outbound import slack_sender

# Set in `context` by a listener whose change could raise the pile or the week's sends (invites
# logged, an undo that brought invites back); the lazy check runs only then, so reads and lists
# cost nothing extra.
MAY_CROSS = "alerts_may_cross"


def may_cross(context: BoltContext) -> None:
    """Mark the request: its change may have crossed an alert level."""
    context[MAY_CROSS] = True


def after_change(deps: Deps) -> Callable[..., None]:
    """A lazy listener: the alerts due now for the request's member, sent from the member's workspace."""

    def check_alerts(context: BoltContext, client: WebClient) -> None:
        if not context.get(MAY_CROSS) or not context.team_id or not context.user_id:
            return
        now = deps.clock.now()
        due = alerts.raise_alerts(deps.db, team_id=context.team_id, user_id=context.user_id, now=now)
        if due:
            send = slack_sender(deps.settings, deps.db, lambda _team: client.token, deps.clock)
            alerts.send_alerts(deps.db, due, send=send, now=now)

    return check_alerts
