"""Rules the database itself keeps, and concurrent writers on both backends."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.db.models import Invite, InviteEvent
from bot.domain.commands import parse_invited, parse_ref
from bot.services import invites as svc
from bot.services.members import identify
from tests.conftest import NOW


def actor(db, user="U1", team="T1"):
    return identify(db, team_id=team, user_id=user, now=NOW)


def log(db, who, text, now=NOW):
    return svc.log_invites(db, who, parse_invited(text, today=now.date()), now=now)


def test_one_pending_invite_per_member_and_prospect_is_a_database_rule(db):
    a = actor(db)
    log(db, a, "https://linkedin.com/in/jane-doe")
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Invite(team_id="T1", member_id=a.member_id, prospect_key="in:jane-doe", sent_at=NOW,
                     status="pending", priority="normal", source="command", status_changed_at=NOW, created_at=NOW))


def test_status_and_priority_are_checked_by_the_database(db):
    a = actor(db)
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Invite(team_id="T1", member_id=a.member_id, prospect_key="in:x", sent_at=NOW,
                     status="lost", priority="normal", source="command", status_changed_at=NOW, created_at=NOW))


def test_a_new_invite_is_allowed_after_the_old_one_is_final(db):
    a = actor(db)
    log(db, a, "https://linkedin.com/in/jane-doe --sent 40d")
    svc.record_outcome(db, a, parse_ref("jane-doe"), svc.Status.WITHDRAWN, now=NOW - timedelta(days=30))
    result = log(db, a, "https://linkedin.com/in/jane-doe")
    assert len(result.logged) == 1 and not result.cooldowns


def test_workspaces_are_kept_apart(db):
    a, b = actor(db, "U1", "T1"), actor(db, "U1", "T2")
    log(db, a, "https://linkedin.com/in/jane-doe")
    result = log(db, b, "https://linkedin.com/in/jane-doe")
    assert len(result.logged) == 1 and not result.teammates and not result.duplicates
    page = svc.list_invites(db, b, status="all", page=1, now=NOW)
    assert page.total == 1


def test_concurrent_logs_of_the_same_prospect_store_it_once(db):
    a = actor(db)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            results.append(log(db, a, "https://linkedin.com/in/race-me"))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(len(r.logged) for r in results) == 1
    assert sum(len(r.duplicates) for r in results) == 7
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 1
        assert s.scalar(select(func.count()).select_from(InviteEvent)) == 1


def test_concurrent_teammates_each_log_their_own(db):
    members = [actor(db, f"U{i}") for i in range(6)]
    barrier = threading.Barrier(len(members))

    def worker(m):
        barrier.wait()
        for i in range(10):
            log(db, m, f"https://linkedin.com/in/p{i}")

    threads = [threading.Thread(target=worker, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == 60
