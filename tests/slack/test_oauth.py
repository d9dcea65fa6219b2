"""OAuth distribution: install, per-request tokens, uninstall (org-wide installs: test_enterprise_grid.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db.models import Invite, Workspace
from bot.services.sweep import plan
from bot.slack.app import create_app, install_for
from bot.web import WebApp
from tests.conftest import NOW
from tests.support.factories import make_invites, make_member
from tests.support.signing import SIGNING_SECRET, command_body, sign
from tests.support.wsgi import call

ACCESS = {
    "ok": True, "app_id": "A1", "authed_user": {"id": "U1"}, "scope": "commands,chat:write",
    "token_type": "bot", "access_token": "xoxb-oauth-nine-000", "bot_user_id": "UBOT",
    "team": {"id": "T9", "name": "Nine"}, "enterprise": None, "is_enterprise_install": False,
}


@pytest.fixture
def oauth(db, fake_slack):
    settings = Settings(_env_file=None, slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                        slack_client_secret="oauth-client-secret-abc", slack_api_url=fake_slack.base_url)
    clock = FixedClock(NOW)
    install = install_for(settings, db, clock)
    app = create_app(settings, db, clock=clock, install=install)
    return WebApp(app, db), install


def do_install(web, fake_slack, access=ACCESS):
    start = call(web, "GET", "/slack/install")
    assert start.status == 200
    state = re.search(r"state=([^&\"']+)", start.body).group(1)
    cookie = start.headers["set-cookie"].split(";")[0]
    fake_slack.queue("oauth.v2.access", access)
    if access.get("team"):  # auth.test of the new token names the installed team, as Slack's does
        fake_slack.token_teams[access["access_token"]] = access["team"]["id"]
    return call(web, "GET", f"/slack/oauth_redirect?code=abc&state={state}", headers={"Cookie": cookie})


def test_install_then_commands_use_the_stored_token(oauth, db, fake_slack):
    web, install = oauth
    done = do_install(web, fake_slack)
    assert done.status == 200 and "installed" in done.body
    assert install.tokens("T9") == "xoxb-oauth-nine-000"
    with db.session(write=False) as s:
        assert s.scalar(select(Workspace.name).where(Workspace.team_id == "T9")) == "Nine"
    body = command_body("/invited", "https://linkedin.com/in/oauth-one", team_id="T9")
    response = call(web, "POST", "/slack/events", body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
    assert response.status == 200 and "Logged 1 invite" in response.body
    users_info = fake_slack.of("users.info")[-1]
    assert users_info.headers["Authorization"] == "Bearer xoxb-oauth-nine-000"


def test_a_workspace_without_an_installation_is_refused(oauth, db):
    web, _ = oauth
    body = command_body("/invited", "https://linkedin.com/in/x", team_id="TNOPE")
    response = call(web, "POST", "/slack/events", body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
    assert "Logged" not in response.body
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 0


def test_uninstall_deletes_tokens_and_stops_nudges_but_keeps_data(oauth, db, fake_slack):
    web, install = oauth
    do_install(web, fake_slack)
    actor = make_member(db, "U1", team_id="T9", now=NOW)
    make_invites(db, actor, [{"key": "in:p", "days_ago": 20}], now=NOW)
    assert plan(db, now=NOW.replace(hour=10))
    event = ('{"token":"x","team_id":"T9","api_app_id":"A1","type":"event_callback","event_id":"Ev1",'
             '"event_time":1,"event":{"type":"app_uninstalled"}}')
    response = call(web, "POST", "/slack/events", body=event,
                    headers={"Content-Type": "application/json", **sign(event)})
    assert response.status == 200
    assert install.tokens("T9") is None
    assert plan(db, now=NOW.replace(hour=10)) == []
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 1


def test_install_page_redirects_to_slack_with_our_scopes(oauth):
    web, _ = oauth
    page = call(web, "GET", "/slack/install")
    url = re.search(r"href=\"(https://slack.com/oauth[^\"]+)\"", page.body).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert set(query["scope"][0].split(",")) == {
        "commands", "chat:write", "im:write", "im:history", "files:read", "files:write", "users:read"}


def test_the_install_page_names_the_log_command_as_configured(db, fake_slack):
    settings = Settings(_env_file=None, slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                        slack_client_secret="oauth-client-secret-abc", slack_api_url=fake_slack.base_url,
                        invited_command="/sent")
    clock = FixedClock(NOW)
    install = install_for(settings, db, clock)
    web = WebApp(create_app(settings, db, clock=clock, install=install), db)
    done = do_install(web, fake_slack)
    assert done.status == 200 and "type /sent to log your first invite" in done.body
    assert "/invited" not in done.body
