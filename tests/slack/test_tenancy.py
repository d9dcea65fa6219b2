"""The workspace of a request is the one Bolt authorized, never what the body claims.

Two workspaces installed through OAuth (each its own bot token, auth.test answering each token with
its own team). A request naming a team other than the installation that signed it changes nothing,
reads nothing, and is logged as refused.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from bot.db.models import Invite
from tests.conftest import NOW
from tests.support.signing import block_action_body, command_body, event_body
from tests.support.workspaces import oauth_harness

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def two(db, fake_slack, clock):
    harness = oauth_harness(db, fake_slack, clock, teams=("T1", "T2"), now=NOW)
    harness.invited("https://linkedin.com/in/secret-prospect-of-t1 --sent 20d", user="U1", team="T1")
    fake_slack.reset()
    return harness


def t1_invite(db) -> Invite:
    with db.session(write=False) as s:
        return s.scalars(select(Invite).where(Invite.team_id == "T1")).one()


def published(fake_slack) -> str:
    return json.dumps([c.params for c in fake_slack.of("views.publish")])


def test_a_home_click_naming_t1_signed_for_t2_changes_nothing(two, db, fake_slack, caplog):
    invite = t1_invite(db)
    body = block_action_body(
        "digest_snooze", json.dumps({"invite_id": invite.id}), user_id="U1", team_id="T1",
        container={"type": "view", "view_id": "V1"},
        view={"id": "V1", "type": "home", "team_id": "T2", "app_installed_team_id": "T2"},
    )
    with caplog.at_level(logging.INFO):
        response = two.dispatch(body, content_type=FORM)
    assert response.status == 403
    assert t1_invite(db).snoozed_until is None
    assert "secret-prospect-of-t1" not in published(fake_slack)
    assert any("refused" in r.getMessage() and "T1" in r.getMessage() for r in caplog.records)


def test_a_forged_home_opened_naming_t1_with_t2_authorizations_publishes_nothing(two, db, fake_slack, caplog):
    raw = json.loads(event_body({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"},
                                team_id="T1"))
    raw["authorizations"] = [{"enterprise_id": None, "team_id": "T2", "user_id": "UBOT", "is_bot": True,
                              "is_enterprise_install": False}]
    with caplog.at_level(logging.INFO):
        response = two.dispatch(json.dumps(raw), content_type="application/json")
    assert response.status == 403
    assert fake_slack.of("views.publish") == []
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_a_command_claiming_another_installed_team_than_its_view_is_refused(two, db):
    body = block_action_body("list_page", json.dumps({"status": "all", "page": 1}), user_id="U1", team_id="T1",
                             view={"id": "V1", "type": "modal", "team_id": "T1", "app_installed_team_id": "T2"})
    assert two.dispatch(body, content_type=FORM).status == 403


def test_each_workspace_still_acts_on_its_own(two, db, fake_slack):
    invite = t1_invite(db)
    answer = two.invites("list all", user="U1", team="T2")
    assert "secret-prospect-of-t1" not in answer.text
    mine = block_action_body("digest_snooze", json.dumps({"invite_id": invite.id}), user_id="U1", team_id="T1",
                             container={"type": "view", "view_id": "V1"},
                             view={"id": "V1", "type": "home", "team_id": "T1", "app_installed_team_id": "T1"})
    assert two.dispatch(mine, content_type=FORM).status == 200
    fake_slack.wait_for("views.publish")
    assert t1_invite(db).snoozed_until is not None
    assert fake_slack.of("views.publish")[0].headers["Authorization"] == "Bearer xoxb-t1-installed-0000"


def test_a_t2_click_on_a_t1_invite_id_finds_nothing(two, db, fake_slack):
    invite = t1_invite(db)
    body = block_action_body("digest_snooze", json.dumps({"invite_id": invite.id}), user_id="U1", team_id="T2",
                             container={"type": "view", "view_id": "V1"},
                             view={"id": "V1", "type": "home", "team_id": "T2", "app_installed_team_id": "T2"})
    assert two.dispatch(body, content_type=FORM).status == 200
    assert t1_invite(db).snoozed_until is None


def test_single_workspace_token_refuses_a_request_for_another_team(slack, db):
    """With one bot token, auth.test names the one workspace; a body claiming another is refused."""
    body = command_body("/invited", "https://linkedin.com/in/claims-t9", team_id="T9")
    response = slack.dispatch(body, content_type=FORM)
    assert response.status == 403
    with db.session(write=False) as s:
        assert s.scalars(select(Invite)).all() == []
