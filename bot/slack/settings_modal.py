"""`/invites settings`: the workspace settings modal for admins, a member's own settings for others."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.settings import SETTINGS, Setting
from bot.domain.tiers import TIERS
from bot.services import admin
from bot.services.errors import Forbidden, ServiceError
from bot.services.members import Actor, update_member
from bot.slack import render
from bot.slack.deps import Deps, Origin

log = logging.getLogger("bot.settings")

WORKSPACE_VIEW = "workspace_settings"
MEMBER_VIEW = "member_settings"
VALUE = "value"

DAYS = [("1", "Mon"), ("2", "Tue"), ("3", "Wed"), ("4", "Thu"), ("5", "Fri"), ("6", "Sat"), ("7", "Sun")]
ZONES = [
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm",
    "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Athens",
    "Europe/Istanbul", "Europe/Kyiv", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
    "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth",
    "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland",
    "America/St_Johns", "America/Halifax", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "America/Santiago", "America/Bogota", "America/Lima", "America/New_York", "America/Toronto",
    "America/Chicago", "America/Mexico_City", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Vancouver", "America/Anchorage", "Pacific/Honolulu",
]


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


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "optional": optional,
             "label": {"type": "plain_text", "text": label[:2000]}, "element": {**element, "action_id": VALUE}}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint[:2000]}
    return block


def _setting_input(setting: Setting, current: object) -> dict[str, Any]:
    """A declared setting's input: its label, hint and range from the declaration."""
    if setting.choose:  # a short range (the hour) reads better as a list
        options = [_option(setting.shown_as.format(v), str(v)) for v in range(setting.min, setting.max + 1)]
        chosen = next((o for o in options if o["value"] == str(current)), options[0])
        element: dict[str, Any] = {"type": "static_select", "options": options, "initial_option": chosen}
    else:
        element = {"type": "number_input", "is_decimal_allowed": False, "initial_value": str(current),
                   "min_value": str(setting.min), "max_value": str(setting.max)}
    return _input(setting.name, setting.label, element, hint=setting.modal_hint)


def workspace_view(current: dict[str, Any]) -> dict[str, Any]:
    """The admin modal, every setting filled in with its current value."""
    blocks = [_setting_input(s, current[s.name]) for s in SETTINGS]
    days = [_option(label, value) for value, label in DAYS]
    blocks.append(_input("working_days", "Digest on these days",
                         {"type": "checkboxes", "options": days,
                          "initial_options": [d for d in days if d["value"] in str(current["working_days"])]}))
    channel = {"type": "conversations_select", "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
    if current.get("digest_channel"):
        channel["initial_conversation"] = current["digest_channel"]
    blocks.append(_input("digest_channel", "Weekly team digest in", channel, optional=True))
    zones = list(dict.fromkeys([str(current["timezone"]), *ZONES]))[:100]
    zone_options = [_option(z.replace("_", " "), z) for z in zones]
    blocks.append(_input("timezone", "Workspace time zone (for members whose zone is unknown)",
                         {"type": "static_select", "options": zone_options, "initial_option": zone_options[0]}))
    return {"type": "modal", "callback_id": WORKSPACE_VIEW, "title": {"type": "plain_text", "text": "Workspace settings"},
            "submit": {"type": "plain_text", "text": "Save"}, "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks}


def member_view(actor: Actor) -> dict[str, Any]:
    """A member's own settings: tier, digest on/off, shown on the leaderboard."""
    tiers = [_option(t.name, t.id) for t in TIERS]
    yes_no = {"on": _option("On", "on"), "off": _option("Off", "off")}
    shown = {"show": _option("Shown", "show"), "hide": _option("Hidden", "hide")}
    blocks = [
        _input("account_tier", "Your LinkedIn account",
               {"type": "static_select", "options": tiers, "initial_option": tiers[[t.tier for t in TIERS].index(actor.tier)]}),
        _input("nudges", "Daily digest", {"type": "radio_buttons", "options": list(yes_no.values()),
                                          "initial_option": yes_no["on" if actor.nudges_enabled else "off"]}),
        _input("leaderboard", "On the team leaderboard", {
            "type": "radio_buttons", "options": list(shown.values()),
            "initial_option": shown["show" if actor.show_on_leaderboard else "hide"]}),
    ]
    return {"type": "modal", "callback_id": MEMBER_VIEW, "title": {"type": "plain_text", "text": "Your settings"},
            "submit": {"type": "plain_text", "text": "Save"}, "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks}


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
        _open(origin, workspace_view(admin.workspace_settings(deps.db, actor.team_id, now=deps.clock.now())))
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

    @app.view(WORKSPACE_VIEW)
    def save_workspace(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
        team_id, user_id = context.team_id, body["user"]["id"]
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

    @app.view(MEMBER_VIEW)
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
        actor = deps.actor(team_id=context.team_id, user_id=body["user"]["id"], client=client)
        update_member(deps.db, actor, account_tier=raw["account_tier"], nudges_enabled=raw["nudges"] == "on",
                      show_on_leaderboard=raw["leaderboard"] == "show")
        ack(response_action="update", view=_saved_view("Settings saved", ":white_check_mark: Your settings are saved."))
