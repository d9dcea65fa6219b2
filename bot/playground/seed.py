"""A plausible team history for the demo: a few hundred invites over three months, through the services."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from bot.db.engine import Database
from bot.db.models import Invite, Workspace
from bot.domain.commands import InviteRef, LogRequest, SentSpec
from bot.domain.invites import Priority, Status
from bot.domain.prospect import prospect_from_url
from bot.playground import demo
from bot.playground.demo import Teammate
from bot.services import invites as invite_service
from bot.services.members import Actor, Profile, ensure_workspace, identify

SEED_NOTE = "playground demo history"
DAYS = 91
FIRST = ["Alex", "Maria", "Sam", "Jonas", "Aisha", "Lucas", "Mei", "Daniel", "Sofia", "Omar", "Elena", "Noah",
         "Fatima", "Leo", "Hannah", "Ravi", "Chloe", "Mateo", "Yuki", "Grace", "Ivan", "Zara", "Ethan", "Lina"]
LAST = ["Schmidt", "Garcia", "Chen", "Okoye", "Novak", "Rossi", "Kim", "Silva", "Jensen", "Haddad", "Moreau",
        "Patel", "Andersson", "Kowalski", "Tanaka", "Murphy", "Dubois", "Costa", "Ivanova", "Lopez"]
COMPANIES = ["Northwind", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Retail", "Acme Cloud",
             "Hooli", "Vandelay Imports", "Soylent Foods", "Tyrell Robotics", "Cyberdyne", "Pied Piper", "Wonka Labs"]
# (most invites on an active day, chance a working day is active, acceptance, decline) per teammate:
# varied on purpose, so the leaderboard has a spread and the fair ranking has something to do.
PACE = {"U0ANA": (3, 0.65, 0.46, 0.08), "U0TOM": (4, 0.7, 0.27, 0.12), "U0PRIYA": (2, 0.7, 0.58, 0.05),
        "U0KENJI": (3, 0.55, 0.22, 0.1)}


@dataclass(frozen=True)
class SeedReport:
    """How much history went in."""

    invites: int
    outcomes: int
    already: bool = False


def prepare_workspace(db: Database, *, now: datetime) -> None:
    """The demo workspace row, with #sales-team as the channel for the weekly team digest."""
    with db.session() as session:
        ensure_workspace(session, team_id=demo.TEAM_ID, now=now)
        session.execute(update(Workspace).where(Workspace.team_id == demo.TEAM_ID, Workspace.digest_channel.is_(None))
                        .values(digest_channel=demo.CHANNEL_ID, name=demo.TEAM_NAME))


def already_seeded(db: Database) -> bool:
    """True when this database holds the demo history."""
    with db.session(write=False) as session:
        return bool(session.scalar(select(func.count()).select_from(Invite).where(Invite.notes == SEED_NOTE)))


def _actor(db: Database, mate: Teammate, now: datetime) -> Actor:
    profile = Profile(tz=mate.tz, display_name=mate.name.split()[0], is_admin=mate.is_admin)
    return identify(db, team_id=demo.TEAM_ID, user_id=mate.user_id, now=now, lookup=lambda _user: profile)


def seed_history(db: Database, *, now: datetime, seed: int = 2026) -> SeedReport:
    """Log invites on past working days and record their outcomes as they would have happened."""
    if already_seeded(db):
        return SeedReport(0, 0, already=True)
    rng = random.Random(seed)
    invites = outcomes = 0
    for mate in demo.TEAMMATES:
        actor = _actor(db, mate, now)
        per_day, active, accept, decline = PACE[mate.user_id]
        for back in range(DAYS, 0, -1):
            day = (now - timedelta(days=back)).astimezone(mate.zone).date()
            if day.isoweekday() > 5 or rng.random() > active:
                continue
            for _ in range(rng.randint(1, per_day)):
                sent = datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)), mate.zone)
                invite_id = _log(db, actor, rng, sent)
                invites += 1
                outcomes += _outcome(db, actor, rng, invite_id, sent=sent, now=now, accept=accept, decline=decline)
    return SeedReport(invites, outcomes)


def _log(db: Database, actor: Actor, rng: random.Random, sent: datetime) -> int:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    slug = f"{first}-{last}-{rng.randrange(16**6):06x}".lower()
    request = LogRequest(
        prospects=(prospect_from_url(f"https://www.linkedin.com/in/{slug}"),), name=f"{first} {last}",
        company=rng.choice(COMPANIES), comment=SEED_NOTE, sent=SentSpec(),
        priority=rng.choices([Priority.NORMAL, Priority.HIGH, Priority.LOW], weights=[8, 1, 1])[0],
        with_note=rng.random() < 0.4,
    )
    result = invite_service.log_invites(db, actor, request, now=sent)
    return result.logged[0].id


def _outcome(db: Database, actor: Actor, rng: random.Random, invite_id: int, *, sent: datetime, now: datetime,
             accept: float, decline: float) -> int:
    roll = rng.random()
    if roll < accept:
        status, at = Status.ACCEPTED, sent + timedelta(hours=rng.randint(3, 24 * 12))
    elif roll < accept + decline:
        status, at = Status.DECLINED, sent + timedelta(hours=rng.randint(12, 24 * 20))
    elif roll < accept + decline + 0.35:
        status, at = Status.WITHDRAWN, sent + timedelta(days=rng.randint(15, 30), hours=rng.randint(0, 8))
    else:
        return 0  # still pending (some of these are stale: the digest has something to say)
    if at >= now:
        return 0
    via = "button" if status is Status.WITHDRAWN else "command"
    invite_service.record_outcome(db, actor, InviteRef(invite_id=invite_id), status, now=at, via=via)
    return 1
