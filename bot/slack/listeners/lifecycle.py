"""`app_uninstalled` and `tokens_revoked`: the workspace's tokens go, its nudges stop, its data stays."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext

from bot.clock import Clock
from bot.db.engine import Database
from bot.slack.install import Install, mark_uninstalled

log = logging.getLogger("bot.install")


def register(app: App, install: Install, db: Database, clock: Clock) -> None:
    """`app_uninstalled` and `tokens_revoked`: delete the tokens and stop that workspace's nudges."""

    @app.event("app_uninstalled")
    def uninstalled(ack, context: BoltContext) -> None:
        ack()
        team_id = context.team_id
        if install.installation_store is not None:
            install.installation_store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
        if team_id:
            mark_uninstalled(db, team_id=team_id, now=clock.now())
        log.info("uninstalled team=%s", team_id)

    @app.event("tokens_revoked")
    def revoked(ack, event: dict, context: BoltContext) -> None:
        ack()
        team_id = context.team_id
        bots = (event.get("tokens") or {}).get("bot") or []
        if install.installation_store is not None and bots:
            install.installation_store.delete_bot(enterprise_id=context.enterprise_id, team_id=team_id)
        if bots and team_id:
            mark_uninstalled(db, team_id=team_id, now=clock.now())
        log.info("tokens revoked team=%s bot=%s", team_id, bool(bots))
