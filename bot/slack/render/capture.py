"""Replies of the other ways to log (a DM, the message shortcut, the workflow step): `/invited`'s words."""

from __future__ import annotations

from datetime import datetime

from bot.domain.commands import Commands
from bot.services.invites import LogResult
from bot.services.members import Actor
from bot.slack import render
from bot.slack.ids import Action, Block
from bot.slack.mrkdwn import escape, plain
from bot.slack.payloads import UndoChange


def dm_log_reply(result: LogResult, actor: Actor, *, change_id: str, now: datetime, commands: Commands) -> render.Reply:
    """The thread reply to a DM that logged invites: what was logged, the warnings, one Undo for them all."""
    lines = render.log_lines(result, actor, now=now, commands=commands)
    blocks = render.sections(lines)
    if result.logged:
        noun = "this invite" if len(result.logged) == 1 else f"these {len(result.logged)} invites"
        blocks = blocks[:47]
        blocks.append({"type": "actions", "block_id": Block.UNDO_CHANGE, "elements": [
            render.button("Undo", Action.UNDO_CHANGE, UndoChange(change_id=change_id).dump())]})
        blocks.append(render.context(f"Undo removes {noun}; `{escape(commands.invites)} undo` reverts your last change."))
    return render.reply("\n".join(lines), blocks)


def workflow_warnings(result: LogResult, actor: Actor, *, now: datetime, commands: Commands) -> str:
    """The warnings of a workflow step's log as plain text (its `warnings` output; empty when none)."""
    return "\n".join(plain(line) for line in render.warning_lines(result, actor, now=now, commands=commands))
