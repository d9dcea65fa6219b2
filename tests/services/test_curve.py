"""The days-to-accept curve: random teams on SQLite and PostgreSQL against a plain-Python reference.

An invite's acceptance time is its `status_changed_at` while accepted: what its acceptance audit row
records for an acceptance made in the app (checked through the real app below), and the Connected On
day for one imported from LinkedIn.
"""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import insert

from bot.db.models import Invite, InviteEvent
from bot.domain.curve import curve_of, published_share
from bot.services.curve import team_curve
from tests.conftest import NOW
from tests.support.factories import make_member

DAY = timedelta(days=1)
MARKS = (1, 3, 7, 14, 21, 30, 60)


@dataclass
class FakeInvite:
    sent_at: datetime
    status: str
    events: list[tuple[str, datetime, bool]] = field(default_factory=list)  # (to_status, at, undone)

    @property
    def changed_at(self) -> datetime:
        """The last change not undone (the invite's status_changed_at), else the send."""
        done = [at for _, at, undone in self.events if not undone]
        return done[-1] if done else self.sent_at


def random_team(seed: int, size: int) -> list[FakeInvite]:
    """Invites with acceptances at random and at exact day boundaries, undone ones, old ones, future ones."""
    rng = random.Random(seed)
    invites = []
    for _ in range(size):
        sent = NOW - timedelta(days=rng.uniform(0, 300), microseconds=rng.randrange(1_000_000))
        kind = rng.random()
        status = "accepted" if kind < 0.7 else rng.choice(["pending", "declined", "withdrawn", "expired"])
        invite = FakeInvite(sent, status)
        if status == "accepted":
            if rng.random() < 0.3:  # exactly N days (or a microsecond either side): the floor's edge
                delta = DAY * rng.choice([1, 3, 7, 14, 21, 30, 60, 61]) + timedelta(microseconds=rng.choice([-1, 0, 1]))
            else:
                delta = timedelta(days=rng.expovariate(1 / 8))
            at = min(sent + delta, NOW)
            if rng.random() < 0.15:  # an earlier acceptance undone, then accepted again
                invite.events.append(("accepted", sent + delta / 3, True))
            if rng.random() < 0.05:  # imported with a date before the logged send
                at = sent - timedelta(hours=5)
            invite.events.append(("accepted", at, False))
        elif rng.random() < 0.2:  # accepted once, the acceptance undone, then declined
            invite.events.append(("accepted", sent + DAY, True))
            invite.events.append(("declined", sent + 2 * DAY, False))
        invites.append(invite)
    return invites


def reference(invites: list[FakeInvite], now: datetime) -> dict:
    """PRODUCT.md's curve, written out plainly."""
    days = []
    for invite in invites:
        accepted_at = invite.changed_at
        if invite.status == "accepted" and now - timedelta(days=180) < accepted_at <= now:
            days.append(max(0, (accepted_at - invite.sent_at) // DAY))
    n = len(days)
    if n < 50:
        return {"accepted": n, "within_days": {"7": 0.88, "30": 0.99}, "suggested_withdraw_after_days": 22,
                "source": "published"}
    within = {str(d): sum(1 for x in days if x <= d) / n for d in MARKS}
    suggested = next((d for d in range(7, 61) if Fraction(sum(1 for x in days if x <= d), n) >= Fraction(95, 100)), 60)
    return {"accepted": n, "within_days": within, "suggested_withdraw_after_days": suggested, "source": "team"}


def store(db, invites: list[FakeInvite], *, team_id: str = "T1", user: str = "U1") -> None:
    actor = make_member(db, user, team_id=team_id, now=NOW)
    with db.session() as s:
        for n, invite in enumerate(invites):
            invite_id = s.scalar(insert(Invite).returning(Invite.id).values(
                team_id=team_id, member_id=actor.member_id, prospect_key=f"in:{user.lower()}-{n}",
                sent_at=invite.sent_at, status=invite.status, priority="normal", source="command",
                status_changed_at=invite.changed_at, created_at=invite.sent_at))
            for to, at, undone in invite.events:
                s.add(InviteEvent(team_id=team_id, invite_id=invite_id, member_id=actor.member_id,
                                  change_id=str(uuid.uuid4()), from_status="pending", to_status=to, at=at,
                                  actor=user, via="command", undone=undone))


@pytest.mark.parametrize(("seed", "size"), [(1, 400), (2, 120), (3, 60), (4, 30), (5, 800)])
def test_the_curve_equals_the_reference_on_random_teams(db, seed, size):
    team = random_team(seed, size)
    store(db, team)
    store(db, random_team(seed + 100, 200), team_id="T2", user="U9")  # another workspace never counts
    got = team_curve(db, "T1", now=NOW).as_json()
    assert got == reference(team, NOW)


def test_the_datasets_reach_both_sources_and_several_suggestions():
    refs = [reference(random_team(seed, size), NOW) for seed, size in [(1, 400), (2, 120), (3, 60), (4, 30), (5, 800)]]
    assert {r["source"] for r in refs} == {"team", "published"}
    assert len({r["suggested_withdraw_after_days"] for r in refs if r["source"] == "team"}) >= 2


def test_an_acceptance_exactly_seven_days_later_is_within_seven_days(db):
    sent = NOW - timedelta(days=20)
    team = [FakeInvite(sent, "accepted", [("accepted", sent + 7 * DAY, False)]) for _ in range(50)]
    team += [FakeInvite(sent, "accepted", [("accepted", sent + 7 * DAY + timedelta(microseconds=1), False)])]
    store(db, team)
    curve = team_curve(db, "T1", now=NOW)
    assert curve.source == "team" and curve.accepted == 51
    assert curve.within_days[7] == 51 / 51 and curve.within_days[3] == 0
    assert curve.suggested_withdraw_after_days == 7


def test_an_empty_team_gets_the_published_figures(db):
    make_member(db, "U1", now=NOW)
    assert team_curve(db, "T1", now=NOW).as_json() == {
        "accepted": 0, "within_days": {"7": 0.88, "30": 0.99}, "suggested_withdraw_after_days": 22,
        "source": "published"}


def test_the_published_line_passes_95_percent_at_22_days():
    assert published_share(21) < 0.95 <= published_share(22)
    assert published_share(7) == pytest.approx(0.88) and published_share(30) == pytest.approx(0.99)


def test_what_a_threshold_gives_up():
    curve = curve_of({0: 40, 5: 30, 13: 26, 20: 4})  # 100 acceptances
    assert curve.given_up(14) == pytest.approx(0.04)
    assert curve.given_up(20) == 0
    assert curve.suggested_withdraw_after_days == 13  # 96% within 13 days
    assert curve_of({3: 10}).given_up(14) == pytest.approx(1 - published_share(14))


# ---- invite-hygiene report curve ------------------------------------------------------------------------------


def test_report_curve_json_is_the_reference(db, capsys):
    from tests.services.test_reports import as_of, report

    team = random_team(1, 400)
    store(db, team)
    code, out, err = report(db, capsys, *as_of("curve", "--team", "T1", "--format", "json"))
    assert (code, err) == (0, "")
    assert json.loads(out) == reference(team, NOW)


def test_report_curve_csv_and_table(db, capsys):
    from tests.services.test_reports import as_of, report

    store(db, random_team(1, 400))
    expected = reference(random_team(1, 400), NOW)
    code, out, _ = report(db, capsys, *as_of("curve", "--team", "T1", "--format", "csv"))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["within_days"] for r in rows] == list(expected["within_days"])
    assert {r["suggested_withdraw_after_days"] for r in rows} == {str(expected["suggested_withdraw_after_days"])}
    assert [float(r["share"]) for r in rows] == list(expected["within_days"].values())
    code, out, _ = report(db, capsys, *as_of("curve", "--team", "T1"))
    assert code == 0 and f"suggested withdraw_after_days: {expected['suggested_withdraw_after_days']}" in out


def test_report_curve_of_an_unknown_team_exits_2(db, capsys):
    from tests.services.test_reports import as_of, report

    code, _, err = report(db, capsys, *as_of("curve", "--team", "TNOPE", "--format", "json"))
    assert code == 2 and "unknown team" in err


# ---- through the real app: the acceptance's audit row and the invite agree -------------------------------------


def test_an_acceptance_in_the_app_counts_from_its_audit_row_and_an_undone_one_not_at_all(slack, db):
    from sqlalchemy import select

    from bot.services.curve import curve_histogram

    slack.invited("https://linkedin.com/in/jane-doe --sent 10d")
    slack.invited("https://linkedin.com/in/john-doe --sent 3d")
    slack.invites("accepted jane-doe")
    slack.invites("accepted john-doe")
    with db.session(write=False) as s:
        audit = s.execute(select(InviteEvent.at, Invite.sent_at, Invite.status_changed_at)
                          .join(Invite, Invite.id == InviteEvent.invite_id)
                          .where(InviteEvent.to_status == "accepted")).all()
        assert all(at == changed for at, _, changed in audit)
        assert sorted((at - sent) // DAY for at, sent, _ in audit) == [3, 10]
        assert sorted(curve_histogram(s, "T1", now=NOW)) == [(3, 1), (10, 1)]
    slack.invites("undo")
    with db.session(write=False) as s:
        assert curve_histogram(s, "T1", now=NOW) == [(10, 1)]


# ---- the hour's stored curve: one figure in every process, worked out once an hour ------------------------------


def test_every_reader_of_the_hour_gets_the_stored_curve_and_the_next_hour_works_it_out_again(db):
    first = random_team(7, 300)
    store(db, first)
    assert team_curve(db, "T1", now=NOW).as_json() == reference(first, NOW)
    later = random_team(8, 300)
    store(db, later, user="U2")  # acceptances stored after the hour's curve was worked out
    for minutes in (0, 20, 59):
        assert team_curve(db, "T1", now=NOW + timedelta(minutes=minutes)).as_json() == reference(first, NOW)
    next_hour = NOW + timedelta(hours=1)
    assert team_curve(db, "T1", now=next_hour).as_json() == reference(first + later, next_hour)


def test_a_curve_of_an_earlier_hour_is_not_stored_over_the_current_one(db):
    team = random_team(9, 300)
    store(db, team)
    assert team_curve(db, "T1", now=NOW).as_json() == reference(team, NOW)
    past = NOW - timedelta(days=90)
    assert team_curve(db, "T1", now=past).as_json() == reference(team, past)
    store(db, random_team(10, 300), user="U2")
    assert team_curve(db, "T1", now=NOW).as_json() == reference(team, NOW)  # still the hour's row


def test_forgetting_a_member_drops_the_stored_curve_that_counted_them(db):
    from bot.services.admin import forget_member

    mine, theirs = random_team(11, 300), random_team(12, 300)
    store(db, mine)
    store(db, theirs, user="U2")
    assert team_curve(db, "T1", now=NOW).as_json() == reference(mine + theirs, NOW)
    forget_member(db, team_id="T1", user_id="U2")
    assert team_curve(db, "T1", now=NOW).as_json() == reference(mine, NOW)


def test_stats_and_the_curve_command_show_the_stored_curve_within_the_hour(slack, db):
    """Acceptances stored after the hour's curve was worked out do not make stats and curve disagree."""
    team = random_team(13, 300)
    store(db, team)
    expected = reference(team, NOW)
    within7 = f"{round(expected['within_days']['7'] * 100)}% within 7 days"
    assert within7 in slack.invites("curve").visible
    slow = [FakeInvite(NOW - 50 * DAY, "accepted", [("accepted", NOW - 5 * DAY, False)]) for _ in range(300)]
    store(db, slow, user="U2")  # would take "within 7 days" far down
    assert reference(team + slow, NOW)["within_days"]["7"] < expected["within_days"]["7"] - 0.2
    assert within7 in slack.invites("curve").visible
    assert f"{expected['suggested_withdraw_after_days']} days" in slack.invites("stats").visible
