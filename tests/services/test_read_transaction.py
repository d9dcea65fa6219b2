"""`Database.reading()`: the read sessions inside one block share one transaction; writes stay their own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from bot.db.engine import Database
from bot.db.models import Workspace
from tests.conftest import NOW


def begins(db) -> list[int]:
    """Counts every transaction the engine begins (a list so the listener can add to it)."""
    seen = [0]
    event.listen(db.engine, "begin", lambda _conn: seen.__setitem__(0, seen[0] + 1))
    return seen


def workspaces(db) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Workspace)))


def test_read_sessions_inside_a_block_share_one_transaction(db):
    seen = begins(db)
    with db.reading():
        with db.session(write=False) as first, db.session(write=False) as second:
            assert first is second
        assert workspaces(db) == 0
        assert workspaces(db) == 0
    assert seen[0] == 1
    workspaces(db)
    workspaces(db)
    assert seen[0] == 3  # outside a block: one transaction each


def test_a_write_inside_the_block_is_its_own_transaction_and_is_kept(db):
    with db.reading():
        workspaces(db)
        with db.session() as session:
            session.add(Workspace(team_id="T1", created_at=NOW))
    assert workspaces(db) == 1


def test_a_failure_ends_the_block_and_the_next_block_reads_again(db):
    with pytest.raises(RuntimeError), db.reading():
        workspaces(db)
        raise RuntimeError("boom")
    with db.reading():
        assert workspaces(db) == 0


def test_another_thread_in_the_block_has_its_own_session(db):
    mine, theirs = [], []
    with db.reading():
        with db.session(write=False) as session:
            mine.append(session)

        def read() -> None:
            with db.session(write=False) as session:
                theirs.append(session)

        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    assert mine[0] is not theirs[0]


@pytest.mark.postgres
def test_postgresql_refuses_a_write_in_a_read_session(pg_url):
    """Read sessions run READ ONLY, which is why their COMMIT skips the late-COMMIT guard (bounds.py)."""
    from sqlalchemy.exc import InternalError

    db = Database.from_url(pg_url)
    try:
        with pytest.raises(InternalError, match="read-only transaction"), db.session(write=False) as session:
            session.add(Workspace(team_id="T-read-only", created_at=NOW))
            session.flush()
        with db.session(write=False) as session:
            assert session.get(Workspace, "T-read-only") is None
    finally:
        db.dispose()
