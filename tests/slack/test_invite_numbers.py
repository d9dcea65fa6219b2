"""An invite's number (#12) is never handed out again, even after an undo deleted the invite."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.db.models import Invite
from bot.services.importing import import_upload
from tests.conftest import NOW
from tests.support.factories import make_member
from tests.support.linkedin import INV_HEADER


def numbers(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r"#(\d+)", text)))


def test_numbers_after_an_undo_are_new(slack, db):
    first = slack.invited("https://linkedin.com/in/number-one https://linkedin.com/in/number-two")
    assert numbers(first.text) == [1, 2]
    slack.invites("undo")
    again = slack.invited("https://linkedin.com/in/number-three")
    assert numbers(again.text) == [3], again.text


def test_an_import_after_an_undo_takes_new_numbers_too(slack, db):
    slack.invited("https://linkedin.com/in/number-one https://linkedin.com/in/number-two")
    slack.invites("undo")
    actor = make_member(db, "U1", now=NOW)
    csv = (INV_HEADER + "Dana Doe,Pat Lee,11/2/26 9:07 AM,,OUTGOING,https://www.linkedin.com/in/dana,"
           "https://www.linkedin.com/in/pat-lee-imported\n").encode()
    import_upload(db, actor, "Invitations.csv", csv, now=NOW)
    with db.session(write=False) as s:
        assert s.scalars(select(Invite.id)).all() == [3]
    assert numbers(slack.invited("https://linkedin.com/in/number-four").text) == [4]
