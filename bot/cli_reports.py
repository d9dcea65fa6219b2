"""`invite-hygiene report leaderboard|stats|team|curve`: the team views for leads and automation (table, JSON, CSV)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.domain.counts import stale_label
from bot.domain.curve import Curve
from bot.domain.invites import PERIODS, Period, RateCounts

if TYPE_CHECKING:  # the services and the database are imported by the report command alone
    from bot.config import Settings
    from bot.db.engine import Database
    from bot.services.leaderboard import Insights, Leaderboard
    from bot.services.members import Actor
    from bot.services.stats import MemberStats

EXIT_USAGE = 2
WEEKDAY_KEYS = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}
# A spreadsheet executes cells starting with these (CSV injection): prefix them with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ReportError(Exception):
    """A report that cannot be made as asked; the message says why (exit code 2)."""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `report` to the console script's subcommands."""
    report = subparsers.add_parser("report", help="the leaderboard, a member's stats, the team rows or the curve, as a table, JSON or CSV")
    report.add_argument("what", choices=["leaderboard", "stats", "team", "curve"], help="which report")
    report.add_argument("--team", required=True, help="the workspace (team id)")
    report.add_argument("--user", default=None, help="the member (user id): required for stats, a filter for leaderboard")
    report.add_argument("--period", choices=list(PERIODS), default="30d", help="invites sent in the period (default 30d)")
    report.add_argument("--now", type=instant, default=None, help="as of this ISO-8601 instant (default: now)")
    report.add_argument("--format", choices=["table", "json", "csv"], default="table", dest="fmt",
                        help="output format (default table)")
    return report


def instant(value: str) -> datetime:
    """An ISO-8601 instant; a value without a zone is read as UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 instant: {value!r}") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """Print the report on stdout; exit 2 with a one-line reason for an unknown team or member."""
    from bot.bootstrap import open_database
    from bot.clock import SystemClock

    db = open_database(settings)
    try:
        now = args.now or SystemClock().now()
        print(make_report(db, what=args.what, team_id=args.team, user_id=args.user,
                          period=PERIODS[args.period], now=now, fmt=args.fmt), end="")
        return 0
    except ReportError as error:
        print(f"invite-hygiene: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.dispose()


def make_report(db: Database, *, what: str, team_id: str, user_id: str | None, period: Period, now: datetime,
                fmt: str) -> str:
    """The report's text (ending with a newline)."""
    from sqlalchemy import select

    from bot.db.models import Workspace
    from bot.services.curve import team_curve
    from bot.services.leaderboard import member_insights, team_leaderboard
    from bot.services.stats import member_stats
    from bot.services.team_view import COLUMNS as TEAM_COLUMNS
    from bot.services.team_view import team_rows

    with db.session(write=False) as session:
        if session.scalar(select(Workspace.team_id).where(Workspace.team_id == team_id)) is None:
            raise ReportError(f"unknown team {team_id!r}: no workspace with that id in this database")
    if what == "curve":
        return curve_report(team_curve(db, team_id, now=now), fmt=fmt)
    if what == "team":
        rows = [r.to_json() for r in team_rows(db, team_id, now=now) if user_id is None or r.user_id == user_id]
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        if fmt == "csv":
            return to_csv(rows, list(TEAM_COLUMNS))
        return team_table(rows)
    if what == "leaderboard":
        board = team_leaderboard(db, team_id=team_id, period=period, now=now, every_pile=True)
        rows = [r for r in board.to_json_rows() if user_id is None or r["user"] == user_id]
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        if fmt == "csv":
            return to_csv(rows, ["user", "name", "rank", "rate", "wilson_lower", "n", "accepted", "pending", "stale",
                                 "snoozed_stale", "hidden"])
        return leaderboard_table(board, rows)
    if user_id is None:
        raise ReportError("report stats needs --user U (the member's Slack user id)")
    actor = existing_actor(db, team_id=team_id, user_id=user_id, now=now)
    stats = stats_json(member_stats(db, actor, period=period, now=now),
                       member_insights(db, actor, period=period, now=now), user_id=user_id)
    if fmt == "json":
        return json.dumps(stats, ensure_ascii=False, indent=2) + "\n"
    flat = flatten(stats)
    if fmt == "csv":
        return to_csv([flat], list(flat))
    width = max(len(k) for k in flat)
    return "".join(f"{k.ljust(width)}  {_cell_text(v)}\n" for k, v in flat.items())


def team_table(rows: list[dict[str, Any]]) -> str:
    """`report team` as aligned columns, riskiest first."""
    from bot.services.team_view import COLUMNS as TEAM_COLUMNS

    table = [list(TEAM_COLUMNS)]
    for r in rows:
        table.append([r["user"], r["name"], str(r["pending"]), stale_label(r["stale"], r["snoozed_stale"]),
                      str(r["sent_7d"]), str(r["safe_limit"]), r["risk"], _rate(r["rate"]), str(r["n"])])
    widths = [max(len(line[i]) for line in table) for i in range(len(TEAM_COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table) + "\n"


def curve_report(curve: Curve, *, fmt: str) -> str:
    """`report curve`: PRODUCT.md's JSON object, or one row per day mark (CSV, table)."""
    if fmt == "json":
        return json.dumps(curve.as_json(), indent=2) + "\n"
    rows = [{"within_days": d, "share": share, "accepted": curve.accepted,
             "suggested_withdraw_after_days": curve.suggested_withdraw_after_days, "source": curve.source}
            for d, share in curve.within_days.items()]
    if fmt == "csv":
        return to_csv(rows, ["within_days", "share", "accepted", "suggested_withdraw_after_days", "source"])
    lines = [f"within {r['within_days']:>2} days  {_rate(r['share']):>4}" for r in rows]
    lines.append(f"accepted in the last 180 days: {curve.accepted} ({curve.source} figures)")
    lines.append(f"suggested withdraw_after_days: {curve.suggested_withdraw_after_days}")
    return "\n".join(lines) + "\n"


def existing_actor(db: Database, *, team_id: str, user_id: str, now: datetime) -> Actor:
    """The Actor of a member already stored; never creates one (a report must not add members)."""
    from bot.services.members import actor_of, identify, stored_member

    with db.session(write=False) as session:
        row = stored_member(session, team_id=team_id, user_id=user_id)
    if row is None:
        raise ReportError(f"unknown member {user_id!r} in team {team_id!r}")
    if row.uninstalled_at is None:
        return identify(db, team_id=team_id, user_id=user_id, now=now)
    # identify() would mark an uninstalled workspace installed again: build the same Actor read-only.
    return actor_of(row)


def _counts(c: RateCounts) -> dict[str, Any]:
    return {"sent": c.sent, "accepted": c.accepted, "declined": c.declined, "withdrawn": c.withdrawn,
            "expired": c.expired, "pending_stale": c.pending_stale, "pending_fresh": c.pending_fresh,
            "decided": c.decided, "rate": c.rate}


def stats_json(stats: MemberStats, insights: Insights, *, user_id: str) -> dict[str, Any]:
    """A member's stats and weekday insight as one JSON-ready object."""
    return {
        "user": user_id,
        "period": stats.period.label,
        **_counts(stats.counts),
        "low_rate": stats.low_rate,
        "median_days_to_accept": stats.median_days_to_accept,
        "with_note": {k: v for k, v in _counts(stats.with_note).items() if k in ("decided", "accepted", "rate")},
        "without_note": {k: v for k, v in _counts(stats.without_note).items() if k in ("decided", "accepted", "rate")},
        "sends_last_7_days": stats.pile.sent_7d,
        "safe_weekly_limit": stats.safe_weekly_limit,
        "pending_total": stats.pile.pending,
        "stale_total": stats.pile.stale,
        "snoozed_stale": stats.pile.snoozed_stale,
        "notes_this_month": stats.notes.used if stats.notes else None,
        "notes_per_month": stats.notes.limit if stats.notes else None,
        "best_weekday": WEEKDAY_KEYS[insights.best_weekday] if insights.best_weekday else None,
        "weekdays": {WEEKDAY_KEYS[w.weekday]: {"decided": w.n, "accepted": w.counts.accepted, "rate": w.rate}
                     for w in insights.weekdays},
    }


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys (`weekdays.mon.rate`), for CSV and the table."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            flat.update(flatten(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """RFC 4180 CSV with a header; empty for null; cells a spreadsheet would execute are escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def leaderboard_table(board: Leaderboard, rows: list[dict[str, Any]]) -> str:
    """Aligned columns, ranked then not-ranked then hidden, and the team totals."""
    head = ["rank", "name", "user", "rate", "wilson", "n", "accepted", "pending", "stale", "note"]
    table = [head]
    for r in rows:
        note = "hidden" if r["hidden"] else ("" if r["rank"] is not None else f"n < {board.min_sample}")
        table.append([_cell_text(r["rank"]), r["name"], r["user"], _rate(r["rate"]), f"{r['wilson_lower']:.3f}",
                      str(r["n"]), str(r["accepted"]), str(r["pending"]), stale_label(r["stale"], r["snoozed_stale"]),
                      note])
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in table]
    t = board.totals
    period = "all time" if board.period.days is None else f"the last {board.period.days} days"
    lines.append("")
    lines.append(f"Team, invites sent in {period}: {t.sent} sent · {t.accepted} accepted · "
                 f"{_rate(t.rate)} of {t.decided} decided · {t.pending} pending · {stale_label(t.stale, t.snoozed_stale)}")
    return "\n".join(lines) + "\n"
