"""withdraw_all: one change for all its rows, and concurrent clicks (double clicks, Slack retries) count once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot.db.models import InviteEvent
from bot.services.errors import AlreadyDone, NotFound
from bot.services.invites import undo_last, withdraw_all
from tests.conftest import NOW
from tests.support.factories import make_invites, make_member

THREADS = 8


def test_concurrent_bulk_clicks_withdraw_each_invite_once(db):
    actor = make_member(db, "U1", now=NOW)
    ids = make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20} for n in range(20)], now=NOW)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def click() -> None:
        barrier.wait()
        try:
            result = withdraw_all(db, actor, ids, now=NOW)
            outcomes.append(f"withdrew {len(result.withdrawn)}")
        except AlreadyDone:
            outcomes.append("already")

    threads = [threading.Thread(target=click) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session(write=False) as s:
        events = s.execute(select(InviteEvent.change_id, func.count()).where(InviteEvent.to_status == "withdrawn")
                           .group_by(InviteEvent.change_id)).all()
    assert sum(n for _, n in events) == 20  # each invite withdrawn once, whichever click won each row
    assert sum(int(o.split()[1]) for o in outcomes if o.startswith("withdrew")) == 20


def test_one_undo_reverts_the_whole_click_and_another_members_ids_are_refused(db):
    actor = make_member(db, "U1", now=NOW)
    other = make_member(db, "U2", now=NOW)
    mine = make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20} for n in range(3)], now=NOW)
    theirs = make_invites(db, other, [{"key": "in:theirs", "days_ago": 20}], now=NOW)
    result = withdraw_all(db, actor, [*mine, *theirs], now=NOW)
    assert [v.id for v in result.withdrawn] == mine and result.foreign == 1
    assert len(undo_last(db, actor, now=NOW).reverted) == 3
    with pytest.raises(NotFound):
        withdraw_all(db, actor, theirs, now=NOW)
