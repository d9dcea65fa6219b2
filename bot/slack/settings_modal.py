"""`/invites settings`: the workspace settings modal for admins, own settings for others."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import ServiceError
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin


def register(app: App, deps: Deps) -> None:
    """Attach this feature's listeners."""


def open_settings(deps: Deps, actor: Actor, origin: Origin) -> render.Reply:
    """Open the right settings modal."""
    raise ServiceError("That command is not available in this version of Invite Hygiene yet.")
