"""The `invite-hygiene` console script."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import cli_bulk, cli_reports, logs
from bot.bootstrap import build, freeze_startup_objects, open_database
from bot.cli_playground import add_parser as add_playground_parser
from bot.cli_playground import cmd_playground
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
    serve.add_argument("--threads", type=int, default=8, help="threads of each process (default 8)")
    serve.add_argument("--workers", type=_positive, nargs="?", const=0, default=None, metavar="N",
                       help="N worker processes under gunicorn (N omitted: one per core); without it, one process")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the nudge scheduler here")

    sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN), with the scheduler")
    scheduler = sub.add_parser("scheduler", help="the nudge scheduler alone (for several web replicas)")
    scheduler.add_argument("--metrics-port", type=int, default=None, help="serve GET /metrics on this port")
    scheduler.add_argument("--metrics-host", default="127.0.0.1", help="address for --metrics-port (default 127.0.0.1)")
    sub.add_parser("migrate", help="upgrade the database to the latest migration")

    purge = sub.add_parser("purge", help="delete a workspace and all its data (needs --yes-delete-everything)")
    purge.add_argument("--team", required=True, help="the workspace's team id")
    purge.add_argument("--yes-delete-everything", action="store_true", help="confirm: this cannot be undone")

    sweep = sub.add_parser("sweep", help="one nudge cycle; --dry-run prints what it would send")
    sweep.add_argument("--now", type=cli_reports.instant, default=None, help="as of this ISO-8601 instant (default: now)")
    sweep.add_argument("--dry-run", action="store_true", help="change nothing, print the messages as JSON lines")
    sweep.add_argument("--team", default=None, help="only this workspace (team id)")
    cli_reports.add_parser(sub)
    cli_bulk.add_parsers(sub)
    sub.add_parser("run", help="start what fits the configuration: Socket Mode, HTTP, or the playground")
    add_playground_parser(sub)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


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


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene migrate`."""
    from bot.db.migrate import upgrade

    upgrade(settings.database_url)
    print("database is at the latest migration")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene serve [--workers [N]]`."""
    settings.require_http()
    if getattr(args, "workers", None) is not None:
        return _serve_workers(settings, args)
    from bot.web import WebApp, serve

    runtime = build(settings)
    app = runtime.app()
    freeze_startup_objects()
    if not args.no_scheduler:
        runtime.start_scheduler()
    serve(WebApp(app, runtime.db), host=args.host, port=args.port or settings.port, threads=args.threads)
    return 0


def _serve_workers(settings: Settings, args: argparse.Namespace) -> int:
    """`serve --workers`: migrate once here, then gunicorn forks the workers (bot/workers.py)."""
    from bot.workers import WorkerOptions, default_workers, serve_workers

    open_database(settings).dispose()
    serve_workers(settings, WorkerOptions(
        host=args.host, port=args.port or settings.port, workers=args.workers or default_workers(),
        threads=args.threads, scheduler=not args.no_scheduler, log_json=args.log_json,
    ))
    return 0


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene scheduler`."""
    settings.require_tokens()
    runtime = build(settings)
    runtime.install  # noqa: B018 - fail at start, not at the first cycle, when the install is misconfigured
    if getattr(args, "metrics_port", None):
        from bot import metrics

        metrics.serve_http(host=args.metrics_host, port=args.metrics_port)
    freeze_startup_objects()
    runtime.run_scheduler()
    return 0


def cmd_sweep(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene sweep [--now] [--dry-run] [--team]`: one cycle, JSON lines on stdout."""
    if not args.dry_run:
        settings.require_tokens()
    run = build(settings).cycle()
    report = run(now=args.now, team_id=args.team, dry_run=args.dry_run)
    for message in report.planned if args.dry_run else report.sent:
        print(json.dumps(message.as_json(), ensure_ascii=False), flush=True)
    for message, code in report.failed:
        print(f"not delivered: team={message.team_id} user={message.user_id} kind={message.kind}: {code}",
              file=sys.stderr)
    return 0


def cmd_socket(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene socket`."""
    from bot.socket_mode import HardenedSocketModeHandler

    settings.require_socket()
    runtime = build(settings)
    app = runtime.app()
    freeze_startup_objects()
    runtime.start_scheduler()
    assert settings.slack_app_token is not None
    HardenedSocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene purge --team T --yes-delete-everything`."""
    from bot.services.admin import purge_workspace

    if not args.yes_delete_everything:
        print(f"This deletes workspace {args.team} and all its members, invites and history for good.\n"
              "Run again with --yes-delete-everything to do it.", file=sys.stderr)
        return 2
    counts = purge_workspace(open_database(settings), args.team)
    print(f"purged {args.team}: {counts['members']} members, {counts['invites']} invites")
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """`make run`: Socket Mode with an app token, HTTP with tokens, else the local playground."""
    if not is_placeholder(settings.slack_app_token):
        return cmd_socket(settings, args)
    if settings.has_slack_credentials:
        args.host, args.port, args.threads, args.no_scheduler = "0.0.0.0", None, 8, False
        return cmd_serve(settings, args)
    print("No Slack tokens are configured: starting the local playground (set SLACK_BOT_TOKEN and "
          "SLACK_SIGNING_SECRET for the real app; see README.md).", flush=True)
    return cmd_playground(settings, args)


COMMANDS = {
    "serve": cmd_serve,
    "socket": cmd_socket,
    "scheduler": cmd_scheduler,
    "migrate": cmd_migrate,
    "sweep": cmd_sweep,
    "purge": cmd_purge,
    "playground": cmd_playground,
    "report": cli_reports.cmd_report,
    "import": cli_bulk.cmd_import,
    "export": cli_bulk.cmd_export,
    "run": cmd_run,
}


if __name__ == "__main__":
    raise SystemExit(main())
