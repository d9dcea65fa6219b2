"""The digest's buttons (also on Home): record the outcome (or snooze, or withdraw the whole batch),
then update the DM in place, or publish Home again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.commands import InviteRef
from bot.domain.counts import PileCounts
from bot.domain.invites import Status
from bot.services import invites as invite_service
from bot.services.counts import pile_for
from bot.services.errors import AlreadyDone
from bot.services.members import Actor
from bot.slack.deps import Deps
from bot.slack.errors import ack_only, reporting
from bot.slack.ids import Action
from bot.slack.listeners import team
from bot.slack.mrkdwn import escape
from bot.slack.payloads import BulkWithdraw, DigestRow, load
from bot.slack.render import nudges as render_nudges
from bot.slack.render import section

_OUTCOMES = {Action.DIGEST_WITHDRAWN: Status.WITHDRAWN, Action.DIGEST_ACCEPTED: Status.ACCEPTED}
_FALLBACK = "Your LinkedIn invites today"


def register(app: App, deps: Deps) -> None:
    """Attach Withdrawn / Accepted / Snooze 7d and the batch's Withdrew all N."""

    pattern = re.compile(f"^({Action.DIGEST_WITHDRAWN}|{Action.DIGEST_ACCEPTED}|{Action.DIGEST_SNOOZE})$")

    def digest_click(body: dict, action: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        row = load(DigestRow, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        now = deps.clock.now()
        # The invite's current state decides (an old digest's button still reaching us included):
        # a row already handled elsewhere is refused with what it is now ("already withdrawn").
        with _home_shown_again(deps, actor, body, client):
            if action["action_id"] == Action.DIGEST_SNOOZE:
                invite = invite_service.snooze_invite(deps.db, actor, row.invite_id, now=now)
                note = f":zzz: {escape(invite.label)} snoozed for {invite_service.SNOOZE_DAYS} days"
            else:
                result = invite_service.record_outcome(deps.db, actor, InviteRef(invite_id=row.invite_id),
                                                       _OUTCOMES[action["action_id"]], now=now, via="button")
                note = f":white_check_mark: {escape(result.invite.label)} marked {result.invite.status}"
        _show(deps, actor, body, client, respond, note=note, rows={row.invite_id: note},
              pile=lambda: pile_for(deps.db, actor, now=now))

    def withdraw_all(body: dict, action: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        value = load(BulkWithdraw, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        with _home_shown_again(deps, actor, body, client):
            result = invite_service.withdraw_all(deps.db, actor, value.invite_ids, now=deps.clock.now())
        unchanged = [(v.label, str(v.status)) for v in result.unchanged]
        note = render_nudges.bulk_note(len(result.withdrawn), unchanged, result.pile, deps.commands)
        rows = {v.id: f":white_check_mark: {escape(v.label)} marked withdrawn" for v in result.withdrawn}
        rows |= {v.id: f"{escape(v.label)} was already {v.status}" for v in result.unchanged}
        _show(deps, actor, body, client, respond, note=note, rows=rows, pile=lambda: result.pile, bulk=True)

    app.action(pattern)(ack=ack_only, lazy=[reporting(digest_click, deps.commands)])
    app.action(Action.DIGEST_WITHDRAW_ALL)(ack=ack_only, lazy=[reporting(withdraw_all, deps.commands)])


@contextmanager
def _home_shown_again(deps: Deps, actor: Actor, body: dict, client: WebClient) -> Iterator[None]:
    """A Home click on rows handled elsewhere meanwhile: Home has no reply to say so, so it is published
    again with the current state (the error still goes to the one handler)."""
    try:
        yield
    except AlreadyDone:
        if (body.get("container") or {}).get("type") == "view":
            team.publish_home(deps, actor, client)
        raise


def _show(deps: Deps, actor: Actor, body: dict, client: WebClient, respond: Respond, *, note: str,
          rows: dict[int, str], pile, bulk: bool = False) -> None:
    """Show what a click did where it was made: Home published again, the digest updated in place,
    or (a digest a newer one replaced) an ephemeral line saying what happened."""
    message, container = body.get("message") or {}, body.get("container") or {}
    if container.get("type") == "view":  # clicked in App Home: show it again with fresh figures
        team.publish_home(deps, actor, client)
        counts: PileCounts = pile()
        if bulk and counts.past_daily_withdrawals:  # Home has no reply of its own: the warning goes to the DM
            client.chat_postMessage(channel=actor.user_id, text=note, blocks=[section(note)])
        return
    blocks = message.get("blocks") or []
    if container.get("type") != "message" or not any(render_nudges.has_row(blocks, i) for i in rows):
        if body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, text=note)
        return
    blocks = render_nudges.mark_rows_done(blocks, rows)
    if bulk:
        blocks = render_nudges.replace_bulk(blocks, note)
    blocks = render_nudges.refresh_counts(blocks, pile(), deps.commands)
    try:
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"], blocks=blocks,
                           text=message.get("text") or _FALLBACK)
    except SlackApiError as error:
        # The outcome is stored; only the refresh failed. Say both, plainly.
        respond(response_type="ephemeral", replace_original=False,
                text=f"{note} — saved. I couldn't refresh the digest ({error.response.get('error')}).")
