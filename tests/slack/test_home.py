"""App Home: published on open (0, 10 and 5,000 invites within Slack's limits), refreshed after each change."""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, select

from bot.db.models import Invite, Member
from bot.domain.invites import is_stale
from bot.services.home import TREND_WEEKS, home_data
from bot.services.members import identify
from bot.slack.ids import TeamAction
from bot.slack.payloads import HomeSwitch
from tests.conftest import NOW
from tests.support.factories import make_invites, make_member, record_event, set_workspace
from tests.support.signing import event_body
from tests.unit.test_home_blocks import home_as_text, home_problems

STATUSES = ["pending", "accepted", "declined", "withdrawn", "expired"]


# ---- driving the Home tab ---------------------------------------------------------------------------


def open_home(slack, *, user: str = "U1", tab: str = "home") -> None:
    body = event_body({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab, "event_ts": "1.0"})
    response = slack.dispatch(body, content_type="application/json")
    assert response.status == 200


def published(fake_slack, count: int = 1) -> dict[str, Any]:
    """The last view published (waiting for the `count`-th views.publish)."""
    call = fake_slack.wait_for("views.publish", count)[-1]
    view = call.params["view"]
    assert call.params["user_id"]
    return json.loads(view) if isinstance(view, str) else view


def home_click(slack, action_id: str, *, value: str | None = None, selected: str | None = None,
               user: str = "U1", block_id: str = "b") -> None:
    """A click in the Home tab, as Slack sends it: container `view`, no channel, no response_url."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "action_ts": "1.1"}
    if selected is not None:
        action |= {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": selected},
                                                                "value": selected}}
    else:
        action |= {"type": "button", "value": value, "text": {"type": "plain_text", "text": "x"}}
    payload = {
        "type": "block_actions", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": "T1"}, "api_app_id": "A1",
        "token": "legacy-verification-token", "trigger_id": "12345.98765.abcd",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "team_id": "T1", "type": "home", "callback_id": "home", "hash": "h1",
                 "blocks": [], "state": {"values": {}}},
        "actions": [action],
    }
    response = slack.dispatch(urlencode({"payload": json.dumps(payload)}),
                              content_type="application/x-www-form-urlencoded")
    assert response.status == 200


def buttons(view: dict[str, Any], label: str) -> list[dict[str, Any]]:
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["type"] == "button" and e["text"]["text"] == label]


def member(db, user: str = "U1") -> Member:
    with db.session(write=False) as s:
        return s.scalars(select(Member).where(Member.user_id == user)).one()


# ---- datasets -----------------------------------------------------------------------------------------


def ten_invites(db, actor) -> None:
    make_invites(db, actor, [
        {"key": "in:ann", "days_ago": 30, "name": "Ann Lee", "url": "https://www.linkedin.com/in/ann"},
        {"key": "in:bob", "days_ago": 18, "priority": "low"},
        {"key": "in:cy", "days_ago": 20, "priority": "high"},
        {"key": "in:dee", "days_ago": 16, "snoozed_until": NOW + timedelta(days=2)},
        {"key": "in:eve", "days_ago": 3},
        {"key": "in:fay", "days_ago": 1},
        {"key": "in:gus", "days_ago": 25, "status": "accepted", "changed_days_ago": 20},
        {"key": "in:hal", "days_ago": 40, "status": "accepted", "changed_days_ago": 35},
        {"key": "in:ida", "days_ago": 33, "status": "declined", "changed_days_ago": 30},
        {"key": "in:jo", "days_ago": 50, "status": "withdrawn", "changed_days_ago": 36},
    ], now=NOW)


def many_invites(db, actor, count: int, *, seed: int = 5) -> None:
    rng = random.Random(seed)
    specs = []
    for n in range(count):
        status = rng.choices(STATUSES, [30, 30, 10, 20, 10])[0]
        days = rng.randint(0, 170) if status == "pending" else rng.randint(0, 400)
        spec = {"key": f"in:prospect-{n}", "days_ago": days, "status": status,
                "priority": rng.choice(["high", "normal", "normal", "low"]),
                "changed_days_ago": max(0, days - rng.randint(0, 10)) if status != "pending" else days}
        if rng.random() < 0.5:
            spec["name"] = rng.choice(["Ann & <Co>", "Łukasz Nowak", "María-Fernanda de la Cruz Villanueva", "Bo"])
            spec["url"] = f"https://www.linkedin.com/in/prospect-{n}"
        if status == "pending" and rng.random() < 0.05:
            spec["snoozed_until"] = NOW + timedelta(days=rng.randint(-3, 6))
        specs.append(spec)
    make_invites(db, actor, specs, now=NOW)


def seed(db, size: int):
    actor = make_member(db, "U1", tz="Europe/Berlin", now=NOW)
    if size == 10:
        ten_invites(db, actor)
    elif size:
        many_invites(db, actor, size)
    return actor


# ---- open → publish -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 10, 5000])
def test_home_is_published_on_open_within_slacks_limits(slack, db, fake_slack, size, request):
    seed(db, size)
    open_home(slack)
    view = published(fake_slack)
    (call,) = fake_slack.of("views.publish")
    assert call.params["user_id"] == "U1"
    assert home_problems(view) == []
    size_kb = len(json.dumps(view, ensure_ascii=False).encode()) / 1000
    backend = request.node.callspec.params["db"]
    print(f"\n===== App Home, {size} invites ({backend}): {len(view['blocks'])} blocks, {size_kb:.1f} kB =====")
    print(home_as_text(view))
    text = home_as_text(view)
    assert "[Log invites]" in text and "Your settings" in text and "By week sent:" in text
    assert "<@" not in json.dumps(view)


def test_ten_invites_show_the_right_figures_and_batch(slack, db, fake_slack):
    seed(db, 10)
    open_home(slack)
    text = home_as_text(published(fake_slack))
    # Pending 6; stale: ann (30d), bob (18d, low), dee (snoozed, so not in the batch); cy is high
    # priority (20 < 28).
    assert "*6 pending* · *3 stale (1 snoozed)* · today's batch: *2*" in text
    assert "*Sent in the last 7 days:* 2 of a safe 80 (Free account)" in text
    # Low priority first, then oldest: bob before Ann.
    assert text.index("Bob · sent 18 days ago · low priority") < text.index("|Ann Lee> · sent 30 days ago")
    # Decided over 8 weeks: gus, hal, ida, jo + the stale ann, bob and dee (a snooze does not change the
    # rate's denominator, as in /invites stats) = 7, of which 2 accepted.
    assert "*Acceptance, last 8 weeks:* 29% (n=7)" in text


def test_the_batch_is_capped_and_counts_the_rest(slack, db, fake_slack):
    actor = seed(db, 0)
    set_workspace(db, max_withdrawals_per_day=500)
    make_invites(db, actor, [{"key": f"in:s{n}", "days_ago": 15 + n % 100} for n in range(600)], now=NOW)
    open_home(slack)
    view = published(fake_slack)
    assert home_problems(view) == []
    text = home_as_text(view)
    assert len(buttons(view, "Withdrawn")) == 20
    assert "…and 480 more in today's batch" in text and "100 more stale invites wait for the next days." in text
    assert ":rotating_light:" in text  # 600 pending is past the limit of 300


def test_the_messages_tab_publishes_nothing(slack, fake_slack):
    open_home(slack, tab="messages")
    assert fake_slack.of("views.publish") == []


# ---- changes from Home re-publish it ------------------------------------------------------------------


def test_changing_the_tier_stores_it_and_republishes(slack, db, fake_slack):
    seed(db, 10)
    home_click(slack, TeamAction.HOME_TIER, selected="premium")
    view = published(fake_slack)  # the click is acked at once; the change and the publish follow
    assert member(db).account_tier == "premium"
    text = home_as_text(view)
    assert "of a safe 120 (Premium account)" in text and "‹Premium — safe 120 a week ▾›" in text


def test_a_forged_tier_changes_nothing(slack, db, fake_slack):
    seed(db, 0)
    home_click(slack, TeamAction.HOME_TIER, selected="platinum")
    time.sleep(0.5)  # the lazy listener refuses the value before any call; give it time to (not) act
    assert member(db).account_tier == "free"
    assert fake_slack.of("views.publish") == []


def test_pause_and_resume_the_digest_from_home(slack, db, fake_slack):
    actor = seed(db, 0)
    with db.session() as s:
        s.get(Member, actor.member_id).snoozed_until = NOW + timedelta(days=3)
    home_click(slack, TeamAction.HOME_DIGEST, value=HomeSwitch(on=False).dump())
    view = published(fake_slack)
    assert member(db).nudges_enabled is False
    assert "daily digest: *paused*" in home_as_text(view) and buttons(view, "Resume daily digest")
    home_click(slack, TeamAction.HOME_DIGEST, value=buttons(view, "Resume daily digest")[0]["value"])
    assert "daily digest: *on*" in home_as_text(published(fake_slack, 2))
    m = member(db)
    assert m.nudges_enabled is True and m.snoozed_until is None


def test_hide_and_show_on_the_leaderboard_from_home(slack, db, fake_slack):
    seed(db, 0)
    home_click(slack, TeamAction.HOME_LEADERBOARD, value=HomeSwitch(on=False).dump())
    view = published(fake_slack)
    assert member(db).show_on_leaderboard is False
    assert "leaderboard: *hidden" in home_as_text(view)
    home_click(slack, TeamAction.HOME_LEADERBOARD, value=buttons(view, "Show me on the leaderboard")[0]["value"])
    assert "leaderboard: *shown*" in home_as_text(published(fake_slack, 2))
    assert member(db).show_on_leaderboard is True


def test_log_invites_opens_the_modal_with_the_clicks_trigger(slack, db, fake_slack):
    seed(db, 0)
    home_click(slack, TeamAction.OPEN_LOG_MODAL, value="log")
    (opened,) = fake_slack.wait_for("views.open")
    assert opened.params["trigger_id"] == "12345.98765.abcd"


def test_a_digest_button_in_home_records_the_outcome(slack, db, fake_slack):
    seed(db, 10)
    open_home(slack)
    withdrawn = buttons(published(fake_slack), "Withdrawn")[0]
    home_click(slack, withdrawn["action_id"], value=withdrawn["value"], block_id="digest_row:2")
    _wait(lambda: _status(db, "in:bob") == "withdrawn")
    time.sleep(0.5)  # the listener goes on to re-publish Home: let it end before the fake stops


def test_a_digest_button_in_home_refreshes_home(slack, db, fake_slack):
    seed(db, 10)
    open_home(slack)
    withdrawn = buttons(published(fake_slack), "Withdrawn")[0]
    home_click(slack, withdrawn["action_id"], value=withdrawn["value"], block_id="digest_row:2")
    text = home_as_text(published(fake_slack, 2))
    assert "*5 pending* · *2 stale (1 snoozed)* · today's batch: *1*" in text


def _status(db, key: str) -> str:
    with db.session(write=False) as s:
        return s.scalar(select(Invite.status).where(Invite.prospect_key == key))


def _wait(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# ---- the figures against a plain-Python reference, on both databases ------------------------------------


def test_home_figures_match_a_reference_and_take_four_queries(db):
    actor = make_member(db, "U1", tz="Europe/Berlin", now=NOW)
    set_workspace(db, max_withdrawals_per_day=7)
    actor = identify(db, team_id="T1", user_id="U1", now=NOW)
    many_invites(db, actor, 1500, seed=11)
    other = make_member(db, "U2", now=NOW)
    many_invites(db, other, 50, seed=12)
    with db.session(write=False) as s:
        rows = s.execute(select(Invite).where(Invite.member_id == actor.member_id)).scalars().all()
    ids = [r.id for r in rows]
    # Berlin's today starts at 23:00 UTC the day before: two withdrawals count, the earlier one does not.
    record_event(db, actor, ids[0], "withdrawn", at=NOW.replace(hour=0) - timedelta(minutes=30))
    record_event(db, actor, ids[1], "withdrawn", at=NOW - timedelta(hours=1))
    record_event(db, actor, ids[2], "withdrawn", at=NOW.replace(hour=0) - timedelta(minutes=90))

    statements: list[str] = []
    listener = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        got = home_data(db, actor, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4, selects  # member, the pile (with 7-day sends, withdrawn today and notes), weeks, batch

    wad, expire = 14, 180

    def pending(r) -> bool:  # past expiry an invite counts as expired, whether the sweep wrote it yet or not
        return r.status == "pending" and r.sent_at > NOW - timedelta(days=expire)

    def stale(r) -> bool:
        return pending(r) and is_stale(sent_at=r.sent_at, priority=r.priority, withdraw_after_days=wad, now=NOW)

    def awake(r) -> bool:
        return r.snoozed_until is None or r.snoozed_until <= NOW

    ready = [r for r in rows if stale(r) and awake(r)]
    assert got.pile.pending == sum(pending(r) for r in rows)
    assert got.pile.stale == sum(stale(r) for r in rows)
    assert got.pile.snoozed_stale == sum(stale(r) and not awake(r) for r in rows)
    assert got.pile.ready == len(ready)
    assert got.sends_last_7_days == sum(r.sent_at > NOW - timedelta(days=7) for r in rows)
    assert got.pile.budget == 5 and got.batch_total == min(5, len(ready))
    order = {"low": 0, "normal": 1, "high": 2}
    expected = sorted(ready, key=lambda r: (order[r.priority], r.sent_at, r.id))[:5]
    assert [i.invite_id for i in got.batch] == [r.id for r in expected]
    assert len(got.weeks) == TREND_WEEKS
    for week in got.weeks:
        mine = [r for r in rows if week.start <= r.sent_at < week.end or (week.end == NOW and r.sent_at == NOW)]
        decided = [r for r in mine if r.status in ("accepted", "declined", "withdrawn", "expired")
                   or r.status == "pending" and not pending(r) or stale(r)]
        assert (week.counts.sent, week.counts.accepted, week.counts.decided) == (
            len(mine), sum(r.status == "accepted" for r in mine), len(decided)
        ), week.start
    assert got.weeks[-1].end == NOW and got.weeks[-1].start.astimezone(actor.tz).weekday() == 0  # their Monday
    first, last = (w.start.astimezone(actor.tz).date() for w in (got.weeks[0], got.weeks[-1]))
    assert last - first == timedelta(weeks=TREND_WEEKS - 1)
