"""The "Log invites" modal: `/invited` with no text and the global shortcut."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import ServiceError
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin


def register(app: App, deps: Deps) -> None:
    """Attach this feature's listeners."""


def open_log_modal(deps: Deps, actor: Actor, origin: Origin) -> render.Reply:
    """Open the modal (or explain how to log when it cannot open)."""
    raise ServiceError("That command is not available in this version of Invite Hygiene yet.")
