"""The `invite-hygiene` console script."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import logs
from bot.config import ConfigError, Settings, is_placeholder

log = logging.getLogger("bot.cli")


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and its options."""
    parser = argparse.ArgumentParser(prog="invite-hygiene", description="LinkedIn invite hygiene for Slack teams.")
    parser.add_argument("--log-json", action="store_true", help="log one JSON object per line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="port (default PORT or 3000)")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the nudge scheduler here")

    sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN), with the scheduler")
    sub.add_parser("migrate", help="upgrade the database to the latest migration")
    sub.add_parser("run", help="start what fits the configuration: Socket Mode, HTTP, or the playground")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "a setting"
        print(f"invite-hygiene: error: {name}: {first['msg']}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, json_format=args.log_json, secrets=_secrets(settings))
    try:
        return COMMANDS[args.command](settings, args)
    except ConfigError as error:
        print(f"invite-hygiene: error: {error}", file=sys.stderr)
        return 2


def _secrets(settings: Settings) -> list[str]:
    values = [settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token, settings.slack_client_secret]
    return [v.get_secret_value() for v in values if v is not None]


def _database(settings: Settings):
    from bot.db.engine import Database
    from bot.db.migrate import upgrade

    upgrade(settings.database_url)
    return Database.from_url(settings.database_url)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene migrate`."""
    from bot.db.migrate import upgrade

    upgrade(settings.database_url)
    print("database is at the latest migration")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene serve`."""
    from bot.slack.app import create_app
    from bot.web import WebApp, serve

    settings.require_http()
    db = _database(settings)
    app = create_app(settings, db)
    serve(WebApp(app, db), host=args.host, port=args.port or settings.port, threads=args.threads)
    return 0


def cmd_socket(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene socket`."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_app

    settings.require_socket()
    db = _database(settings)
    app = create_app(settings, db)
    assert settings.slack_app_token is not None
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """`make run`: Socket Mode with an app token, HTTP with tokens, else the playground."""
    if not is_placeholder(settings.slack_app_token):
        return cmd_socket(settings, args)
    if settings.has_slack_credentials:
        args.host, args.port, args.threads, args.no_scheduler = "0.0.0.0", None, 8, False
        return cmd_serve(settings, args)
    print(
        "No Slack tokens are configured, so there is no Slack app to run.\n"
        "Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode), plus SLACK_APP_TOKEN for Socket Mode,\n"
        "in the environment or in a .env file, then run `make run` again. See README.md."
    )
    return 2


COMMANDS = {"serve": cmd_serve, "socket": cmd_socket, "migrate": cmd_migrate, "run": cmd_run}


if __name__ == "__main__":
    raise SystemExit(main())
