"""`/invites forget-me` and deactivated users."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import ServiceError
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin


def register(app: App, deps: Deps) -> None:
    """Attach this feature's listeners."""


def forget_me_prompt(deps: Deps, actor: Actor, origin: Origin) -> render.Reply:
    """Ask for confirmation before deleting everything about the member."""
    raise ServiceError("That command is not available in this version of Invite Hygiene yet.")
