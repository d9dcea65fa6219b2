"""The playground's ways to log, over HTTP as its page drives them (no browser): a DM, the message
shortcut, the workflow step, through the real app and the pretend Slack (which holds them to Slack's rules)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Invite
from bot.playground import demo
from bot.playground.server import Options, Playground
from tests.e2e.test_playground import Page, api, wait_until

ANA, KENJI = "U0ANA", "U0KENJI"


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    pg = Playground(Settings(_env_file=None), Options(port=0, scheduler=False))
    pg.start()
    yield pg
    pg.stop()


@pytest.fixture
def page(playground: Playground) -> Page:
    return Page(playground)


def dm_html(page: Page, user: str) -> str:
    return page.state(user)["dm"]["html"]


def sources(playground) -> dict[str, str]:
    with playground.db.session(write=False) as s:
        return {i.prospect_key: i.source for i in s.scalars(select(Invite))}


def test_a_pasted_url_in_the_dm_is_logged_and_answered_in_its_thread(page: Page, playground):
    dm = demo.teammate(KENJI).dm_channel
    assert page.say(KENJI, "https://www.linkedin.com/in/e2e-dm-paste", channel=dm)["ok"]
    wait_until(lambda: "Logged 1 invite" in dm_html(page, KENJI), what="the thread reply")
    html = dm_html(page, KENJI)
    assert "msg-reply" in html and "in thread" in html and ">Undo<" in html
    assert sources(playground)["in:e2e-dm-paste"] == "dm"


def test_the_message_shortcut_opens_the_modal_with_the_messages_profiles(page: Page, playground):
    page.say(ANA, "Meet https://www.linkedin.com/in/e2e-shortcut-one and https://www.linkedin.com/in/e2e-shortcut-two")
    with playground.state.lock:
        message = [m for m in playground.state.conversations[demo.CHANNEL_ID] if "e2e-shortcut-one" in m.text][-1]
    assert 'data-message-shortcut="log_from_message"' in page.state(ANA)["channel"]["html"]
    result = page.post("/play/message_shortcut", {"user": ANA, "channel": demo.CHANNEL_ID, "ts": message.ts,
                                                  "callback_id": "log_from_message"})
    assert result["ok"], result
    modal = page.state(ANA)["modal"]
    assert modal and "2 LinkedIn profiles found in the message" in modal["html"]
    assert "https://www.linkedin.com/in/e2e-shortcut-one" in modal["html"]
    page.post("/play/close", {"user": ANA, "view_id": modal["view_id"], "values": []})


def test_the_workflow_step_completes_once_with_its_outputs_then_fails_on_a_duplicate(page: Page, playground):
    inputs = {"profile_url": "https://www.linkedin.com/in/e2e-workflow", "priority": "low", "with_note": False}
    done = page.post("/play/workflow", {"user": KENJI, "inputs": inputs})
    assert done == {"ok": True, "message": "The step completed."}
    runs = list(playground.fake.executions.values())
    assert runs[-1]["state"] == "completed" and runs[-1]["outputs"]["prospect"] == "in:e2e-workflow"
    assert sources(playground)["in:e2e-workflow"] == "workflow"
    again = page.post("/play/workflow", {"user": KENJI, "inputs": inputs})
    assert again["ok"] is False and "already pending" in again["message"]
    assert "failed" in page.state(KENJI)["channel"]["html"]


def test_a_step_is_completed_only_with_its_runs_token(playground):
    playground.fake.start_execution("Fx0E2ETOKEN", token="xwfp-e2e-run", user_id=KENJI, channel=demo.CHANNEL_ID)
    with pytest.raises(SlackApiError, match="invalid_auth"):  # the bot token is not the run's
        api(playground).functions_completeSuccess(function_execution_id="Fx0E2ETOKEN", outputs={})
    run = WebClient(token="xwfp-e2e-run", base_url=playground.settings.slack_api_url)
    run.functions_completeError(function_execution_id="Fx0E2ETOKEN", error="stopped by the test")
    with pytest.raises(SlackApiError, match="execution_not_in_running_state"):
        run.functions_completeError(function_execution_id="Fx0E2ETOKEN", error="twice")
