"""`/invites list <filter>`: every filter's count and pages against a count made by looking at each invite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.db.models import Invite
from bot.domain.commands import LIST_FILTERS, parse_invited
from bot.services import invites as svc
from bot.services.members import identify
from tests.conftest import NOW

# (days ago sent, status, priority) of the member's invites: fresh and stale pending, high priority,
# pending past expiry (180 days: expired, though the sweep has not written it yet), and final ones.
ROWS = [
    (1, "pending", "normal"), (3, "pending", "normal"), (15, "pending", "normal"), (20, "pending", "high"),
    (40, "pending", "high"), (200, "pending", "normal"), (10, "accepted", "normal"), (30, "declined", "normal"),
    (50, "withdrawn", "normal"), (190, "expired", "normal"),
] * 2  # 20 invites: more than a page (15) in "all"


def _reference(status: str) -> int:
    def matches(days: int, row_status: str, priority: str) -> bool:
        past_expiry = row_status == "pending" and days >= 180
        stale = row_status == "pending" and not past_expiry and days >= (28 if priority == "high" else 14)
        return {"pending": row_status == "pending" and not past_expiry, "stale": stale,
                "expired": row_status == "expired" or past_expiry, "all": True}.get(status, row_status == status)

    return sum(1 for row in ROWS if matches(*row))


@pytest.fixture
def member(db):
    me = identify(db, team_id="T1", user_id="U1", now=NOW)
    other = identify(db, team_id="T1", user_id="U2", now=NOW)
    for who in (me, other):
        for i, (days, status, priority) in enumerate(ROWS):
            logged = svc.log_invites(db, who, parse_invited(f"https://linkedin.com/in/p-{i}", today=NOW.date()),
                                     now=NOW).logged[0]
            with db.session() as s:
                s.execute(update(Invite).where(Invite.id == logged.id)
                          .values(status=status, priority=priority, sent_at=NOW - timedelta(days=days)))
    return me


@pytest.mark.parametrize("status", LIST_FILTERS)
def test_each_filter_counts_and_pages_the_members_own_invites(db, member, status):
    first = svc.list_invites(db, member, status=status, page=1, now=NOW)
    want = _reference(status)
    assert first.total == want
    assert first.pages == max(1, -(-want // svc.PAGE_SIZE))
    shown = list(first.invites)
    if first.pages > 1:
        second = svc.list_invites(db, member, status=status, page=2, now=NOW)
        assert second.page == 2
        shown += second.invites
    assert len(shown) == want and len({i.id for i in shown}) == want  # every row once, across pages
    assert [i.sent_at for i in shown] == sorted((i.sent_at for i in shown), reverse=True)  # newest first


def test_an_unknown_filter_is_refused(db, member):
    with pytest.raises(ValueError, match="not a list filter"):
        svc.list_invites(db, member, status="snoozed", page=1, now=NOW)
