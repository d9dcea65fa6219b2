"""The "Log invites" modal: `/invited` with no text and the global shortcut.

The submission is read as `/invited`'s input (each URL line, "name, company" as the free text, the
options) and goes through the command's own rules, limits and messages (`read_log_draft`); what is
wrong is reported under its field (`response_action: errors`, every bad line named once), which
keeps everything typed in the modal. A valid submission closes
the modal and logs through the same service as `/invited` (source "modal"); the confirmation,
with the same warnings, goes where `/invited`'s would: ephemeral in the channel the modal was
opened from (kept in `private_metadata`), else (the shortcut, or a channel the app cannot post
in) the member's DM with the app.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import capture
from bot.domain.commands import (
    INVITED_USAGE,
    MAX_PROBLEM_CHARS,
    LogDraft,
    LogPart,
    LogRefused,
    LogRequest,
    SentSpec,
    UrlEntry,
    UsageError,
    clean_text,
    read_log_draft,
    sent_on,
)
from bot.domain.invites import Priority
from bot.services import invites as invite_service
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin
from bot.slack.ids import LogField, LogModal
from bot.slack.listeners import alerts
from bot.slack.payloads import LogModalMeta
from bot.slack.render.modals import VALUE, WITH_NOTE, log_view

log = logging.getLogger("bot.slack.listeners.log_modal")

MAX_ERROR_CHARS = MAX_PROBLEM_CHARS  # the longest error shown under a field (bad lines are listed whole)
_TEXT_MAX = 200




# ---- reading a submission (pure) --------------------------------------------------------------


def _value(values: dict[str, Any], block: LogField) -> dict[str, Any]:
    return (values.get(block) or {}).get(VALUE) or {}


def _text(values: dict[str, Any], block: LogField) -> str:
    return (_value(values, block).get("value") or "").strip()


# Which field shows a refusal of each part of the request.
_FIELD_OF = {LogPart.URLS: LogField.URLS, LogPart.TEXT: LogField.NAME}


def draft_of(values: dict[str, Any], *, today: date) -> LogDraft:
    """The modal's fields as `/invited`'s input: each URL line, "name, company" as the free text, the options.

    Raises UsageError (from the command's own `sent_on`) for a bad date.
    """
    urls = tuple(UrlEntry(clean_text(line), number)
                 for number, line in enumerate(_text(values, LogField.URLS).splitlines(), start=1)
                 if clean_text(line))
    name, company = clean_text(_text(values, LogField.NAME)), clean_text(_text(values, LogField.COMPANY))
    priority_value = (_value(values, LogField.PRIORITY).get("selected_option") or {}).get("value")
    priority = Priority(priority_value) if priority_value in set(Priority) else Priority.NORMAL
    with_note = any(o.get("value") == WITH_NOTE for o in _value(values, LogField.NOTE).get("selected_options") or [])
    sent = SentSpec()
    raw_day = _value(values, LogField.SENT).get("selected_date")
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise UsageError(f"“{raw_day[:40]}” is not a date.", usage=INVITED_USAGE) from None
        sent = sent_on(day, today=today)
    text = f"{name}, {company}" if company else name
    return LogDraft(urls, text, sent, priority, with_note)


def read_submission(values: dict[str, Any], *, today: date) -> LogRequest | dict[str, str]:
    """The LogRequest a submission asks for, by `/invited`'s own rules, or its errors by block id."""
    errors: dict[str, str] = {}
    try:
        draft = draft_of(values, today=today)
    except UsageError as error:
        errors[LogField.SENT] = str(error)
        draft = draft_of({k: v for k, v in values.items() if k != LogField.SENT}, today=today)
    try:
        request = read_log_draft(draft)
    except LogRefused as refused:
        errors.update({_FIELD_OF[part]: message for part, message in refused.problems.items()})
        return errors
    return errors or request


# ---- listeners --------------------------------------------------------------------------------


def register(app: App, deps: Deps) -> None:
    """The global shortcut and the modal's submission."""

    @app.shortcut(LogModal.SHORTCUT)
    def shortcut(ack: Ack, shortcut: dict, client: WebClient, context: BoltContext) -> None:
        user = shortcut["user"]
        team_id = context.team_id
        actor = deps.actor(team_id=team_id, user_id=user["id"], client=client)
        origin = Origin(client=client, team_id=team_id, user_id=user["id"], trigger_id=shortcut.get("trigger_id"))
        problem = _open(deps, actor, origin)
        ack()
        if problem:  # a shortcut's ack shows nothing: say why the modal did not open in the DM
            client.chat_postMessage(channel=actor.user_id, **render.error(problem))

    def submit(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        now = deps.clock.now()
        request = read_submission(view["state"]["values"], today=now.astimezone(actor.tz).date())
        if isinstance(request, dict):
            ack(response_action="errors", errors=request)
            return
        meta = LogModalMeta.load(view.get("private_metadata"))
        result = invite_service.log_invites(deps.db, actor, request, now=now, source=meta.source)
        ack()
        confirm(client, actor, meta.channel_id,
                render.log_reply(result, actor, now=now, commands=deps.commands))
        alerts.check_after_log(deps, actor, result, client=client)

    app.view(LogModal.VIEW)(submit)

    @app.shortcut({"type": "message_action", "callback_id": LogModal.MESSAGE_SHORTCUT})
    def message_shortcut(ack: Ack, shortcut: dict, client: WebClient, context: BoltContext) -> None:
        # The trigger lasts 3 seconds: the modal opens first, with the member as stored (no Slack call).
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=None)
        urls = tuple(p.url or p.key for p in capture.prospects_in_message(shortcut.get("message") or {}))
        origin = Origin(client=client, team_id=actor.team_id, user_id=actor.user_id,
                        channel_id=(shortcut.get("channel") or {}).get("id"), trigger_id=shortcut.get("trigger_id"))
        problem = _open(deps, actor, origin, from_message=urls)
        ack()
        if problem:
            client.chat_postMessage(channel=actor.user_id, **render.error(problem))


def open_log_modal(deps: Deps, actor: Actor, origin: Origin) -> render.Reply:
    """Open the modal (first: a trigger id lasts 3 seconds); then the reply for the ack."""
    problem = _open(deps, actor, origin)
    # Empty when it opened: the modal is the answer (callers DM a non-empty reply where an ack shows nothing).
    return render.error(problem) if problem else {}


def _open(deps: Deps, actor: Actor, origin: Origin, *, from_message: tuple[str, ...] | None = None) -> str | None:
    """views.open; why it failed, or None."""
    if not origin.trigger_id:
        return f"I couldn't open the Log invites form here. Log directly: `{deps.commands.invited} <linkedin url>`."
    today = deps.clock.now().astimezone(actor.tz).date()
    try:
        origin.client.views_open(trigger_id=origin.trigger_id, view=log_view(today=today, channel_id=origin.channel_id,
                                                                        from_message=from_message))
    except SlackApiError as error:
        code = error.response.get("error") or "no answer"
        return (
            f"I couldn't open the Log invites form (Slack said {code}). Try again, or log directly: "
            f"`{deps.commands.invited} <linkedin url>`."
        )
    return None


def confirm(client: WebClient, actor: Actor, channel_id: str | None, reply: render.Reply) -> None:
    """Ephemeral in the channel the modal came from; the DM when there is none or the app can't post there."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=actor.user_id, **reply)
            return
        except SlackApiError as error:
            log.info("log modal: ephemeral in %s failed (%s), confirming by DM", channel_id, error.response.get("error"))
    client.chat_postMessage(channel=actor.user_id, **reply)
