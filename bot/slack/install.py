"""Install modes: one workspace with a bot token, or OAuth distribution with stored installations."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import update

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Workspace
from bot.services.members import ensure_workspace, join_enterprise, workspace_enterprise

log = logging.getLogger("bot.install")

# The bot scopes the app uses (manifest.yml and docs/install.md say why each is needed).
BOT_SCOPES = ["commands", "chat:write", "im:write", "im:history", "files:read", "files:write", "users:read"]
STATE_EXPIRATION_S = 600

TokenSource = Callable[[str], str | None]


@dataclass
class Install:
    """What create_app passes to Bolt for the configured mode, and how the sweep finds tokens."""

    oauth_settings: OAuthSettings | None
    installation_store: SQLAlchemyInstallationStore | None
    authorize: InstallationStoreAuthorize | None
    tokens: TokenSource


def single_workspace(settings: Settings) -> Install:
    """SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET: one workspace, one token."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return Install(oauth_settings=None, installation_store=None, authorize=None, tokens=lambda _team: token)


def oauth_distribution(settings: Settings, db: Database, clock: Clock) -> Install:
    """SLACK_CLIENT_ID + SLACK_CLIENT_SECRET: installations stored in our database (tables from Alembic)."""
    assert settings.slack_client_id and settings.slack_client_secret
    client_id = settings.slack_client_id
    store = SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine, logger=log)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_S, engine=db.engine, logger=log)
    oauth = OAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=BOT_SCOPES,
        installation_store=store,
        state_store=states,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        callback_options=CallbackOptions(success=_on_success(db, store, clock, settings.invited_command),
                                         failure=_on_failure),
    )
    # Tokens are looked up per request; cache_enabled avoids an auth.test call on every one.
    authorize = InstallationStoreAuthorize(
        installation_store=store, client_id=client_id, client_secret=settings.slack_client_secret.get_secret_value(),
        logger=log, bot_only=True, cache_enabled=True,
    )

    def tokens(team_id: str) -> str | None:
        # A workspace of a Grid org is served by its own install (stored with the org's id) or by the org's.
        _known, enterprise_id = workspace_enterprise(db, team_id=team_id)
        bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id is not None:
            bot = store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        return bot.bot_token if bot else None

    return Install(oauth_settings=oauth, installation_store=store, authorize=authorize, tokens=tokens)


def _page(title: str, body: str, status: int) -> BoltResponse:
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body style='font-family:sans-serif;max-width:40em;margin:4em auto'><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(body)}</p></body></html>")
    return BoltResponse(status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def _on_success(db: Database, store: SQLAlchemyInstallationStore, clock: Clock, invited_command: str):
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.is_enterprise_install:
            # One installation for the org; each workspace's rows appear with its first request.
            org = installation.enterprise_name or installation.enterprise_id or "your org"
            log.info("installed org-wide enterprise=%s", installation.enterprise_id)
            add = (f"https://app.slack.com/manage/{installation.enterprise_id}/integrations/profile/"
                   f"{installation.app_id}/workspaces/add")
            return _org_page(org, add, invited_command)
        mark_installed(db, team_id=installation.team_id, name=installation.team_name, now=clock.now(),
                       enterprise_id=installation.enterprise_id)
        log.info("installed team=%s", installation.team_id)
        return _page("Invite Hygiene is installed",
                     f"Go back to Slack and type {invited_command} to log your first invite.", 200)

    return success


def _org_page(org: str, add_url: str, invited_command: str) -> BoltResponse:
    """After an org-wide install: the app is in no workspace yet until an admin adds it to some."""
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>Invite Hygiene is installed</title></head>"
            "<body style='font-family:sans-serif;max-width:40em;margin:4em auto'>"
            f"<h1>Invite Hygiene is installed for {html.escape(org)}</h1>"
            "<p>It is installed org-wide, but not in any workspace yet: "
            f"<a href=\"{html.escape(add_url)}\">choose the workspaces to add it to</a>. "
            "Each workspace keeps its own invites, settings and leaderboard. "
            f"Then type {html.escape(invited_command)} in one of them to log your first invite.</p></body></html>")
    return BoltResponse(status=200, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def _on_failure(args: FailureArgs) -> BoltResponse:
    log.warning("install failed: %s", args.reason)
    return _page("The install did not complete",
                 f"Slack said: {args.reason}. Start again from the install link.", args.suggested_status_code)


def mark_installed(db: Database, *, team_id: str, name: str | None, now: datetime,
                   enterprise_id: str | None = None) -> None:
    """Create or revive the workspace row (with its Grid org, if any): nudges run again."""
    values: dict[str, object] = {"uninstalled_at": None, "name": name or None}
    if enterprise_id:
        values["enterprise_id"] = enterprise_id
    with db.session() as session:
        ensure_workspace(session, team_id=team_id, now=now)
        session.execute(update(Workspace).where(Workspace.team_id == team_id).values(**values))


def mark_uninstalled(db: Database, *, team_id: str, now: datetime) -> None:
    """Stop nudges for a workspace; its data stays until an admin purges it."""
    with db.session() as session:
        session.execute(update(Workspace).where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_(None))
                        .values(uninstalled_at=now))


def mark_enterprise_uninstalled(db: Database, *, enterprise_id: str, now: datetime,
                                team_ids: Iterable[str] | None = None) -> list[str]:
    """Stop nudges for the workspaces of a Grid org (all, or those named); other orgs' are never touched."""
    query = update(Workspace).where(Workspace.enterprise_id == enterprise_id, Workspace.uninstalled_at.is_(None))
    if team_ids is not None:
        query = query.where(Workspace.team_id.in_(list(team_ids)))
    with db.session() as session:
        teams = session.scalars(query.values(uninstalled_at=now).returning(Workspace.team_id)).all()
    return sorted(teams)


def mark_enterprise_granted(db: Database, *, enterprise_id: str, team_ids: Iterable[str], now: datetime) -> None:
    """Workspaces added to a Grid org's org-wide install: recorded as the org's, and their nudges resume."""
    teams = list(team_ids)
    for team_id in teams:
        join_enterprise(db, team_id=team_id, enterprise_id=enterprise_id, now=now)
    with db.session() as session:
        session.execute(update(Workspace).where(Workspace.enterprise_id == enterprise_id,
                                                Workspace.team_id.in_(teams)).values(uninstalled_at=None))
