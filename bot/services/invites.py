"""Logging invites, recording outcomes, undo and the member's lists: one transaction per call."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.engine import Database
from bot.db.models import Invite, InviteEvent, Member
from bot.domain.commands import InviteRef, LogRequest
from bot.domain.counts import PileCounts
from bot.domain.invites import (
    PaceLevel,
    PriorInvite,
    Priority,
    Risk,
    Status,
    check_new_invite,
    check_transition,
    pace_level,
    risk_level,
)
from bot.domain.notes import NoteBudget, month_span
from bot.domain.prospect import fold, name_key, readable_key, search_text
from bot.services import counts
from bot.services.errors import AlreadyDone, Ambiguous, Candidate, NotFound, NothingToUndo
from bot.services.members import Actor

MAX_CANDIDATES = 10


@dataclass(frozen=True)
class InviteView:
    """An invite as replies show it."""

    id: int
    prospect_key: str
    url: str | None
    name: str | None
    company: str | None
    status: Status
    priority: Priority
    sent_at: datetime
    status_changed_at: datetime
    with_note: bool
    comment: str | None = None  # PRODUCT's `comment`: free text that is not a name (column `notes`)

    @classmethod
    def of(cls, invite: Any) -> InviteView:
        """Copy an Invite row (or a result row of `VIEW_COLUMNS`)."""
        return cls(
            id=invite.id,
            prospect_key=invite.prospect_key,
            url=invite.url,
            name=invite.name,
            company=invite.company,
            status=Status(invite.status),
            priority=Priority(invite.priority),
            sent_at=invite.sent_at,
            status_changed_at=invite.status_changed_at,
            with_note=invite.with_note,
            comment=invite.notes,
        )

    @property
    def label(self) -> str:
        """A short human label: the name, else the prospect key made readable (`jane-doe-4b1a2c` → "Jane Doe")."""
        return self.name or readable_key(self.prospect_key)


# The columns an InviteView is copied from: a page of rows read as these, not as ORM objects (whose
# loading, with every column of the table, took more than the query on a list's 15 rows).
VIEW_COLUMNS = (Invite.id, Invite.prospect_key, Invite.url, Invite.name, Invite.company, Invite.status,
                Invite.priority, Invite.sent_at, Invite.status_changed_at, Invite.with_note, Invite.notes)


@dataclass(frozen=True)
class Teammate:
    user_id: str
    display_name: str | None
    status: Status


@dataclass
class LogResult:
    """What `/invited` did and what it must warn about."""

    logged: list[InviteView] = field(default_factory=list)
    duplicates: list[InviteView] = field(default_factory=list)
    cooldowns: dict[str, datetime] = field(default_factory=dict)
    teammates: dict[str, list[Teammate]] = field(default_factory=dict)
    sends_last_7_days: int = 0
    safe_weekly_limit: int = 0
    pace: PaceLevel = PaceLevel.OK
    pending: int = 0
    pending_warn_at: int = 0
    pending_limit: int = 0
    risk: Risk = Risk.OK
    # With `--note`: the month's notes after this log, and how many of the logged ones count in it.
    notes: NoteBudget | None = None
    notes_logged: int = 0


def _counts(session: Session, actor: Actor, now: datetime) -> tuple[int, int]:
    """7-day sends and pending, as every surface counts them."""
    return counts.sent_7d_and_pending(session, counts.MemberScope.of_actor(actor), now=now)


# The ways of logging (Invite.source, and the via of their creation events): `/invites undo` reverts any.
LOG_SOURCES = ("command", "modal", "dm", "shortcut", "workflow")


def log_invites(db: Database, actor: Actor, request: LogRequest, *, now: datetime, source: str = "command",
                change_id: str | None = None) -> LogResult:
    """Store the invites of one `/invited` (or modal, DM, shortcut, workflow step) and gather the warnings, atomically.

    `change_id` names the change (its Undo button and `/invites undo` revert it whole); a new one by default.
    """
    change_id = change_id or str(uuid.uuid4())
    try:
        return _log_invites(db, actor, request, now=now, source=source, change_id=change_id)
    except IntegrityError:
        # A teammate's or a double-submitted request won the race on the one-pending rule;
        # run again so the invite is reported as the duplicate it now is.
        return _log_invites(db, actor, request, now=now, source=source, change_id=change_id)


def change_id_for(*parts: str) -> str:
    """A change id made from what identifies a request (a DM's channel and ts, a workflow execution id):
    the same on every redelivery, so the change can be found again and is never made twice."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "invite-hygiene:" + ":".join(parts)))


def logged_in_change(db: Database, actor: Actor, change_id: str) -> list[InviteView] | None:
    """The invites a change of the actor's logged (None when there is no such change)."""
    with db.session(write=False) as session:
        rows = session.execute(
            select(InviteEvent.from_status, Invite)
            .outerjoin(Invite, Invite.id == InviteEvent.invite_id)
            .where(InviteEvent.change_id == change_id, InviteEvent.member_id == actor.member_id)
            .order_by(InviteEvent.id)
        ).all()
        if not rows:
            return None
        return [InviteView.of(invite) for from_status, invite in rows if from_status is None and invite is not None]


def _log_invites(db: Database, actor: Actor, request: LogRequest, *, now: datetime, source: str,
                 change_id: str) -> LogResult:
    sent_at = request.sent.resolve(now=now, tz=actor.tz)
    if request.prospects:
        targets = [(p.key, p.url) for p in request.prospects]
    else:
        targets = [(name_key(request.name or ""), None)]
    keys = [key for key, _ in targets]
    result = LogResult(
        safe_weekly_limit=actor.safe_weekly_limit,
        pending_warn_at=actor.settings.pending_warn_at,
        pending_limit=actor.settings.pending_limit,
    )
    with db.session() as session:
        prior_rows = session.execute(
            select(Invite, Member.user_id, Member.display_name)
            .join(Member, Member.id == Invite.member_id)
            .where(Invite.team_id == actor.team_id, Invite.prospect_key.in_(keys))
        ).all()
        # The statuses that matter are picked here, not in SQL: a status condition lets SQLite
        # (without statistics) prefer ix_invites_team_status_changed over ix_invites_team_prospect.
        prior_rows = [r for r in prior_rows if r[0].status in (Status.PENDING, Status.ACCEPTED, Status.WITHDRAWN)]
        by_key: dict[str, list[tuple[Invite, PriorInvite]]] = {}
        names = {}
        for invite, user_id, display_name in prior_rows:
            names[user_id] = display_name
            prior = PriorInvite(
                invite_id=invite.id,
                member_id=invite.member_id,
                user_id=user_id,
                status=Status(invite.status),
                sent_at=invite.sent_at,
                status_changed_at=invite.status_changed_at,
            )
            by_key.setdefault(invite.prospect_key, []).append((invite, prior))
        for key, url in targets:
            rows = by_key.get(key, [])
            checks = check_new_invite(
                member_id=actor.member_id,
                sent_at=sent_at,
                prior=[prior for _, prior in rows],
                resend_cooldown_days=actor.settings.resend_cooldown_days,
            )
            if checks.duplicate_of is not None:
                own = next(inv for inv, p in rows if p is checks.duplicate_of)
                result.duplicates.append(InviteView.of(own))
                continue
            if checks.cooldown_until is not None:
                result.cooldowns[key] = checks.cooldown_until
            if checks.teammates:
                result.teammates[key] = [Teammate(p.user_id, names.get(p.user_id), p.status) for p in checks.teammates]
            invite = Invite(
                team_id=actor.team_id,
                member_id=actor.member_id,
                prospect_key=key,
                url=url,
                name=request.name,
                company=request.company,
                notes=request.comment,
                sent_at=sent_at,
                status=Status.PENDING,
                priority=request.priority,
                with_note=request.with_note,
                source=source,
                status_changed_at=now,
                created_at=now,
            )
            session.add(invite)
            session.flush()
            session.add(_event(actor, invite, None, Status.PENDING, now=now, via=source, change_id=change_id))
            result.logged.append(InviteView.of(invite))
        result.sends_last_7_days, result.pending = _counts(session, actor, now)
        if request.with_note and result.logged:
            result.notes = counts.note_budget(session, actor, now=now)
            start, end = month_span(now, actor.tz)
            result.notes_logged = sum(1 for i in result.logged if start <= i.sent_at < end)
    result.pace = pace_level(sends_last_7_days=result.sends_last_7_days, safe_limit=result.safe_weekly_limit)
    result.risk = risk_level(
        pending=result.pending, pending_warn_at=result.pending_warn_at, pending_limit=result.pending_limit
    )
    return result


def _event(
    actor: Actor, invite: Invite, from_status: Status | None, to_status: Status, *, now: datetime, via: str,
    change_id: str, undone: bool = False,
) -> InviteEvent:
    return InviteEvent(
        team_id=actor.team_id,
        invite_id=invite.id,
        member_id=invite.member_id,
        change_id=change_id,
        from_status=from_status,
        to_status=to_status,
        at=now,
        actor=actor.user_id,
        via=via,
        undone=undone,
    )


@dataclass(frozen=True)
class OutcomeResult:
    invite: InviteView
    previous: Status


def own_invites(actor: Actor):
    """The actor's invites. Member ids are unique across workspaces and come from the signed
    request's (team, user), so the member is the scope; leaving team_id out of this condition
    keeps SQLite (without ANALYZE statistics) on ix_invites_member_status_sent instead of
    scanning the workspace's whole ix_invites_team_sent range."""
    return _own(actor.member_id)


def _own(member_id: int | BindParameter) -> ColumnElement:
    return Invite.member_id == member_id


def resolve_ref(session: Session, actor: Actor, ref: InviteRef, outcome: Status) -> Invite:
    """Find the one invite of the actor's that a reference points at."""
    if ref.invite_id is not None:
        invite = session.scalar(select(Invite).where(own_invites(actor), Invite.id == ref.invite_id))
        if invite is None:
            raise NotFound(f"You have no invite #{ref.invite_id}.")
        return invite
    keys: list[str] = []
    if ref.prospect_key:
        keys.append(ref.prospect_key)
    elif ref.text:
        text = " ".join(ref.text.split())
        if " " not in text:
            keys.append("in:" + unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower().strip("/")))
        keys.append(name_key(text))
    found = session.scalars(
        select(Invite).where(own_invites(actor), Invite.prospect_key.in_(keys)).order_by(Invite.sent_at.desc())
    ).all()
    pending = [i for i in found if i.status == Status.PENDING]
    if pending:
        return pending[0]
    if ref.text and not found:
        # Both sides folded in Python (the column on insert): the same matches on SQLite and PostgreSQL.
        pattern = "%" + _escape_like(fold(ref.text) or "") + "%"
        matches = session.scalars(
            select(Invite)
            .where(own_invites(actor), Invite.status == Status.PENDING, Invite.name_folded.like(pattern, escape="\\"))
            .order_by(Invite.sent_at.desc())
            .limit(MAX_CANDIDATES + 1)
        ).all()
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise Ambiguous(
                query=ref.text,
                outcome=str(outcome),
                candidates=[Candidate(m.id, _candidate_label(m)) for m in matches[:MAX_CANDIDATES]],
            )
    if found:
        return found[0]
    shown = ref.text or ref.prospect_key
    raise NotFound(f"None of your invites matches `{shown}`. Try `/invites list` to see them with their #ids.")


def _candidate_label(invite: Invite) -> str:
    bits = [invite.name or invite.prospect_key, invite.company or "", f"#{invite.id}"]
    return " · ".join(b for b in bits if b)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def record_outcome(
    db: Database, actor: Actor, ref: InviteRef, outcome: Status, *, now: datetime, via: str = "command"
) -> OutcomeResult:
    """Mark one of the actor's pending invites accepted, declined or withdrawn."""
    with db.session() as session:
        invite = resolve_ref(session, actor, ref, outcome)
        return _transition(session, actor, invite, outcome, now=now, via=via)


def _transition(
    session: Session, actor: Actor, invite: Invite, target: Status, *, now: datetime, via: str
) -> OutcomeResult:
    current = Status(invite.status)
    if current is not Status.PENDING:
        since = invite.status_changed_at.astimezone(actor.tz).strftime("%b %-d")
        raise AlreadyDone(
            f"#{invite.id} ({InviteView.of(invite).label}) is already {current} (since {since}) — nothing changed."
        )
    check_transition(current, target)
    # Guard on the status we read: a concurrent click or a Slack retry finds 0 rows and stops.
    changed = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.member_id == actor.member_id, Invite.status == current)
        .values(status=target, status_changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise AlreadyDone(f"#{invite.id} was just changed elsewhere — nothing changed.")
    session.add(_event(actor, invite, current, target, now=now, via=via, change_id=str(uuid.uuid4())))
    session.refresh(invite)
    return OutcomeResult(InviteView.of(invite), current)


@dataclass(frozen=True)
class BulkResult:
    """What a "Withdrew all N" click did: withdrawn now, not pending any more, and the pile after."""

    withdrawn: list[InviteView]
    unchanged: list[InviteView]  # the actor's, but no longer pending (already withdrawn, accepted…)
    pile: PileCounts
    foreign: int = 0  # ids that are not the actor's: never touched


def withdraw_all(db: Database, actor: Actor, invite_ids: Sequence[int], *, now: datetime,
                 via: str = "button") -> BulkResult:
    """Mark the actor's pending invites among `invite_ids` withdrawn, as one change (one undo reverts it)."""
    wanted = sorted(set(invite_ids))
    change_id = str(uuid.uuid4())
    with db.session() as session:
        rows = session.scalars(select(Invite).where(own_invites(actor), Invite.id.in_(wanted))).all()
        if not rows:
            raise NotFound("None of these invites are yours — nothing changed.")
        pending = [r.id for r in rows if r.status == Status.PENDING]
        # Guarded on the status, as one click is: a concurrent click or a retry finds those rows changed.
        changed = set(session.scalars(
            update(Invite)
            .where(Invite.id.in_(pending), Invite.member_id == actor.member_id, Invite.status == Status.PENDING)
            .values(status=Status.WITHDRAWN, status_changed_at=now)
            .returning(Invite.id)
            .execution_options(synchronize_session=False)
        ).all()) if pending else set()
        withdrawn, unchanged = [], []
        for invite in rows:
            session.refresh(invite)
            if invite.id in changed:
                session.add(_event(actor, invite, Status.PENDING, Status.WITHDRAWN, now=now, via=via,
                                   change_id=change_id))
                withdrawn.append(InviteView.of(invite))
            else:
                unchanged.append(InviteView.of(invite))
        if not withdrawn:
            states = ", ".join(sorted({str(v.status) for v in unchanged}))
            raise AlreadyDone(f"All {len(unchanged)} are already {states} — nothing changed.")
        session.flush()
        scope = counts.MemberScope.of_actor(actor)
        pile = counts.pile_counts(session, [scope], now=now)[actor.member_id]
    order = {invite_id: n for n, invite_id in enumerate(invite_ids)}
    withdrawn.sort(key=lambda v: order.get(v.id, 0))
    unchanged.sort(key=lambda v: order.get(v.id, 0))
    return BulkResult(withdrawn, unchanged, pile, foreign=len(wanted) - len(rows))


@dataclass(frozen=True)
class UndoResult:
    reverted: list[tuple[InviteView, Status | None, Status]]  # invite, restored status (None: removed), undone status


def undo_last(db: Database, actor: Actor, *, now: datetime) -> UndoResult:
    """Revert the actor's most recent change (a log of several invites counts as one change)."""
    with db.session() as session:
        last = session.scalar(
            select(InviteEvent.change_id)
            .where(
                InviteEvent.team_id == actor.team_id,
                InviteEvent.member_id == actor.member_id,
                InviteEvent.actor == actor.user_id,
                InviteEvent.undone.is_(False),
                InviteEvent.via.in_([*LOG_SOURCES, "button", "import"]),
            )
            .order_by(InviteEvent.at.desc(), InviteEvent.id.desc())
            .limit(1)
        )
        if last is None:
            raise NothingToUndo("There is nothing of yours to undo.")
        return _revert(session, actor, last, now=now)


def undo_change(db: Database, actor: Actor, change_id: str, *, now: datetime) -> UndoResult:
    """Revert one change of the actor's by its id (the Undo button of a DM-logged message), whole."""
    with db.session() as session:
        # An undone log has no events left (its invites were deleted, and their events with them).
        left = session.scalar(
            select(func.count()).select_from(InviteEvent)
            .where(InviteEvent.change_id == change_id, InviteEvent.member_id == actor.member_id,
                   InviteEvent.team_id == actor.team_id, InviteEvent.undone.is_(False))
        )
        if not left:
            raise NothingToUndo("Nothing to undo there: it was already undone.")
        return _revert(session, actor, change_id, now=now)


def _revert(session: Session, actor: Actor, change_id: str, *, now: datetime) -> UndoResult:
    """Revert every event of one change of the actor's; AlreadyDone when an invite has moved on since."""
    events = session.execute(
        select(InviteEvent, Invite)
        .join(Invite, Invite.id == InviteEvent.invite_id)
        .where(InviteEvent.change_id == change_id, InviteEvent.member_id == actor.member_id,
               InviteEvent.undone.is_(False))
    ).all()
    reverted: list[tuple[InviteView, Status | None, Status]] = []
    undo_id = str(uuid.uuid4())
    for event, invite in events:
        view = InviteView.of(invite)
        if invite.status != event.to_status:
            raise AlreadyDone(
                f"#{invite.id} ({view.label}) has changed since (now {invite.status}); nothing was undone."
            )
        event.undone = True
        if event.from_status is None:
            session.execute(delete(Invite).where(Invite.id == invite.id))
            reverted.append((view, None, Status(event.to_status)))
            continue
        invite.status = event.from_status
        invite.status_changed_at = now
        session.add(
            _event(actor, invite, Status(event.to_status), Status(event.from_status), now=now, via="undo",
                   change_id=undo_id, undone=True)
        )
        reverted.append((view, Status(event.from_status), Status(event.to_status)))
    try:
        session.flush()
    except IntegrityError:
        raise AlreadyDone("You have logged that prospect again since, so the old invite can't be reopened.") from None
    return UndoResult(reverted)


PAGE_SIZE = 15


@dataclass(frozen=True)
class InvitePage:
    status: str
    page: int
    pages: int
    total: int
    invites: list[InviteView]
    snoozed: int = 0  # of the total, snoozed (a `stale` list says "7 stale (1 snoozed)")
    query: str | None = None  # a `find` result: the text looked for


def list_invites(db: Database, actor: Actor, *, status: str, page: int, now: datetime) -> InvitePage:
    """A page of the actor's invites, newest first, filtered by status (or `stale`/`all`), counted as everywhere."""
    thresholds = counts.MemberScope.of_actor(actor).thresholds
    params = {"member": actor.member_id, "expire_cut": thresholds.expire_cut(now)}
    stale_list = status == "stale"
    if status in _LISTS:
        count, rows_of = _LISTS[status]
    elif status in ("stale", "expired"):  # conditions with the member's several cuts, built for this call
        conditions = [own_invites(actor), (counts.stale_condition if stale_list else counts.expired_condition)(
            thresholds, now=now)]
        # Only a stale list says how many are snoozed: counting them reads each row, not just the index.
        snoozed_column = [func.count().filter(counts.snoozed_condition(now=now))] if stale_list else []
        count, rows_of = _list_statements(conditions, count_columns=[func.count(), *snoozed_column])
    else:
        raise ValueError(f"not a list filter: {status!r}")
    with db.session(write=False) as session:
        found = session.execute(count, params).one()
        total, snoozed = int(found[0] or 0), int(found[1] or 0) if stale_list else 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = session.execute(rows_of, {**params, "offset": (page - 1) * PAGE_SIZE}).all()
        return InvitePage(status, page, pages, total, [InviteView.of(r) for r in rows], snoozed)


def _list_statements(conditions: list[ColumnElement], *, count_columns: list | None = None) -> tuple[Select, Select]:
    """A list's count and its page (rows of VIEW_COLUMNS, newest first; `offset` a parameter)."""
    count = select(*(count_columns or [func.count()])).select_from(Invite).where(*conditions)
    rows = (select(*VIEW_COLUMNS).where(*conditions).order_by(Invite.sent_at.desc(), Invite.id.desc())
            .offset(bindparam("offset")).limit(PAGE_SIZE))
    return count, rows


# The lists whose conditions take parameters only (the member, the expiry cut), built once: building the
# two statements on every call was a large share of a `list` command in the profiles (bench/NOTES.md).
# Stale and expired lists are built per call.
_LISTS: dict[str, tuple[Select, Select]] = {
    "pending": _list_statements([_own(bindparam("member")), counts.pending_after(bindparam("expire_cut"))]),
    "all": _list_statements([_own(bindparam("member"))]),
    **{s.value: _list_statements([_own(bindparam("member")), Invite.status == s.value])
       for s in (Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN)},
}


def find_invites(db: Database, actor: Actor, *, text: str, page: int, now: datetime) -> InvitePage:
    """A page of the actor's invites whose name, company, slug or comment contains `text`, newest first.

    Matched on folded text (bot.domain.prospect.search_text, stored as `search_folded`): SQLite's
    lower() folds ASCII only, so the database compares the stored fold with the folded text, which
    gives the same answer on both; only the member's own rows are read, only the matching returned.
    A row without its search text (written before migration 0021, or by an older version during a
    rolling upgrade) is matched here and its text stored, once.
    """
    needle = fold(text) or ""
    with db.session(write=False) as session:
        rows = session.execute(
            select(Invite.id, Invite.search_folded, Invite.name, Invite.company, Invite.prospect_key, Invite.notes)
            .where(own_invites(actor),
                   or_(Invite.search_folded.contains(needle, autoescape=True), Invite.search_folded.is_(None)))
            .order_by(Invite.sent_at.desc(), Invite.id.desc())
        ).all()
    missing = {r.id: search_text(r.name, r.company, r.prospect_key, r.notes) for r in rows if r.search_folded is None}
    if missing:
        _store_search_text(db, actor, missing)
    matched = [r.id for r in rows if r.search_folded is not None or needle in missing[r.id]]
    pages = max(1, -(-len(matched) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = matched[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    with db.session(write=False) as session:
        by_id = {i.id: i for i in session.execute(select(*VIEW_COLUMNS).where(own_invites(actor), Invite.id.in_(shown)))}
        return InvitePage("all", page, pages, len(matched), [InviteView.of(by_id[i]) for i in shown if i in by_id],
                          query=text)


def _store_search_text(db: Database, actor: Actor, texts: dict[int, str]) -> None:
    """Fill in the search text of the actor's rows that had none (only where it is still missing)."""
    with db.session() as session:
        session.execute(
            update(Invite.__table__)
            .where(Invite.__table__.c.id == bindparam("b_id"), Invite.__table__.c.member_id == actor.member_id,
                   Invite.__table__.c.search_folded.is_(None))
            .values(search_folded=bindparam("b_text")),
            [{"b_id": invite_id, "b_text": value} for invite_id, value in texts.items()],
        )


SNOOZE_DAYS = 7


def snooze_invite(db: Database, actor: Actor, invite_id: int, *, now: datetime, days: int = SNOOZE_DAYS) -> InviteView:
    """Keep one pending invite out of the stale list for a while (the digest's Snooze button)."""
    until = now + timedelta(days=days)
    with db.session() as session:
        invite = session.scalar(select(Invite).where(own_invites(actor), Invite.id == invite_id))
        if invite is None:
            raise NotFound(f"You have no invite #{invite_id}.")
        view = InviteView.of(invite)
        if invite.status != Status.PENDING:
            raise AlreadyDone(f"#{invite_id} ({view.label}) is already {invite.status} — nothing changed.")
        if invite.snoozed_until is not None and invite.snoozed_until > now:
            day = invite.snoozed_until.astimezone(actor.tz).strftime("%b %-d")
            raise AlreadyDone(f"#{invite_id} ({view.label}) is already snoozed until {day}.")
        invite.snoozed_until = until
        return view

