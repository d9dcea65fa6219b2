"""Alerts sent by the change that crossed a level, not at the next cycle.

The rule is the sweep's own (`plan_alerts`); crossing is decided by a compare-and-set on the
member's alert state, so of two replicas handling two commands at once only one alerts, and the
delivery ledger keeps each alert to once per local day, with the sweep too.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.models import Delivery, Member, Workspace
from bot.domain.nudges import Kind, Message, StateChange, local_date, plan_alerts
from bot.services import counts, ledger
from bot.services.ledger import Sender
from bot.services.sweep import member_state, rules_of

log = logging.getLogger("bot.alerts")

ALERT_KINDS = (Kind.PENDING_WARN, Kind.PENDING_LIMIT, Kind.WEEKLY_PACE)


def raise_alerts(db: Database, *, team_id: str, user_id: str, now: datetime,
                 known: tuple[int, int] | None = None) -> list[tuple[Message, StateChange]]:
    """The alerts this member is due now, their state already moved (only one caller wins a crossing).

    Read-only unless something changed: most commands cross nothing and take no write lock for it.
    `known` is (pending, 7-day sends) as the change that calls this counted them (a log's reply);
    else they are counted here. The member's alert state is always read here, fresh: another
    change's check may have moved it since the request began.
    """
    with db.session(write=False) as session:
        member = session.scalar(select(Member).where(Member.team_id == team_id, Member.user_id == user_id))
        workspace = session.get(Workspace, team_id)
        if member is None or workspace is None or member.deactivated or workspace.uninstalled_at is not None:
            return []
        state = member_state(member, rules_of(workspace), workspace)
        scope = counts.MemberScope.of(member_id=state.member_id, team_id=team_id, tz=state.zone, settings=workspace)
        if known is None:
            pile = counts.pile_counts(session, [scope], now=now)[state.member_id]
            pending, sends = pile.pending, pile.sent_7d
        else:
            pending, sends = known
        today = local_date(now, state.zone)
        if plan_alerts(state, pending=pending, sends_last_7_days=sends, today=today, done=set())[1] is None:
            return []  # nothing crosses and nothing re-arms: the ledger need not be read
        done = {
            (row.kind, row.local_date)
            for row in session.execute(
                select(Delivery.kind, Delivery.local_date, Delivery.state, Delivery.claimed_at, Delivery.attempts,
                       Delivery.error)
                .where(Delivery.team_id == team_id, Delivery.recipient == user_id, Delivery.local_date == today,
                       Delivery.kind.in_([str(k) for k in ALERT_KINDS]))
            )
            if ledger.is_final(row.state, row.claimed_at, row.attempts, row.error, now)
        }
        messages, change = plan_alerts(state, pending=pending, sends_last_7_days=sends, today=today, done=done)
    if change is None:
        return []
    with db.session() as session:
        moved = session.execute(
            update(Member).where(Member.id == state.member_id, Member.alerted_level == state.alerted_level,
                                 Member.pace_alerted == state.pace_alerted)
            .values(alerted_level=change.alerted_level, pace_alerted=change.pace_alerted)
        ).rowcount
    if moved != 1:  # another request (or the sweep) moved it first: theirs to send
        return []
    previous = StateChange(state.member_id, state.alerted_level, state.pace_alerted)
    return [(message, previous) for message in messages]


def send_alerts(db: Database, due: list[tuple[Message, StateChange]], *, send: Sender, now: datetime) -> int:
    """Deliver through the ledger; a failed alert puts the state back so the next cycle retries it."""
    sent = 0
    for message, previous in due:
        outcome = ledger.deliver(
            db, team_id=message.team_id, recipient=message.user_id, kind=message.kind, local_date=message.local_date,
            now=now, post=lambda held, message=message: send(message, held), what="via=command",
        )
        if outcome.state == "failed":
            _restore(db, message, previous)
        sent += outcome.state == "sent"
    return sent


def _restore(db: Database, message: Message, previous: StateChange) -> None:
    """Undo this alert's part of the state move (the other alert of the same move may have gone out)."""
    values = ({"pace_alerted": previous.pace_alerted} if message.kind is Kind.WEEKLY_PACE
              else {"alerted_level": previous.alerted_level})
    with db.session() as session:
        session.execute(update(Member).where(Member.id == previous.member_id).values(**values))
