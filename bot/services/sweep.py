"""The nudge sweep: gather facts set-based, plan, expire, and deliver through the ledger once."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, insert, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from bot.db.engine import Database
from bot.db.models import Delivery, Invite, InviteEvent, Member, Workspace
from bot.domain.away import parse_holidays
from bot.domain.counts import Thresholds
from bot.domain.drift import Drift
from bot.domain.invites import Priority, Risk, Status
from bot.domain.nudges import (
    FIRST_DIGEST_LOOKBACK,
    DigestOutcome,
    Kind,
    MemberFacts,
    MemberPlan,
    MemberState,
    Message,
    Rules,
    plan_member,
    wants_digest,
)
from bot.services import counts, cycle_claims, ledger, team_digest
from bot.services.cycle_claims import Shard
from bot.services.ledger import Sender

log = logging.getLogger("bot.sweep")

def rules_of(ws: Workspace) -> Rules:
    """The planner's rules: the workspace columns of the same names (the holidays read into dates)."""
    values = {name: getattr(ws, name) for name in (f.name for f in dataclass_fields(Rules))}
    return Rules(**values | {"holidays": parse_holidays(ws.holidays)})


def _by_setting(workspaces: Iterable[Workspace], attribute: str) -> dict[int, list[str]]:
    """Group team ids by one setting, so each distinct value is one condition in one query."""
    groups: dict[int, list[str]] = defaultdict(list)
    for ws in workspaces:
        groups[getattr(ws, attribute)].append(ws.team_id)
    return groups


def gather(session: Session, *, now: datetime, team_id: str | None = None,
           shard: Shard | None = None) -> list[tuple[MemberState, MemberFacts]]:
    """Everything the planner needs for every active member (of one shard), in a fixed number of queries."""
    shard = shard or Shard(0, 1)
    ws_query = select(Workspace).where(Workspace.uninstalled_at.is_(None))
    if team_id:
        ws_query = ws_query.where(Workspace.team_id == team_id)
    workspaces = {ws.team_id: ws for ws in session.scalars(ws_query)}
    if not workspaces:
        return []
    teams = list(workspaces)
    rules = {t: rules_of(ws) for t, ws in workspaces.items()}
    members = session.scalars(
        select(Member).where(Member.team_id.in_(teams), Member.deactivated.is_(False), shard.holds(Member.id))
        .order_by(Member.id)
    ).all()
    if not members:
        return []
    facts: dict[int, MemberFacts] = {m.id: MemberFacts() for m in members}
    in_teams = Invite.team_id.in_(teams)
    states = {m.id: member_state(m, rules[m.team_id], workspaces[m.team_id]) for m in members}
    thresholds = {t: Thresholds(ws.withdraw_after_days, ws.expire_after_days) for t, ws in workspaces.items()}

    # 1. Every member's counts (pending, stale, 7-day sends, today's withdrawals), as every surface has them.
    scopes = [counts.MemberScope.of(member_id=m.id, team_id=m.team_id, tz=states[m.id].zone,
                                    settings=workspaces[m.team_id]) for m in members]
    for member_id, pile in counts.pile_counts(session, scopes, now=now).items():
        facts[member_id].counts = pile

    # 4. Invites the sweep expired recently (the digest lists those since the last digest).
    lookback = now - FIRST_DIGEST_LOOKBACK - timedelta(days=1)
    for member_id, key, at in session.execute(
        select(InviteEvent.member_id, Invite.prospect_key, InviteEvent.at)
        .join(Invite, Invite.id == InviteEvent.invite_id)
        .where(InviteEvent.team_id.in_(teams), InviteEvent.via == "sweep",
               InviteEvent.to_status == Status.EXPIRED, InviteEvent.at > lookback, shard.holds(InviteEvent.member_id))
    ):
        if member_id in facts:
            facts[member_id].expired_recently.append((key, at))

    # 5. Withdrawn high-priority prospects whose cooldown ends around now, not re-invited since.
    newer = aliased(Invite)
    cooldowns = _by_setting(workspaces.values(), "resend_cooldown_days")
    window = or_(*(and_(Invite.team_id.in_(t), Invite.status_changed_at > lookback - timedelta(days=d),
                        Invite.status_changed_at <= now - timedelta(days=d)) for d, t in cooldowns.items()))
    for member_id, key, at in session.execute(
        select(Invite.member_id, Invite.prospect_key, Invite.status_changed_at).where(
            in_teams, Invite.status == Status.WITHDRAWN, Invite.priority == Priority.HIGH, window,
            shard.holds(Invite.member_id),
            ~exists().where(newer.member_id == Invite.member_id, newer.prospect_key == Invite.prospect_key,
                            newer.sent_at > Invite.sent_at),
        )
    ):
        if member_id in facts:
            facts[member_id].reinvite_candidates.append((key, at))

    # 6. The ledger: what is final for recent local dates, and each member's last digest.
    by_user = {(m.team_id, m.user_id): m.id for m in members}
    recent = (now - timedelta(days=2)).date()
    # A shard reads the ledger rows of its own members only (user ids are unique within a workspace).
    of_shard = true() if shard.of == 1 else Delivery.recipient.in_(sorted({m.user_id for m in members}))
    for row in session.execute(
        select(Delivery.team_id, Delivery.recipient, Delivery.kind, Delivery.local_date, Delivery.state,
               Delivery.claimed_at, Delivery.attempts, Delivery.error)
        .where(Delivery.team_id.in_(teams), Delivery.local_date >= recent, of_shard)
    ):
        member_id = by_user.get((row.team_id, row.recipient))
        if member_id is not None and ledger.is_final(row.state, row.claimed_at, row.attempts, row.error, now):
            facts[member_id].done.add((row.kind, row.local_date))
    for team, recipient, last in session.execute(
        select(Delivery.team_id, Delivery.recipient, func.max(Delivery.sent_at))
        .where(Delivery.team_id.in_(teams), Delivery.kind == Kind.DAILY_DIGEST, Delivery.state == "sent", of_shard)
        .group_by(Delivery.team_id, Delivery.recipient)
    ):
        member_id = by_user.get((team, recipient))
        if member_id is not None:
            facts[member_id].last_digest_at = last

    # 7. Pending invites to expire (everyone), and stale ones for the members whose digest is due.
    due = [member_id for member_id, state in states.items() if wants_digest(state, facts[member_id].done, now)]
    pending_columns = (Invite.member_id, Invite.id, Invite.prospect_key, Invite.priority, Invite.sent_at,
                       Invite.snoozed_until, Invite.name, Invite.url, Invite.notes)
    # Two queries, so each uses its index; the two sets are apart (past expiry is not stale).
    for condition, into in ((and_(in_teams, counts.past_expiry_condition(thresholds, now=now),
                                  shard.holds(Invite.member_id)), "expiring"),
                            (and_(Invite.member_id.in_(due), counts.stale_condition(thresholds, now=now)), "stale")):
        for row in session.execute(select(*pending_columns).where(condition).order_by(*counts.batch_order())):
            if row.member_id in facts:
                getattr(facts[row.member_id], into).append(counts.pending_invite(row))

    return [(states[m.id], facts[m.id]) for m in members]


def member_state(member: Member, rules: Rules, ws: Workspace) -> MemberState:
    """What the planner knows of a member (the sweep and the alerts a command raises)."""
    return MemberState(
        member_id=member.id,
        team_id=member.team_id,
        user_id=member.user_id,
        tz_name=member.tz,
        safe_weekly_limit=ws.safe_weekly_limit(member.account_tier),
        nudges_enabled=member.nudges_enabled,
        snoozed_until=member.snoozed_until,
        alerted_level=Risk(member.alerted_level),
        pace_alerted=member.pace_alerted,
        rules=rules,
        away_until=member.away_until,
        away_since=member.away_since,
        drift=Drift.of(member.linkedin_pending, member.linkedin_logged, member.linkedin_reported_at),
        drift_reminded_at=member.drift_reminded_at,
    )


def plan(db: Database, *, now: datetime, team_id: str | None = None, shard: Shard | None = None) -> list[MemberPlan]:
    """Plan a cycle (or one shard of it) without changing anything."""
    with db.session(write=False) as session:
        gathered = gather(session, now=now, team_id=team_id, shard=shard)
    return [plan_member(state, facts, now) for state, facts in gathered]


def apply_expiries(db: Database, plans: list[MemberPlan], *, now: datetime) -> int:
    """Expire every invite past `expire_after_days`, with an audit row each (via sweep)."""
    rows = [(p.member, invite) for p in plans for invite in p.expire]
    if not rows:
        return 0
    change_id = str(uuid.uuid4())
    with db.session() as session:
        expired_ids = []
        for start in range(0, len(rows), 500):
            chunk = [invite.invite_id for _, invite in rows[start : start + 500]]
            result = session.execute(
                update(Invite).where(Invite.id.in_(chunk), Invite.status == Status.PENDING)
                .values(status=Status.EXPIRED, status_changed_at=now)
                .returning(Invite.id, Invite.team_id, Invite.member_id)
            ).all()
            expired_ids.extend(result)
        if expired_ids:
            session.execute(insert(InviteEvent), [
                {"team_id": team, "invite_id": invite_id, "member_id": member_id, "change_id": change_id,
                 "from_status": Status.PENDING, "to_status": Status.EXPIRED, "at": now, "actor": "sweep",
                 "via": "sweep", "undone": False}
                for invite_id, team, member_id in expired_ids
            ])
    return len(expired_ids)


def apply_state(db: Database, plans: list[MemberPlan], *, sent: set[tuple[int, Kind]],
                now: datetime | None = None) -> None:
    """Write back alert levels: re-arms always; a raised level only once its alert went out."""
    with db.session() as session:
        for p in plans:
            if p.state is None:
                continue
            level, pace = p.state.alerted_level, p.state.pace_alerted
            raised = {m.kind for m in p.messages if m.kind in (Kind.PENDING_WARN, Kind.PENDING_LIMIT)}
            if raised and not any((p.member.member_id, k) in sent for k in raised):
                level = p.member.alerted_level
            if pace and not p.member.pace_alerted and (p.member.member_id, Kind.WEEKLY_PACE) not in sent:
                pace = p.member.pace_alerted
            # Only over the state this cycle read: a command that alerted meanwhile keeps its move.
            session.execute(update(Member).where(Member.id == p.member.member_id,
                                                 Member.alerted_level == p.member.alerted_level,
                                                 Member.pace_alerted == p.member.pace_alerted)
                            .values(alerted_level=level, pace_alerted=pace))
        _digest_told(session, plans, sent=sent, now=now)


def _digest_told(session: Session, plans: list[MemberPlan], *, sent: set[tuple[int, Kind]], now: datetime) -> None:
    """After a daily digest went out: its welcome back ends the absence, its drift reminder is dated."""
    for p in plans:
        digest = next((m for m in p.messages if m.kind is Kind.DAILY_DIGEST), None)
        if digest is None or (p.member.member_id, Kind.DAILY_DIGEST) not in sent:
            continue
        if digest.away_days is not None:  # only the absence this cycle read (a new `away` keeps its own)
            session.execute(update(Member).where(Member.id == p.member.member_id,
                                                 Member.away_since == p.member.away_since)
                            .values(away_since=None, away_until=None))
        if digest.drift is not None and now is not None:
            session.execute(update(Member).where(Member.id == p.member.member_id).values(drift_reminded_at=now))


# ---- one live digest: the previous one becomes a summary ------------------------------------

# Updates a sent digest (team id, where it is) to the one-line summary of its invites; raises nothing
# the cycle must handle (bot.slack.outbound logs what Slack refused).
# (None: a digest sent before the ledger kept its invites, so only "replaced" can be said of it.)
DigestUpdater = Callable[[str, ledger.SentMessage, DigestOutcome | None], None]


def digest_outcome(db: Database, *, team_id: str, member_id: int, invite_ids: Iterable[int],
                   now: datetime) -> DigestOutcome:
    """What became of a digest's invites by `now` (an invite past expiry counts as expired, as everywhere)."""
    ids = list(invite_ids)
    if not ids:
        return DigestOutcome()
    with db.session(write=False) as session:
        ws = session.get(Workspace, team_id)
        thresholds = Thresholds(ws.withdraw_after_days, ws.expire_after_days)
        rows = session.execute(
            select(Invite.status, counts.past_expiry_condition(thresholds, now=now),
                   counts.snoozed_condition(now=now))
            .where(Invite.member_id == member_id, Invite.id.in_(ids))
        ).all()
    tally = dict.fromkeys(("withdrawn", "accepted", "declined", "expired", "snoozed", "left"), 0)
    for status, past_expiry, snoozed in rows:
        if status == Status.PENDING:
            key = "expired" if past_expiry else "snoozed" if snoozed else "left"
        else:
            key = str(status)
        tally[key] += 1
    return DigestOutcome(**tally)


def replace_previous_digest(db: Database, message: Message, *, now: datetime, update_digest: DigestUpdater) -> bool:
    """After a member's digest went out: their previous one, summarised (so no stale button stays live)."""
    previous = ledger.previous_sent(db, team_id=message.team_id, recipient=message.user_id,
                                    kind=Kind.DAILY_DIGEST, before=message.local_date)
    if previous is None:
        return False
    outcome = None if previous.invite_ids is None else digest_outcome(
        db, team_id=message.team_id, member_id=message.member_id, invite_ids=previous.invite_ids, now=now)
    update_digest(message.team_id, previous, outcome)
    return True


# ---- a whole cycle ---------------------------------------------------------------------------


@dataclass
class CycleReport:
    planned: list[Message] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)
    skipped: list[Message] = field(default_factory=list)
    expired: int = 0
    team_digests: team_digest.TeamDigestReport | None = None
    # The shards of a shared cycle this process did (bot.services.cycle_claims); empty for a whole cycle.
    shards: list[int] = field(default_factory=list)

    def add(self, other: CycleReport) -> None:
        """Fold a shard's report into the cycle's."""
        self.planned += other.planned
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.expired += other.expired
        self.team_digests = other.team_digests or self.team_digests


def run_cycle(
    db: Database, *, now: datetime, send: Sender | None, team_id: str | None = None, dry_run: bool = False,
    mark_undeliverable: Callable[[Message, str], None] | None = None,
    send_to_channel: team_digest.ChannelSender | None = None,
    update_digest: DigestUpdater | None = None,
    shard: Shard | None = None,
    still_held: Callable[[], bool] | None = None,
) -> CycleReport:
    """One nudge cycle as of `now` (or one shard of it): plan, expire, deliver each due message once.

    `still_held` is asked before each delivery of a shared cycle: False (the shard's lease was lost
    to another scheduler) stops delivering; the ledger keeps what was sent.
    """
    plans = plan(db, now=now, team_id=team_id, shard=shard)
    report = CycleReport(planned=[m for p in plans for m in p.messages])
    if dry_run:
        return report
    report.expired = apply_expiries(db, plans, now=now)
    delivered: set[tuple[int, Kind]] = set()
    for message in report.planned:
        assert send is not None, "a cycle that is not a dry run needs a sender"
        if still_held is not None and not still_held():
            log.warning("cycle: shard %s taken over by another scheduler; stopping its deliveries", shard)
            break
        outcome = ledger.deliver(
            db, team_id=message.team_id, recipient=message.user_id, kind=message.kind, local_date=message.local_date,
            now=now, post=lambda held, message=message: send(message, held), what="via=sweep",
            invite_ids=message.shown_ids if message.kind is Kind.DAILY_DIGEST else None,
        )
        if outcome.state == "skipped":
            report.skipped.append(message)
        elif outcome.state == "failed":
            report.failed.append((message, outcome.code or ""))
            if outcome.code in ledger.PERMANENT_ERRORS and mark_undeliverable:
                mark_undeliverable(message, outcome.code)
        else:
            delivered.add((message.member_id, message.kind))
            report.sent.append(message)
            if message.kind is Kind.DAILY_DIGEST and update_digest is not None:
                replace_previous_digest(db, message, now=now, update_digest=update_digest)
    apply_state(db, plans, sent=delivered, now=now)
    if send_to_channel is not None:
        report.team_digests = team_digest.run_team_digests(db, now=now, send_to_channel=send_to_channel,
                                                           team_id=team_id)
    return report


def run_shared_cycle(
    db: Database, *, now: datetime, interval: timedelta, holder: str, per_shard: int, send: Sender,
    wall: Callable[[], datetime],
    mark_undeliverable: Callable[[Message, str], None] | None = None,
    send_to_channel: team_digest.ChannelSender | None = None,
    update_digest: DigestUpdater | None = None,
    chores: Callable[[], None] | None = None,
) -> CycleReport:
    """This process's share of the cycle of `now`'s slot: claim a free shard, run it under a lease, repeat.

    Every scheduler process calls this each interval; between them each shard runs once (a shard
    whose holder died is free again once its lease, half an interval, has run out). `wall` is the
    time leases are read against. The holder of shard 0 also does the cycle's once-only work: the
    `chores` (before its shard) and the weekly team digests (after it).
    """
    slot = cycle_claims.slot_of(now, interval)
    lease = cycle_claims.lease_for(interval)
    cycle_claims.open_slot(db, slot=slot, per_shard=per_shard)
    report = CycleReport()
    while (shard := cycle_claims.claim(db, slot=slot, holder=holder, now=wall(), lease=lease)) is not None:
        renewed = [wall()]

        def still_held(shard: Shard = shard, renewed: list[datetime] = renewed) -> bool:
            # Renewed a few times a lease, not before every delivery.
            at = wall()
            if at - renewed[0] < lease / 4:
                return True
            renewed[0] = at
            return cycle_claims.renew(db, slot=slot, shard=shard, holder=holder, now=at, lease=lease)

        first = shard.part == 0
        if first and chores is not None:
            chores()
        part = run_cycle(db, now=now, send=send, mark_undeliverable=mark_undeliverable,
                         send_to_channel=send_to_channel if first else None, update_digest=update_digest,
                         shard=shard, still_held=still_held)
        report.add(part)
        if cycle_claims.finish(db, slot=slot, shard=shard, holder=holder, now=wall()):
            report.shards.append(shard.part)
    return report
