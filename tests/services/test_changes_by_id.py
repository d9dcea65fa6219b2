"""Changes by id: a DM's (or a workflow run's) log found again, undone whole, only by its member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Invite, InviteEvent
from bot.domain.capture import log_request, prospects_in_message
from bot.domain.commands import parse_invited, parse_ref
from bot.domain.invites import Status
from bot.services import invites as svc
from bot.services.errors import AlreadyDone, NothingToUndo
from bot.services.members import identify
from tests.conftest import NOW


def actor(db, user="U1", team="T1"):
    return identify(db, team_id=team, user_id=user, now=NOW)


def dm_request(*slugs: str):
    return log_request(prospects_in_message({"text": " ".join(f"<https://www.linkedin.com/in/{s}>" for s in slugs)}))


def test_change_ids_are_the_same_for_the_same_message_and_differ_otherwise():
    first = svc.change_id_for("dm", "T1", "D1", "1.1")
    assert first == svc.change_id_for("dm", "T1", "D1", "1.1")
    assert len({first, svc.change_id_for("dm", "T1", "D1", "1.2"), svc.change_id_for("dm", "T2", "D1", "1.1"),
                svc.change_id_for("workflow", "T1", "D1", "1.1")}) == 4


def test_a_logged_change_is_found_again_by_its_id(db):
    me = actor(db)
    change = svc.change_id_for("dm", "T1", "D1", "1.1")
    assert svc.logged_in_change(db, me, change) is None
    result = svc.log_invites(db, me, dm_request("a-a", "b-b"), now=NOW, source="dm", change_id=change)
    found = svc.logged_in_change(db, me, change)
    assert [v.id for v in found] == [v.id for v in result.logged]
    assert svc.logged_in_change(db, actor(db, "U2"), change) is None  # another member's view of it: nothing


def test_undo_change_reverts_exactly_that_change(db):
    me = actor(db)
    first, second = svc.change_id_for("dm", "T1", "D1", "1.1"), svc.change_id_for("dm", "T1", "D1", "1.2")
    svc.log_invites(db, me, dm_request("a-a", "b-b"), now=NOW, source="dm", change_id=first)
    svc.log_invites(db, me, dm_request("c-c"), now=NOW + timedelta(minutes=1), source="dm", change_id=second)
    undone = svc.undo_change(db, me, first, now=NOW + timedelta(minutes=2))
    assert sorted(v.prospect_key for v, restored, _ in undone.reverted if restored is None) == ["in:a-a", "in:b-b"]
    with db.session(write=False) as s:
        assert [i.prospect_key for i in s.scalars(select(Invite))] == ["in:c-c"]
    with pytest.raises(NothingToUndo, match="already undone"):
        svc.undo_change(db, me, first, now=NOW + timedelta(minutes=3))


def test_undo_change_is_refused_to_another_member_and_after_the_invite_moved_on(db):
    me, mate = actor(db), actor(db, "U2")
    change = svc.change_id_for("dm", "T1", "D1", "1.1")
    svc.log_invites(db, me, dm_request("a-a"), now=NOW, source="dm", change_id=change)
    with pytest.raises(NothingToUndo):
        svc.undo_change(db, mate, change, now=NOW)
    svc.record_outcome(db, me, parse_ref("a-a"), Status.ACCEPTED, now=NOW + timedelta(days=1))
    with pytest.raises(AlreadyDone, match="has changed since"):
        svc.undo_change(db, me, change, now=NOW + timedelta(days=2))


def test_invites_undo_takes_every_new_way_of_logging_as_one_change(db):
    me = actor(db)
    for n, source in enumerate(("dm", "shortcut", "workflow")):
        svc.log_invites(db, me, dm_request(f"{source}-1", f"{source}-2"), now=NOW + timedelta(minutes=n), source=source)
    with db.session(write=False) as s:
        assert sorted({e.via for e in s.scalars(select(InviteEvent))}) == ["dm", "shortcut", "workflow"]
    for source in ("workflow", "shortcut", "dm"):
        undone = svc.undo_last(db, me, now=NOW + timedelta(hours=1))
        assert sorted(v.prospect_key for v, _, _ in undone.reverted) == [f"in:{source}-1", f"in:{source}-2"]


def test_the_same_rules_as_invited(db):
    me = actor(db)
    svc.log_invites(db, me, parse_invited("https://www.linkedin.com/in/a-a", today=NOW.date()), now=NOW)
    result = svc.log_invites(db, me, dm_request("a-a", "b-b"), now=NOW, source="dm")
    assert [v.prospect_key for v in result.logged] == ["in:b-b"]
    assert [v.prospect_key for v in result.duplicates] == ["in:a-a"]
