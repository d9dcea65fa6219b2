"""Importing LinkedIn's own export for one member: invitations logged, acceptances reconciled.

``plan_import`` (bot.domain.import_plan, where the matching rules are written down) is pure:
parsed rows in, prospect keys and instants out. ``import_plan`` here applies a plan in ONE
transaction: all or nothing, set-based (one read of the member's invites, bulk writes through
bot.db.bulk: no statement per row), and idempotent, so importing the same file again changes
nothing. ``import_upload`` is both halves after the parser.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, Integer, any_, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import metrics
from bot.db import bulk
from bot.db.engine import Database
from bot.db.models import Invite, InviteEvent, Member
from bot.domain.import_plan import (
    UNMATCHABLE,
    Connection,
    ImportPlan,
    PlannedInvite,
    plan_import,
    same_invite_window,
)
from bot.domain.invites import Priority, Status
from bot.domain.prospect import fold, search_text
from bot.importing.linkedin import RejectedRow, parse_upload
from bot.services.members import Actor

_FILE_NAMESPACE = uuid.UUID("5b0d8a4e-3c1f-4f43-9a55-1f5d3c2f6e10")


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
    change_id: str | None = None, dry_run: bool = False, max_bytes: int | None = None,
) -> ImportSummary:
    """Parse an upload and import it for the member; raises UnsupportedFile for anything else."""
    parsed = parse_upload(filename, data, max_bytes=max_bytes)
    del data  # a caller that handed the bytes over lets them go now (the command line does)
    plan = plan_import(parsed, tz=actor.tz, now=now, cooldown_days=actor.settings.resend_cooldown_days)
    del parsed  # the plan holds what is needed: a big file's rows are not kept while it is stored
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
        summary = _apply(db, actor, plan, now=now, change_id=change_id, dry_run=dry_run)
    except IntegrityError:
        summary = _apply(db, actor, plan, now=now, change_id=change_id, dry_run=dry_run)
    if not dry_run:
        metrics.import_rows(added=summary.added, already_there=summary.already_there, rejected=len(summary.rejected),
                            incoming_skipped=summary.incoming_skipped)
    return summary


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
    "team_id", "member_id", "prospect_key", "url", "name", "name_folded", "company", "search_folded", "sent_at",
    "status", "priority", "with_note", "source", "status_changed_at", "created_at",
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
        elif invite.key.startswith(UNMATCHABLE):
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
        if invite.key.startswith(UNMATCHABLE) and known.id not in accepted_ids
    )
    # In send order: three of the invites table's indexes lead with (team or member, sent_at),
    # so the insert appends to them instead of touching pages all over (a third faster on SQLite).
    new.sort(key=lambda item: item[0].sent_at)
    bind = bulk.binder(dialect, Invite.__table__, _INVITE_COLUMNS)
    rows = [
        bind((actor.team_id, actor.member_id, invite.key, invite.url, invite.name, fold(invite.name), company,
              search_text(invite.name, company, invite.key, None), invite.sent_at, status, Priority.NORMAL,
              invite.with_note, "import", changed_at, now))
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
        ids = bulk.new_ids(session, "invites", len(prepared.rows))
        # A generator: each row with its id is made as it is written, not a second copy of them all.
        bulk.bulk_insert(session, Invite.__table__, ("id", *_INVITE_COLUMNS),
                         ((new_id, *row) for new_id, row in zip(ids, prepared.rows, strict=True)))
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
    bind = bulk.binder(session.get_bind().dialect, InviteEvent.__table__, _EVENT_COLUMNS)
    tails: dict[tuple[Status | None, Status], tuple] = {}  # the rows differ only by invite and transition

    def rows() -> Iterator[tuple]:
        for invite_id, before, after in changes:
            tail = tails.get((before, after))
            if tail is None:
                tail = tails[(before, after)] = bind(
                    (None, actor.team_id, actor.member_id, change_id, before, after, now, actor.user_id, "import", False)
                )[1:]
            yield (invite_id, *tail)

    bulk.bulk_insert(session, InviteEvent.__table__, _EVENT_COLUMNS, rows())
