"""Claims of Slack events, on SQLite and PostgreSQL: one winner per (workspace, event id), released, pruned, purged."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import EventClaim
from bot.services import event_claims
from bot.services.admin import forget_member, purge_workspace
from tests.conftest import NOW
from tests.support.factories import make_member


def claim(db, event_id: str = "Ev1", *, team: str = "T1", now=NOW) -> bool:
    return event_claims.claim(db, team_id=team, event_id=event_id, now=now)


def count(db) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(EventClaim))


def test_one_of_many_concurrent_claims_wins(db):
    results: list[bool] = []
    start = threading.Barrier(6)

    def run():
        start.wait()
        results.append(claim(db))

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False] * 5 + [True]


def test_claims_are_per_workspace_and_event(db):
    assert claim(db, "Ev1") and claim(db, "Ev2") and claim(db, "Ev1", team="T2")
    assert not claim(db, "Ev1") and not claim(db, "Ev1", team="T2")


def test_a_released_claim_can_be_claimed_again(db):
    assert claim(db)
    event_claims.release(db, team_id="T1", event_id="Ev1")
    assert claim(db, now=NOW + timedelta(minutes=1))
    event_claims.finish(db, team_id="T1", event_id="Ev1")
    assert not claim(db, now=NOW + timedelta(minutes=5))


def test_claims_older_than_a_day_are_pruned(db):
    assert claim(db, "Ev1") and claim(db, "Ev2", now=NOW + timedelta(hours=12))
    assert event_claims.prune(db, now=NOW + event_claims.KEEP) == 0
    assert event_claims.prune(db, now=NOW + event_claims.KEEP + timedelta(seconds=1)) == 1
    assert count(db) == 1
    assert claim(db, "Ev1", now=NOW + timedelta(days=2))  # long gone: Slack never redelivers this late


def test_claiming_prunes_now_and_then(db, monkeypatch):
    assert claim(db, "Ev1")
    monkeypatch.setattr(event_claims, "PRUNE_EVERY", 1)
    assert claim(db, "Ev2", now=NOW + timedelta(days=2))
    with db.session(write=False) as s:
        assert s.scalars(select(EventClaim.event_id)).all() == ["Ev2"]


def test_purging_a_workspace_deletes_its_claims(db):
    make_member(db, "U1", now=NOW)
    make_member(db, "U1", team_id="T2", now=NOW)
    assert claim(db, "Ev1") and claim(db, "Ev2", team="T2")
    forget_member(db, team_id="T1", user_id="U1")  # claims hold no member data: they stay
    assert count(db) == 2
    purge_workspace(db, "T1")
    with db.session(write=False) as s:
        assert s.execute(select(EventClaim.team_id, EventClaim.event_id)).all() == [("T2", "Ev2")]


def test_a_claim_whose_handler_died_is_taken_over_by_a_later_redelivery(db):
    assert claim(db)
    assert not claim(db, now=NOW + timedelta(seconds=5))  # the handler may still be running
    assert claim(db, now=NOW + event_claims.TAKEOVER + timedelta(seconds=1))  # Slack's 1-minute retry


def test_a_finished_claim_is_never_taken_over(db):
    assert claim(db)
    event_claims.finish(db, team_id="T1", event_id="Ev1")
    assert not claim(db, now=NOW + timedelta(minutes=6))
