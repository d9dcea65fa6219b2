"""The test suite's fake Slack is strict: what Slack would refuse is refused and fails the test that sent it."""

from __future__ import annotations

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support import fake_slack as fake_module
from tests.support.harness import SlackHarness
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET


def test_a_payload_slack_refuses_is_answered_invalid_blocks_and_recorded(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Usage: `/invites accepted <url|slug>`"}}]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="D1", text="usage", blocks=blocks)
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_open(trigger_id="1.2.3", view={"type": "modal", "blocks": []})
    assert len(fake_slack.violations) == 2
    found = fake_module.take_violations()  # what the autouse fixture would fail this test with
    assert any("unescaped '<'" in v for v in found) and any("view.title: required" in v for v in found)
    # Accepted payloads, other methods and chat.postMessage's metadata pass untouched.
    client.chat_postMessage(channel="D1", text="ok", metadata={"event_type": "digest", "event_payload": {"n": 1}})
    client.conversations_history(channel="D1")
    assert fake_slack.violations == found[:2] and fake_module.take_violations() == []


def test_an_ack_slack_refuses_is_recorded_by_the_harness(fake_slack):
    app = App(signing_secret=SIGNING_SECRET, token=BOT_TOKEN, token_verification_enabled=False,
              client=WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url))

    @app.command("/broken")
    def broken(ack):
        ack(text="Usage: /broken <thing>", blocks=[{"type": "section", "text": {"type": "plain_text", "text": ""}}])

    @app.view("form")
    def form(ack):
        ack(response_action="errors", errors={"nowhere": "Not a field"})

    harness = SlackHarness(app, fake_slack)
    harness.command("/broken")
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    client.views_open(trigger_id="1.2.3", view={
        "type": "modal", "callback_id": "form", "title": {"type": "plain_text", "text": "Form"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [{"type": "input", "block_id": "name", "label": {"type": "plain_text", "text": "Name"},
                    "element": {"type": "plain_text_input", "action_id": "value"}}]})
    harness.submit("form", {"name": {"value": {"type": "plain_text_input", "value": "x"}}})
    found = fake_module.take_violations()
    assert any(v.startswith("ack of /broken") and "unescaped '<'" in v for v in found), found
    assert any("at least 1 character" in v for v in found), found
    assert any("errors names 'nowhere', not an input block of the view (name)" in v for v in found), found


def test_the_new_methods_are_held_to_slacks_arguments(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": []}
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_open(trigger_id="", view=view)  # no trigger: Slack refuses
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="D1", text="in a thread", thread_ts="yesterday")
    client.chat_postMessage(channel="D1", text="in a thread", thread_ts="1763460000.000100")
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.functions_completeError(function_execution_id="Fx0FAKE01", error="")
    with pytest.raises(SlackApiError, match="function_execution_not_found"):
        client.functions_completeSuccess(function_execution_id="Fx0FAKE01", outputs={})
    fake_slack.start_execution("Fx0FAKE01", token="xwfp-run-1")
    step = WebClient(token="xwfp-run-1", base_url=fake_slack.base_url)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        client.functions_completeSuccess(function_execution_id="Fx0FAKE01", outputs={})  # the bot token
    with pytest.raises(SlackApiError, match="parameter_validation_failed"):
        step.functions_completeSuccess(function_execution_id="Fx0FAKE01", outputs={"invite_id": "7"})
    step.functions_completeSuccess(function_execution_id="Fx0FAKE01",
                                   outputs={"invite_id": 7, "prospect": "in:a", "warnings": "No warnings."})
    with pytest.raises(SlackApiError, match="execution_not_in_running_state"):
        step.functions_completeError(function_execution_id="Fx0FAKE01", error="late")
    found = fake_module.take_violations()
    assert len(found) == 9, found  # the bad outputs: invite_id a string, prospect and warnings missing
    assert any("thread_ts" in v for v in found) and any("trigger_id" in v for v in found)
    assert any("outputs.invite_id: must be integer" in v for v in found)
