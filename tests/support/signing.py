"""Requests signed exactly as Slack signs them."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token-0000000000"


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The X-Slack-* headers for a raw body."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def command_body(
    command: str, text: str, *, user_id: str = "U1", team_id: str = "T1", channel_id: str = "C1",
    response_url: str = "http://127.0.0.1:9/respond", trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
    **fields: str,
) -> str:
    """A slash command payload as Slack posts it (form-encoded); `fields` override any of its fields."""
    return urlencode({
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": "acme",
        "enterprise_id": "",
        "channel_id": channel_id,
        "channel_name": "sales",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
        **fields,
    })


def block_action_body(
    action_id: str, value: str, *, user_id: str = "U1", team_id: str = "T1",
    response_url: str = "http://127.0.0.1:9/respond", channel_id: str = "C1", message: dict | None = None,
    container: dict | None = None, block_id: str = "b", **extra: Any,
) -> str:
    """A block_actions payload as Slack posts it (form field `payload` holding JSON)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "container": container or {"type": "message", "message_ts": "1.0", "channel_id": channel_id, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "channel": {"id": channel_id, "name": "sales"},
        "response_url": response_url,
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": block_id, "value": value,
            "text": {"type": "plain_text", "text": "x"}, "action_ts": "1.1",
        }],
    }
    if message is not None:
        payload["message"] = message
    payload.update(extra)
    return urlencode({"payload": json.dumps(payload)})


def view_submission_body(callback_id: str, values: dict, *, user_id: str = "U1", team_id: str = "T1",
                         private_metadata: str = "", view_id: str = "V1") -> str:
    """A view_submission payload (form field `payload` holding JSON), state values as Slack nests them."""
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "trigger_id": "1.2.3",
        "view": {
            "id": view_id, "team_id": team_id, "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "hash": "h1", "blocks": [],
            "state": {"values": values},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


_EVENT_IDS = itertools.count(1)


def event_body(event: dict, *, team_id: str = "T1", event_id: str | None = None) -> str:
    """An Events API envelope (JSON); each gets a new event id unless given one (a redelivery keeps its id)."""
    event_id = event_id or f"Ev{next(_EVENT_IDS):08d}"
    return json.dumps({"token": "legacy-verification-token", "team_id": team_id, "api_app_id": "A1",
                       "type": "event_callback", "event_id": event_id, "event_time": 1, "event": event})
