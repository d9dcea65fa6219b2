"""Several workspaces installed through OAuth, each with its own bot token, as a distributed app has them."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.slack.app import create_app, install_for
from bot.slack.install import mark_installed
from tests.support.fake_slack import FakeSlack
from tests.support.harness import SlackHarness
from tests.support.signing import SIGNING_SECRET


def bot_token(team_id: str) -> str:
    return f"xoxb-{team_id.lower()}-installed-0000"


def org_token(enterprise_id: str) -> str:
    return f"xoxb-{enterprise_id.lower()}-org-wide-0000"


def grid_harness(db: Database, fake: FakeSlack, clock: Clock, *, now: datetime,
                 orgs: dict[str, list[str]] | None = None, teams: tuple[str, ...] = ("T2",)) -> SlackHarness:
    """The real app in OAuth mode with org-wide installs (enterprise -> its workspaces) and separate `teams`."""
    orgs = orgs if orgs is not None else {"E1": ["TA1", "TB1"], "E2": ["TC1"]}
    harness = oauth_harness(db, fake, clock, teams=teams, now=now)
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=db.engine)
    for enterprise_id, workspaces in orgs.items():
        token = org_token(enterprise_id)
        fake.token_enterprises[token] = enterprise_id
        fake.enterprise_teams[enterprise_id] = list(workspaces)
        store.save(Installation(
            app_id="A1", enterprise_id=enterprise_id, enterprise_name=f"Org {enterprise_id}", team_id=None,
            user_id="WADMIN", bot_token=token, bot_id=f"B{enterprise_id}", bot_user_id="UBOT",
            bot_scopes=["commands", "chat:write"], is_enterprise_install=True,
        ))
    return harness


def oauth_harness(db: Database, fake: FakeSlack, clock: Clock, *, teams: tuple[str, ...] = ("T1", "T2"),
                  now: datetime) -> SlackHarness:
    """The real app in OAuth mode with `teams` installed; auth.test answers each token with its own team."""
    settings = Settings(_env_file=None, slack_signing_secret=SIGNING_SECRET, slack_client_id="111.222",
                        slack_client_secret="oauth-client-secret-abc", slack_api_url=fake.base_url,
                        admin_user_ids="UADMIN")
    install = install_for(settings, db, clock)
    assert install.installation_store is not None
    for team_id in teams:
        token = bot_token(team_id)
        fake.token_teams[token] = team_id
        install.installation_store.save(Installation(
            app_id="A1", team_id=team_id, team_name=team_id, user_id="UINSTALLER", bot_token=token,
            bot_id=f"B{team_id}", bot_user_id="UBOT", bot_scopes=["commands", "chat:write"],
        ))
        mark_installed(db, team_id=team_id, name=team_id, now=now)
    return SlackHarness(create_app(settings, db, clock=clock, install=install), fake)
