"""Exporting invites as CSV: one row per invite, streamed from the database in batches."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Invite, Member

COLUMNS = (
    "prospect", "url", "name", "company", "status", "priority", "with_note", "sent_at",
    "status_changed_at", "source", "comment",
)
TEAM_COLUMNS = (*COLUMNS, "user")
BATCH = 1000
# Spreadsheets run a cell starting with one of these as a formula (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: formula starts get a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_rows(db: Database, *, team_id: str, user_id: str | None = None) -> Iterator[tuple[str, ...]]:
    """The header then one row per invite (a member's, or the whole team's with `user`), oldest first.

    Rows are fetched `BATCH` at a time (`yield_per`), so memory stays flat however many there are.
    """
    columns = COLUMNS if user_id is not None else TEAM_COLUMNS
    yield columns
    stmt = (
        select(
            Invite.prospect_key, Invite.url, Invite.name, Invite.company, Invite.status, Invite.priority,
            Invite.with_note, Invite.sent_at, Invite.status_changed_at, Invite.source, Invite.notes, Member.user_id,
        )
        .join(Member, Member.id == Invite.member_id)
        .where(Invite.team_id == team_id)
        .order_by(Invite.sent_at, Invite.id)
        .execution_options(yield_per=BATCH)
    )
    if user_id is not None:
        stmt = stmt.where(Member.user_id == user_id)
    with db.session(write=False) as session:
        for row in session.execute(stmt):
            cells = [
                row.prospect_key, row.url or "", row.name or "", row.company or "", row.status, row.priority,
                "yes" if row.with_note else "no", _instant(row.sent_at), _instant(row.status_changed_at),
                row.source, row.notes or "",
            ]
            if user_id is None:
                cells.append(row.user_id)
            yield tuple(safe_cell(cell) for cell in cells)


def write_csv(rows: Iterator[tuple[str, ...]], out: TextIO) -> int:
    """Write rows as CSV (RFC 4180 quoting, CRLF line ends); returns the number of invites written."""
    writer = csv.writer(out)
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0)
