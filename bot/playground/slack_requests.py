"""The requests Slack sends an app, built from what happened on the page (shapes as Slack documents them)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from bot.playground import demo
from bot.playground.demo import Teammate
from bot.playground.store import slack_id

VERIFICATION_TOKEN = "playgroundLegacyToken0000"
Raw = Mapping[str, Any]  # {block_id, action_id, type, value}: one control's value as the page read it
_STATE_KEYS = {
    "static_select": "selected_option", "external_select": "selected_option", "radio_buttons": "selected_option",
    "multi_static_select": "selected_options", "multi_external_select": "selected_options",
    "checkboxes": "selected_options", "users_select": "selected_user", "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation", "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel", "multi_channels_select": "selected_channels",
    "datepicker": "selected_date", "timepicker": "selected_time",
    "plain_text_input": "value", "number_input": "value", "email_text_input": "value", "url_text_input": "value",
}


def _user(mate: Teammate) -> dict[str, Any]:
    return {"id": mate.user_id, "username": mate.handle, "name": mate.handle, "team_id": demo.TEAM_ID}


def _team() -> dict[str, Any]:
    return {"id": demo.TEAM_ID, "domain": demo.TEAM_DOMAIN}


def channel_name(channel: str) -> str:
    """What Slack sends as channel_name: the name, or `directmessage` in a DM."""
    return demo.CHANNEL_NAME if channel == demo.CHANNEL_ID else "directmessage"


# ---- slash commands and events ------------------------------------------------------------------


def command_body(*, mate: Teammate, command: str, text: str, channel: str, response_url: str, trigger_id: str) -> str:
    """A slash command, form-encoded as Slack posts it."""
    return urlencode({
        "token": VERIFICATION_TOKEN, "team_id": demo.TEAM_ID, "team_domain": demo.TEAM_DOMAIN,
        "channel_id": channel, "channel_name": channel_name(channel), "user_id": mate.user_id,
        "user_name": mate.handle, "command": command, "text": text, "api_app_id": demo.APP_ID,
        "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger_id,
    })


def event_body(event: dict[str, Any], *, event_time: int) -> str:
    """An Events API `event_callback` envelope (JSON)."""
    return json.dumps({
        "token": VERIFICATION_TOKEN, "team_id": demo.TEAM_ID, "context_team_id": demo.TEAM_ID,
        "api_app_id": demo.APP_ID, "event": event, "type": "event_callback", "event_id": slack_id("Ev"),
        "event_time": event_time, "event_context": slack_id("4-", 24),
        "authorizations": [{"enterprise_id": None, "team_id": demo.TEAM_ID, "user_id": demo.BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    })


def _interactive(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def shortcut_body(*, mate: Teammate, callback_id: str, trigger_id: str) -> str:
    """A global shortcut."""
    return _interactive({
        "type": "shortcut", "token": VERIFICATION_TOKEN, "action_ts": f"{time.time():.6f}", "team": _team(),
        "user": _user(mate), "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id,
        "trigger_id": trigger_id,
    })


def message_shortcut_body(*, mate: Teammate, callback_id: str, trigger_id: str, channel: str, message: dict[str, Any],
                          response_url: str) -> str:
    """A message shortcut (⋯ More actions on a message): `message_action` with the message itself."""
    return _interactive({
        "type": "message_action", "token": VERIFICATION_TOKEN, "action_ts": f"{time.time():.6f}", "team": _team(),
        "user": _user(mate), "channel": {"id": channel, "name": demo.CHANNEL_NAME if channel == demo.CHANNEL_ID
                                          else "directmessage"},
        "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id, "trigger_id": trigger_id,
        "response_url": response_url, "message_ts": message["ts"], "message": message,
    })


def function_executed_body(*, callback_id: str, function: dict[str, Any], inputs: dict[str, Any], execution_id: str,
                           token: str, event_time: int) -> str:
    """A workflow step run: `function_executed`, as Slack's reference shows it (with the execution's token)."""
    event = {
        "type": "function_executed",
        "function": {"id": slack_id("Fn"), "callback_id": callback_id, "title": function.get("title", callback_id),
                     "description": function.get("description", ""), "type": "app",
                     "input_parameters": function.get("input_parameters", []),
                     "output_parameters": function.get("output_parameters", []),
                     "app_id": demo.APP_ID, "date_created": event_time, "date_updated": event_time, "date_deleted": 0},
        "inputs": inputs, "function_execution_id": execution_id, "workflow_execution_id": slack_id("Wx"),
        "event_ts": f"{event_time}.000100", "bot_access_token": token,
    }
    return event_body(event, event_time=event_time)


# ---- block_actions ------------------------------------------------------------------------------


def iter_elements(blocks: list[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any], bool]]:
    """(block_id, element, in an input block) for every element that can hold a value or be clicked."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if isinstance(block.get("accessory"), Mapping):
            yield block_id, block["accessory"], False
        if block.get("type") == "actions":
            for element in block.get("elements") or []:
                if isinstance(element, Mapping):
                    yield block_id, element, False
        if isinstance(block.get("element"), Mapping):
            yield block_id, block["element"], True


def find_element(blocks: list[Mapping[str, Any]], block_id: str, action_id: str) -> Mapping[str, Any] | None:
    """The element a control on the page stands for."""
    return next((e for b, e, _ in iter_elements(blocks) if b == block_id and e.get("action_id") == action_id), None)


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: Mapping[str, Any], value: Any) -> dict[str, Any] | None:
    found = next((o for o in _options(element) if str(o.get("value")) == str(value)), None)
    return dict(found) if found else None


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def element_state(element: Mapping[str, Any], value: Any) -> dict[str, Any] | None:
    """The `state.values` entry Slack keeps for one element holding this value (None if it holds none)."""
    kind = str(element.get("type", ""))
    key = _STATE_KEYS.get(kind)
    if key is None:
        return None
    chosen: Any
    if key == "selected_option":
        chosen = _option(element, value) if value not in (None, "") else None
    elif key == "selected_options":
        chosen = [o for o in (_option(element, v) for v in _as_list(value)) if o]
    elif key.endswith("s") and kind.startswith("multi_"):
        chosen = _as_list(value)
    else:
        chosen = str(value) if value not in (None, "") else None
    return {"type": kind, key: chosen}


def state_values(blocks: list[Mapping[str, Any]], raw: list[Raw]) -> dict[str, dict[str, Any]]:
    """`state.values`: every stateful element, with what the page holds for it (or its initial value)."""
    given = {(str(r.get("block_id")), str(r.get("action_id"))): r.get("value") for r in raw}
    values: dict[str, dict[str, Any]] = {}
    for block_id, element, _ in iter_elements(blocks):
        action_id = str(element.get("action_id", ""))
        value = given.get((block_id, action_id), _initial(element))
        entry = element_state(element, value)
        if entry is not None:
            values.setdefault(block_id, {})[action_id] = entry
    return values


def _initial(element: Mapping[str, Any]) -> Any:
    for key in ("initial_value", "initial_date", "initial_time", "initial_user", "initial_conversation",
                "initial_channel", "initial_users", "initial_conversations", "initial_channels"):
        if key in element:
            return element[key]
    if isinstance(element.get("initial_option"), Mapping):
        return element["initial_option"].get("value")
    if element.get("initial_options"):
        return [o.get("value") for o in element["initial_options"]]
    return None


def missing_required(blocks: list[Mapping[str, Any]], raw: list[Raw]) -> dict[str, str]:
    """Input blocks that are not optional and were left empty (Slack refuses those before submitting)."""
    states = state_values(blocks, raw)
    missing = {}
    for block in blocks:
        if block.get("type") != "input" or block.get("optional") or not isinstance(block.get("element"), Mapping):
            continue
        block_id = str(block.get("block_id", ""))
        entry = states.get(block_id, {}).get(str(block["element"].get("action_id", "")), {})
        held = [v for k, v in entry.items() if k != "type"]
        if not held or held[0] in (None, [], ""):
            missing[block_id] = "Please complete this required field."
    return missing


def action_object(element: Mapping[str, Any], block_id: str, value: Any) -> dict[str, Any]:
    """The `actions[0]` of a block_actions payload for a click or a choice."""
    kind = str(element.get("type", ""))
    action: dict[str, Any] = {"type": kind, "action_id": element.get("action_id"), "block_id": block_id,
                              "action_ts": f"{time.time():.6f}"}
    if kind == "button":
        action["text"] = element.get("text")
        for key in ("value", "style", "url"):
            if key in element:
                action[key] = element[key]
    elif kind == "overflow":
        action["selected_option"] = _option(element, value)
    else:
        action.update({k: v for k, v in (element_state(element, value) or {}).items() if k != "type"})
        if "placeholder" in element:
            action["placeholder"] = element["placeholder"]
    return action


def block_actions_body(*, mate: Teammate, action: dict[str, Any], container: dict[str, Any], trigger_id: str,
                       state: dict[str, Any], channel: str | None = None, message: dict[str, Any] | None = None,
                       view: dict[str, Any] | None = None, response_url: str | None = None) -> str:
    """A block_actions payload: a message's (with channel, message and response_url) or a view's."""
    payload: dict[str, Any] = {
        "type": "block_actions", "user": _user(mate), "api_app_id": demo.APP_ID, "token": VERIFICATION_TOKEN,
        "container": container, "trigger_id": trigger_id, "team": _team(), "enterprise": None,
        "is_enterprise_install": False, "actions": [action],
    }
    if channel:
        payload["channel"] = {"id": channel, "name": channel_name(channel)}
        payload["state"] = {"values": state}
    if message is not None:
        payload["message"] = message
    if view is not None:
        payload["view"] = {**view, "state": {"values": state}}
    if response_url:
        payload["response_url"] = response_url
    return _interactive(payload)


# ---- views ----------------------------------------------------------------------------------------


def view_submission_body(*, mate: Teammate, view: dict[str, Any], state: dict[str, Any], trigger_id: str) -> str:
    """A modal's submit."""
    return _interactive({
        "type": "view_submission", "team": _team(), "user": _user(mate), "api_app_id": demo.APP_ID,
        "token": VERIFICATION_TOKEN, "trigger_id": trigger_id, "view": {**view, "state": {"values": state}},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    })


def view_closed_body(*, mate: Teammate, view: dict[str, Any], state: dict[str, Any]) -> str:
    """A modal closed with Cancel or ×, for views created with notify_on_close."""
    return _interactive({
        "type": "view_closed", "team": _team(), "user": _user(mate), "api_app_id": demo.APP_ID,
        "token": VERIFICATION_TOKEN, "view": {**view, "state": {"values": state}}, "is_cleared": False,
        "is_enterprise_install": False, "enterprise": None,
    })
