"""Bolt 1.30 reads any form body containing "payload" as interactivity: our edge parses Slack's bodies itself."""

from __future__ import annotations

import json

import pytest

from tests.support.signing import block_action_body, command_body, sign


@pytest.mark.parametrize("text", [
    "https://www.linkedin.com/in/pat-lee asked about payload pricing",
    "https://www.linkedin.com/in/payload-pete",
    "https://www.linkedin.com/in/pay-lo-ad PAYLOAD payload=1 %7B",
])
def test_a_command_whose_text_says_payload_is_logged(server, text):
    status, reply = server.command("/invited", text)
    assert status == 200, reply
    assert "Logged 1 invite" in reply["text"]


@pytest.mark.parametrize("field", ["channel_name", "team_domain", "user_name"])
def test_payload_in_any_other_form_field_is_harmless(server, field):
    body = command_body("/invited", f"https://www.linkedin.com/in/field-{field.replace('_', '-')}",
                        **{field: "payload"})
    status, raw = server.post(body, sign(body))
    assert status == 200, raw
    assert "Logged 1 invite" in json.loads(raw)["text"]


def test_outcome_by_a_name_containing_payload(server):
    server.command("/invited", "https://www.linkedin.com/in/payload-paula")
    status, reply = server.command("/invites", "accepted payload-paula")
    assert status == 200, reply
    assert "Marked" in reply["text"] and "accepted" in reply["text"]


def test_a_signed_payload_field_is_still_interactivity(server):
    """The real interactivity form (only `payload`) still reaches the action listeners."""
    body = block_action_body("list_page", json.dumps({"status": "all", "page": 1}))
    status, _ = server.post(body, sign(body))
    assert status == 200


def test_the_signature_still_covers_the_raw_body(server):
    body = command_body("/invited", "https://www.linkedin.com/in/payload-forged")
    status, _ = server.post(body.replace("forged", "altered"), sign(body))
    assert status == 401
    _, reply = server.command("/invites", "list all")
    assert "payload-forged" not in json.dumps(reply) and "payload-altered" not in json.dumps(reply)
