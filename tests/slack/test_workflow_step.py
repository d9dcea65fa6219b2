"""The Workflow Builder step `log_linkedin_invite`: a `function_executed` event, as Slack documents it.

Signed events through the real app against the strict fake Web API (SQLite and PostgreSQL): the step
logs the invite for `sender` and completes with its outputs (functions.completeSuccess, checked
against manifest.yml's output parameters, with the execution's own token), or completes with a clear
error (functions.completeError); it never completes twice, and a redelivered event logs once.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.db.models import Invite
from tests.support.fake_slack import manifest_function
from tests.support.signing import sign

QUIET_S = 0.4
FUNCTION_TOKEN = "xwfp-1325532282098-1322446258629-6123648410839-527a1cab3979cad288c9e20330d212cf"


def _parameters(declared: dict) -> list[dict]:
    return [{"type": p["type"], "name": name, "title": p["title"], "description": p["description"],
             "is_required": p["is_required"]} for name, p in declared.items()]


def function_executed(inputs: dict, *, execution: str = "Fx1234567O9L", event_id: str = "Ev0FX00001",
                      team: str = "T1") -> str:
    """The envelope and event exactly as Slack's reference shows them (api.slack.com/events/function_executed)."""
    declared = manifest_function("log_linkedin_invite")
    return json.dumps({
        "token": "XXYYZZ",
        "team_id": team,
        "api_app_id": "A1",
        "event": {
            "type": "function_executed",
            "function": {
                "id": "Fn123456789O", "callback_id": "log_linkedin_invite", "title": declared["title"],
                "description": declared["description"], "type": "app",
                "input_parameters": _parameters(declared["input_parameters"]),
                "output_parameters": _parameters(declared["output_parameters"]),
                "app_id": "A1", "date_created": 1694727597, "date_updated": 1698947481, "date_deleted": 0,
            },
            "inputs": inputs,
            "function_execution_id": execution,
            "workflow_execution_id": "WxABC123DEF0",
            "event_ts": "1763460000.998738",
            "bot_access_token": FUNCTION_TOKEN,
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1763460000,
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
    })


def run(slack, fake_slack, inputs: dict, *, execution: str = "Fx1234567O9L", event_id: str = "Ev0FX00001",
        retry: int = 0, start: bool = True):
    if start:
        fake_slack.start_execution(execution, token=FUNCTION_TOKEN)
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    body = function_executed(inputs, execution=execution, event_id=event_id)
    response = slack.dispatch(body, headers, content_type="application/json")
    assert response.status == 200, response.body
    return response


def completed(fake_slack, execution: str = "Fx1234567O9L") -> dict:
    deadline = time.monotonic() + 5
    while fake_slack.executions[execution]["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    return fake_slack.executions[execution]


def outputs(execution: dict) -> dict:
    raw = execution["outputs"]
    return json.loads(raw) if isinstance(raw, str) else raw


def invites(db) -> list[tuple[str, str, str, str | None, bool]]:
    with db.session(write=False) as s:
        return [(i.prospect_key, i.source, i.priority, i.notes, i.with_note)
                for i in s.scalars(select(Invite).order_by(Invite.id))]


def test_the_step_logs_the_invite_for_the_sender_and_completes_with_its_outputs(slack, db, fake_slack):
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/in/jane-doe/?trk=x", "sender": "U2",
                            "priority": "high", "with_note": True, "comment": "met at SaaStr"})
    done = completed(fake_slack)
    assert done["state"] == "completed"
    assert outputs(done) == {"invite_id": 1, "prospect": "in:jane-doe", "warnings": "No warnings."}
    assert invites(db) == [("in:jane-doe", "workflow", "high", "met at SaaStr", True)]
    (call,) = fake_slack.of("functions.completeSuccess")
    assert call.headers["Authorization"] == f"Bearer {FUNCTION_TOKEN}"
    listed = slack.invites("list", user="U2")  # it is the sender's invite
    assert "Jane Doe" in listed.visible


def test_only_the_required_inputs(slack, db, fake_slack):
    run(slack, fake_slack, {"profile_url": "linkedin.com/in/bob-ray", "sender": "U1"})
    assert outputs(completed(fake_slack))["prospect"] == "in:bob-ray"
    assert invites(db) == [("in:bob-ray", "workflow", "normal", None, False)]


def test_warnings_are_the_same_words_as_invited(slack, db, fake_slack):
    slack.invited("https://www.linkedin.com/in/jane-doe", user="U2")  # a teammate is already on her
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1"})
    warnings = outputs(completed(fake_slack))["warnings"]
    assert "A teammate is already on Jane Doe: Tom (pending)." in warnings
    assert "<" not in warnings and ":busts_in_silhouette:" not in warnings  # plain text for a workflow


def test_not_a_profile_url_completes_with_an_error(slack, db, fake_slack):
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/company/acme", "sender": "U1"})
    done = completed(fake_slack)
    assert done["state"] == "failed" and "not a LinkedIn profile URL" in done["error"]
    assert invites(db) == []


def test_a_duplicate_completes_with_an_error(slack, db, fake_slack):
    slack.invited("https://www.linkedin.com/in/jane-doe")
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1"})
    done = completed(fake_slack)
    assert done["state"] == "failed" and "already pending as #1" in done["error"] and "not logged twice" in done["error"]
    assert len(invites(db)) == 1


def test_an_unknown_member_completes_with_an_error(slack, db, fake_slack):
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U404"})
    done = completed(fake_slack)
    assert done["state"] == "failed" and "U404" in done["error"] and "member" in done["error"]
    assert invites(db) == []


def test_a_bad_priority_completes_with_an_error(slack, db, fake_slack):
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1", "priority": "urgent"})
    done = completed(fake_slack)
    assert done["state"] == "failed" and "high, normal or low" in done["error"]


def test_a_redelivered_event_logs_once_and_completes_once(slack, db, fake_slack):
    inputs = {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1"}
    run(slack, fake_slack, inputs)
    for n in (1, 2, 3):
        run(slack, fake_slack, inputs, retry=n, start=False)
    assert completed(fake_slack)["state"] == "completed"
    time.sleep(QUIET_S)
    assert len(fake_slack.of("functions.completeSuccess")) == 1 and not fake_slack.of("functions.completeError")
    assert len(invites(db)) == 1


def test_an_execution_logged_before_a_crash_completes_with_the_same_outputs(slack, db, fake_slack):
    # The first delivery logged but Slack never heard back (completeSuccess failed): the redelivery
    # finds the execution's invite and completes with it, instead of failing as a duplicate.
    inputs = {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1"}
    fake_slack.queue("functions.completeSuccess", {"ok": False, "error": "internal_error"})
    run(slack, fake_slack, inputs, event_id="Ev0FX00009")
    fake_slack.wait_for("functions.completeSuccess")
    time.sleep(0.1)
    run(slack, fake_slack, inputs, event_id="Ev0FX00009", retry=1, start=False)
    done = completed(fake_slack)
    assert done["state"] == "completed" and outputs(done)["invite_id"] == 1
    assert len(invites(db)) == 1


def test_invites_undo_reverts_a_workflow_log(slack, db, fake_slack):
    run(slack, fake_slack, {"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1"})
    completed(fake_slack)
    answer = slack.invites("undo")
    assert "removed" in answer.visible and "Jane Doe" in answer.visible
    assert invites(db) == []


def test_the_signature_is_checked(slack, fake_slack):
    body = function_executed({"profile_url": "https://www.linkedin.com/in/jane-doe", "sender": "U1"})
    headers = {"Content-Type": "application/json", **sign(body, secret="wrong-secret")}
    from bot.slack.request import SlackRequest

    assert slack.app.dispatch(SlackRequest(body=body, headers=headers)).status == 401
