"""The digest's buttons: record the outcome (or snooze), then update the DM in place."""

from __future__ import annotations

import re

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.commands import InviteRef
from bot.domain.invites import Status
from bot.services import invites as invite_service
from bot.services.counts import pile_for
from bot.slack.deps import Deps
from bot.slack.errors import ack_only, reporting
from bot.slack.ids import Action
from bot.slack.listeners import team
from bot.slack.mrkdwn import escape
from bot.slack.payloads import DigestRow, load
from bot.slack.render import nudges as render_nudges

_OUTCOMES = {Action.DIGEST_WITHDRAWN: Status.WITHDRAWN, Action.DIGEST_ACCEPTED: Status.ACCEPTED}


def register(app: App, deps: Deps) -> None:
    """Attach Withdrawn / Accepted / Snooze 7d."""

    pattern = re.compile(f"^({Action.DIGEST_WITHDRAWN}|{Action.DIGEST_ACCEPTED}|{Action.DIGEST_SNOOZE})$")

    def digest_click(body: dict, action: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        row = load(DigestRow, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=body["user"]["id"], client=client)
        now = deps.clock.now()
        if action["action_id"] == Action.DIGEST_SNOOZE:
            invite = invite_service.snooze_invite(deps.db, actor, row.invite_id, now=now)
            note = f":zzz: {escape(invite.label)} snoozed for {invite_service.SNOOZE_DAYS} days"
        else:
            result = invite_service.record_outcome(
                deps.db, actor, InviteRef(invite_id=row.invite_id), _OUTCOMES[action["action_id"]], now=now, via="button"
            )
            note = f":white_check_mark: {escape(result.invite.label)} marked {result.invite.status}"
        message, container = body.get("message") or {}, body.get("container") or {}
        if container.get("type") == "view":  # clicked in App Home: show it again with fresh figures
            team.publish_home(deps, actor, client)
            return
        if not message.get("blocks") or container.get("type") != "message":
            return
        blocks = render_nudges.mark_row_done(message["blocks"], row.invite_id, note)
        blocks = render_nudges.refresh_counts(blocks, pile_for(deps.db, actor, now=now), deps.commands)
        try:
            client.chat_update(channel=container["channel_id"], ts=container["message_ts"], blocks=blocks,
                               text=message.get("text") or "Your LinkedIn invites today")
        except SlackApiError as error:
            # The outcome is stored; only the refresh failed. Say both, plainly.
            respond(response_type="ephemeral", replace_original=False,
                    text=f"{note} — saved. I couldn't refresh the digest ({error.response.get('error')}).")

    app.action(pattern)(ack=ack_only, lazy=[reporting(digest_click, deps.commands)])

