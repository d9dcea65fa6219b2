"""A seeded, realistic workspace history: members, two years of invites, their audit trail and the ledger.

Rows come out as tuples in the column order of `COLUMNS`, with instants as integer epoch seconds
(UTC); `db_row` turns them into values both loaders write. The same spec and seed always give
the same rows.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.common import DAY, NOW_TS
from bot.domain.prospect import fold, search_text

GENERATOR_VERSION = 1
HISTORY_DAYS = 730
EXPIRE_AFTER_DAYS = 180
# Every outcome is decided at random per invite; these are the shares before the clock cuts in
# (recent invites are still pending because their outcome lies in the future).
DECLINE_SHARE = 0.04
HOARDER_SHARE = 0.02  # of all invites, sent by the few members who never withdraw
HOARDERS_PER_MEMBER = 0.005
POPULAR_SHARE = 0.12  # invites to prospects several teammates target
NAME_ONLY_SHARE = 0.03  # invites logged by name alone (no URL)

# (IANA zone, UTC offset in hours in November, share of members); None: zone unknown.
ZONES: tuple[tuple[str | None, float, float], ...] = (
    ("America/New_York", -5, 0.22), ("America/Chicago", -6, 0.08), ("America/Los_Angeles", -8, 0.12),
    ("America/Sao_Paulo", -3, 0.04), ("Europe/London", 0, 0.14), ("Europe/Berlin", 1, 0.12),
    ("Europe/Paris", 1, 0.06), ("Asia/Kolkata", 5.5, 0.08), ("Asia/Singapore", 8, 0.04),
    ("Asia/Tokyo", 9, 0.03), ("Australia/Sydney", 11, 0.03), (None, 0, 0.04),
)
TIERS = (("free", 0.6), ("premium", 0.3), ("sales_navigator", 0.1))
FIRST = ("Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam",
         "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yara",
         "Zoe", "Amir", "Bea", "Carlos", "Dana", "Emeka", "Freya", "Goran")
LAST = ("Smith", "Okafor", "Nguyen", "Garcia", "Muller", "Rossi", "Kowalski", "Tanaka", "Silva", "Haddad",
        "Johansson", "Patel", "Brown", "Dubois", "Ivanova", "Kim", "Lopez", "Mensah", "Novak", "OBrien",
        "Petrov", "Quispe", "Reyes", "Sato", "Schmidt", "Traore", "Usman", "Varga", "Wang", "Yilmaz")
COMPANIES = ("Northwind", "Contoso", "Fabrikam", "Woodgrove Bank", "Tailspin Toys", "Litware", "Adventure Works",
             "Proseware", "Wide World Importers", "Lucerne Publishing", "Fourth Coffee", "Alpine Ski House")

COLUMNS: dict[str, tuple[str, ...]] = {
    "workspaces": ("team_id", "name", "withdraw_after_days", "expire_after_days", "resend_cooldown_days",
                   "pending_warn_at", "pending_limit", "max_withdrawals_per_day", "safe_weekly_free",
                   "safe_weekly_premium", "safe_weekly_sales_navigator", "nudge_hour", "working_days",
                   "digest_channel", "leaderboard_min_sample", "timezone", "created_at"),
    "members": ("id", "team_id", "user_id", "display_name", "account_tier", "tz", "tz_checked_at",
                "nudges_enabled", "snoozed_until", "show_on_leaderboard", "deactivated", "alerted_level",
                "pace_alerted", "dm_channel", "undeliverable", "created_at"),
    "invites": ("id", "team_id", "member_id", "prospect_key", "url", "name", "company", "notes", "sent_at",
                "status", "priority", "with_note", "source", "status_changed_at", "snoozed_until", "created_at",
                "name_folded", "search_folded"),
    "invite_events": ("id", "team_id", "invite_id", "member_id", "change_id", "from_status", "to_status", "at",
                      "actor", "via", "undone"),
    "deliveries": ("id", "team_id", "recipient", "kind", "local_date", "state", "claim_token", "claimed_at",
                   "sent_at", "channel", "ts", "attempts", "error"),
}
TABLE_ORDER = ("workspaces", "members", "invites", "invite_events", "deliveries")
# Which columns hold epoch seconds (instants), epoch days (dates) and 0/1 flags.
INSTANTS = {
    "workspaces": {"created_at"},
    "members": {"tz_checked_at", "snoozed_until", "created_at"},
    "invites": {"sent_at", "status_changed_at", "snoozed_until", "created_at"},
    "invite_events": {"at"},
    "deliveries": {"claimed_at", "sent_at"},
}
DATES = {"deliveries": {"local_date"}}


@dataclass(frozen=True)
class Spec:
    """What to generate: members, invites and workspaces; the key names the cached database."""

    members: int
    invites: int
    workspaces: int = 1
    seed: int = 20261118

    @property
    def key(self) -> str:
        """A file- and database-name-safe key that changes with the generator."""
        return f"m{self.members}_i{self.invites}_w{self.workspaces}_g{GENERATOR_VERSION}"

    @property
    def label(self) -> str:
        """A human label: `1,000 members · 1,000,000 invites · 1 workspace`."""
        ws = "workspace" if self.workspaces == 1 else "workspaces"
        return f"{self.members:,} members · {self.invites:,} invites · {self.workspaces} {ws}"


@dataclass
class Dataset:
    """Every row of every table, plus a few facts about what was generated."""

    spec: Spec
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)


@dataclass
class _Team:
    team_id: str
    withdraw_after_days: int
    resend_cooldown_days: int
    pending_warn_at: int
    pending_limit: int
    nudge_hour: int
    timezone: str
    safe: dict[str, int]


@dataclass
class _Member:
    id: int
    team: _Team
    user_id: str
    name: str
    tier: str
    zone: str | None
    offset: int  # seconds east of UTC
    start: int
    end: int
    weight: float
    accept: float
    diligence: float
    hoarder: bool
    nudges: bool
    deactivated: bool
    invites: int = 0
    pending: int = 0
    sends_7d: int = 0


def _teams(spec: Spec) -> list[_Team]:
    """One workspace with the defaults, or several with varied settings."""
    if spec.workspaces == 1:
        return [_Team("T0BENCH", 14, 21, 200, 300, 9, "UTC", {"free": 80, "premium": 120, "sales_navigator": 150})]
    zones = ("UTC", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Singapore")
    levels = ((200, 300), (150, 250), (200, 300), (250, 400))
    return [
        _Team(f"T{k:02d}BENCH", (14, 14, 21, 10, 14)[k % 5], (21, 21, 28)[k % 3], *levels[k % 4],
              (9, 9, 8, 10)[k % 4], zones[k % 5], {"free": 80, "premium": 120, "sales_navigator": 150})
        for k in range(spec.workspaces)
    ]


def _team_sizes(spec: Spec) -> list[int]:
    """Members per workspace: a long tail of small teams and a few big ones, summing to the total."""
    if spec.workspaces == 1:
        return [spec.members]
    weights = [1 / (k + 1) ** 0.8 for k in range(spec.workspaces)]
    total = sum(weights)
    sizes = [max(3, int(spec.members * w / total)) for w in weights]
    sizes[0] += spec.members - sum(sizes)
    return sizes


def _between(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high): randrange's result without its per-call overhead."""
    return low + int(rng.random() * (high - low))


def _pick(rng: random.Random, table: tuple[tuple, ...]) -> tuple:
    """One row of a (…, share) table, drawn by share."""
    return rng.choices(table, weights=[row[-1] for row in table])[0]


def _members(spec: Spec, rng: random.Random, teams: list[_Team]) -> list[_Member]:
    """The members with their habits: activity, acceptance, withdrawal diligence, zone, tier."""
    members: list[_Member] = []
    hoarders = max(1, round(spec.members * HOARDERS_PER_MEMBER))
    hoarder_ids = set(rng.sample(range(1, spec.members + 1), hoarders))
    index = 0
    for team, size in zip(teams, _team_sizes(spec), strict=True):
        for _ in range(size):
            index += 1
            zone, offset_h, _share = _pick(rng, ZONES)
            tier = _pick(rng, TIERS)[0]
            joined_late = rng.random() < 0.3
            start = NOW_TS - (rng.randrange(60, HISTORY_DAYS) if joined_late else HISTORY_DAYS) * DAY
            deactivated = rng.random() < 0.02 and index not in hoarder_ids
            end = NOW_TS - rng.randrange(30, 300) * DAY if deactivated else NOW_TS
            end = max(end, start + 30 * DAY)
            members.append(_Member(
                id=index, team=team, user_id=f"U{index:07d}", name=f"{FIRST[index % 32]} {LAST[index % 30]} {index}",
                tier=tier, zone=zone, offset=int(offset_h * 3600), start=start, end=end,
                weight=rng.lognormvariate(0, 0.75) * (end - start) / (HISTORY_DAYS * DAY),
                accept=min(0.75, max(0.05, rng.gauss(0.33, 0.10))), diligence=rng.random() ** 0.8,
                hoarder=index in hoarder_ids, nudges=rng.random() > 0.05, deactivated=deactivated,
            ))
    return members


def _counts(spec: Spec, members: list[_Member]) -> None:
    """Share the invites out: hoarders a fixed slice, everyone else by activity weight."""
    hoarders = [m for m in members if m.hoarder]
    regular = [m for m in members if not m.hoarder]
    hoarded = int(spec.invites * HOARDER_SHARE) if regular else spec.invites
    for m in hoarders:
        m.invites = hoarded // len(hoarders)
    left = spec.invites - sum(m.invites for m in hoarders)
    total_weight = sum(m.weight for m in regular)
    for m in regular:
        m.invites = int(left * m.weight / total_weight)
    # Hand out the rounding remainder one by one, heaviest first, so the total is exact.
    short = spec.invites - sum(m.invites for m in members)
    for m in sorted(regular or members, key=lambda m: -m.weight)[:short]:
        m.invites += 1


def slug(prospect: int) -> str:
    """The LinkedIn vanity slug of generated prospect number `prospect`."""
    return f"{FIRST[prospect % 32].lower()}-{LAST[(prospect // 32) % 30].lower()}-{prospect:x}"


def _prospect_name(prospect: int) -> str:
    return f"{FIRST[prospect % 32]} {LAST[(prospect // 32) % 30]}"


def _sent_at(rng: random.Random, m: _Member) -> int:
    """A send instant in the member's active span: working hours, mostly on weekdays, local time."""
    recent = m.hoarder and rng.random() < 0.85
    first = max(m.start, NOW_TS - (EXPIRE_AFTER_DAYS - 10) * DAY) if recent else m.start
    while True:
        day = _between(rng, (first + m.offset) // DAY, (m.end + m.offset) // DAY + 1)
        weekday = (day + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
        if weekday < 5 or rng.random() < 0.15:
            break
    local = day * DAY + _between(rng, 8 * 3600, 19 * 3600)
    sent = local - m.offset
    if sent > m.end - 60:
        sent = m.end - _between(rng, 60, 4 * 3600)
    return sent


def _outcome(rng: random.Random, m: _Member, sent: int, priority: str, with_note: bool) -> tuple[str, int]:
    """The invite's status at NOW and when it took it (sent itself while pending)."""
    accept = m.accept + (0.08 if with_note else 0.0)
    roll = rng.random()
    if roll < accept:
        status, at = "accepted", sent + int(min(170.0, rng.lognormvariate(0.18, 1.1)) * DAY)
    elif roll < accept + DECLINE_SHARE:
        status, at = "declined", sent + int(min(170.0, rng.lognormvariate(1.1, 1.0)) * DAY)
    elif not m.hoarder and rng.random() < m.diligence:
        wait = m.team.withdraw_after_days * (2 if priority == "high" else 1)
        status, at = "withdrawn", sent + (wait + _between(rng, 0, 31)) * DAY + _between(rng, 0, DAY)
    else:
        # Unanswered and never withdrawn: the daily sweep expires it a little after 180 days.
        status, at = "expired", sent + EXPIRE_AFTER_DAYS * DAY + _between(rng, 0, DAY)
    if at > min(NOW_TS, m.end):
        return "pending", sent
    return status, at


def popular_prospects(spec: Spec) -> int:
    """How many prospects form the pool several teammates invite (numbers 0 … this - 1)."""
    return max(50, spec.invites // 30)


def _invites(spec: Spec, rng: random.Random, members: list[_Member]) -> list[list]:
    """Every invite (without its id yet), member by member; keeps one pending invite per prospect."""
    popular = popular_prospects(spec)
    next_fresh = popular
    rows: list[list] = []
    week_ago = NOW_TS - 7 * DAY
    for m in members:
        pending_keys: set[str] = set()
        for _ in range(m.invites):
            sent = _sent_at(rng, m)
            roll = rng.random()
            priority = "high" if roll < 0.1 else "low" if roll < 0.25 else "normal"
            with_note = rng.random() < 0.3
            status, at = _outcome(rng, m, sent, priority, with_note)
            roll = rng.random()
            if roll < NAME_ONLY_SHARE:
                prospect = _between(rng, popular, popular + spec.invites)
                key, url, name = f"name:{_prospect_name(prospect).lower()}", None, _prospect_name(prospect)
            else:
                if roll < NAME_ONLY_SHARE + POPULAR_SHARE:
                    prospect = _between(rng, 0, popular)
                else:
                    prospect, next_fresh = next_fresh, next_fresh + 1
                key = f"in:{slug(prospect)}"
                url = f"https://www.linkedin.com/in/{slug(prospect)}"
                name = _prospect_name(prospect) if rng.random() < 0.55 else None
            if status == "pending":
                if key in pending_keys:  # the database allows one pending invite per prospect
                    prospect, next_fresh = next_fresh, next_fresh + 1
                    key, url = f"in:{slug(prospect)}", f"https://www.linkedin.com/in/{slug(prospect)}"
                pending_keys.add(key)
                m.pending += 1
            if sent > week_ago:
                m.sends_7d += 1
            source_roll = rng.random()
            source = "import" if source_roll < 0.15 else "modal" if source_roll < 0.2 else "command"
            if source == "import":
                created = min(NOW_TS - 60, sent + _between(rng, DAY, 45 * DAY))
            else:
                created = min(NOW_TS - 1, sent + _between(rng, 0, 120))
            at = created if status == "pending" else max(at, created)
            snoozed = None
            if status == "pending" and NOW_TS - sent > 14 * DAY and rng.random() < 0.03:
                snoozed = NOW_TS + _between(rng, -5 * DAY, 7 * DAY)
            company = rng.choice(COMPANIES) if rng.random() < 0.35 else None
            notes = "met at the SaaS summit, follow up on pricing" if rng.random() < 0.05 else None
            rows.append([0, m.team.team_id, m.id, key, url, name, company, notes, sent, status, priority,
                         int(with_note), source, at, snoozed, created, fold(name), search_text(name, company, key, notes)])
    rows.sort(key=lambda r: (r[15], r[2]))  # insertion order: by created_at, like the real table
    for number, row in enumerate(rows, start=1):
        row[0] = number
    return rows


def _events(invites: list[list], members: dict[int, _Member]) -> list[tuple]:
    """The audit trail: a creation event per invite and one per status change, in time order."""
    rng = random.Random(7)
    events: list[tuple] = []
    for inv in invites:
        invite_id, team, member_id, status, source, changed, created = inv[0], inv[1], inv[2], inv[9], inv[12], inv[13], inv[15]
        user = members[member_id].user_id
        events.append((team, invite_id, member_id, f"00000000-0000-4000-8000-{invite_id:012x}", None, "pending",
                       created, user, source, 0))
        if status == "pending":
            continue
        if status == "expired":
            actor, via = "sweep", "sweep"
        elif status == "accepted" and source == "import":
            actor, via = user, "import"
        else:
            actor, via = user, "button" if rng.random() < 0.6 else "command"
        events.append((team, invite_id, member_id, f"00000000-0000-4000-8001-{invite_id:012x}", "pending", status,
                       changed, actor, via, 0))
    events.sort(key=lambda e: e[6])
    return [(number, *event) for number, event in enumerate(events, start=1)]


def _deliveries(spec: Spec, rng: random.Random, members: list[_Member], teams: list[_Team]) -> list[tuple]:
    """The ledger: a daily digest on most working days, the weekly team digests, a few alerts."""
    per_member = spec.invites / max(1, spec.members)
    chance = 0.85 * min(1.0, per_member / 500)  # small piles rarely have anything to say
    rows: list[tuple] = []
    for m in members:
        if not m.nudges or m.deactivated:
            continue
        nudge = m.team.nudge_hour * 3600
        first_day = (m.start + m.offset) // DAY + 1
        local_now = NOW_TS + m.offset
        today = local_now // DAY
        served_today = local_now % DAY >= nudge + 3 * 3600
        last_day = today if served_today else today - 1
        for day in range(first_day, last_day + 1):
            if (day + 3) % 7 >= 5 or rng.random() >= chance:
                continue
            at = day * DAY + nudge + _between(rng, 0, 600) - m.offset
            rows.append((m.team.team_id, m.user_id, "daily_digest", day, "sent", at, at + 1, f"D{m.id:07d}"))
        if m.pending >= m.team.pending_warn_at:
            day = today - rng.randrange(1, 60)
            at = day * DAY + nudge - m.offset
            rows.append((m.team.team_id, m.user_id, "pending_warn", day, "sent", at, at + 1, f"D{m.id:07d}"))
    for team in teams:
        for day in range((NOW_TS - HISTORY_DAYS * DAY) // DAY, NOW_TS // DAY + 1):
            if (day + 3) % 7 == 0:  # Mondays
                at = day * DAY + team.nudge_hour * 3600
                rows.append((team.team_id, f"C{team.team_id}", "team_digest", day, "sent", at, at + 1, f"C{team.team_id}"))
    rows.sort(key=lambda r: r[5])
    return [
        (number, team, recipient, kind, day, state, f"00000000-0000-4000-9000-{number:012x}", claimed, sent,
         channel, f"{sent}.{number % 1000000:06d}", 1, None)
        for number, (team, recipient, kind, day, state, claimed, sent, channel) in enumerate(rows, start=1)
    ]


def generate(spec: Spec) -> Dataset:
    """Every row for a spec, deterministically from its seed."""
    rng = random.Random(spec.seed)
    teams = _teams(spec)
    members = _members(spec, rng, teams)
    _counts(spec, members)
    invites = _invites(spec, rng, members)
    by_id = {m.id: m for m in members}
    events = _events(invites, by_id)
    deliveries = _deliveries(spec, rng, members, teams)
    workspaces = [
        (t.team_id, f"Bench {t.team_id}", t.withdraw_after_days, EXPIRE_AFTER_DAYS, t.resend_cooldown_days,
         t.pending_warn_at, t.pending_limit, 20, t.safe["free"], t.safe["premium"], t.safe["sales_navigator"],
         t.nudge_hour, "12345", f"C{t.team_id}", 10, t.timezone, NOW_TS - (HISTORY_DAYS + 1) * DAY)
        for t in teams
    ]
    member_rows = []
    for m in members:
        level = "limit" if m.pending >= m.team.pending_limit else "warn" if m.pending >= m.team.pending_warn_at else "ok"
        snoozed = NOW_TS + rng.randrange(DAY, 5 * DAY) if rng.random() < 0.02 else None
        member_rows.append((
            m.id, m.team.team_id, m.user_id, m.name, m.tier, m.zone, NOW_TS - rng.randrange(0, 5 * DAY),
            int(m.nudges), snoozed, int(rng.random() > 0.03), int(m.deactivated), level,
            int(m.sends_7d >= m.team.safe[m.tier]), f"D{m.id:07d}", None, m.start,
        ))
    statuses = Counter(row[9] for row in invites)
    facts: dict[str, object] = {
        "statuses": dict(statuses),
        "accepted_share": statuses["accepted"] / max(1, len(invites)),
        "max_pending": max(m.pending for m in members),
        "members_over_1000_pending": sum(1 for m in members if m.pending >= 1000),
        "members_at_or_past_warn": sum(1 for m in members if m.pending >= m.team.pending_warn_at),
        "rows": {"invites": len(invites), "invite_events": len(events), "deliveries": len(deliveries)},
    }
    return Dataset(spec, {
        "workspaces": workspaces, "members": member_rows, "invites": [tuple(r) for r in invites],
        "invite_events": events, "deliveries": deliveries,
    }, facts)


_DAY_TEXT: dict[int, str] = {}
_CLOCK_TEXT = [f" {s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}.000000" for s in range(DAY)]


def _day_text(day: int) -> str:
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
    return text


def instant_text(ts: int) -> str:
    """Epoch seconds as SQLAlchemy stores a naive UTC DateTime on SQLite (and PostgreSQL reads)."""
    day, second = divmod(ts, DAY)
    return _day_text(day) + _CLOCK_TEXT[second]


def converter(table: str):
    """A function from a generated tuple to the values a loader writes (text instants and dates)."""
    columns = COLUMNS[table]
    instants = [i for i, c in enumerate(columns) if c in INSTANTS.get(table, set())]
    dates = [i for i, c in enumerate(columns) if c in DATES.get(table, set())]

    def convert(row: tuple) -> tuple:
        values = list(row)
        for i in instants:
            if values[i] is not None:
                values[i] = instant_text(values[i])
        for i in dates:
            values[i] = _day_text(values[i])
        return tuple(values)

    return convert
