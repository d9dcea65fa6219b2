"""One count, one meaning: every surface shows the same figures, read back from the text a user sees.

Random teams (seeded): three members in Berlin, Los Angeles and Tokyo; invites of every status and
priority around the thresholds (7 days, 14, 28, 180), snoozed ones (some snoozes over), and part
of today's withdrawal budget used (in each member's own local day). At several instants each
surface is rendered through the real app (signed commands, App Home, the sweep's digest and a
click on it, the leaderboard, the weekly team digest, `report`), its figures are parsed from the
text, and they must equal each other and a small independent reference computed from the rows.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli_reports import make_report
from bot.domain.invites import PERIODS
from bot.services.sweep import run_cycle
from bot.slack.outbound import channel_sender, single_workspace_tokens, slack_sender
from tests.support.factories import make_invites, make_member, record_event, set_workspace
from tests.support.harness import block_text

ZONES = {"U1": "Europe/Berlin", "U2": "America/Los_Angeles", "U3": "Asia/Tokyo"}
T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wed: Berlin 11:00 and Tokyo 19:00 are due
INSTANTS = (T0, datetime(2026, 11, 18, 20, 0, tzinfo=UTC),  # Wed: Los Angeles 12:00 is due
            datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # Mon: Berlin, Tokyo and the weekly team digest
RULES = {"withdraw_after_days": 14, "expire_after_days": 180, "max_withdrawals_per_day": 3,
         "pending_warn_at": 6, "pending_limit": 9, "leaderboard_min_sample": 3}
CHANNEL = "CTEAM"
ADMIN = "UADMIN"  # in ADMIN_USER_IDS (tests/conftest.py): their Home has the team section
# Ages in days around every threshold, plus anything.
AGES = (0.1, 3, 6.99, 7.0, 7.01, 10, 13.99, 14.0, 14.01, 16, 20, 27.99, 28.0, 28.01, 35, 60, 179.99, 180.0,
        180.01, 200)


# ---- the reference: a tiny independent implementation of PRODUCT.md's counts -------------------------


@dataclass
class Row:
    id: int
    user: str
    status: str
    priority: str
    sent_at: datetime
    snoozed_until: datetime | None = None


@dataclass
class World:
    rows: list[Row] = field(default_factory=list)
    withdrawals: dict[str, list[datetime]] = field(default_factory=dict)


@dataclass(frozen=True)
class Expected:
    pending: int
    stale: int
    snoozed: int
    batch: tuple[int, ...]
    waiting: int
    sent_7d: int
    risk: str


def expected(world: World, user: str, now: datetime) -> Expected:
    mine = [r for r in world.rows if r.user == user]
    pending = [r for r in mine if r.status == "pending" and now - r.sent_at < timedelta(days=RULES["expire_after_days"])]
    stale = [r for r in pending if now - r.sent_at >= timedelta(days=RULES["withdraw_after_days"]
                                                               * (2 if r.priority == "high" else 1))]
    snoozed = [r for r in stale if r.snoozed_until is not None and r.snoozed_until > now]
    midnight = now.astimezone(ZoneInfo(ZONES[user])).replace(hour=0, minute=0, second=0, microsecond=0)
    budget = max(0, RULES["max_withdrawals_per_day"] - sum(1 for w in world.withdrawals.get(user, []) if w >= midnight))
    order = {"low": 0, "normal": 1, "high": 2}
    ready = sorted((r for r in stale if r not in snoozed), key=lambda r: (order[r.priority], r.sent_at, r.id))
    risk = ("limit" if len(pending) >= RULES["pending_limit"] else "warn" if len(pending) >= RULES["pending_warn_at"]
            else "ok")
    return Expected(len(pending), len(stale), len(snoozed), tuple(r.id for r in ready[:budget]),
                    max(0, len(ready) - budget), sum(1 for r in mine if now - r.sent_at < timedelta(days=7)), risk)


def expected_rate(world: World, user: str, now: datetime, days: int | None = None,
                  since: datetime | None = None) -> tuple[str, int]:
    """(`42%` or `–`, n) over the invites sent in the last `days` days (`now - days < sent_at`), or from `since` on."""
    mine = [r for r in world.rows if r.user == user]
    sent = ([r for r in mine if now - r.sent_at < timedelta(days=days)] if since is None
            else [r for r in mine if r.sent_at >= since])
    past_expiry = timedelta(days=RULES["expire_after_days"])
    accepted = sum(1 for r in sent if r.status == "accepted")
    decided = accepted + sum(1 for r in sent if r.status in ("declined", "withdrawn", "expired"))
    for r in sent:
        threshold = timedelta(days=RULES["withdraw_after_days"] * (2 if r.priority == "high" else 1))
        if r.status == "pending" and (now - r.sent_at >= past_expiry or now - r.sent_at >= threshold):
            decided += 1
    return (f"{accepted / decided:.0%}" if decided else "–"), decided


def make_world(db, rng: random.Random) -> World:
    world = World()
    for user, tz in ZONES.items():
        actor = make_member(db, user, tz=tz, now=T0)
        specs = []
        for i in range(rng.randint(9, 16)):
            age = rng.choice(AGES) if rng.random() < 0.7 else rng.uniform(0, 200)
            status = rng.choices(["pending", "accepted", "declined", "withdrawn", "expired"], [50, 20, 10, 10, 10])[0]
            snoozed = None
            if status == "pending" and rng.random() < 0.3:
                snoozed = T0 + timedelta(days=rng.uniform(-2, 8))
            specs.append({"key": f"in:{user.lower()}-{i}", "days_ago": age, "status": status, "snoozed_until": snoozed,
                          "priority": rng.choices(["low", "normal", "high"], [25, 50, 25])[0],
                          "changed_days_ago": age * rng.random()})
        ids = make_invites(db, actor, specs, now=T0)
        for invite_id, spec in zip(ids, specs, strict=True):
            world.rows.append(Row(invite_id, user, spec["status"], spec["priority"],
                                  T0 - timedelta(days=spec["days_ago"]), spec["snoozed_until"]))
            if spec["status"] == "withdrawn" and rng.random() < 0.6:
                at = T0 - timedelta(hours=rng.uniform(0, 30))  # today in some zones, yesterday in others
                record_event(db, actor, invite_id, "withdrawn", at=at)
                world.withdrawals.setdefault(user, []).append(at)
    return world


# ---- reading the figures back from the text ---------------------------------------------------------

STALE = r"(\d+) stale(?: \((\d+) snoozed\))?"


def stale_of(match: re.Match, group: int = 1) -> tuple[int, int]:
    return int(match.group(group)), int(match.group(group + 1) or 0)


def find(pattern: str, text: str) -> re.Match:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return match


def text_of(blocks: list[dict]) -> str:
    return "\n".join(block_text(b) for b in blocks)


def risk_of(text: str) -> str:
    if "past the limit" in text:
        return "limit"
    return "warn" if "getting risky" in text else "ok"


def batch_line(text: str) -> int:
    if "Withdraw this one on LinkedIn today" in text:
        return 1
    match = re.search(r"Withdraw these (\d+) on LinkedIn today", text)
    return int(match.group(1)) if match else 0


def waiting_of(text: str) -> int:
    match = re.search(r"(\d+) more stale invites? waits? for the next days", text)
    return int(match.group(1)) if match else 0


def pile_line(text: str) -> dict:
    """The digest's and Home's counts line: `*6 pending* · *6 stale (1 snoozed)* · today's batch: *3*`."""
    m = find(r"\*(\d+) pending\* · \*" + STALE + r"\* · today's batch: \*(\d+)\*", text)
    return {"pending": int(m.group(1)), "stale": stale_of(m, 2), "batch": int(m.group(4))}


def row_ids(blocks: list[dict]) -> list[int]:
    return [json.loads(e["value"])["invite_id"] for b in blocks if b["type"] == "actions"
            for e in b["elements"] if e["action_id"] == "digest_withdrawn"]


def check_digest(blocks: list[dict], want: Expected, *, where: str) -> None:
    text = text_of(blocks)
    line = pile_line(text)
    assert line == {"pending": want.pending, "stale": (want.stale, want.snoozed), "batch": len(want.batch)}, where
    assert batch_line(text) == len(want.batch), where
    more = re.search(r"…and (\d+) more in today's batch", text)
    assert len(row_ids(blocks)) + (int(more.group(1)) if more else 0) == len(want.batch), where
    assert waiting_of(text) == want.waiting, where
    assert risk_of(text) == want.risk, where


# ---- the surfaces -----------------------------------------------------------------------------------


def surfaces(slack, db, user: str, now: datetime) -> dict:
    """Every per-member figure each surface shows, parsed from its text."""
    seen: dict = {}
    text = slack.invites("", user=user).text
    m = find(r"Pending:\*? (\d+) · \*?" + STALE + r"\*? · \*?sent in the last 7 days:\*? (\d+)/", text)
    rate = find(r"acceptance \(30d\):\*? (?:(\d+%) of (\d+)|no decided invites yet)", text)
    seen["summary"] = {"pending": int(m.group(1)), "stale": stale_of(m, 2), "sent_7d": int(m.group(4)),
                       "rate30": (rate.group(1) or "–", int(rate.group(2) or 0))}

    text = slack.invites("list stale", user=user).text
    m = re.search(r"Your stale invites\*? — " + STALE, text)
    seen["list stale"] = {"stale": stale_of(m) if m else (find(r"Your stale invites: none", text) and (0, 0))}

    text = slack.invites("stats 30d", user=user).text
    m = find(r"Sent in the last 7 days: (\d+) of a safe \d+ .*pending now: (\d+) · " + STALE, text)
    rate = re.search(r"Acceptance rate: (\d+%) \(n = (\d+)\)", text)
    seen["stats"] = {"sent_7d": int(m.group(1)), "pending": int(m.group(2)), "stale": stale_of(m, 3),
                     "rate30": (rate.group(1), int(rate.group(2))) if rate else ("–", 0)}

    before = len(slack.fake.of("views.publish"))
    slack.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": f"D{user}"})
    view = slack.fake.wait_for("views.publish", before + 1)[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = text_of(view["blocks"])
    line = pile_line(text)
    m = find(r"Sent in the last 7 days:\* (\d+) of a safe", text)
    rate = find(r"Acceptance, last 8 weeks:\* (?:(\d+%) \(n=(\d+)\)|nothing decided yet)", text)
    seen["home"] = {"pending": line["pending"], "stale": line["stale"], "batch": line["batch"],
                    "batch_line": batch_line(text), "waiting": waiting_of(text), "risk": risk_of(text),
                    "sent_7d": int(m.group(1)), "rate8w": (rate.group(1) or "–", int(rate.group(2) or 0)),
                    "rows": row_ids(view["blocks"])}

    text = slack.invites("leaderboard 30d", user=user).text
    m = re.search(rf"(?:\d+\.|•) {user} — (\d+%|–) \(n=(\d+)\) · \d+ accepted · (\d+) pending · " + STALE, text)
    if m:
        seen["leaderboard"] = {"rate30": (m.group(1), int(m.group(2))), "pending": int(m.group(3)),
                               "stale": stale_of(m, 4)}

    stats = json.loads(make_report(db, what="stats", team_id="T1", user_id=user, period=PERIODS["30d"], now=now,
                                   fmt="json"))
    seen["report stats"] = {"pending": stats["pending_total"], "stale": (stats["stale_total"], stats["snoozed_stale"]),
                            "sent_7d": stats["sends_last_7_days"],
                            "rate30": (f"{stats['rate']:.0%}" if stats["rate"] is not None else "–", stats["decided"])}
    (row,) = json.loads(make_report(db, what="team", team_id="T1", user_id=user, period=PERIODS["30d"], now=now,
                                    fmt="json"))
    seen["report team"] = {"pending": row["pending"], "stale": (row["stale"], row["snoozed_stale"]),
                           "sent_7d": row["sent_7d"], "risk": row["risk"],
                           "rate30": (f"{row['rate']:.0%}" if row["rate"] is not None else "–", row["n"])}

    # The lead's view: the team section of an admin's Home, this member's row.
    before = len(slack.fake.of("views.publish"))
    slack.event({"type": "app_home_opened", "user": ADMIN, "tab": "home", "channel": f"D{ADMIN}"})
    view = slack.fake.wait_for("views.publish", before + 1)[-1].params["view"]
    text = text_of((json.loads(view) if isinstance(view, str) else view)["blocks"])
    m = find(rf"\*{user}\* — (ok|:warning: warn|:rotating_light: limit) · (\d+) pending · " + STALE
             + r" · (\d+)/\d+ this week(?: :chart_with_upwards_trend:)? · 30 days: (\d+%|–) \(n=(\d+)\)", text)
    seen["admin home team"] = {"risk": m.group(1).split()[-1], "pending": int(m.group(2)), "stale": stale_of(m, 3),
                               "sent_7d": int(m.group(5)), "rate30": (m.group(6), int(m.group(7)))}
    board = json.loads(make_report(db, what="leaderboard", team_id="T1", user_id=user, period=PERIODS["30d"],
                                   now=now, fmt="json"))
    if board:
        (row,) = board
        seen["report leaderboard"] = {"pending": row["pending"], "stale": (row["stale"], row["snoozed_stale"]),
                                      "rate30": (f"{row['rate']:.0%}" if row["rate"] is not None else "–", row["n"])}
    return seen


def check_member(slack, db, world: World, user: str, now: datetime) -> None:
    want = expected(world, user, now)
    # Home's trend: 8 calendar weeks, Monday 00:00 in the member's zone, this week included.
    local = now.astimezone(ZoneInfo(ZONES[user]))
    monday = (local - timedelta(days=local.weekday(), weeks=7)).replace(hour=0, minute=0, second=0, microsecond=0)
    rate30, rate8w = expected_rate(world, user, now, 30), expected_rate(world, user, now, since=monday)
    seen = surfaces(slack, db, user, now)
    where = f"{user} at {now:%a %H:%M}"
    for surface, figures in seen.items():
        reference = {"pending": want.pending, "stale": (want.stale, want.snoozed), "sent_7d": want.sent_7d,
                     "rate30": rate30, "rate8w": rate8w, "batch": len(want.batch), "batch_line": len(want.batch),
                     "waiting": want.waiting, "risk": want.risk, "rows": list(want.batch)}
        assert figures == {k: reference[k] for k in figures}, f"{surface}, {where}"
    assert "leaderboard" in seen or rate30 == ("–", 0) and not any(
        r.user == user and now - r.sent_at < timedelta(days=30) for r in world.rows), where


def digests_posted(fake, since: int) -> dict[str, dict]:
    """The daily digests the sweep posted since call `since`, by user."""
    found = {}
    for call in fake.of("chat.postMessage")[since:]:
        blocks = call.params.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else (blocks or [])
        if blocks and blocks[0].get("text", {}).get("text") == "Your LinkedIn invites today":
            found[call.params["channel"].removeprefix("D")] = {"blocks": blocks, "text": call.params["text"],
                                                               "channel": call.params["channel"]}
    return found


def check_team_digest(fake, world: World, since: int, now: datetime) -> None:
    (post,) = [c for c in fake.of("chat.postMessage")[since:] if c.params.get("channel") == CHANNEL]
    blocks = post.params["blocks"]
    text = text_of(json.loads(blocks) if isinstance(blocks, str) else blocks)
    wants = {user: expected(world, user, now) for user in ZONES}
    m = find(r"Pending now:\* (\d+) · " + STALE + r" across (\d+) members?", text)
    assert (int(m.group(1)), stale_of(m, 2), int(m.group(4))) == (
        sum(w.pending for w in wants.values()), (sum(w.stale for w in wants.values()),
                                                 sum(w.snoozed for w in wants.values())),
        sum(1 for w in wants.values() if w.pending)), text
    at_limit = sum(1 for w in wants.values() if w.risk == "limit")
    at_warn = sum(1 for w in wants.values() if w.risk == "warn")
    limit = re.search(r"(\d+) members? past the limit", text)
    warn = re.search(r"(\d+) members? at the warning level", text)
    assert (int(limit.group(1)) if limit else 0, int(warn.group(1)) if warn else 0) == (at_limit, at_warn), text
    period = int(find(r"Leaderboard — the last (\d+) days", text).group(1))
    for user, want in wants.items():
        m = re.search(rf"(?:\d+\.|•) {user} — (\d+%|–) \(n=(\d+)\) · \d+ accepted · (\d+) pending · " + STALE, text)
        if m:
            assert (m.group(1), int(m.group(2))) == expected_rate(world, user, now, period), text
            assert (int(m.group(3)), stale_of(m, 4)) == (want.pending, (want.stale, want.snoozed)), text


def click_first_row(slack, fake, world: World, user: str, digest: dict, now: datetime, rng: random.Random) -> None:
    """Click a button on the digest's first row left; the updated message must agree with the reference."""
    ids = row_ids(digest["blocks"])
    if not ids:
        return
    invite_id = ids[0]
    label, change = rng.choice([("Withdrawn", "withdrawn"), ("Accepted", "accepted"), ("Snooze 7d", "snoozed")])
    (button,) = [e for b in digest["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["text"]["text"] == label and json.loads(e["value"])["invite_id"] == invite_id]
    before = len(fake.of("chat.update"))
    slack.click_in_message(button, message={"blocks": digest["blocks"], "text": digest["text"]},
                           channel=digest["channel"], ts="1700000000.000100", user=user)
    updated = fake.wait_for("chat.update", before + 1)[-1].params["blocks"]
    updated = json.loads(updated) if isinstance(updated, str) else updated
    row = next(r for r in world.rows if r.id == invite_id)
    if change == "snoozed":
        row.snoozed_until = now + timedelta(days=7)
    else:
        row.status = change
        if change == "withdrawn":
            world.withdrawals.setdefault(user, []).append(now)
    check_digest(updated, expected(world, user, now), where=f"{user}'s digest after {label}")
    digest["blocks"] = updated


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_surface_shows_the_same_counts(seed, slack, db, clock, settings, fake_slack):
    rng = random.Random(seed)
    clock.instant = T0
    world = make_world(db, rng)
    set_workspace(db, "T1", digest_channel=CHANNEL, **RULES)
    tokens = single_workspace_tokens(settings)
    for now in INSTANTS:
        clock.instant = now
        # Before the sweep: invites that crossed expire_after_days are still `pending` in the database.
        for user in ZONES:
            check_member(slack, db, world, user, now)
        since = len(fake_slack.of("chat.postMessage"))
        run_cycle(db, now=now, send=slack_sender(settings, db, tokens, clock),
                  send_to_channel=channel_sender(settings, tokens))
        posted = digests_posted(fake_slack, since)
        for user, digest in posted.items():
            check_digest(digest["blocks"], expected(world, user, now), where=f"{user}'s digest at {now:%a %H:%M}")
            assert row_ids(digest["blocks"]) == list(expected(world, user, now).batch)
        if now.isoweekday() == 1:
            check_team_digest(fake_slack, world, since, now)
        for user in ZONES:
            check_member(slack, db, world, user, now)
        for user, digest in posted.items():
            for _ in range(2):  # two clicks in a row on the same message
                click_first_row(slack, fake_slack, world, user, digest, now, rng)
                check_member(slack, db, world, user, now)
        assert posted or now != T0  # the first instant has digests to check
