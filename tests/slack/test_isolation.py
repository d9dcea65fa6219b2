"""Two workspaces in one database: nothing one does reads or changes the other's data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Invite, Workspace
from bot.services.admin import purge_workspace
from bot.services.sweep import plan
from bot.slack.ids import SettingsView
from tests.conftest import NOW
from tests.slack.test_settings_privacy import workspace_values
from tests.support.workspaces import oauth_harness


@pytest.fixture
def slack(db, fake_slack, clock):
    """T1 and T2 installed through OAuth, each with its own token (a request for T2 is authorized for T2)."""
    return oauth_harness(db, fake_slack, clock, teams=("T1", "T2"), now=NOW)


def seed(slack):
    # The same user id exists in both workspaces (Slack ids are only unique per workspace here).
    slack.invited("https://linkedin.com/in/shared-person Jane A --sent 20d", user="U1", team="T1")
    slack.invited("https://linkedin.com/in/only-in-one --sent 20d", user="U1", team="T1")
    slack.invited("https://linkedin.com/in/shared-person --sent 3d", user="U1", team="T2")


def by_team(db):
    with db.session(write=False) as s:
        rows = s.execute(select(Invite.team_id, Invite.prospect_key, Invite.status).order_by(Invite.id)).all()
    return [tuple(r) for r in rows]


def test_logging_the_same_person_in_another_workspace_is_not_a_teammate_collision(slack, db):
    slack.invited("https://linkedin.com/in/shared-person", user="U2", team="T1")
    answer = slack.invited("https://linkedin.com/in/shared-person", user="U7", team="T2")
    assert "teammate" not in answer.text and "Logged 1 invite" in answer.text


def test_lists_stats_and_outcomes_see_only_their_workspace(slack, db):
    seed(slack)
    listing = slack.invites("list all", user="U1", team="T2")
    assert "shared-person" in listing.text and "only-in-one" not in listing.text
    stats = slack.invites("stats all", user="U1", team="T2")
    assert "Your invites sent in all time:* 1" in stats.text
    assert "None of your invites matches" in slack.invites("accepted only-in-one", user="U1", team="T2").text
    assert "You have no invite #1" in slack.invites("declined #1", user="U1", team="T2").text
    assert by_team(db)[:2] == [("T1", "in:shared-person", "pending"), ("T1", "in:only-in-one", "pending")]


def test_undo_in_one_workspace_never_touches_the_other(slack, db):
    seed(slack)
    slack.invites("undo", user="U1", team="T2")
    assert [r[0] for r in by_team(db)] == ["T1", "T1"]
    slack.invites("undo", user="U1", team="T2")
    assert [r[0] for r in by_team(db)] == ["T1", "T1"]


def test_forged_invite_ids_and_extra_fields_in_button_values_are_refused(slack, db):
    seed(slack)
    other = {"action_id": "pick_outcome:0", "value": json.dumps({"invite_id": 1, "outcome": "accepted"})}
    assert "You have no invite #1" in slack.click(other, user="U1", team="T2")["text"]
    forged_team = {"action_id": "pick_outcome:0",
                   "value": json.dumps({"invite_id": 1, "outcome": "accepted", "team_id": "T1"})}
    assert "out of date or damaged" in slack.click(forged_team, user="U1", team="T2")["text"]
    digest = {"action_id": "digest_withdrawn", "value": json.dumps({"invite_id": 2})}
    before = len(slack.fake.of("response_url"))
    slack.click_in_message(digest, message={"text": "x", "blocks": []}, channel="D1", ts="1.1", user="U1", team="T2")
    assert "You have no invite #2" in slack.fake.wait_for("response_url", before + 1)[-1].params["text"]
    assert {r[2] for r in by_team(db)} == {"pending"}


def test_settings_of_one_workspace_leave_the_other_alone(slack, db):
    seed(slack)
    slack.submit(SettingsView.WORKSPACE, workspace_values(withdraw_after_days=3), user="UADMIN", team="T2")
    with db.session(write=False) as s:
        days = dict(s.execute(select(Workspace.team_id, Workspace.withdraw_after_days)).all())
    assert days == {"T1": 14, "T2": 3}


def test_the_sweep_plans_each_workspace_with_its_own_rules(slack, db):
    seed(slack)
    slack.submit(SettingsView.WORKSPACE, workspace_values(withdraw_after_days=2, nudge_hour=0,
                                                  timezone="UTC"), user="UADMIN", team="T2")
    wednesday = NOW.replace(hour=12)
    messages = {(m.team_id, m.user_id): m for p in plan(db, now=wednesday) for m in p.messages}
    assert sorted(messages[("T1", "U1")].stale_keys) == ["in:only-in-one", "in:shared-person"]
    assert list(messages[("T2", "U1")].stale_keys) == ["in:shared-person"]
    assert plan(db, now=wednesday, team_id="T2")[0].member.team_id == "T2"
    assert all(p.member.team_id == "T2" for p in plan(db, now=wednesday + timedelta(hours=1), team_id="T2"))


def test_forget_me_in_one_workspace_keeps_the_same_user_id_elsewhere(slack, db):
    seed(slack)
    (button,) = slack.invites("forget-me", user="U1", team="T2").buttons
    slack.click(button, user="U1", team="T2")
    assert [r[0] for r in by_team(db)] == ["T1", "T1"]


def test_purge_removes_one_workspace_only(slack, db):
    seed(slack)
    counts = purge_workspace(db, "T1")
    assert counts == {"members": 1, "invites": 2}
    assert [r[0] for r in by_team(db)] == ["T2"]
