"""`/invites settings`: the workspace settings modal for admins, a member's own settings for others."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.tiers import TIERS
from bot.services import admin
from bot.services.curve import team_curve
from bot.services.errors import Forbidden, ServiceError
from bot.services.members import Actor, update_member
from bot.slack import charts, render
from bot.slack.deps import Deps, Origin
from bot.slack.ids import SettingsView
from bot.slack.render.insight import settings_hint
from bot.slack.render.modals import VALUE, member_view, workspace_view

log = logging.getLogger("bot.settings")

def is_admin(deps: Deps, client: WebClient, user_id: str) -> bool:
    """Slack admin or owner (asked live, never cached), or listed in ADMIN_USER_IDS; fails closed."""
    if user_id in deps.settings.admin_user_ids:
        return True
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        log.warning("users.info failed while checking admin rights of %s: refusing", user_id)
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def _open(origin: Origin, view: dict[str, Any]) -> None:
    try:
        origin.client.views_open(trigger_id=origin.trigger_id, view=view)
    except SlackApiError as error:
        if error.response.get("error") == "expired_trigger_id":
            raise ServiceError("Slack took too long to open the settings; run `/invites settings` again.") from None
        raise


def open_settings(deps: Deps, actor: Actor, origin: Origin) -> render.Reply:
    """Admins get the workspace modal, everyone else their own settings."""
    if is_admin(deps, origin.client, actor.user_id):
        now = deps.clock.now()
        current = admin.workspace_settings(deps.db, actor.team_id, now=now)
        hint = settings_hint(team_curve(deps.db, actor.team_id, now=now),
                             withdraw_after_days=current["withdraw_after_days"])
        _open(origin, workspace_view(current, curve_hint=hint,
                                     curve_image=charts.cached_curve_block(deps, team_id=actor.team_id, now=now)))
    else:
        _open(origin, member_view(actor))
    return {}


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """Flatten view_submission state into {block_id: value}, whatever the element type."""
    out: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = (actions or {}).get(VALUE) or {}
        if "selected_options" in element:
            out[block_id] = "".join(o["value"] for o in element["selected_options"] or [])
        elif "selected_option" in element:
            out[block_id] = (element["selected_option"] or {}).get("value")
        elif "selected_conversation" in element:
            out[block_id] = element["selected_conversation"]
        else:
            out[block_id] = element.get("value")
    return out


def _saved_view(title: str, text: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title},
            "close": {"type": "plain_text", "text": "Done"}, "blocks": [render.section(text)]}


def register(app: App, deps: Deps) -> None:
    """The two view submissions; admin rights are checked again here, on the server."""

    @app.view(SettingsView.WORKSPACE)
    def save_workspace(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
        team_id, user_id = context.team_id, context.user_id
        raw = _values(view)
        try:
            values = admin.validate_workspace_settings(
                {name: raw.get(name) for name in admin.WorkspaceSettingsInput.model_fields}
            )
            admin.save_workspace_settings(deps.db, team_id=team_id, values=values,
                                          is_admin=is_admin(deps, client, user_id))
        except admin.SettingsInvalid as error:
            ack(response_action="errors", errors={k: v[:150] for k, v in error.errors.items()})
            return
        except Forbidden as error:
            log.warning("refused workspace settings change team=%s user=%s: not an admin", team_id, user_id)
            ack(response_action="errors", errors={"withdraw_after_days": str(error)})
            return
        log.info("workspace settings changed team=%s user=%s", team_id, user_id)
        ack(response_action="update", view=_saved_view("Settings saved", ":white_check_mark: Workspace settings saved."))

    @app.view(SettingsView.MEMBER)
    def save_member(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
        raw = _values(view)
        errors = {}
        if raw.get("account_tier") not in {t.id for t in TIERS}:
            errors["account_tier"] = "Pick your account type."
        if raw.get("nudges") not in {"on", "off"}:
            errors["nudges"] = "Pick on or off."
        if raw.get("leaderboard") not in {"show", "hide"}:
            errors["leaderboard"] = "Pick shown or hidden."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        actor = deps.actor(team_id=context.team_id, user_id=context.user_id, client=client)
        update_member(deps.db, actor, account_tier=raw["account_tier"], nudges_enabled=raw["nudges"] == "on",
                      show_on_leaderboard=raw["leaderboard"] == "show")
        ack(response_action="update", view=_saved_view("Settings saved", ":white_check_mark: Your settings are saved."))
