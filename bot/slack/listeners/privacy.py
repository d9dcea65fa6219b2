"""`/invites forget-me` (after a confirm button) and members deactivated in Slack."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond

from bot.domain.words import count
from bot.services import admin
from bot.services.members import Actor
from bot.slack import render
from bot.slack.deps import Deps, Origin
from bot.slack.errors import ack_only, reporting
from bot.slack.payloads import ForgetMe, load

log = logging.getLogger("bot.privacy")

FORGET_ACTION = "forget_me_confirm"


def forget_me_prompt(deps: Deps, actor: Actor, origin: Origin) -> render.Reply:
    """Explain what will be deleted and ask for a click (with Slack's own confirm dialog)."""
    text = ("*Delete everything Invite Hygiene stores about you?* Your invites, their history, your settings "
            "and your digest records in this workspace. Teammates' data is not touched. This cannot be undone.")
    confirm = {"title": {"type": "plain_text", "text": "Delete your data?"},
               "text": {"type": "plain_text", "text": "Everything about you goes, now and for good."},
               "confirm": {"type": "plain_text", "text": "Delete"}, "deny": {"type": "plain_text", "text": "Keep"},
               "style": "danger"}
    button = {**render.button("Delete my data", FORGET_ACTION, ForgetMe(user_id=actor.user_id).dump(), "danger"),
              "confirm": confirm}
    return render.reply(text.replace("*", ""), [render.section(text), {"type": "actions", "elements": [button]}])


def forgotten_text(gone: admin.Forgotten) -> str:
    """What forget-me deleted, counted."""
    return (f":wastebasket: Done: deleted {count(gone.invites, 'invite')}, "
            f"{count(gone.events, 'history entry', 'history entries')} and "
            f"{count(gone.deliveries, 'digest record')}. If you use the app again, it starts from scratch.")


def register(app: App, deps: Deps) -> None:
    """The confirm button and the `user_change` event."""

    def confirm(body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        value = load(ForgetMe, action.get("value"))
        team_id, user_id = context.team_id, context.user_id
        if value.user_id != user_id:
            log.warning("refused forget-me team=%s clicker=%s value_user=%s", team_id, user_id, value.user_id)
            respond(response_type="ephemeral", replace_original=False,
                    **render.error("That button was for someone else; nothing was deleted."))
            return
        gone = admin.forget_member(deps.db, team_id=team_id, user_id=user_id)
        log.info("forget-me team=%s user=%s invites=%d", team_id, user_id, gone.invites)
        respond(replace_original=True, **render.simple(forgotten_text(gone)))

    app.action(FORGET_ACTION)(ack=ack_only, lazy=[reporting(confirm, deps.commands)])

    @app.event("user_change")
    def user_change(ack: Ack, event: dict, context: BoltContext) -> None:
        ack()
        user = event.get("user") or {}
        team_id = context.team_id
        if user.get("id") and team_id:
            org = context.enterprise_id if context.is_enterprise_install else None  # one Grid account, org-wide
            admin.set_deactivated(deps.db, team_id=team_id, user_id=user["id"], deactivated=bool(user.get("deleted")),
                                  enterprise_id=org)
