"""Buttons: ack at once, do the work, update the message in place through response_url."""

from __future__ import annotations

import re

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.commands import InviteRef
from bot.domain.invites import Status
from bot.services import invites as invite_service
from bot.slack import render
from bot.slack.deps import Deps
from bot.slack.errors import ack_only, reporting
from bot.slack.ids import Action
from bot.slack.payloads import ListOutcome, ListPage, PickOutcome, load


def _page(deps: Deps, actor, *, status: str, page: int, find: str | None, now) -> invite_service.InvitePage:
    """The list a button came from, read again: a `find` result or a `list` page."""
    if find:
        return invite_service.find_invites(deps.db, actor, text=find, page=page, now=now)
    return invite_service.list_invites(deps.db, actor, status=status, page=page, now=now)


def register(app: App, deps: Deps) -> None:
    """Attach the button handlers."""

    def pick_outcome(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        value = load(PickOutcome, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        ref = InviteRef(invite_id=value.invite_id)
        result = invite_service.record_outcome(deps.db, actor, ref, Status(value.outcome), now=deps.clock.now(), via="button")
        respond(replace_original=True, **render.outcome_reply(result, actor, commands=deps.commands))

    def list_page(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        value = load(ListPage, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        now = deps.clock.now()
        page = _page(deps, actor, status=value.status, page=value.page, find=value.find, now=now)
        respond(replace_original=True, **render.list_reply(page, actor, now=now, commands=deps.commands))

    def list_outcome(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
        # The invite's current state decides: one already decided is refused with what it is now.
        value = load(ListOutcome, action.get("value"))
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        now = deps.clock.now()
        ref = InviteRef(invite_id=value.invite_id)
        result = invite_service.record_outcome(deps.db, actor, ref, Status(value.outcome), now=now, via="button")
        page = _page(deps, actor, status=value.status, page=value.page, find=value.find, now=now)
        note = render.outcome_note(result, commands=deps.commands)
        respond(replace_original=True, **render.list_reply(page, actor, now=now, commands=deps.commands, note=note))

    # Ack at once; the work (and its Web API calls) runs after Slack has its 200.
    app.action(re.compile(rf"^{Action.PICK_OUTCOME}(:\d+)?$"))(ack=ack_only, lazy=[reporting(pick_outcome, deps.commands)])
    app.action(re.compile(rf"^{Action.LIST_OUTCOME}:\w+$"))(ack=ack_only, lazy=[reporting(list_outcome, deps.commands)])
    app.action(re.compile(rf"^{Action.LIST_PAGE}(:\w+)?$"))(ack=ack_only, lazy=[reporting(list_page, deps.commands)])
