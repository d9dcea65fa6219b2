"""Importing LinkedIn's own export for one member: invitations logged, acceptances reconciled.

Two halves. ``plan_import`` is pure: parsed rows in, prospect keys and instants out (every row it
cannot use is rejected with its line and reason). ``import_plan`` applies a plan in ONE
transaction: all or nothing, set-based (one read of the member's invites, bulk writes: no
statement per row), and idempotent, so importing the same file again changes nothing.
``import_upload`` is both halves after the parser.

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
import functools
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, Integer, Table, any_, bindparam, case, func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite, InviteEvent, Member
from bot.domain.invites import Priority, Status
from bot.domain.prospect import NotAProfileUrl, Prospect, fold, name_key, prospect_from_url
from bot.importing.linkedin import InvitationRow, ParsedExport, RejectedRow, parse_upload
from bot.services.members import Actor

MAX_REJECTED_SHOWN = 10
MAX_UNMATCHED_SHOWN = 10
FUTURE_TOLERANCE = timedelta(days=1)  # a zone mix-up, not a date in the future
_KEY_MAX, _URL_MAX, _TEXT_MAX = 300, 500, 200  # the invites table's column widths
_UNMATCHABLE = ("mid:", "sn:")
_FILE_NAMESPACE = uuid.UUID("5b0d8a4e-3c1f-4f43-9a55-1f5d3c2f6e10")
# The form LinkedIn's export writes for almost every profile. For it prospect_from_url returns
# exactly ("in:" + slug, the URL itself) (tests/services/test_import.py checks that), at a tenth
# of the cost: it matters at 50,000 rows.
_PLAIN_PROFILE = re.compile(r"https://www\.linkedin\.com/in/([a-z0-9][a-z0-9-]{0,99})")


# --------------------------------------------------------------------------------------------
# The plan: pure


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
                plan.connections[key] = Connection(conn.connected_on, conn.company[:_TEXT_MAX] or None)
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
    if len(key) > _KEY_MAX:
        return None, "the profile URL or name is too long to be a person's (over 300 characters)"
    if url is not None and len(url) > _URL_MAX:
        url = None
    invite = PlannedInvite(
        line=row.line, source=source, key=key, url=url, name=row.name[:_TEXT_MAX] or None,
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
    by_key: dict[str, list[PlannedInvite]] = {}
    for invite in planned:
        by_key.setdefault(invite.key, []).append(invite)
    kept: list[PlannedInvite] = []
    repeated = 0
    older: list[RejectedRow] = []
    for rows in by_key.values():
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


# --------------------------------------------------------------------------------------------
# Applying it: one transaction


@dataclass
class ImportSummary:
    """What an import did (or, on a dry run, would do)."""

    files: list[str] = field(default_factory=list)
    archive: str | None = None
    added: int = 0
    already_there: int = 0
    accepted: int = 0
    incoming_skipped: int = 0
    unmatched: list[str] = field(default_factory=list)  # labels of pending member-id / Sales Navigator invites
    rejected: list[RejectedRow] = field(default_factory=list)
    hidden_skipped: int = 0
    connections: int = 0
    connections_without_invite: int = 0  # people in Connections.csv the member never logged an invite to
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """True when the import stored something."""
        return bool(self.added or self.accepted) and not self.dry_run


def file_change_id(team_id: str, file_id: str) -> str:
    """The audit change id of importing one Slack file: the same file always gets the same id."""
    return str(uuid.uuid5(_FILE_NAMESPACE, f"{team_id}/{file_id}"))


def import_upload(
    db: Database, actor: Actor, filename: str, data: bytes, *, now: datetime,
    change_id: str | None = None, dry_run: bool = False,
) -> ImportSummary:
    """Parse an upload and import it for the member; raises UnsupportedFile for anything else."""
    parsed = parse_upload(filename, data)
    plan = plan_import(parsed, tz=actor.tz, now=now, cooldown_days=actor.settings.resend_cooldown_days)
    return import_plan(db, actor, plan, now=now, change_id=change_id, dry_run=dry_run)


def import_plan(
    db: Database, actor: Actor, plan: ImportPlan, *, now: datetime,
    change_id: str | None = None, dry_run: bool = False,
) -> ImportSummary:
    """Apply a plan atomically, holding the write lock only to store; a lost race is retried once.

    The member's invites are read and the plan is matched against them (seconds of work for
    50,000 rows) without any lock: other requests write meanwhile. The write transaction then
    checks that the member's invites are as read (one aggregate); when they are not (a /invited,
    an outcome or a second import in between), it matches again inside the transaction. On
    SQLite, the only writer at that moment, that is final; on PostgreSQL a pending invite logged
    in the last instant still meets the unique index: the IntegrityError makes a second attempt.
    """
    change_id = change_id or str(uuid.uuid4())
    try:
        return _apply(db, actor, plan, now=now, change_id=change_id, dry_run=dry_run)
    except IntegrityError:
        return _apply(db, actor, plan, now=now, change_id=change_id, dry_run=dry_run)


@dataclass
class _Known:
    id: int
    key: str
    sent_at: datetime
    status: str
    name: str | None


@dataclass
class _Snapshot:
    """The member's invites by prospect key, and a fingerprint that changes when they do."""

    by_key: dict[str, list[_Known]]
    fingerprint: tuple


@dataclass
class _Prepared:
    """What to write: new invites as bound rows (sent_at order), and the stored invites to accept."""

    summary: ImportSummary
    rows: list[tuple]  # bound, in _INVITE_COLUMNS order
    statuses: list[Status]
    accepts: list[dict]


_INVITE_COLUMNS = (
    "team_id", "member_id", "prospect_key", "url", "name", "name_folded", "company", "sent_at", "status", "priority",
    "with_note", "source", "status_changed_at", "created_at",
)
_EVENT_COLUMNS = (
    "invite_id", "team_id", "member_id", "change_id", "from_status", "to_status", "at", "actor", "via", "undone",
)


def _apply(
    db: Database, actor: Actor, plan: ImportPlan, *, now: datetime, change_id: str, dry_run: bool
) -> ImportSummary:
    dialect = db.engine.dialect
    with db.session(write=False) as session:
        snapshot = _load(session, actor)
    prepared = _prepare(dialect, actor, plan, snapshot.by_key, now=now)
    if dry_run:
        prepared.summary.dry_run = True
        return prepared.summary
    with db.session(bulk=True) as session:
        # Two imports for one member run one after the other (PostgreSQL; SQLite's BEGIN
        # IMMEDIATE already serialises writers): the second then finds the first's invites,
        # including accepted ones, which no unique index would catch.
        session.execute(select(Member.id).where(Member.id == actor.member_id).with_for_update())
        if _fingerprint(session, actor) != snapshot.fingerprint:
            prepared = _prepare(dialect, actor, plan, _load(session, actor).by_key, now=now)
        _store(session, actor, prepared, now=now, change_id=change_id)
    return prepared.summary


def _load(session: Session, actor: Actor) -> _Snapshot:
    """The member's invites by prospect key, in one query, and their fingerprint.

    All of the member's invites are read rather than an IN list of the file's keys: a 50,000-key
    IN list breaks SQLite's limit of 32,766 parameters, and the member_id index serves this read.
    """
    rows = session.execute(
        select(Invite.id, Invite.prospect_key, Invite.sent_at, Invite.status, Invite.name, Invite.created_at)
        .where(Invite.member_id == actor.member_id)
    ).all()
    by_key: dict[str, list[_Known]] = {}
    for row in rows:
        by_key.setdefault(row.prospect_key, []).append(_Known(row.id, row.prospect_key, row.sent_at, row.status, row.name))
    fingerprint = (
        len(rows),
        sum(row.id for row in rows),
        sum(row.id for row in rows if row.status == Status.PENDING),
        max((row.created_at for row in rows), default=None),
    )
    return _Snapshot(by_key, fingerprint)


def _fingerprint(session: Session, actor: Actor) -> tuple:
    """The same figures as _load's, by one aggregate: a change to the member's invites changes them.

    An insert or a delete changes the count and the sum of ids (a reused id, possible on SQLite
    after a delete, comes with a newer created_at); a status change to or from pending changes the
    sum of pending ids. Keys and send times never change once stored.
    """
    pending_ids = case((Invite.status == Status.PENDING, Invite.id), else_=0)
    row = session.execute(
        select(
            func.count(Invite.id), func.coalesce(func.sum(Invite.id), 0), func.coalesce(func.sum(pending_ids), 0),
            func.max(Invite.created_at),
        ).where(Invite.member_id == actor.member_id)
    ).one()
    return (int(row[0]), int(row[1]), int(row[2]), row[3])


def _prepare(dialect, actor: Actor, plan: ImportPlan, by_key: dict[str, list[_Known]], *, now: datetime) -> _Prepared:
    """Match the plan against the stored invites: the summary, and the rows to write, bound."""
    summary = ImportSummary(
        files=plan.files, archive=plan.archive, incoming_skipped=plan.incoming, rejected=plan.rejected,
        hidden_skipped=plan.hidden_skipped, connections=plan.connection_rows, notes=plan.notes,
        already_there=plan.repeated,
    )
    window = same_invite_window(actor.settings.resend_cooldown_days)
    new: list[tuple[PlannedInvite, Status, datetime, str | None]] = []
    pending_matches: list[tuple[_Known, PlannedInvite]] = []
    for invite in plan.invites:
        match = _match(by_key.get(invite.key, []), invite.sent_at, window)
        if match is not None:
            summary.already_there += 1
            if match.status == Status.PENDING:
                pending_matches.append((match, invite))
            continue
        status, changed_at, company = Status.PENDING, now, None
        accepted_at = _accepted_at(plan.connections.get(invite.key), invite.sent_at, actor.tz, now)
        if accepted_at is not None:
            status, changed_at = Status.ACCEPTED, accepted_at
            company = plan.connections[invite.key].company
            summary.accepted += 1
        elif invite.key.startswith(_UNMATCHABLE):
            summary.unmatched.append(invite.name or invite.key)
        summary.added += 1
        new.append((invite, status, changed_at, company))
    accepts = _stored_accepts(by_key, plan.connections, actor.tz, now)
    summary.accepted += len(accepts)
    in_file = {invite.key for invite in plan.invites}
    summary.connections_without_invite = sum(
        1 for keys in plan.connection_keys if not any(key in by_key or key in in_file for key in keys)
    )
    accepted_ids = {row["b_id"] for row in accepts}
    summary.unmatched.extend(
        known.name or invite.name or invite.key
        for known, invite in pending_matches
        if invite.key.startswith(_UNMATCHABLE) and known.id not in accepted_ids
    )
    # In send order: three of the invites table's indexes lead with (team or member, sent_at),
    # so the insert appends to them instead of touching pages all over (a third faster on SQLite).
    new.sort(key=lambda item: item[0].sent_at)
    bind = _binder(dialect, Invite.__table__, _INVITE_COLUMNS)
    rows = [
        bind((actor.team_id, actor.member_id, invite.key, invite.url, invite.name, fold(invite.name), company,
              invite.sent_at, status, Priority.NORMAL, invite.with_note, "import", changed_at, now))
        for invite, status, changed_at, company in new
    ]
    return _Prepared(summary, rows, [status for _, status, _, _ in new], accepts)


def _stored_accepts(
    by_key: dict[str, list[_Known]], connections: dict[str, Connection], tz: ZoneInfo, now: datetime
) -> list[dict]:
    """UPDATE parameters for the stored pending invites (logged by hand or imported before) now connected."""
    accepts = []
    for known in (k for rows in by_key.values() for k in rows if k.status == Status.PENDING):
        connection = connections.get(known.key)
        accepted_at = _accepted_at(connection, known.sent_at, tz, now)
        if connection is not None and accepted_at is not None:
            accepts.append({"b_id": known.id, "b_at": accepted_at, "b_company": connection.company})
    return accepts


def _match(known: list[_Known], sent_at: datetime, window: timedelta) -> _Known | None:
    """The stored invite a row is, if any: one sent within the window, else a pending one."""
    near = [k for k in known if abs(k.sent_at - sent_at) < window]
    if near:
        return min(near, key=lambda k: abs(k.sent_at - sent_at))
    return next((k for k in known if k.status == Status.PENDING), None)


def _accepted_at(connection: Connection | None, sent_at: datetime, tz: ZoneInfo, now: datetime) -> datetime | None:
    """When a pending invite was accepted: local noon on the Connected On day (None: not connected).

    Connections.csv gives a day without a time. On the day the invite was sent, never before it;
    a Connected On day before the invite is kept as LinkedIn wrote it (stats count such a wait as 0).
    """
    if connection is None:
        return None
    at = datetime.combine(connection.on, time(12), tzinfo=tz).astimezone(UTC)
    if connection.on == sent_at.astimezone(tz).date():
        at = max(at, sent_at)
    return min(at, max(now, sent_at))


def _store(session: Session, actor: Actor, prepared: _Prepared, *, now: datetime, change_id: str) -> None:
    """Insert the new invites and accept the connected ones in bulk, each with its audit row."""
    audit: list[tuple[int, Status | None, Status]] = []
    if prepared.rows:
        # Ids are taken before the insert (SQLite: after the largest, this transaction being the
        # only writer; PostgreSQL: from the sequence), so no statement has to read them back.
        ids = _new_ids(session, "invites", len(prepared.rows))
        _bulk_insert(session, Invite.__table__, ("id", *_INVITE_COLUMNS),
                     [(new_id, *row) for new_id, row in zip(ids, prepared.rows, strict=True)])
        audit.extend((new_id, None, status) for new_id, status in zip(ids, prepared.statuses, strict=True))
    if prepared.accepts:
        accepted = _accept(session, actor, prepared.accepts)
        lost = len(prepared.accepts) - len(accepted)
        prepared.summary.accepted -= lost  # changed by someone else since the plan was made
        audit.extend((invite_id, Status.PENDING, Status.ACCEPTED) for invite_id in accepted)
    if audit:
        _insert_audit(session, actor, audit, now=now, change_id=change_id)


def _accept(session: Session, actor: Actor, accepts: list[dict]) -> list[int]:
    """Mark stored pending invites accepted; returns the ids that were still pending.

    The plan may be a moment old (the fingerprint is a few sums, not the rows), so the rows
    still pending are read first and only those are accepted, counted and audited.
    """
    table = Invite.__table__
    if session.get_bind().dialect.name == "postgresql":
        # Lock the ones still pending: a concurrent outcome either finished (the row is no
        # longer pending and is left alone) or waits for this import.
        still = set(session.scalars(
            select(table.c.id)
            .where(table.c.id == any_(bindparam("ids", [row["b_id"] for row in accepts], type_=ARRAY(Integer))),
                   table.c.status == Status.PENDING)
            .with_for_update()
        ))
    else:
        # The only writer now: the member's pending ids, by the member's index (an IN list of
        # 50,000 ids would pass SQLite's limit on parameters).
        still = set(session.scalars(
            select(table.c.id).where(table.c.member_id == actor.member_id, table.c.status == Status.PENDING)
        ))
    accepts = [row for row in accepts if row["b_id"] in still]
    if not accepts:
        return []
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == Status.PENDING)
        .values(
            status=Status.ACCEPTED,
            status_changed_at=bindparam("b_at", type_=table.c.status_changed_at.type),
            company=func.coalesce(table.c.company, bindparam("b_company")),
        ),
        accepts,
    )
    return [row["b_id"] for row in accepts]


def _insert_audit(
    session: Session, actor: Actor, changes: list[tuple[int, Status | None, Status]], *, now: datetime, change_id: str
) -> None:
    """One audit row per change, via import, all under the import's change id."""
    bind = _binder(session.get_bind().dialect, InviteEvent.__table__, _EVENT_COLUMNS)
    tails: dict[tuple[Status | None, Status], tuple] = {}  # the rows differ only by invite and transition
    rows = []
    for invite_id, before, after in changes:
        tail = tails.get((before, after))
        if tail is None:
            tail = tails[(before, after)] = bind(
                (None, actor.team_id, actor.member_id, change_id, before, after, now, actor.user_id, "import", False)
            )[1:]
        rows.append((invite_id, *tail))
    _bulk_insert(session, InviteEvent.__table__, _EVENT_COLUMNS, rows)


def _new_ids(session: Session, table: str, count: int) -> list[int]:
    """`count` fresh primary keys for a table, taken inside the write transaction."""
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table, "count": count},
        ))
    largest = session.scalar(text(f'SELECT coalesce(max(id), 0) FROM "{table}"'))  # noqa: S608 - a fixed table name
    # An AUTOINCREMENT table (invites) also remembers ids of deleted rows: never hand those out again.
    used = session.scalar(text("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = :t"), {"t": table})
    largest = max(largest, used or 0)
    return list(range(largest + 1, largest + 1 + count))


def _binder(dialect, table: Table, columns: tuple[str, ...]):
    """A function binding a row of values as SQLAlchemy would for these columns (UTCDateTime, Boolean, ...).

    An executemany through the Core ``insert()`` spends most of its time building parameters row
    by row; applying each column's bind step directly is several times faster, and can run
    before the write transaction begins.
    """
    steps = []
    for index, name in enumerate(columns):
        bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            # Memoised: created_at and the audit's `at` are one instant for every row.
            steps.append((index, functools.lru_cache(maxsize=4096)(bind)))

    def bound(values: tuple) -> tuple:
        if not steps:
            return values
        cells = list(values)
        for index, step in steps:
            cells[index] = step(cells[index])
        return tuple(cells)

    return bound


def _bulk_insert(session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert bound rows in the session's transaction: SQLite by one DBAPI executemany,
    PostgreSQL by COPY (its executemany is one INSERT per row, three times slower for 50,000 invites)."""
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(f'"{name}"' for name in columns)
    if dialect.name != "postgresql":
        placeholders = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})', rows)
        return
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    dbapi = dialect.loaded_dbapi
    try:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for cells in rows:
                copy.write_row(cells)
    except dbapi.Error as error:
        # As SQLAlchemy would have raised it: IntegrityError for a lost race, DBAPIError for the rest.
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from error


# --------------------------------------------------------------------------------------------
# The summary in words (the CLI prints it; Slack wraps it in blocks)


def summary_lines(summary: ImportSummary, *, escape=lambda text: text, code=lambda text: text,
                  invites_command: str = "/invites") -> list[str]:
    """The summary as lines of text; `escape` protects file text, `code` marks (and escapes) commands."""
    files = ", ".join(escape(f) for f in summary.files) or "the file"
    if summary.archive:
        files = f"{escape(summary.archive)} ({files})"
    head = f"Dry run of {files}: nothing was saved." if summary.dry_run else f"Imported {files}."
    lines = [head]
    lines.append(f"• {_n(summary.added, 'invite')} {_verb('added', summary.dry_run)}")
    # Only what happened: a line that says "0 … skipped" tells the reader nothing.
    if summary.already_there:
        lines.append(f"• {summary.already_there} already there")
    lines.append(f"• {_n(summary.accepted, 'invite')} {_verb('marked accepted', summary.dry_run)}")
    if summary.incoming_skipped:
        lines.append(
            f"• {_n(summary.incoming_skipped, 'incoming invitation')} skipped (only the ones you sent are logged)"
        )
    if summary.connections_without_invite:
        lines.append(f"• {summary.connections_without_invite} of {_n(summary.connections, 'connection')} matched no "
                     "invite of yours (connected another way, or never logged)")
    if summary.unmatched:
        shown = ", ".join(escape(label) for label in summary.unmatched[:MAX_UNMATCHED_SHOWN])
        more = f" and {len(summary.unmatched) - MAX_UNMATCHED_SHOWN} more" if len(summary.unmatched) > MAX_UNMATCHED_SHOWN else ""
        lines.append(
            f"• {len(summary.unmatched)} unmatched: {shown}{more}: a member-id or Sales Navigator link can't be "
            f"matched to a connection, so mark {'it' if len(summary.unmatched) == 1 else 'them'} yourself with "
            f"{code(f'{invites_command} accepted <name>')}"
        )
    lines.extend(rejected_lines(summary.rejected, escape=escape))
    if summary.hidden_skipped:
        lines.append(f"{_n(summary.hidden_skipped, 'connection')} with a hidden profile skipped.")
    lines.extend(escape(note) for note in summary.notes)
    return lines


def rejected_lines(rejected: Iterable[RejectedRow], *, escape=lambda text: text) -> list[str]:
    """`• N rows rejected` then at most ten of them with line numbers and reasons (nothing when none)."""
    rows = list(rejected)
    if not rows:
        return []
    shown = rows[:MAX_REJECTED_SHOWN]
    suffix = f" (the first {len(shown)} shown)" if len(rows) > len(shown) else ""
    lines = [f"• {_n(len(rows), 'row')} rejected{suffix}:"]
    for row in shown:
        where = f"line {row.line}" + (f" of {row.file}" if row.file else "")
        lines.append(f"    {escape(where)}: {escape(row.reason)}")
    return lines


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _verb(done: str, dry_run: bool) -> str:
    return f"would be {done}" if dry_run else done
