"""manifest.yml: valid against Slack's app manifest schema, and asking for exactly what the app uses."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema import Draft7Validator, FormatChecker

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yml"
# A copy of /work/shared/schemas/slack-app-manifest.schema.json (slackapi/manifest-schema, v1),
# kept in the repo so the test runs on a fresh clone.
SCHEMA = ROOT / "tests" / "fixtures" / "slack-app-manifest.schema.json"

COMMANDS = {"/invited", "/invites"}

BOT_SCOPES = {
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "files:read",
    "files:write",
    "users:read",
}

# The events the app has listeners for, each with the bot scope Slack requires to receive it.
HANDLED_EVENTS: dict[str, str | None] = {
    "app_home_opened": None,
    "app_uninstalled": None,
    "tokens_revoked": None,
    "team_access_granted": None,  # org-wide (Grid) installs: a workspace added to the install
    "team_access_revoked": None,  # ... or removed from it
    "file_shared": "files:read",
    "message.im": "im:history",
    "user_change": "users:read",
    "function_executed": None,
}

EVENTS_URL = "https://YOUR-HOST/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft7Validator:
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=FormatChecker())


def _errors(validator: Draft7Validator, instance: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def test_schema_is_draft_7(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert jsonschema.validators.validator_for(schema) is Draft7Validator


def test_manifest_is_valid_against_slack_schema(manifest: dict[str, Any], validator: Draft7Validator) -> None:
    assert _errors(validator, manifest) == []


def test_schema_rejects_unknown_keys(manifest: dict[str, Any], validator: Draft7Validator) -> None:
    # Guards against a validator that silently accepts anything.
    broken = copy.deepcopy(manifest)
    broken["features"]["bot_user"]["nickname"] = "x"
    assert _errors(validator, broken)


def test_display_information(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert info["name"] == "Invite Hygiene"
    assert info["description"]
    # The schema spells this constraint "regex" (not "pattern"), so no validator enforces it.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])


def test_app_home_and_bot_user(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,  # members DM export files to the bot
    }
    assert features["bot_user"] == {"display_name": "Invite Hygiene", "always_online": False}


def test_slash_commands(manifest: dict[str, Any]) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == COMMANDS
    for name, command in commands.items():
        assert 2 <= len(name) <= 32 and name.startswith("/")
        assert name != "/invite", "Slack's built-in /invite cannot be claimed by an app"
        assert command["usage_hint"].strip()
        assert command["description"].strip()
        assert command["url"] == EVENTS_URL
        assert command.get("should_escape") is False
    assert "--sent" in commands["/invited"]["usage_hint"]
    assert "leaderboard" in commands["/invites"]["usage_hint"]


def test_global_and_message_shortcuts(manifest: dict[str, Any]) -> None:
    assert manifest["features"]["shortcuts"] == [
        {
            "name": "Log invites",
            "type": "global",
            "callback_id": "log_invites",
            "description": "Log LinkedIn invites you sent",
        },
        {
            "name": "Log as sent invites",
            "type": "message",
            "callback_id": "log_from_message",
            "description": "Log the LinkedIn profiles in this message as invites you sent",
        },
    ]


def test_the_workflow_step_has_the_inputs_and_outputs_of_product_md(manifest: dict[str, Any]) -> None:
    (callback_id,) = manifest["functions"]
    step = manifest["functions"][callback_id]
    assert callback_id == "log_linkedin_invite" and step["title"] == "Log a LinkedIn invite"
    inputs = {name: (p["type"], p["is_required"]) for name, p in step["input_parameters"].items()}
    assert inputs == {"profile_url": ("string", True), "sender": ("slack#/types/user_id", True),
                      "priority": ("string", False), "with_note": ("boolean", False), "comment": ("string", False)}
    outputs = {name: p["type"] for name, p in step["output_parameters"].items()}
    assert outputs == {"invite_id": "integer", "prospect": "string", "warnings": "string"}
    assert all(p["name"] == name for params in (step["input_parameters"], step["output_parameters"])
               for name, p in params.items())
    # Custom steps run by a Bolt app: an org-ready app whose functions run on our server.
    assert manifest["settings"]["function_runtime"] == "remote" and manifest["settings"]["org_deploy_enabled"] is True


def test_bot_scopes_are_exactly_the_minimum(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}, "no user scopes"
    assert len(scopes["bot"]) == len(set(scopes["bot"]))
    assert set(scopes["bot"]) == BOT_SCOPES
    assert manifest["oauth_config"]["redirect_urls"] == ["https://YOUR-HOST/slack/oauth_redirect"]


def test_every_event_is_handled_and_its_scope_requested(manifest: dict[str, Any]) -> None:
    subscriptions = manifest["settings"]["event_subscriptions"]
    events = subscriptions["bot_events"]
    assert set(events) == set(HANDLED_EVENTS)
    assert subscriptions["request_url"] == EVENTS_URL
    assert "user_events" not in subscriptions
    for event in events:
        needed = HANDLED_EVENTS[event]
        assert needed is None or needed in manifest["oauth_config"]["scopes"]["bot"], event


def test_interactivity_and_settings(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS_URL}
    assert settings["socket_mode_enabled"] is False  # HTTP by default; docs/install.md covers Socket Mode
    assert settings["org_deploy_enabled"] is True  # Grid org-wide installs and the workflow step (docs/install.md)
    assert settings["token_rotation_enabled"] is False


def test_placeholder_host_is_explained() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    head = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    assert "YOUR-HOST" in head and "socket_mode_enabled: true" in head
