"""A count meets its noun in the right number everywhere: `1 invite`, `2 invites`, `1 more … waits`."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.commands import Commands
from bot.domain.counts import PileCounts
from bot.domain.invites import PERIODS, Risk
from bot.domain.nudges import Kind, Message
from bot.domain.words import count, plural
from bot.services.admin import Forgotten
from bot.services.leaderboard import Leaderboard, TeamTotals
from bot.slack.render import nudges as render_nudges
from bot.slack.render.team import leaderboard_public, method_text, visibility_reply
from tests.unit.test_home_blocks import NOW, data, home_as_text, invite, pile, view
from tests.unit.test_render_team import row, texts


def test_count_and_plural():
    assert [count(n, "invite") for n in (0, 1, 2)] == ["0 invites", "1 invite", "2 invites"]
    assert count(1, "history entry", "history entries") == "1 history entry"
    assert count(3, "history entry", "history entries") == "3 history entries"
    assert plural(1, "pt") == "pt" and plural(5, "pt") == "pts"


def test_home_batch_of_one_and_one_left_over():
    text = home_as_text(view(data(pile=pile(pending=5, stale=2, per_day=1), batch=(invite(1),))))
    assert "*Withdraw this one on LinkedIn today*" in text
    assert "1 more stale invite waits for the next days." in text
    text = home_as_text(view(data(pile=pile(pending=1, stale=1, withdrawn=1, per_day=1))))
    assert "You've used today's 1 withdrawal: the 1 stale invite left can wait until tomorrow." in text


def message(**fields) -> Message:
    base = dict(kind=Kind.DAILY_DIGEST, team_id="T1", user_id="U1", member_id=1, local_date=date(2026, 11, 18),
                pending=1, risk=Risk.OK)
    return Message(**{**base, **fields})


def test_digest_and_alerts_of_one():
    stale = (invite(1), invite(2))
    counts = PileCounts(pending=2, stale=2, max_withdrawals_per_day=1, pending_warn_at=200, pending_limit=300)
    out = texts(render_nudges.digest(message(pending=2, stale_keys=tuple(i.key for i in stale), batch=stale[:1], counts=counts), now=NOW))
    assert "*Withdraw this one on LinkedIn today*" in out
    assert "1 more stale invite waits for the next days." in out
    fresh = invite(3)
    row_text = render_nudges.row_blocks(fresh, fresh.sent_at + timedelta(days=1, hours=2))[0]["text"]["text"]
    assert "sent 1 day ago" in row_text
    warn = render_nudges.alert(message(kind=Kind.PENDING_WARN, pending=1))
    assert "*1 pending invite*" in warn["blocks"][0]["text"]["text"]
    pace = render_nudges.alert(message(kind=Kind.WEEKLY_PACE, sends_last_7_days=1, safe_weekly_limit=1))
    assert "*1 invite in the last 7 days*" in pace["blocks"][0]["text"]["text"]


def test_a_minimum_sample_of_one():
    board = Leaderboard(PERIODS["7d"], (), (row("U3", "Priya", accepted=0, n=0, pending=2),), (),
                        TeamTotals(sent=2, pending=2), 1)
    out = texts(leaderboard_public(board))
    assert "Nobody has 1 decided invite from the last 7 days yet." in out
    assert "(fewer than 1 decided invite)" in out
    assert "1 decided invite to be ranked" in method_text(board)
    shown = visibility_reply(shown=True, min_sample=1, commands=Commands())
    assert "once you have 1 decided invite in the period" in shown["text"]


def test_forget_me_counts_what_it_deleted():
    from bot.slack.listeners.privacy import forgotten_text

    assert forgotten_text(Forgotten(invites=1, events=1, deliveries=1)) == (
        ":wastebasket: Done: deleted 1 invite, 1 history entry and 1 digest record. "
        "If you use the app again, it starts from scratch."
    )
    assert "deleted 0 invites, 2 history entries and 3 digest records" in forgotten_text(
        Forgotten(invites=0, events=2, deliveries=3))
