"""Enterprise Grid: one org-wide installation serves every workspace of the org, each kept apart.

Org E1 is installed org-wide (one installation, team NULL) and has granted workspaces TA1 and TB1;
org E2 is installed org-wide with TC1; T2 is a workspace installed on its own. Requests from an
org-wide install carry `enterprise_id`, `is_enterprise_install` and (events) `authorizations`, as
Slack documents them; the workspace a request acts on is the one it comes from, and must belong to
the org whose token authorized it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db.models import SLACK_BOTS, SLACK_INSTALLATIONS, Invite, Member, Workspace
from bot.services.sweep import plan
from bot.slack.app import create_app, install_for
from bot.web import WebApp
from tests.conftest import NOW
from tests.support.harness import Answer
from tests.support.signing import SIGNING_SECRET, block_action_body, command_body, sign
from tests.support.workspaces import grid_harness, org_token
from tests.support.wsgi import call

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture
def grid(db, fake_slack, clock):
    fake_slack.add_user("W1", tz="Europe/Berlin", name="Grid Dana")  # one Grid user, member of TA1 and TB1
    return grid_harness(db, fake_slack, clock, now=NOW)


def org_command(harness, command: str, text: str, *, team: str, enterprise: str = "E1", user: str = "W1") -> Answer:
    """A slash command from a workspace of an org-wide install, as Slack posts it."""
    body = command_body(command, text, user_id=user, team_id=team, enterprise_id=enterprise,
                        is_enterprise_install="true", response_url=harness.fake.response_url("cmd"))
    response = harness.dispatch(body, content_type=FORM)
    return Answer(response.status, json.loads(response.body) if response.body.startswith("{") else {})


def org_event(event: dict[str, Any], *, team: str, enterprise: str = "E1", event_id: str) -> str:
    """An Events API envelope for an org-wide install: authorizations name the org, not a workspace."""
    return json.dumps({
        "token": "legacy-verification-token", "team_id": team, "enterprise_id": enterprise, "api_app_id": "A1",
        "type": "event_callback", "event_id": event_id, "event_time": 1, "event": event,
        "is_ext_shared_channel": False,
        "authorizations": [{"enterprise_id": enterprise, "team_id": None, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": True}],
    })


def org_click(action_id: str, value: str, *, team: dict[str, str] | None, user_team: str, enterprise: str = "E1",
              **extra: Any) -> str:
    """A block_actions payload from an org-wide install (Slack may send `team: null` there)."""
    return block_action_body(action_id, value, user_id="W1", team_id=user_team, team=team,
                             enterprise={"id": enterprise, "name": "Grid"}, is_enterprise_install=True, **extra)


def invites_of(db, team: str) -> list[str]:
    with db.session(write=False) as s:
        return sorted(s.scalars(select(Invite.prospect_key).where(Invite.team_id == team)))


def workspace(db, team: str) -> Workspace | None:
    with db.session(write=False) as s:
        return s.get(Workspace, team)


def test_a_member_of_two_workspaces_of_the_org_has_two_separate_piles(grid, db, fake_slack):
    assert "Logged 1 invite" in org_command(grid, "/invited", "https://linkedin.com/in/a-one", team="TA1").text
    assert "Logged 1 invite" in org_command(grid, "/invited", "https://linkedin.com/in/a-two", team="TA1").text
    assert "Logged 1 invite" in org_command(grid, "/invited", "https://linkedin.com/in/b-one", team="TB1").text
    assert invites_of(db, "TA1") == ["in:a-one", "in:a-two"]
    assert invites_of(db, "TB1") == ["in:b-one"]
    in_b = org_command(grid, "/invites", "list all", team="TB1").text
    assert "b-one" in in_b and "a-one" not in in_b and "a-two" not in in_b
    in_a = org_command(grid, "/invites", "list all", team="TA1").text
    assert "a-one" in in_a and "b-one" not in in_a
    # Every call went out with the org's one token.
    assert {c.headers["Authorization"] for c in fake_slack.of("users.info")} == {f"Bearer {org_token('E1')}"}
    assert workspace(db, "TA1").enterprise_id == "E1" and workspace(db, "TB1").enterprise_id == "E1"


@pytest.mark.parametrize("team", ["TC1", "T2", "TNOWHERE"])
def test_an_org_request_naming_a_workspace_outside_the_org_is_refused(grid, db, team):
    """TC1 is E2's, T2 is installed on its own, TNOWHERE is not granted to E1: E1's token acts for none."""
    grid.invited("https://linkedin.com/in/t2-own", team="T2", user="U1")  # T2 known, as its own install
    answer = org_command(grid, "/invited", "https://linkedin.com/in/forged", team=team)
    assert answer.status == 403
    assert "in:forged" not in invites_of(db, team)
    if team == "TNOWHERE":
        assert workspace(db, team) is None


def test_a_workspace_of_another_org_already_known_is_refused_without_asking_slack(grid, db, fake_slack):
    assert org_command(grid, "/invited", "https://linkedin.com/in/c-one", team="TC1", enterprise="E2").status == 200
    fake_slack.reset()
    assert org_command(grid, "/invites", "list all", team="TC1", enterprise="E1").status == 403
    assert fake_slack.of("auth.teams.list") == []


def test_the_org_is_asked_once_per_new_workspace(grid, db, fake_slack):
    for n in range(3):
        org_command(grid, "/invited", f"https://linkedin.com/in/again-{n}", team="TA1")
    assert len(fake_slack.of("auth.teams.list")) == 1


def test_home_opened_from_an_org_install_shows_that_workspaces_pile_only(grid, db, fake_slack):
    org_command(grid, "/invited", "https://linkedin.com/in/home-a --sent 20d", team="TA1")
    org_command(grid, "/invited", "https://linkedin.com/in/home-b --sent 20d", team="TB1")
    fake_slack.reset()
    event = {"type": "app_home_opened", "user": "W1", "tab": "home", "channel": "D1"}
    response = grid.dispatch(org_event(event, team="TB1", event_id="EvHomeB"), content_type=JSON)
    assert response.status == 200
    publish = fake_slack.wait_for("views.publish")[0]
    shown = json.dumps(publish.params)
    assert "home-b" in shown and "home-a" not in shown
    assert publish.headers["Authorization"] == f"Bearer {org_token('E1')}"


def test_an_org_event_naming_another_orgs_workspace_is_refused(grid, db, fake_slack):
    org_command(grid, "/invited", "https://linkedin.com/in/c-secret --sent 20d", team="TC1", enterprise="E2")
    fake_slack.reset()
    event = {"type": "app_home_opened", "user": "W1", "tab": "home", "channel": "D1"}
    response = grid.dispatch(org_event(event, team="TC1", enterprise="E1", event_id="EvForgedC"), content_type=JSON)
    assert response.status == 403
    assert fake_slack.of("views.publish") == []


def _home_snooze(db, team: str) -> tuple[int, str]:
    with db.session(write=False) as s:
        invite = s.scalars(select(Invite).where(Invite.team_id == team)).one()
    return invite.id, json.dumps({"invite_id": invite.id})


def test_a_click_with_team_null_acts_in_the_users_workspace(grid, db, fake_slack):
    org_command(grid, "/invited", "https://linkedin.com/in/click-a --sent 20d", team="TA1")
    invite_id, value = _home_snooze(db, "TA1")
    home = {"id": "V1", "type": "home", "team_id": "TA1", "app_installed_team_id": "TA1"}
    body = org_click("digest_snooze", value, team=None, user_team="TA1", response_url=fake_slack.response_url("a"),
                     container={"type": "view", "view_id": "V1"}, view=home)
    fake_slack.reset()
    assert grid.dispatch(body, content_type=FORM).status == 200
    publish = fake_slack.wait_for("views.publish")[0]  # the Home tab, republished once the snooze is done
    assert publish.headers["Authorization"] == f"Bearer {org_token('E1')}"
    with db.session(write=False) as s:
        assert s.get(Invite, invite_id).snoozed_until is not None


def test_a_click_from_the_other_workspace_of_the_org_finds_nothing(grid, db, fake_slack):
    org_command(grid, "/invited", "https://linkedin.com/in/click-a --sent 20d", team="TA1")
    invite_id, value = _home_snooze(db, "TA1")
    org_command(grid, "/invites", "list", team="TB1")  # TB1 known to the org
    home = {"id": "V1", "type": "home", "team_id": "TB1", "app_installed_team_id": "TB1"}
    body = org_click("digest_snooze", value, team=None, user_team="TB1", response_url=fake_slack.response_url("a"),
                     container={"type": "view", "view_id": "V1"}, view=home)
    fake_slack.reset()
    assert grid.dispatch(body, content_type=FORM).status == 200
    told = fake_slack.wait_for("response_url")[0].params
    assert "You have no invite #1" in told["text"]  # in TB1 the member's pile is empty
    with db.session(write=False) as s:
        assert s.get(Invite, invite_id).snoozed_until is None


def test_a_click_whose_view_names_another_workspace_is_refused(grid, db):
    org_command(grid, "/invited", "https://linkedin.com/in/click-a --sent 20d", team="TA1")
    _, value = _home_snooze(db, "TA1")
    home = {"id": "V1", "type": "home", "team_id": "TB1", "app_installed_team_id": "TB1"}
    body = org_click("digest_snooze", value, team={"id": "TA1"}, user_team="TA1",
                     container={"type": "view", "view_id": "V1"}, view=home)
    assert grid.dispatch(body, content_type=FORM).status == 403


def test_an_org_click_naming_no_workspace_at_all_is_refused(grid, db):
    org_command(grid, "/invited", "https://linkedin.com/in/click-a --sent 20d", team="TA1")
    _, value = _home_snooze(db, "TA1")
    body = org_click("digest_snooze", value, team=None, user_team="")
    assert grid.dispatch(body, content_type=FORM).status == 403


def test_the_scheduler_finds_the_org_token_for_each_workspace(grid, db):
    org_command(grid, "/invites", "list", team="TA1")
    tokens = install_for(_settings(grid.fake), db, FixedClock(NOW)).tokens
    assert tokens("TA1") == org_token("E1")
    assert tokens("T2") == "xoxb-t2-installed-0000"
    assert tokens("TC1") is None  # never seen: no workspace row says which org serves it


def _org_uninstall_event(kind: str, enterprise: str) -> str:
    event: dict[str, Any] = {"type": kind}
    if kind == "tokens_revoked":
        event["tokens"] = {"bot": ["UBOT"]}
    # Slack names a workspace of the org in the envelope; the authorization is the org's.
    return org_event(event, team="TA1", enterprise=enterprise, event_id=f"Ev{kind}{enterprise}")


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
def test_an_org_uninstall_stops_every_workspace_of_the_org_and_deletes_its_installation(grid, db, kind):
    for team in ("TA1", "TB1"):
        org_command(grid, "/invited", f"https://linkedin.com/in/stale-{team} --sent 20d", team=team)
    org_command(grid, "/invited", "https://linkedin.com/in/stale-c --sent 20d", team="TC1", enterprise="E2")
    grid.invited("https://linkedin.com/in/stale-t2 --sent 20d", team="T2", user="U1")
    due = NOW.replace(hour=10)
    assert {p.member.team_id for p in plan(db, now=due)} >= {"TA1", "TB1", "TC1", "T2"}

    assert grid.dispatch(_org_uninstall_event(kind, "E1"), content_type=JSON).status == 200

    assert workspace(db, "TA1").uninstalled_at is not None and workspace(db, "TB1").uninstalled_at is not None
    assert workspace(db, "TC1").uninstalled_at is None and workspace(db, "T2").uninstalled_at is None
    assert {p.member.team_id for p in plan(db, now=due)} == {"TC1", "T2"}
    with db.session(write=False) as s:
        bots = s.execute(select(SLACK_BOTS.c.enterprise_id)).scalars().all()
        assert "E1" not in bots and "E2" in bots
        if kind == "app_uninstalled":
            assert "E1" not in s.execute(select(SLACK_INSTALLATIONS.c.enterprise_id)).scalars().all()
        # The data stays until an admin purges it.
        assert s.scalar(select(func.count()).select_from(Invite).where(Invite.team_id == "TA1")) == 1
    assert install_for(_settings(grid.fake), db, FixedClock(NOW)).tokens("TA1") is None


def _settings(fake) -> Settings:
    return Settings(_env_file=None, slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                    slack_client_secret="oauth-client-secret-abc", slack_api_url=fake.base_url)


# ---- the OAuth flow ----------------------------------------------------------------------------

ORG_ACCESS = {
    "ok": True, "access_token": "xoxb-org-e9-000", "token_type": "bot", "scope": "commands,chat:write",
    "bot_user_id": "UBOT", "app_id": "A1", "team": None, "enterprise": {"id": "E9", "name": "Starship"},
    "is_enterprise_install": True, "authed_user": {"id": "WADMIN"},
}


@pytest.fixture
def web(db, fake_slack):
    clock = FixedClock(NOW)
    settings = _settings(fake_slack)
    install = install_for(settings, db, clock)
    return WebApp(create_app(settings, db, clock=clock, install=install), db), install


def _install(web_app, fake_slack, access: dict[str, Any]):
    start = call(web_app, "GET", "/slack/install")
    state = re.search(r"state=([^&\"']+)", start.body).group(1)
    cookie = start.headers["set-cookie"].split(";")[0]
    fake_slack.queue("oauth.v2.access", access)
    return call(web_app, "GET", f"/slack/oauth_redirect?code=abc&state={state}", headers={"Cookie": cookie})


def test_an_org_wide_install_through_oauth_serves_the_orgs_workspaces(web, db, fake_slack):
    web_app, install = web
    fake_slack.token_enterprises["xoxb-org-e9-000"] = "E9"
    fake_slack.enterprise_teams["E9"] = ["TX9", "TY9"]
    done = _install(web_app, fake_slack, ORG_ACCESS)
    assert done.status == 200
    assert "Starship" in done.body and "/manage/E9/integrations/profile/A1/workspaces/add" in done.body
    with db.session(write=False) as s:
        rows = s.execute(select(SLACK_BOTS.c.enterprise_id, SLACK_BOTS.c.team_id,
                                SLACK_BOTS.c.is_enterprise_install)).all()
    assert [tuple(r) for r in rows] == [("E9", None, True)]

    for team, url in (("TX9", "https://linkedin.com/in/x9"), ("TY9", "https://linkedin.com/in/y9")):
        body = command_body("/invited", url, user_id="W1", team_id=team, enterprise_id="E9",
                            is_enterprise_install="true")
        response = call(web_app, "POST", "/slack/events", body=body, headers={"Content-Type": FORM, **sign(body)})
        assert response.status == 200 and "Logged 1 invite" in response.body
    assert invites_of(db, "TX9") == ["in:x9"] and invites_of(db, "TY9") == ["in:y9"]
    assert fake_slack.of("users.info")[-1].headers["Authorization"] == "Bearer xoxb-org-e9-000"
    assert install.tokens("TX9") == "xoxb-org-e9-000"


def test_a_workspace_install_inside_a_grid_org_finds_its_token(web, db, fake_slack):
    """Installed into one workspace of an org (not org-wide): Slack names both the team and the org."""
    web_app, install = web
    access = {**ORG_ACCESS, "access_token": "xoxb-ws-t5-000", "team": {"id": "T5", "name": "Five"},
              "enterprise": {"id": "E5", "name": "Five Org"}, "is_enterprise_install": False}
    fake_slack.token_teams["xoxb-ws-t5-000"] = "T5"
    done = _install(web_app, fake_slack, access)
    assert done.status == 200 and "installed" in done.body
    assert workspace(db, "T5").enterprise_id == "E5"
    assert install.tokens("T5") == "xoxb-ws-t5-000"
    body = command_body("/invited", "https://linkedin.com/in/five", team_id="T5", enterprise_id="E5")
    response = call(web_app, "POST", "/slack/events", body=body, headers={"Content-Type": FORM, **sign(body)})
    assert response.status == 200 and "Logged 1 invite" in response.body


# ---- workspaces added to or removed from an org-wide install -----------------------------------

def _access_event(kind: str, teams: list[str], *, named: str, event_id: str) -> str:
    """team_access_granted / team_access_revoked, sent to the org-wide install (the envelope may name a workspace)."""
    return org_event({"type": kind, "team_ids": teams, "event_ts": "1.0"}, team=named, event_id=event_id)


def test_an_admin_removing_the_app_from_one_workspace_stops_that_workspace_only(grid, db, fake_slack):
    for team in ("TA1", "TB1"):
        org_command(grid, "/invited", f"https://linkedin.com/in/pile-{team} --sent 20d", team=team)
    org_command(grid, "/invites", "list", team="TC1", enterprise="E2")
    fake_slack.enterprise_teams["E1"] = ["TB1"]  # Slack no longer lists TA1 for the org
    body = _access_event("team_access_revoked", ["TA1", "TC1"], named="TA1", event_id="EvRevokeA")
    assert grid.dispatch(body, content_type=JSON).status == 200
    assert workspace(db, "TA1").uninstalled_at is not None
    assert workspace(db, "TB1").uninstalled_at is None
    assert workspace(db, "TC1").uninstalled_at is None  # E2's workspace: E1's event cannot stop it
    assert {p.member.team_id for p in plan(db, now=NOW.replace(hour=10))} == {"TB1", "TC1"}


def test_access_granted_records_the_workspaces_of_the_org_and_revives_a_removed_one(grid, db, fake_slack):
    org_command(grid, "/invited", "https://linkedin.com/in/back-again --sent 20d", team="TA1")
    revoked = _access_event("team_access_revoked", ["TA1"], named="TA1", event_id="EvRevokeB")
    assert grid.dispatch(revoked, content_type=JSON).status == 200
    fake_slack.enterprise_teams["E1"] = ["TA1", "TB1", "TN1"]
    granted = _access_event("team_access_granted", ["TA1", "TN1", "TC1"], named="TN1", event_id="EvGrant")
    assert grid.dispatch(granted, content_type=JSON).status == 200
    assert workspace(db, "TA1").uninstalled_at is None
    assert workspace(db, "TN1").enterprise_id == "E1"
    assert workspace(db, "TC1") is None  # not E1's to record
    tokens = install_for(_settings(grid.fake), db, FixedClock(NOW)).tokens
    assert tokens("TN1") == org_token("E1")
    fake_slack.reset()
    assert "Logged 1 invite" in org_command(grid, "/invited", "https://linkedin.com/in/new-ws", team="TN1").text
    assert fake_slack.of("auth.teams.list") == []  # already known as E1's


def test_a_grid_user_deactivated_stops_in_every_workspace_of_the_org_only(grid, db, fake_slack):
    """A Grid account is deactivated org-wide: Slack's one user_change covers all of the org's workspaces."""
    for team in ("TA1", "TB1"):
        org_command(grid, "/invited", f"https://linkedin.com/in/gone-{team} --sent 20d", team=team)
    org_command(grid, "/invited", "https://linkedin.com/in/gone-c --sent 20d", team="TC1", enterprise="E2")
    event = {"type": "user_change", "user": {"id": "W1", "deleted": True, "team_id": "TA1"}}
    assert grid.dispatch(org_event(event, team="TA1", event_id="EvGone"), content_type=JSON).status == 200
    with db.session(write=False) as s:
        rows = dict(s.execute(select(Member.team_id, Member.deactivated).where(Member.user_id == "W1")).all())
    assert rows == {"TA1": True, "TB1": True, "TC1": False}
