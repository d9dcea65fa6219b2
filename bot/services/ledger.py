"""The delivery ledger: every DM and channel digest is claimed, sent and settled exactly once.

A delivery is one row per (workspace, recipient, kind, local date). Claiming it is an INSERT (or
a guarded takeover of a failed or abandoned attempt) only one process can win, on any replica;
settling records where it went or why it failed. The nudge sweep, the weekly team digest and the
alerts a command raises all deliver through `deliver`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select, update

from bot import metrics
from bot.db.engine import Database, dialect_insert
from bot.db.models import Delivery
from bot.domain.nudges import Message

log = logging.getLogger("bot.ledger")

# A claim older than this was left by a process that died between claim and send: retry it.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5
# Slack errors that will not go away by retrying today: skip the member, mark the ledger.
PERMANENT_ERRORS = frozenset({
    "user_not_found", "account_inactive", "cannot_dm_bot", "user_disabled", "channel_not_found",
    "is_archived", "not_in_channel", "invalid_auth", "not_authed", "token_revoked",
    "missing_scope", "user_is_bot", "restricted_action", "team_access_not_granted",
})


def is_final(state: str, claimed_at: datetime, attempts: int, error: str | None, now: datetime) -> bool:
    """Whether a ledger row needs no further attempt (sent, held by a live claim, or given up on)."""
    if state == "sent":
        return True
    if state == "claimed":
        return now - claimed_at < STALE_CLAIM
    return error in PERMANENT_ERRORS or attempts >= MAX_ATTEMPTS


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
        if is_final(existing.state, existing.claimed_at, existing.attempts, existing.error, now):
            return None
        # Retry a failed or abandoned claim; the state guard makes the takeover atomic.
        taken = session.execute(
            update(Delivery).where(Delivery.id == existing.id, Delivery.claim_token == existing.claim_token)
            .values(state="claimed", claim_token=token, claimed_at=now, attempts=Delivery.attempts + 1)
        ).rowcount
        maybe_posted = existing.state == "claimed" or (existing.error or "").startswith(UNCONFIRMED)
        return Claim(existing.id, token, maybe_posted, existing.channel) if taken == 1 else None


def settle(db: Database, held: Claim, *, sent_at: datetime | None, channel: str | None = None,
           ts: str | None = None, error: str | None = None, invite_ids: Sequence[int] | None = None) -> None:
    """Mark a claimed delivery sent (with where it went, and the invites it showed) or failed (with why,
    and where it was going)."""
    values: dict = {"state": "sent", "sent_at": sent_at, "channel": channel, "ts": ts, "error": None}
    if invite_ids is not None:
        values["invite_ids"] = ",".join(str(i) for i in invite_ids)
    if error is not None:
        values = {"state": "failed", "error": error[:200], "channel": channel}
    with db.session() as session:
        # By primary key (the ledger only grows); the token guards against a takeover since.
        session.execute(update(Delivery).where(Delivery.id == held.id, Delivery.claim_token == held.token)
                        .values(**values))


# Posts the message tagged with the claim's delivery id (or finds it, when `check_first`);
# returns (channel, ts); raises DeliveryError.
Sender = Callable[[Message, Claim], tuple[str, str]]


class DeliveryError(Exception):
    """A message could not be delivered; `code` is Slack's error string (`unconfirmed:…`: it may have been)."""

    def __init__(self, code: str, *, channel: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.channel = channel




class Outcome(NamedTuple):
    """What `deliver` did: "sent", "skipped" (sent, final or held elsewhere) or "failed" (with Slack's code)."""

    state: str
    code: str | None = None


def deliver(db: Database, *, team_id: str, recipient: str, kind: str, local_date: date, now: datetime,
            post: Callable[[Claim], tuple[str, str]], what: str, invite_ids: Sequence[int] | None = None) -> Outcome:
    """Claim, post and settle one delivery; one log line with its outcome and duration."""
    held = claim(db, team_id=team_id, recipient=recipient, kind=kind, local_date=local_date, now=now)
    if held is None:
        metrics.delivery(kind, "skipped")
        return Outcome("skipped")
    started = time.perf_counter()
    try:
        channel, ts = post(held)
    except DeliveryError as error:
        settle(db, held, sent_at=None, error=error.code, channel=error.channel)
        log.warning("delivery team=%s to=%s kind=%s %s outcome=failed:%s %.1fms", team_id, recipient, kind, what,
                    error.code, (time.perf_counter() - started) * 1000)
        metrics.delivery(kind, "failed")
        return Outcome("failed", error.code)
    settle(db, held, sent_at=now, channel=channel, ts=ts, invite_ids=invite_ids)
    log.info("delivery team=%s to=%s kind=%s %s outcome=sent %.1fms", team_id, recipient, kind, what,
             (time.perf_counter() - started) * 1000)
    metrics.delivery(kind, "sent")
    return Outcome("sent")


class SentMessage(NamedTuple):
    """A delivered message the app can still update: where it is, its day, and the invites it showed."""

    id: int
    channel: str
    ts: str
    local_date: date
    invite_ids: tuple[int, ...] | None  # None: sent before the ledger kept them


def previous_sent(db: Database, *, team_id: str, recipient: str, kind: str, before: date) -> SentMessage | None:
    """The recipient's latest message of this kind sent for a day before `before` (uq_deliveries_once's index)."""
    with db.session(write=False) as session:
        row = session.execute(
            select(Delivery.id, Delivery.channel, Delivery.ts, Delivery.local_date, Delivery.invite_ids)
            .where(Delivery.team_id == team_id, Delivery.recipient == recipient, Delivery.kind == kind,
                   Delivery.local_date < before, Delivery.state == "sent", Delivery.ts.is_not(None),
                   Delivery.channel.is_not(None))
            .order_by(Delivery.local_date.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    ids = None if row.invite_ids is None else tuple(int(i) for i in row.invite_ids.split(",") if i.isdigit())
    return SentMessage(row.id, row.channel, row.ts, row.local_date, ids)
