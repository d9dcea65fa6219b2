"""The nudge sweep: gather facts set-based, plan, expire, and deliver through the ledger once."""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.db.engine import Database, dialect_insert
from bot.db.models import Delivery, Invite, InviteEvent, Member, Workspace
from bot.domain.invites import Priority, Risk, Status
from bot.domain.nudges import (
    FIRST_DIGEST_LOOKBACK,
    Kind,
    MemberFacts,
    MemberPlan,
    MemberState,
    Message,
    PendingInvite,
    Rules,
    plan_member,
    wants_digest,
)
from bot.services import team_digest

log = logging.getLogger("bot.sweep")

# A claim older than this was left by a process that died between claim and send: retry it.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5
# Slack errors that will not go away by retrying today: skip the member, mark the ledger.
PERMANENT_ERRORS = frozenset({
    "user_not_found", "account_inactive", "cannot_dm_bot", "user_disabled", "channel_not_found",
    "is_archived", "not_in_channel", "invalid_auth", "not_authed", "token_revoked",
    "missing_scope", "user_is_bot", "restricted_action", "team_access_not_granted",
})


def _rules(ws: Workspace) -> Rules:
    """The planner's rules: the workspace columns of the same names."""
    return Rules(**{name: getattr(ws, name) for name in (f.name for f in dataclass_fields(Rules))})


def _by_setting(workspaces: Iterable[Workspace], attribute: str) -> dict[int, list[str]]:
    """Group team ids by one setting, so each distinct value is one condition in one query."""
    groups: dict[int, list[str]] = defaultdict(list)
    for ws in workspaces:
        groups[getattr(ws, attribute)].append(ws.team_id)
    return groups


def _teams_with_cut(groups: dict[int, list[str]], column, now: datetime, factor: int = 1):
    """OR over setting groups: team in group AND column <= now - value days (x factor)."""
    return or_(*(and_(Invite.team_id.in_(teams), column <= now - timedelta(days=days * factor))
                 for days, teams in groups.items()))


def gather(session: Session, *, now: datetime, team_id: str | None = None) -> list[tuple[MemberState, MemberFacts]]:
    """Everything the planner needs for every active member, in a fixed number of queries."""
    ws_query = select(Workspace).where(Workspace.uninstalled_at.is_(None))
    if team_id:
        ws_query = ws_query.where(Workspace.team_id == team_id)
    workspaces = {ws.team_id: ws for ws in session.scalars(ws_query)}
    if not workspaces:
        return []
    teams = list(workspaces)
    rules = {t: _rules(ws) for t, ws in workspaces.items()}
    members = session.scalars(
        select(Member).where(Member.team_id.in_(teams), Member.deactivated.is_(False)).order_by(Member.id)
    ).all()
    facts: dict[int, MemberFacts] = {m.id: MemberFacts() for m in members}
    in_teams = Invite.team_id.in_(teams)
    week_ago = now - timedelta(days=7)

    # 1. Pending count per member, and 7-day sends per member (each an index-only scan).
    for member_id, pending in session.execute(
        select(Invite.member_id, func.count()).where(in_teams, Invite.status == Status.PENDING)
        .group_by(Invite.member_id)
    ):
        if member_id in facts:
            facts[member_id].pending_count = pending
    for member_id, sends in session.execute(
        select(Invite.member_id, func.count()).where(in_teams, Invite.sent_at > week_ago).group_by(Invite.member_id)
    ):
        if member_id in facts:
            facts[member_id].sends_last_7_days = sends

    # 3. Withdrawals in the last two days (for today's remaining budget in any zone).
    for member_id, at in session.execute(
        select(InviteEvent.member_id, InviteEvent.at).where(
            InviteEvent.team_id.in_(teams), InviteEvent.to_status == Status.WITHDRAWN,
            InviteEvent.undone.is_(False), InviteEvent.at > now - timedelta(days=2),
        )
    ):
        if member_id in facts:
            facts[member_id].withdrawals.append(at)

    # 4. Invites the sweep expired recently (the digest lists those since the last digest).
    lookback = now - FIRST_DIGEST_LOOKBACK - timedelta(days=1)
    for member_id, key, at in session.execute(
        select(InviteEvent.member_id, Invite.prospect_key, InviteEvent.at)
        .join(Invite, Invite.id == InviteEvent.invite_id)
        .where(InviteEvent.team_id.in_(teams), InviteEvent.via == "sweep",
               InviteEvent.to_status == Status.EXPIRED, InviteEvent.at > lookback)
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
            ~exists().where(newer.member_id == Invite.member_id, newer.prospect_key == Invite.prospect_key,
                            newer.sent_at > Invite.sent_at),
        )
    ):
        if member_id in facts:
            facts[member_id].reinvite_candidates.append((key, at))

    # 6. The ledger: what is final for recent local dates, and each member's last digest.
    by_user = {(m.team_id, m.user_id): m.id for m in members}
    recent = (now - timedelta(days=2)).date()
    for row in session.execute(
        select(Delivery.team_id, Delivery.recipient, Delivery.kind, Delivery.local_date, Delivery.state,
               Delivery.claimed_at, Delivery.attempts, Delivery.error)
        .where(Delivery.team_id.in_(teams), Delivery.local_date >= recent)
    ):
        member_id = by_user.get((row.team_id, row.recipient))
        if member_id is not None and _is_final(row.state, row.claimed_at, row.attempts, row.error, now):
            facts[member_id].done.add((row.kind, row.local_date))
    for team, recipient, last in session.execute(
        select(Delivery.team_id, Delivery.recipient, func.max(Delivery.sent_at))
        .where(Delivery.team_id.in_(teams), Delivery.kind == Kind.DAILY_DIGEST, Delivery.state == "sent")
        .group_by(Delivery.team_id, Delivery.recipient)
    ):
        member_id = by_user.get((team, recipient))
        if member_id is not None:
            facts[member_id].last_digest_at = last

    # 7. Pending invites to expire (everyone), and stale ones for the members whose digest is due.
    states = {m.id: _state(m, rules[m.team_id], workspaces[m.team_id]) for m in members}
    due = [member_id for member_id, state in states.items() if wants_digest(state, facts[member_id].done, now)]
    pending_columns = (Invite.member_id, Invite.id, Invite.prospect_key, Invite.priority, Invite.sent_at,
                       Invite.snoozed_until, Invite.name, Invite.url, Invite.notes)
    expire_cut = _teams_with_cut(_by_setting(workspaces.values(), "expire_after_days"), Invite.sent_at, now)
    stale_cut = _teams_with_cut(_by_setting(workspaces.values(), "withdraw_after_days"), Invite.sent_at, now)
    # Two queries rather than one OR, so each uses its index; stale rows that also expire come twice.
    seen: set[int] = set()
    for condition in (and_(in_teams, expire_cut), and_(Invite.member_id.in_(due), stale_cut)):
        for row in session.execute(select(*pending_columns).where(Invite.status == Status.PENDING, condition)):
            if row.member_id in facts and row.id not in seen:
                seen.add(row.id)
                facts[row.member_id].pending.append(
                    PendingInvite(row.id, row.prospect_key, Priority(row.priority), row.sent_at, row.snoozed_until,
                                  row.name, row.url, comment=row.notes)
                )

    return [(states[m.id], facts[m.id]) for m in members]


def _state(member: Member, rules: Rules, ws: Workspace) -> MemberState:
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
    )


def _is_final(state: str, claimed_at: datetime, attempts: int, error: str | None, now: datetime) -> bool:
    if state == "sent":
        return True
    if state == "claimed":
        return now - claimed_at < STALE_CLAIM
    return error in PERMANENT_ERRORS or attempts >= MAX_ATTEMPTS


def plan(db: Database, *, now: datetime, team_id: str | None = None) -> list[MemberPlan]:
    """Plan a cycle without changing anything."""
    with db.session(write=False) as session:
        gathered = gather(session, now=now, team_id=team_id)
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


def apply_state(db: Database, plans: list[MemberPlan], *, sent: set[tuple[int, Kind]]) -> None:
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


# ---- the ledger ------------------------------------------------------------------------------


# A post whose answer never came (a timeout, a dropped connection after the request went out):
# Slack may have posted it. The ledger records the error as `unconfirmed:<why>` with the channel,
# and the next attempt looks for the message (tagged with the delivery id) before posting again.
UNCONFIRMED = "unconfirmed:"


class Claim(NamedTuple):
    """A held delivery: its ledger row and the token that proves this process holds it.

    `check_first` says an earlier attempt may have posted the message after all (its answer was
    lost, or its process died between claim and settle): the sender looks for the message tagged
    with this delivery id (in `channel`, when known) before posting it again.
    """

    id: int
    token: str
    check_first: bool = False
    channel: str | None = None


def claim(db: Database, *, team_id: str, recipient: str, kind: str, local_date: date, now: datetime) -> Claim | None:
    """Claim a delivery; None when it is sent, final, or another process holds a live claim."""
    token = str(uuid.uuid4())
    with db.session() as session:
        existing = session.scalar(
            select(Delivery).where(Delivery.team_id == team_id, Delivery.recipient == recipient,
                                   Delivery.kind == kind, Delivery.local_date == local_date)
        )
        if existing is None:
            inserted = session.scalar(
                dialect_insert(session)(Delivery).values(
                    team_id=team_id, recipient=recipient, kind=kind, local_date=local_date, state="claimed",
                    claim_token=token, claimed_at=now, attempts=1,
                ).on_conflict_do_nothing(index_elements=["team_id", "recipient", "kind", "local_date"])
                .returning(Delivery.id)
            )
            return Claim(inserted, token) if inserted is not None else None
        if _is_final(existing.state, existing.claimed_at, existing.attempts, existing.error, now):
            return None
        # Retry a failed or abandoned claim; the state guard makes the takeover atomic.
        taken = session.execute(
            update(Delivery).where(Delivery.id == existing.id, Delivery.claim_token == existing.claim_token)
            .values(state="claimed", claim_token=token, claimed_at=now, attempts=Delivery.attempts + 1)
        ).rowcount
        maybe_posted = existing.state == "claimed" or (existing.error or "").startswith(UNCONFIRMED)
        return Claim(existing.id, token, maybe_posted, existing.channel) if taken == 1 else None


def settle(db: Database, held: Claim, *, sent_at: datetime | None, channel: str | None = None,
           ts: str | None = None, error: str | None = None) -> None:
    """Mark a claimed delivery sent (with where it went) or failed (with why, and where it was going)."""
    values: dict = {"state": "sent", "sent_at": sent_at, "channel": channel, "ts": ts, "error": None}
    if error is not None:
        values = {"state": "failed", "error": error[:200], "channel": channel}
    with db.session() as session:
        # By primary key (the ledger only grows); the token guards against a takeover since.
        session.execute(update(Delivery).where(Delivery.id == held.id, Delivery.claim_token == held.token)
                        .values(**values))


# ---- a whole cycle ---------------------------------------------------------------------------


# Posts the message tagged with the claim's delivery id (or finds it, when `check_first`);
# returns (channel, ts); raises DeliveryError.
Sender = Callable[[Message, Claim], tuple[str, str]]


class DeliveryError(Exception):
    """A message could not be delivered; `code` is Slack's error string (`unconfirmed:…`: it may have been)."""

    def __init__(self, code: str, *, channel: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.channel = channel


@dataclass
class CycleReport:
    planned: list[Message] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)
    skipped: list[Message] = field(default_factory=list)
    expired: int = 0
    team_digests: team_digest.TeamDigestReport | None = None


def run_cycle(
    db: Database, *, now: datetime, send: Sender | None, team_id: str | None = None, dry_run: bool = False,
    mark_undeliverable: Callable[[Message, str], None] | None = None,
    send_to_channel: team_digest.ChannelSender | None = None,
) -> CycleReport:
    """One nudge cycle as of `now`: plan, expire, deliver each due message once."""
    plans = plan(db, now=now, team_id=team_id)
    report = CycleReport(planned=[m for p in plans for m in p.messages])
    if dry_run:
        return report
    report.expired = apply_expiries(db, plans, now=now)
    delivered: set[tuple[int, Kind]] = set()
    for message in report.planned:
        token = claim(db, team_id=message.team_id, recipient=message.user_id, kind=message.kind,
                      local_date=message.local_date, now=now)
        if token is None:
            report.skipped.append(message)
            continue
        started = time.perf_counter()
        try:
            assert send is not None, "a cycle that is not a dry run needs a sender"
            channel, ts = send(message, token)
        except DeliveryError as error:
            settle(db, token, sent_at=None, error=error.code, channel=error.channel)
            report.failed.append((message, error.code))
            if error.code in PERMANENT_ERRORS and mark_undeliverable:
                mark_undeliverable(message, error.code)
            log.warning("delivery team=%s user=%s kind=%s outcome=failed:%s %.1fms", message.team_id,
                        message.user_id, message.kind, error.code, (time.perf_counter() - started) * 1000)
            continue
        settle(db, token, sent_at=now, channel=channel, ts=ts)
        delivered.add((message.member_id, message.kind))
        report.sent.append(message)
        log.info("delivery team=%s user=%s kind=%s outcome=sent %.1fms", message.team_id, message.user_id,
                 message.kind, (time.perf_counter() - started) * 1000)
    apply_state(db, plans, sent=delivered)
    if send_to_channel is not None:
        report.team_digests = team_digest.run_team_digests(db, now=now, send_to_channel=send_to_channel,
                                                           team_id=team_id)
    return report
