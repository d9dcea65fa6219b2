"""Import (files DM'd to the app) and export (CSV DM'd back)."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import ServiceError
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin


def register(app: App, deps: Deps) -> None:
    """Attach this feature's listeners."""


def export_command(deps: Deps, actor: Actor, whole_team: bool, origin: Origin) -> render.Reply:
    """`/invites export [team]`."""
    raise ServiceError("That command is not available in this version of Invite Hygiene yet.")
