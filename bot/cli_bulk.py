"""`invite-hygiene import` and `invite-hygiene export`: the bulk paths without Slack."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.importing.linkedin import UnsupportedFile

if TYPE_CHECKING:
    from bot.config import Settings

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
# A Slack upload stops at 20 MB (MAX_FILE_BYTES); from the command line an export of up to
# 64 MB (about 400,000 invitations) is read.
MAX_CLI_FILE_BYTES = 64 * 1024 * 1024


def add_parsers(subparsers) -> None:
    """Add `import` and `export` to the console script's subcommands."""
    bulk_import = subparsers.add_parser(
        "import", help="import a LinkedIn Invitations.csv, Connections.csv or export .zip for one member"
    )
    bulk_import.add_argument("file", metavar="FILE", type=Path, help="the file LinkedIn's data export gave you")
    bulk_import.add_argument("--team", required=True, help="the workspace (team id, e.g. T012AB3C4)")
    bulk_import.add_argument("--user", required=True, help="the member (Slack user id, e.g. U012AB3C4)")
    bulk_import.add_argument("--dry-run", action="store_true", help="print what would change, store nothing")
    bulk_import.add_argument(
        "--tz", default=None,
        help="IANA zone to read Sent At in (default: the member's Slack zone if known, else the workspace's)",
    )
    bulk_export = subparsers.add_parser("export", help="invites as CSV on stdout (a member's, or the whole team's)")
    bulk_export.add_argument("--team", required=True, help="the workspace (team id)")
    bulk_export.add_argument("--user", default=None, help="only this member's invites (default: the whole team)")


def _database(settings: Settings):
    from bot.bootstrap import open_database

    return open_database(settings)


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene import FILE --team T --user U [--dry-run] [--tz ZONE]`: the summary on stdout."""
    from dataclasses import replace
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from bot.clock import SystemClock
    from bot.services.importing import import_upload
    from bot.services.members import identify
    from bot.slack.render.imports import summary_lines

    path: Path = args.file
    try:
        size = path.stat().st_size
        if size > MAX_CLI_FILE_BYTES:
            raise UnsupportedFile(f"{path.name} is {size / 2**20:.1f} MB, over the {MAX_CLI_FILE_BYTES // 2**20} MB limit")
        data = path.read_bytes()
    except UnsupportedFile as error:
        print(f"invite-hygiene: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as error:
        print(f"invite-hygiene: error: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    if args.tz:
        try:
            ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            print(f"invite-hygiene: error: --tz {args.tz!r} is not an IANA time zone (e.g. Europe/Berlin)",
                  file=sys.stderr)
            return EXIT_USAGE
    db = _database(settings)
    try:
        now = SystemClock().now()
        actor = identify(db, team_id=args.team, user_id=args.user, now=now)
        if args.tz:
            actor = replace(actor, tz_name=args.tz)
        # Handed over, not kept here: the service lets the file's bytes go once they are parsed
        # (37 MB of a 250,000-row export, not held while the rows are stored).
        payload, data = [data], b""
        try:
            summary = import_upload(db, actor, path.name, payload.pop(), now=now, dry_run=args.dry_run,
                                    max_bytes=MAX_CLI_FILE_BYTES)
        except UnsupportedFile as error:
            print(f"invite-hygiene: {error}", file=sys.stderr)
            return EXIT_REFUSED
        for line in summary_lines(summary, invites_command=settings.invites_command):
            print(line)
        return EXIT_OK
    finally:
        db.dispose()


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """`invite-hygiene export --team T [--user U]`: CSV on stdout, streamed."""
    from bot.services.exporting import export_rows, write_csv

    db = _database(settings)
    try:
        out = sys.stdout
        reconfigure = getattr(out, "reconfigure", None)
        if reconfigure is not None:  # names in any script, and the csv module's own CRLF line ends
            reconfigure(encoding="utf-8", newline="")
        try:
            count = write_csv(export_rows(db, team_id=args.team, user_id=args.user), out)
            out.flush()
        except BrokenPipeError:
            # `export | head`: the reader left. Point stdout at /dev/null so the exit flush is quiet.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_REFUSED
        whose = f"{args.user}'s" if args.user else f"team {args.team}'s"
        print(f"exported {count} of {whose} invites", file=sys.stderr)
        return EXIT_OK
    finally:
        db.dispose()
