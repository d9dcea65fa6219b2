"""Our edge's parse of Slack bodies: by field, never by substring (slack-bolt 1.30 reads "payload" anywhere)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bot.slack.request import SlackRequest, parse_slack_body

FORM = "application/x-www-form-urlencoded"


def test_a_command_mentioning_payload_keeps_its_fields():
    raw = urlencode({"command": "/invited", "text": "payload pricing", "team_id": "T1", "user_id": "U1"})
    assert parse_slack_body(raw, FORM) == {"command": "/invited", "text": "payload pricing", "team_id": "T1",
                                           "user_id": "U1"}


def test_the_payload_field_is_interactivity_json():
    raw = urlencode({"payload": json.dumps({"type": "block_actions", "team": {"id": "T1"}})})
    assert parse_slack_body(raw, FORM)["type"] == "block_actions"


def test_events_are_json():
    assert parse_slack_body('{"type":"event_callback","payload":1}', "application/json")["payload"] == 1


def test_the_copy_a_lazy_listener_gets_is_parsed_the_same_way():
    raw = urlencode({"command": "/invited", "text": "…/in/payload-pete", "team_id": "T1", "user_id": "U1"})
    request = SlackRequest(body=raw, headers={"Content-Type": FORM})
    copy = request.to_copyable()
    assert isinstance(copy, SlackRequest)
    assert copy.body["text"] == "…/in/payload-pete"
    assert copy.context.team_id == "T1" and copy.context.user_id == "U1"
    assert copy.raw_body == raw
    assert request.mode == copy.mode == "http" and request.raw_body == raw  # signatures read raw_body
