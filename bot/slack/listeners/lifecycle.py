"""`app_uninstalled` and `tokens_revoked`: the workspace's tokens go, its nudges stop, its data stays.

For an org-wide (Enterprise Grid) install the installation is the org's: its tokens go, and every
workspace of the org stops. `team_access_revoked` / `team_access_granted`: an org admin removed the
app from some workspaces of the org (they stop), or added it to some (they are recorded as the org's).
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext

from bot.clock import Clock
from bot.db.engine import Database
from bot.slack.install import Install, mark_enterprise_granted, mark_enterprise_uninstalled, mark_uninstalled
from bot.slack.tenancy import granted_workspaces

log = logging.getLogger("bot.install")


def _org(context: BoltContext) -> str | None:
    """The enterprise when the event is for an org-wide installation."""
    return context.enterprise_id if context.is_enterprise_install and context.enterprise_id else None


def register(app: App, install: Install, db: Database, clock: Clock) -> None:
    """`app_uninstalled` and `tokens_revoked`: delete the tokens and stop that workspace's (or org's) nudges."""

    @app.event("app_uninstalled")
    def uninstalled(ack, context: BoltContext) -> None:
        ack()
        org = _org(context)
        team_id = None if org else context.team_id
        if install.installation_store is not None:
            install.installation_store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
        if org:
            teams = mark_enterprise_uninstalled(db, enterprise_id=org, now=clock.now())
            log.info("uninstalled enterprise=%s workspaces=%d", org, len(teams))
            return
        if team_id:
            mark_uninstalled(db, team_id=team_id, now=clock.now())
        log.info("uninstalled team=%s", team_id)

    @app.event("tokens_revoked")
    def revoked(ack, event: dict, context: BoltContext) -> None:
        ack()
        org = _org(context)
        team_id = None if org else context.team_id
        bots = (event.get("tokens") or {}).get("bot") or []
        if install.installation_store is not None and bots:
            install.installation_store.delete_bot(enterprise_id=context.enterprise_id, team_id=team_id)
        if bots and org:
            teams = mark_enterprise_uninstalled(db, enterprise_id=org, now=clock.now())
            log.info("tokens revoked enterprise=%s workspaces=%d", org, len(teams))
            return
        if bots and team_id:
            mark_uninstalled(db, team_id=team_id, now=clock.now())
        log.info("tokens revoked team=%s bot=%s", team_id, bool(bots))

    @app.event("team_access_revoked")
    def access_revoked(ack, event: dict, context: BoltContext) -> None:
        ack()
        org = _org(context)
        if org:
            teams = mark_enterprise_uninstalled(db, enterprise_id=org, now=clock.now(),
                                                team_ids=[str(t) for t in event.get("team_ids") or []])
            log.info("access revoked enterprise=%s workspaces=%d", org, len(teams))

    @app.event("team_access_granted")
    def access_granted(ack, event: dict, context: BoltContext) -> None:
        ack()
        org = _org(context)
        named = {str(t) for t in event.get("team_ids") or []}
        # Recorded only as far as Slack lists them for this org's token (never another org's workspace).
        granted = granted_workspaces(context.client) if org and named else None
        if org and granted is not None:
            mark_enterprise_granted(db, enterprise_id=org, team_ids=sorted(named & granted), now=clock.now())
            log.info("access granted enterprise=%s workspaces=%d", org, len(named & granted))
