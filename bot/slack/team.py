"""Team views: the leaderboard command and its Post-to-channel button, App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.services.errors import ServiceError
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin


def register(app: App, deps: Deps) -> None:
    """Attach this feature's listeners."""


def leaderboard_command(deps: Deps, actor: Actor, parsed, origin: Origin) -> render.Reply:
    """`/invites leaderboard [period|hide|show]`."""
    raise ServiceError("That command is not available in this version of Invite Hygiene yet.")
