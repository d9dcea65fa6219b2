"""The one error handler: typed errors become the right message; unknown ones get an id."""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.db.bounds import CommitOutcomeUnknown
from bot.db.engine import DatabaseUnavailable
from bot.domain.commands import DEFAULT_COMMANDS, Commands, UsageError
from bot.services.errors import Ambiguous, Forbidden, NotFound, ServiceError
from bot.slack import render
from bot.slack.payloads import BadPayload

log = logging.getLogger("bot.slack.errors")

DB_DOWN = "The database is temporarily unavailable: nothing was saved. Please try again in a minute."
# The COMMIT went out but its answer never came (bot/db/bounds.py): saying "nothing was saved"
# could be wrong. A retry is safe: a duplicate of a pending invite is never logged twice.
DB_UNCERTAIN = ("The database is temporarily unavailable and did not confirm your change in time: it may "
                "not have been saved. Please check your list of invites before trying again.")


def reply_for(error: Exception, commands: Commands = DEFAULT_COMMANDS) -> render.Reply:
    """The message a user sees for an error, naming the commands as configured."""
    if isinstance(error, UsageError):
        return render.usage_error(str(error), commands.usage(error.usage))
    if isinstance(error, Ambiguous):
        return render.candidates_reply(error)
    if isinstance(error, ServiceError):
        return render.error(_renamed(str(error), commands))
    if isinstance(error, DBAPIError | PoolTimeout | DatabaseUnavailable):
        cause = getattr(error, "orig", error)
        log.error("database unavailable: %s", type(cause).__name__)
        return render.error(DB_UNCERTAIN if isinstance(cause, CommitOutcomeUnknown) else DB_DOWN)
    error_id = uuid.uuid4().hex[:8]
    log.exception("unhandled error %s", error_id, exc_info=error)
    return render.error(f"Something went wrong on our side (error id {error_id}). Please try again.")


def _renamed(message: str, commands: Commands) -> str:
    """A service's message (services cannot know the installation's names) with the configured commands.

    Services write commands as code spans with the default names (`/invites list`).
    """
    names = {DEFAULT_COMMANDS.invites: commands.invites, DEFAULT_COMMANDS.invited: commands.invited}
    return _SERVICE_COMMAND.sub(lambda m: f"`{names[m.group(1)]}", message)


# One pass, so swapped names (/invites ⇄ /invited) are not renamed twice.
_SERVICE_COMMAND = re.compile(rf"`({re.escape(DEFAULT_COMMANDS.invites)}|{re.escape(DEFAULT_COMMANDS.invited)})(?=[\s`])")


def error_handler(commands: Commands) -> Callable[..., BoltResponse | None]:
    """Bolt's @app.error for an app whose commands are named `commands`."""

    def on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None, respond, context):
        return handle_error(error, body, response, respond, context, commands=commands)

    return on_error


def handle_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, respond, context,
    *, commands: Commands = DEFAULT_COMMANDS,
) -> BoltResponse | None:
    """Bolt's @app.error: answer in the HTTP response if not yet acked, else via response_url."""
    context["outcome"] = f"error:{type(error).__name__}"
    if isinstance(error, NotFound | Forbidden | BadPayload):
        log.warning("refused team=%s user=%s: %s", context.team_id, context.user_id, type(error).__name__)
    message = reply_for(error, commands)
    if response is not None and body.get("type") == "view_submission":
        # Keep the modal (and what was typed in it) open, with the message pushed on top.
        view = {"type": "modal", "title": {"type": "plain_text", "text": "Invite Hygiene"},
                "close": {"type": "plain_text", "text": "Back"}, "blocks": message["blocks"]}
        return BoltResponse(status=200, body=json.dumps({"response_action": "push", "view": view}),
                            headers={"content-type": "application/json"})
    if response is not None and body.get("command"):
        payload = {"response_type": "ephemeral", **message}
        return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})
    # Interactions not yet acknowledged: answer 200 (no error banner) and tell the user via response_url.
    response_to_return = BoltResponse(status=200, body="") if response is not None else None
    if body.get("response_url"):
        try:
            respond(response_type="ephemeral", replace_original=False, **message)
        except Exception:  # noqa: BLE001 - nothing more can be told to the user
            log.warning("could not deliver an error message to response_url")
    return response_to_return


def ack_only(ack) -> None:
    """The ack half of an ack-then-work listener: Slack gets its 200 at once."""
    ack()


def reporting(func: Callable[..., None], commands: Commands = DEFAULT_COMMANDS) -> Callable[..., None]:
    """Wrap a lazy listener (work after the ack) so its errors reach the user like any other.

    Bolt only logs exceptions from lazy listeners; this routes them through `reply_for`.
    """

    @functools.wraps(func)
    def wrapper(**kwargs) -> None:
        try:
            func(**kwargs)
        except Exception as error:
            message = reply_for(error, commands)
            respond, body = kwargs.get("respond"), kwargs.get("body") or {}
            if isinstance(error, NotFound | Forbidden | BadPayload):
                context = kwargs.get("context") or {}
                log.warning("refused team=%s user=%s: %s", context.get("team_id"),
                            (body.get("user") or {}).get("id"), type(error).__name__)
            if respond is not None and body.get("response_url"):
                try:
                    respond(response_type="ephemeral", replace_original=False, **message)
                except Exception:  # noqa: BLE001 - nothing more can be told to the user
                    log.warning("could not deliver an error message to response_url")

    return wrapper
