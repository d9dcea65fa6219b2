"""The plan of an import (pure): LinkedIn's parsed rows in, prospect keys and instants out.

Every row that cannot be used is rejected with its line and reason. bot.services.importing applies
a plan in one transaction; bot.db.bulk writes its rows; bot.slack.render.imports words the summary.

Rules (PRODUCT.md "Import and export", LINKEDIN_EXPORT.md "Matching"):

* Only OUTGOING invitations are logged (source ``import``); INCOMING ones are counted and skipped.
* ``Sent At`` without a zone is the member's local wall time (``Actor.tz``).
* The same invite is "already there" when the member has an invite to the same prospect sent
  within the resend cooldown of the row's ``Sent At`` (LinkedIn does not let anyone invite the same
  person twice inside it, so two such invites are one: this also recognises an invite first logged
  by hand, whose time is rarely the exact minute), or any pending invite to that prospect.
* A pending invite whose prospect key is among the connections becomes ``accepted`` on the
  ``Connected On`` day (local noon). Keys are compared exactly: a member-id or Sales Navigator
  key is never guessed onto an ``/in/`` slug; such invites that stay pending are reported as
  unmatched. The older 5-column layout has no URLs: its invites are keyed
  by name (``name:<name>``) and meet connections by the connection's name.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.prospect import NotAProfileUrl, Prospect, name_key, prospect_from_url
from bot.importing.linkedin import InvitationRow, ParsedExport, RejectedRow

FUTURE_TOLERANCE = timedelta(days=1)  # a zone mix-up, not a date in the future
KEY_MAX, URL_MAX, TEXT_MAX = 300, 500, 200  # the invites table's column widths
# Member-id and Sales Navigator keys are never guessed onto a connection's /in/ slug.
UNMATCHABLE = ("mid:", "sn:")
# The form LinkedIn's export writes for almost every profile. For it prospect_from_url returns
# exactly ("in:" + slug, the URL itself) (tests/services/test_import.py checks that), at a tenth
# of the cost: it matters at 50,000 rows.
_PLAIN_PROFILE = re.compile(r"https://www\.linkedin\.com/in/([a-z0-9][a-z0-9-]{0,99})")


@dataclass(frozen=True)
class PlannedInvite:
    """One OUTGOING invitation, keyed and placed in time."""

    line: int
    source: str
    key: str
    url: str | None
    name: str | None
    sent_at: datetime  # aware UTC
    with_note: bool


@dataclass(frozen=True)
class Connection:
    """When a connection began, and its company (to fill an invite's empty one)."""

    on: date
    company: str | None


@dataclass
class ImportPlan:
    files: list[str] = field(default_factory=list)
    archive: str | None = None
    invites: list[PlannedInvite] = field(default_factory=list)
    repeated: int = 0  # rows repeating an earlier row of the file (same invite): "already there"
    connections: dict[str, Connection] = field(default_factory=dict)  # prospect key -> connection
    connection_rows: int = 0
    connection_keys: list[tuple[str, ...]] = field(default_factory=list)  # each connection's keys (URL, name)
    incoming: int = 0
    hidden_skipped: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def same_invite_window(cooldown_days: int) -> timedelta:
    """Two invites to one prospect closer than this are one (see the module docstring)."""
    return timedelta(days=cooldown_days) if cooldown_days > 0 else timedelta(minutes=1)


def plan_import(parsed: ParsedExport, *, tz: ZoneInfo, now: datetime, cooldown_days: int) -> ImportPlan:
    """Turn parsed rows into keyed invites and connections; rows that cannot be used are rejected."""
    plan = ImportPlan(
        files=list(parsed.files),
        archive=parsed.archive,
        rejected=list(parsed.rejected),
        hidden_skipped=parsed.hidden_skipped,
        notes=list(parsed.notes),
        connection_rows=len(parsed.connections),
    )
    plan.incoming = len(parsed.incoming)
    # An upload holds at most one file of each kind (the parser picks one per archive).
    invitations_file = _file_of(parsed, "invitations")
    connections_file = _file_of(parsed, "connections")
    planned: list[PlannedInvite] = []
    for row in parsed.outgoing:
        invite, problem = _plan_invite(row, source=invitations_file, tz=tz, now=now)
        if invite is None:
            plan.rejected.append(RejectedRow(row.line, problem, invitations_file))
        else:
            planned.append(invite)
    plan.invites, plan.repeated, older = _one_per_invite(planned, same_invite_window(cooldown_days))
    plan.rejected.extend(older)
    for conn in parsed.connections:
        keys: list[str] = []
        if conn.url:
            try:
                keys.append(prospect_of(conn.url).key)
            except NotAProfileUrl as error:
                plan.rejected.append(RejectedRow(conn.line, f"URL {_quote(conn.url)} is not a LinkedIn profile URL: {error}", connections_file))
                continue
        full_name = " ".join(part for part in (conn.first_name, conn.last_name) if part)
        # A name with control characters matches nothing by name; its URL still matches.
        with contextlib.suppress(ValueError):
            keys.append(name_key(full_name))
        plan.connection_keys.append(tuple(keys))
        for key in keys:
            known = plan.connections.get(key)
            # The same key twice (a name shared by two connections): the later connection wins.
            if known is None or conn.connected_on > known.on:
                plan.connections[key] = Connection(conn.connected_on, conn.company[:TEXT_MAX] or None)
    plan.rejected.sort(key=lambda r: (r.file, r.line))
    return plan


def prospect_of(url: str) -> Prospect:
    """prospect_from_url, with a fast path for LinkedIn's own plain form (raises NotAProfileUrl)."""
    if match := _PLAIN_PROFILE.fullmatch(url):
        return Prospect(key="in:" + match[1], url=url)
    return prospect_from_url(url)


def _plan_invite(
    row: InvitationRow, *, source: str, tz: ZoneInfo, now: datetime
) -> tuple[PlannedInvite | None, str]:
    sent_at = row.sent_at if row.sent_at.tzinfo is not None else row.sent_at.replace(tzinfo=tz)
    sent_at = sent_at.astimezone(UTC)
    if sent_at > now + FUTURE_TOLERANCE:
        return None, f"Sent At {sent_at.astimezone(tz):%Y-%m-%d %H:%M} is in the future"
    url = None
    if row.invitee_url:
        try:
            prospect = prospect_of(row.invitee_url)
        except NotAProfileUrl as error:
            return None, f"inviteeProfileUrl {_quote(row.invitee_url)} is not a LinkedIn profile URL: {error}"
        key, url = prospect.key, prospect.url
    else:
        try:
            key = name_key(row.name)
        except ValueError as error:
            return None, f"To {_quote(row.name)}: {error}"
    if len(key) > KEY_MAX:
        return None, "the profile URL or name is too long to be a person's (over 300 characters)"
    if url is not None and len(url) > URL_MAX:
        url = None
    invite = PlannedInvite(
        line=row.line, source=source, key=key, url=url, name=row.name[:TEXT_MAX] or None,
        sent_at=sent_at, with_note=bool(row.message.strip()),
    )
    return invite, ""


def _one_per_invite(
    planned: list[PlannedInvite], window: timedelta
) -> tuple[list[PlannedInvite], int, list[RejectedRow]]:
    """Per prospect: rows inside the window of a kept row repeat it; of distinct invites the newest is kept.

    Two distinct invites to one person in one file mean the older one ended somehow (withdrawn,
    expired, ignored): the file does not say how, so it is reported rather than stored with a guess.
    """
    # A key seen once (nearly every one) costs no list of its own: a 250,000-row file would make
    # as many lists (tens of MB) for a handful of repeats.
    first: dict[str, PlannedInvite] = {}
    again: dict[str, list[PlannedInvite]] = {}
    for invite in planned:
        if first.setdefault(invite.key, invite) is not invite:
            again.setdefault(invite.key, [first[invite.key]]).append(invite)
    kept: list[PlannedInvite] = [invite for key, invite in first.items() if key not in again]
    repeated = 0
    older: list[RejectedRow] = []
    for rows in again.values():
        rows.sort(key=lambda r: (r.sent_at, -r.line), reverse=True)  # newest, then first in the file
        newest = rows[0]
        kept.append(newest)
        for row in rows[1:]:
            if newest.sent_at - row.sent_at < window:
                repeated += 1
            else:
                older.append(RejectedRow(
                    row.line,
                    f"an older invitation to the same person as line {newest.line}: only the newest is logged",
                    row.source,
                ))
    kept.sort(key=lambda r: (r.source, r.line))
    return kept, repeated, older


def _file_of(parsed: ParsedExport, kind: str) -> str:
    return next((name for name, layout in parsed.layouts.items() if layout.startswith(kind)), "")


def _quote(value: str, limit: int = 60) -> str:
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return f"'{shown}'"
