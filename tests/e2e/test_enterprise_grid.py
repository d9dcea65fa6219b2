"""Enterprise Grid through the real `serve` on PostgreSQL: an org-wide OAuth install, then two workspaces of the org.

The fake Web API answers `oauth.v2.access` with an enterprise install as Slack documents it
(`is_enterprise_install: true`, `enterprise: {id, name}`, `team: null`); requests then carry
`enterprise_id` and `authorizations`. One Grid user (W1) is a member of both workspaces.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from sqlalchemy import select, text

from bot.db.engine import Database
from bot.db.models import SLACK_BOTS, Base, Invite, Workspace
from tests.e2e.conftest import Server, start_server
from tests.support.fake_slack import FakeSlack
from tests.support.signing import SIGNING_SECRET, command_body, sign

pytestmark = pytest.mark.postgres

ORG_TOKEN = "xoxb-e7-org-wide-e2e-0000"
ACCESS = {
    "ok": True, "access_token": ORG_TOKEN, "token_type": "bot", "scope": "commands,chat:write,users:read",
    "bot_user_id": "UBOT", "app_id": "A1", "team": None, "enterprise": {"id": "E7", "name": "Starship"},
    "is_enterprise_install": True, "authed_user": {"id": "WADMIN"},
}


@pytest.fixture
def pg(pg_url):
    db = Database.from_url(pg_url)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(Base.metadata.tables)} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


def get(server: Server, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(server.url + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers.items()), response.read().decode()


def command(server: Server, text_: str, *, team: str, cmd: str = "/invited") -> tuple[int, dict]:
    body = command_body(cmd, text_, user_id="W1", team_id=team, enterprise_id="E7", is_enterprise_install="true")
    status, raw = server.post(body, sign(body))
    return status, (json.loads(raw) if raw.startswith("{") else {"raw": raw})


def org_uninstalled() -> str:
    return json.dumps({
        "token": "legacy-verification-token", "team_id": "TA7", "enterprise_id": "E7", "api_app_id": "A1",
        "type": "event_callback", "event_id": "EvGridUninstall", "event_time": 1, "is_ext_shared_channel": False,
        "event": {"type": "app_uninstalled"},
        "authorizations": [{"enterprise_id": "E7", "team_id": None, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": True}],
    })


def test_an_org_wide_install_serves_each_workspace_of_the_org_apart(tmp_path, pg, pg_url):
    fake = FakeSlack().start()
    fake.add_user("W1", tz="UTC", name="Grid Dana")
    fake.token_enterprises[ORG_TOKEN] = "E7"
    fake.enterprise_teams["E7"] = ["TA7", "TB7"]
    server = start_server(tmp_path, {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "oauth-client-secret-abc", "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": pg_url, "SWEEP_INTERVAL_SECONDS": "10",
    })
    try:
        # The OAuth flow, as the org admin's browser runs it.
        status, headers, page = get(server, "/slack/install")
        assert status == 200
        state = re.search(r"state=([^&\"']+)", page).group(1)
        cookie = headers["Set-Cookie"].split(";")[0]
        fake.queue("oauth.v2.access", ACCESS)
        status, _, done = get(server, f"/slack/oauth_redirect?code=abc&state={state}", {"Cookie": cookie})
        assert status == 200 and "Starship" in done and "workspaces/add" in done
        with pg.session(write=False) as s:
            bots = s.execute(select(SLACK_BOTS.c.enterprise_id, SLACK_BOTS.c.team_id)).all()
        assert [tuple(b) for b in bots] == [("E7", None)]

        # One member, two workspaces of the org, two piles.
        assert "Logged 1 invite" in command(server, "https://linkedin.com/in/e2e-grid-a --sent 20d", team="TA7")[1]["text"]
        assert "Logged 1 invite" in command(server, "https://linkedin.com/in/e2e-grid-b --sent 20d", team="TB7")[1]["text"]
        _, listed = command(server, "list all", team="TB7", cmd="/invites")
        assert "e2e-grid-b" in json.dumps(listed) and "e2e-grid-a" not in json.dumps(listed)
        with pg.session(write=False) as s:
            rows = s.execute(select(Invite.team_id, Invite.prospect_key).order_by(Invite.team_id)).all()
            assert [tuple(r) for r in rows] == [("TA7", "in:e2e-grid-a"), ("TB7", "in:e2e-grid-b")]

        # A workspace the org did not grant is refused.
        status, _ = command(server, "https://linkedin.com/in/e2e-grid-forged", team="TZ9")
        assert status == 403
        assert "refused request: body names team(s) TZ9, authorized for E7" in server.logs()

        # The scheduler in `serve` finds the org's token for each workspace: one digest per pile.
        for team in ("TA7", "TB7"):
            with pg.session() as s:
                s.execute(Workspace.__table__.update().where(Workspace.team_id == team)
                          .values(nudge_hour=0, working_days="1234567"))
        posts = fake.wait_for("chat.postMessage", 2, timeout=40)
        assert {p.headers["Authorization"] for p in posts} == {f"Bearer {ORG_TOKEN}"}
        texts = [json.dumps(p.params) for p in posts[:2]]
        assert sorted(("e2e-grid-a" in t, "e2e-grid-b" in t) for t in texts) == [(False, True), (True, False)]

        # The org uninstalls: every workspace of it stops, the installation goes, the data stays.
        body = org_uninstalled()
        assert server.post(body, sign(body), content_type="application/json")[0] == 200
        with pg.session(write=False) as s:
            stopped = s.execute(select(Workspace.team_id, Workspace.uninstalled_at.is_not(None))
                                .order_by(Workspace.team_id)).all()
            assert [tuple(r) for r in stopped] == [("TA7", True), ("TB7", True)]
            assert s.execute(select(SLACK_BOTS.c.id)).all() == []
            assert len(s.execute(select(Invite.id)).all()) == 2
    finally:
        server.process.terminate()
        server.process.wait(10)
        fake.stop()
