"""The one factory that builds the Bolt app: nothing is created at import time."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import Database
from bot.slack.deps import Deps
from bot.slack.errors import error_handler
from bot.slack.install import Install, oauth_distribution, single_workspace
from bot.slack.listeners import (
    actions,
    capture,
    commands,
    digest,
    files,
    lifecycle,
    log_modal,
    privacy,
    settings_modal,
    team,
    workflow_step,
)
from bot.slack.outbound import make_client
from bot.slack.tenancy import require_authorized_team


def install_for(settings: Settings, db: Database, clock: Clock) -> Install:
    """OAuth distribution when client credentials are configured, else one workspace's bot token."""
    return oauth_distribution(settings, db, clock) if settings.oauth_enabled else single_workspace(settings)


def create_app(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    install: Install | None = None,
    process_before_response: bool = True,
) -> App:
    """Build the Bolt app with every listener registered against the given dependencies.

    Listeners run before the HTTP response (`process_before_response`): each one acks within
    Slack's 3 seconds with its reply, and an error can still change the response — Bolt's
    threaded mode may drop an ack() that is followed by an exception within a few milliseconds.
    Slow work (imports) goes to lazy listeners.
    """
    clock = clock or SystemClock()
    install = install or install_for(settings, db, clock)
    token = None
    if install.oauth_settings is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    signing = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = App(
        name="invite-hygiene",
        signing_secret=signing,
        client=make_client(settings, token),
        token_verification_enabled=False,
        oauth_settings=install.oauth_settings,
        installation_store=install.installation_store,
        authorize=install.authorize,
        process_before_response=process_before_response,
        logger=logging.getLogger("bot.bolt"),
    )
    # Bolt logs the whole request body (what the user typed) when a signature is invalid; our own
    # request line records the refusal without it. (Set after App(): Bolt copies levels on creation.)
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    deps = Deps(settings=settings, db=db, clock=clock)
    app.use(require_authorized_team(db, clock))
    app.error(error_handler(deps.commands))
    # Bolt tries each listener's matcher in registration order until one matches: the slash
    # commands, the most frequent requests, go first (each earlier matcher costs every command).
    commands.register(app, deps)
    lifecycle.register(app, install, db, clock)
    actions.register(app, deps)
    digest.register(app, deps)
    for feature in (team, files, capture, log_modal, settings_modal, privacy, workflow_step):
        feature.register(app, deps)
    return app
