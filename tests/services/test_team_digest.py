"""The weekly team digest: due Mondays at nudge_hour in the workspace zone, exactly once through the ledger."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.clock import FixedClock
from bot.db.models import Delivery, Member
from bot.services.ledger import DeliveryError
from bot.services.sweep import run_cycle
from bot.services.team_digest import deliver_team_digests, plan_team_digests, run_team_digests
from bot.slack.outbound import channel_sender, single_workspace_tokens, slack_sender
from bot.slack.render.team import risk_text, team_digest
from tests.support.factories import make_invites, make_member, set_workspace
from tests.support.signing import BOT_TOKEN

MONDAY = date(2026, 11, 16)
NY_MONDAY_9 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # 09:00 in New York (EST)
CHANNEL = "C0DIGEST"


def workspace(db, *, team_id: str = "T1", tz: str = "America/New_York", channel: str | None = CHANNEL, **settings):
    make_member(db, "USEED", team_id=team_id, now=NY_MONDAY_9)
    set_workspace(db, team_id, timezone=tz, digest_channel=channel, nudge_hour=9, **settings)


class Recorder:
    """A ChannelSender that records what it was asked to send, and can fail on demand."""

    def __init__(self, *errors: str) -> None:
        self.sent: list = []
        self.errors = list(errors)
        self.lock = threading.Lock()

    def __call__(self, plan, held=None):
        with self.lock:
            if self.errors:
                raise DeliveryError(self.errors.pop(0))
            self.sent.append(plan)
            return plan.channel, f"{len(self.sent)}.0"


def ledger(db):
    with db.session(write=False) as s:
        return [(d.recipient, d.kind, d.local_date, d.state, d.error, d.attempts)
                for d in s.scalars(select(Delivery).order_by(Delivery.id))]


# ---- when it is due -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "due"), [
    (NY_MONDAY_9 - timedelta(minutes=1), False),  # 08:59 Monday in New York
    (NY_MONDAY_9, True),
    (datetime(2026, 11, 17, 4, 59, tzinfo=UTC), True),  # 23:59 Monday: a digest missed while down goes out
    (datetime(2026, 11, 17, 5, 0, tzinfo=UTC), False),  # Tuesday 00:00 in New York
    (NY_MONDAY_9 + timedelta(days=7), True),  # next Monday
    (NY_MONDAY_9 - timedelta(days=1), False),  # Sunday
])
def test_due_on_monday_from_nudge_hour_in_the_workspace_zone(db, now, due):
    workspace(db)
    plans = plan_team_digests(db, now=now)
    assert [(p.team_id, p.channel) for p in plans] == ([("T1", CHANNEL)] if due else [])
    if due:
        assert plans[0].local_date.isoweekday() == 1


def test_the_local_date_is_the_workspaces_monday_even_when_utc_is_still_sunday(db):
    workspace(db, tz="Pacific/Auckland")
    sunday_utc = datetime(2026, 11, 15, 20, 0, tzinfo=UTC)  # Monday 09:00 in Auckland (NZDT, UTC+13)
    (plan,) = plan_team_digests(db, now=sunday_utc)
    assert plan.local_date == MONDAY
    assert plan_team_digests(db, now=sunday_utc - timedelta(minutes=1)) == []


def test_nothing_without_a_channel_or_after_uninstall(db):
    workspace(db, channel=None)
    workspace(db, team_id="T2", uninstalled_at=NY_MONDAY_9 - timedelta(days=1))
    workspace(db, team_id="T3", channel="")
    assert plan_team_digests(db, now=NY_MONDAY_9) == []


def test_team_filter(db):
    workspace(db)
    workspace(db, team_id="T2", channel="C0OTHER")
    assert [p.team_id for p in plan_team_digests(db, now=NY_MONDAY_9)] == ["T1", "T2"]
    assert [p.channel for p in plan_team_digests(db, now=NY_MONDAY_9, team_id="T2")] == ["C0OTHER"]


# ---- what it says ---------------------------------------------------------------------------------------


def seed_piles(db) -> None:
    """Warn at 3 pending, limit at 5: Ann 6 (limit), Bob 4 and Cat 3 (warn), Dan 1; Hid 5 (hidden, limit);
    Gone 10 (deactivated: not counted)."""
    workspace(db, pending_warn_at=3, pending_limit=5, leaderboard_min_sample=1)
    for user, pending in {"UANN": 6, "UBOB": 4, "UCAT": 3, "UDAN": 1, "UHID": 5, "UGONE": 10}.items():
        actor = make_member(db, user, now=NY_MONDAY_9, show_on_leaderboard=user != "UHID",
                            deactivated=user == "UGONE")
        make_invites(db, actor, [
            *({"key": f"in:{user}-{n}", "days_ago": 20 if n % 2 else 2} for n in range(pending)),
            {"key": f"in:{user}-acc", "days_ago": 3, "status": "accepted"},
            {"key": f"in:{user}-dec", "days_ago": 29, "status": "declined"},
        ], now=NY_MONDAY_9)


def test_totals_and_the_risk_zone_counted_without_names(db):
    seed_piles(db)
    (plan,) = plan_team_digests(db, now=NY_MONDAY_9)
    p = plan.pile
    assert (p.members, p.pending, p.stale, p.at_warn, p.at_limit) == (5, 19, 8, 2, 2)
    # The 30-day board (the 7-day one would have nothing decided yet): accepted, declined and stale count.
    assert plan.board.period.label == "30d"
    assert (plan.board.totals.accepted, plan.board.totals.decided) == (5, 18)
    assert risk_text(plan) == (":warning: Risk zone: 2 members past the limit (5+ pending) and 2 members at the "
                               "warning level (3+ pending). Withdrawing stale invites brings a pile down.")
    assert plan.as_json()["at_warn"] == 2 and "UANN" not in json.dumps(plan.as_json())


def test_the_message_fits_slack_and_names_nobody_at_risk(db):
    seed_piles(db)
    with db.session() as s:
        s.execute(update(Member).where(Member.user_id == "UANN").values(display_name="<@UANN> Ann"))
    (plan,) = plan_team_digests(db, now=NY_MONDAY_9)
    message = team_digest(plan)
    assert len(message["blocks"]) <= 50 and len(message["text"]) <= 3000
    summary = message["blocks"][1]["text"]["text"]
    # Sent in 30 days: every invite of the five active members (19 pending, 5 accepted, 5 declined).
    assert summary.splitlines()[:2] == [
        "*Last 30 days:* 29 invites sent · 5 accepted · *acceptance:* 28% of 18 decided",
        "*Pending now:* 19 · 8 stale across 5 members",
    ]
    assert "UANN" not in summary and "Ann" not in summary and "HID" not in summary
    dumped = json.dumps(message, ensure_ascii=False)
    assert "<@" not in dumped and "Weekly invite digest — Nov 16" in dumped
    assert "1. " in dumped and "UHID" not in dumped  # the board ranks members; hidden ones stay out


def test_nobody_at_risk_says_so(db):
    workspace(db)
    (plan,) = plan_team_digests(db, now=NY_MONDAY_9)
    assert risk_text(plan) == ":white_check_mark: Nobody has 200 or more pending invites."
    assert "No invites were logged in the last 30 days." in json.dumps(team_digest(plan))


# ---- exactly once ----------------------------------------------------------------------------------------


def test_sent_once_a_monday_through_the_ledger(db):
    workspace(db)
    send = Recorder()
    report = run_team_digests(db, now=NY_MONDAY_9, send_to_channel=send)
    assert [p.channel for p in report.sent] == [CHANNEL]
    assert ledger(db) == [(CHANNEL, "team_digest", MONDAY, "sent", None, 1)]
    for later in (timedelta(minutes=5), timedelta(hours=10)):
        assert run_team_digests(db, now=NY_MONDAY_9 + later, send_to_channel=send).planned == []
    assert len(send.sent) == 1
    # A plan made before the digest went out (another replica) is skipped by the ledger.
    late = deliver_team_digests(db, report.sent, now=NY_MONDAY_9 + timedelta(minutes=1), send_to_channel=send)
    assert late.skipped == report.sent and len(send.sent) == 1
    next_week = run_team_digests(db, now=NY_MONDAY_9 + timedelta(days=7), send_to_channel=send)
    assert [p.local_date for p in next_week.sent] == [MONDAY + timedelta(days=7)]


def test_concurrent_schedulers_send_it_once(db):
    workspace(db)
    plans = plan_team_digests(db, now=NY_MONDAY_9)
    send = Recorder()
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        deliver_team_digests(db, plans, now=NY_MONDAY_9, send_to_channel=send)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(send.sent) == 1
    assert [row[3] for row in ledger(db)] == ["sent"]


def test_a_transient_failure_is_retried_and_a_permanent_one_is_not(db):
    workspace(db)
    workspace(db, team_id="T2", channel="C0GONE")
    send = Recorder("ratelimited", "not_in_channel")
    first = run_team_digests(db, now=NY_MONDAY_9, send_to_channel=send)
    assert [(p.team_id, code) for p, code in first.failed] == [("T1", "ratelimited"), ("T2", "not_in_channel")]
    retry = run_team_digests(db, now=NY_MONDAY_9 + timedelta(minutes=5), send_to_channel=send)
    assert [p.team_id for p in retry.sent] == ["T1"] and retry.failed == []
    assert run_team_digests(db, now=NY_MONDAY_9 + timedelta(minutes=10), send_to_channel=send).planned == []
    states = {row[0]: (row[3], row[4], row[5]) for row in ledger(db)}
    assert states == {CHANNEL: ("sent", None, 2), "C0GONE": ("failed", "not_in_channel", 1)}


# ---- through Slack -----------------------------------------------------------------------------------------


def test_the_slack_sender_posts_in_the_digest_channel(db, settings, fake_slack):
    seed_piles(db)
    report = run_team_digests(db, now=NY_MONDAY_9, send_to_channel=channel_sender(settings, lambda _team: BOT_TOKEN))
    assert len(report.sent) == 1
    (post,) = fake_slack.of("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    blocks = post.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert blocks[0]["text"]["text"] == "Weekly invite digest — Nov 16" and len(blocks) <= 50
    with db.session(write=False) as s:
        row = s.scalars(select(Delivery)).one()
    assert (row.state, row.channel, row.ts is not None) == ("sent", CHANNEL, True)


def test_the_slack_sender_maps_slack_errors(db, settings, fake_slack):
    workspace(db)
    fake_slack.queue("chat.postMessage", {"ok": False, "error": "not_in_channel"})
    send = channel_sender(settings, lambda _team: BOT_TOKEN)
    report = run_team_digests(db, now=NY_MONDAY_9, send_to_channel=send)
    assert [code for _, code in report.failed] == ["not_in_channel"]
    no_token = run_team_digests(db, now=NY_MONDAY_9 + timedelta(days=7),
                                send_to_channel=channel_sender(settings, lambda _team: None))
    assert [code for _, code in no_token.failed] == ["not_authed"]


# ---- the 30-day board and each member's change since last week ----------------------------------------


def outcomes(user: str, days_ago: int, **statuses: int) -> list[dict]:
    return [{"key": f"in:{user}-{days_ago}-{status}-{n}", "days_ago": days_ago, "status": status}
            for status, times in statuses.items() for n in range(times)]


def seed_weeks(db) -> None:
    """Windows: now = the last 30 days; last week = the 30 days that ended 7 days ago (min. sample 10).

    Ana 67% of 15 now, 50% of 20 then (5 declines 35 days ago): ▲ 17. Bob 33% of 12, 56% of 18 then: ▼ 23.
    Cat decided 12 this week only: new (her quick answers are not last week's). Dan 50% both weeks: =.
    Eve (2 decided) and Tom (fresh invites only) are not ranked; Hid is hidden.
    """
    workspace(db)
    seeds = {
        "UANA": [*outcomes("ana", 20, accepted=10, declined=5), *outcomes("ana", 35, declined=5)],
        "UBOB": [*outcomes("bob", 20, accepted=4, declined=8), *outcomes("bob", 35, accepted=6)],
        "UCAT": outcomes("cat", 5, accepted=6, declined=6),
        "UDAN": [*outcomes("dan", 20, accepted=5, declined=5), *outcomes("dan", 3, pending=2)],
        "UEVE": [*outcomes("eve", 20, accepted=2), *outcomes("eve", 2, pending=1)],
        "UTOM": outcomes("tom", 2, pending=3),
        "UHID": outcomes("hid", 20, accepted=10),
    }
    for user, specs in seeds.items():
        actor = make_member(db, user, now=NY_MONDAY_9, show_on_leaderboard=user != "UHID")
        with db.session() as s:
            s.execute(update(Member).where(Member.id == actor.member_id).values(display_name=user[1:].title()))
        make_invites(db, actor, specs, now=NY_MONDAY_9)


def posted_digest(fake_slack) -> str:
    (post,) = [c for c in fake_slack.of("chat.postMessage") if c.params["channel"] == CHANNEL]
    blocks = post.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return "\n".join(render_text(b) for b in blocks)


def render_text(block: dict) -> str:
    if block["type"] in {"section", "header"}:
        return block["text"]["text"]
    if block["type"] == "context":
        return " ".join(e.get("text", "") for e in block["elements"])
    return "---"


def test_the_weekly_digest_ranks_30_days_with_each_members_change_since_last_week(db, settings, fake_slack):
    seed_weeks(db)
    report = run_cycle(db, now=NY_MONDAY_9, send=slack_sender(settings, db, single_workspace_tokens(settings),
                                                              FixedClock(NY_MONDAY_9)),
                       send_to_channel=channel_sender(settings, lambda _team: BOT_TOKEN))
    assert [p.channel for p in report.team_digests.sent] == [CHANNEL]
    text = posted_digest(fake_slack)
    board = text.split("---\n", 1)[1]
    assert board.splitlines()[:5] == [
        "*Leaderboard — the last 30 days* (acceptance rate, change since last week)",
        "1. Ana — 67% (n=15) · ▲ 17 pts since last week",
        "2. Cat — 50% (n=12) · new on the board",
        "3. Dan — 50% (n=10) · = same as last week",
        "4. Bob — 33% (n=12) · ▼ 23 pts since last week",
    ]
    assert "Not enough decided invites yet: Eve, Tom (need 10)" in board
    assert "(n=0)" not in text and "–" not in text and "Hid" not in text
    # Hid is in the totals, never named: 67 sent (10 his), 37 accepted, 61 decided.
    assert "*Last 30 days:* 67 invites sent · 37 accepted · *acceptance:* 61% of 61 decided" in text


def test_a_team_with_nothing_decided_yet_lists_names_in_one_line(db):
    workspace(db)
    for user in ("UANA", "UTOM"):
        actor = make_member(db, user, now=NY_MONDAY_9)
        make_invites(db, actor, outcomes(user, 3, pending=2), now=NY_MONDAY_9)
    (plan,) = plan_team_digests(db, now=NY_MONDAY_9)
    text = json.dumps(team_digest(plan), ensure_ascii=False)
    assert "Nobody has 10 decided invites from the last 30 days yet." in text
    assert "Not enough decided invites yet: UANA, UTOM (need 10)" in text
    assert "(n=0)" not in text and " — –" not in text
