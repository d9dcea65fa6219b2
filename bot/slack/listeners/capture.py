"""Log by DM: a member's message in the app's DM holding LinkedIn profile URLs logs them as sent now.

The message is read like `/invited <urls>` (typed, pasted, or shared through the phone's share sheet,
where the URL may sit in an attachment: `bot.domain.capture`) and logged by the same service, rules
and warnings; the reply goes in the message's thread with one Undo button for the whole message.
Acked at once, handled in a lazy listener, once per event id (`once_per_event`); the change id is
made from the message itself (channel and ts), so the same message under another event id logs
nothing again either. Edits (`message_changed`), deletions, bot messages and the app's own messages
log nothing; a DM without a profile URL gets the short help. Files go to the importer (files.py,
registered first).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import capture
from bot.services import invites as invite_service
from bot.slack import render
from bot.slack.deps import Deps
from bot.slack.errors import ack_only, reply_for, reporting
from bot.slack.ids import Action
from bot.slack.listeners import alerts
from bot.slack.once import once_per_event
from bot.slack.payloads import UndoChange, load
from bot.slack.render import capture as render_capture

log = logging.getLogger("bot.slack.listeners.capture")

# Messages a member wrote (a reply in a thread broadcast to the DM too); every other subtype is an
# edit, a deletion, a bot's or a system message.
MEMBER_SUBTYPES = (None, "thread_broadcast")


def written_by_member(event: dict, context: BoltContext) -> bool:
    """A message a person wrote in the DM: not an edit, not a bot's, not the app's own."""
    user = event.get("user")
    return (event.get("subtype") in MEMBER_SUBTYPES and not event.get("bot_id") and bool(user)
            and user != context.bot_user_id)


def register(app: App, deps: Deps) -> None:
    """The DM listener (after files.py's) and the thread's Undo button."""

    def log_dm(event: dict, client: WebClient, context: BoltContext) -> None:
        if not written_by_member(event, context):
            return
        prospects = capture.prospects_in_message(event)
        if not prospects:
            if (event.get("text") or "").strip():
                client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts"),
                                        **render.dm_help_reply(commands=deps.commands))
            return
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        change_id = invite_service.change_id_for("dm", actor.team_id, event["channel"], event["ts"])
        if invite_service.logged_in_change(deps.db, actor, change_id) is not None:
            return  # this message was logged (and answered) under another event id
        now = deps.clock.now()
        result = invite_service.log_invites(deps.db, actor, capture.log_request(prospects), now=now, source="dm",
                                            change_id=change_id)
        reply = render_capture.dm_log_reply(result, actor, change_id=change_id, now=now, commands=deps.commands)
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], **reply)
        alerts.check_after_log(deps, actor, result, client=client)

    app.event("message", matchers=[_in_dm])(ack=ack_only, lazy=[telling_member(deps, once_per_event(deps, log_dm))])

    def undo_change(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        value = load(UndoChange, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        result = invite_service.undo_change(deps.db, actor, value.change_id, now=deps.clock.now())
        respond(replace_original=True, **render.undo_reply(result, actor))
        alerts.check_after(deps, team_id=actor.team_id, user_id=actor.user_id, client=client)

    app.action(re.compile(rf"^{Action.UNDO_CHANGE}$"))(ack=ack_only, lazy=[reporting(undo_change, deps.commands)])


def telling_member(deps: Deps, func: Callable[..., None]) -> Callable[..., None]:
    """A lazy DM listener whose failure (the database down, even for the event's claim) is told in the
    message's thread: lazy listeners bypass @app.error. (Once told, the claim given back only lets a
    redelivery try again; Slack does not redeliver an event it got its 200 for.)"""

    @functools.wraps(func)
    def wrapper(**kwargs) -> None:
        try:
            func(**kwargs)
        except Exception as error:
            event, client = kwargs.get("event") or {}, kwargs.get("client")
            # Slack itself failing (the reply refused, a 5xx) is not told through Slack again.
            if not isinstance(error, SlackApiError) and client is not None and event.get("channel") and event.get("ts"):
                try:
                    client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                            **reply_for(error, deps.commands))
                except Exception:  # noqa: BLE001 - nothing more can be told; the error below is logged
                    log.warning("could not tell the member that their DM failed")
            raise

    return wrapper


def _in_dm(event: dict) -> bool:
    return event.get("channel_type") == "im"
