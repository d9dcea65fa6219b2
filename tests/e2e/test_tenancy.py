"""The running `serve` acts only for the workspace its token was authorized for (signed requests over HTTP)."""

from __future__ import annotations

import json

from tests.support.signing import block_action_body, command_body, event_body, sign


def test_a_command_claiming_another_workspace_is_refused_and_logged(server):
    body = command_body("/invited", "https://www.linkedin.com/in/e2e-claims-t9", team_id="T9")
    status, _ = server.post(body, sign(body))
    assert status == 403
    _, reply = server.command("/invites", "list all")
    assert "e2e-claims-t9" not in json.dumps(reply)
    assert "refused request: body names team(s) T9" in server.logs()


def test_a_forged_home_opened_with_another_installation_is_refused(server, e2e_slack):
    before = len(e2e_slack.of("views.publish"))
    raw = json.loads(event_body({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"},
                                team_id="T1", event_id="EvForged1"))
    raw["authorizations"] = [{"enterprise_id": None, "team_id": "T2", "user_id": "UBOT", "is_bot": True}]
    body = json.dumps(raw)
    status, _ = server.post(body, sign(body), content_type="application/json")
    assert status == 403
    assert len(e2e_slack.of("views.publish")) == before


def test_a_click_naming_one_team_inside_another_installations_view_is_refused(server):
    server.command("/invited", "https://www.linkedin.com/in/e2e-view-team --sent 20d")
    body = block_action_body("digest_snooze", json.dumps({"invite_id": 1}), team_id="T1",
                             container={"type": "view", "view_id": "V1"},
                             view={"id": "V1", "type": "home", "team_id": "T2", "app_installed_team_id": "T2"})
    status, _ = server.post(body, sign(body))
    assert status == 403
