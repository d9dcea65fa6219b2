"""Claims of shared files, on SQLite and PostgreSQL: one winner, and when a claim may be taken over."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import FileImport
from bot.services.admin import forget_member, purge_workspace
from bot.services.file_claims import REIMPORT_AFTER, STALE_CLAIM, claim, finish
from tests.conftest import NOW
from tests.support.factories import make_member


def claim_f1(db, now=NOW, user="U1") -> bool:
    return claim(db, team_id="T1", file_id="F1", user_id=user, now=now)


def test_one_of_many_concurrent_claims_wins(db):
    make_member(db, "U1", now=NOW)
    results: list[bool] = []
    start = threading.Barrier(6)

    def run():
        start.wait()
        results.append(claim_f1(db))

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False] * 5 + [True]


def test_a_claim_in_progress_or_just_done_is_not_taken_over(db):
    make_member(db, "U1", now=NOW)
    assert claim_f1(db)
    assert not claim_f1(db, NOW + timedelta(minutes=2))
    finish(db, team_id="T1", file_id="F1", ok=True, now=NOW + timedelta(minutes=3))
    assert not claim_f1(db, NOW + timedelta(minutes=4))
    # The same file shared again on purpose, later: imported again (which changes nothing).
    assert claim_f1(db, NOW + timedelta(minutes=3) + REIMPORT_AFTER)


def test_a_failed_import_or_a_stale_claim_is_taken_over(db):
    make_member(db, "U1", now=NOW)
    assert claim_f1(db)
    finish(db, team_id="T1", file_id="F1", ok=False, now=NOW)
    assert claim_f1(db, NOW + timedelta(seconds=5))
    # Claimed and never finished (the process died): after STALE_CLAIM another event may import it.
    assert not claim_f1(db, NOW + timedelta(seconds=5) + STALE_CLAIM - timedelta(seconds=1))
    assert claim_f1(db, NOW + timedelta(seconds=5) + STALE_CLAIM)


def test_claims_are_per_workspace_and_forgotten_with_the_member(db):
    make_member(db, "U1", now=NOW)
    make_member(db, "U1", team_id="T2", now=NOW)
    assert claim_f1(db)
    assert claim(db, team_id="T2", file_id="F1", user_id="U1", now=NOW)
    forget_member(db, team_id="T1", user_id="U1")
    with db.session(write=False) as s:
        assert s.execute(select(FileImport.team_id)).scalars().all() == ["T2"]
    purge_workspace(db, "T2")
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(FileImport)) == 0
