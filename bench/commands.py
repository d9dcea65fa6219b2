"""Slash commands through the full Bolt app in process: signed requests into `app.dispatch`, as Slack sends them."""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from sqlalchemy import func, select

from bench.capture import dm_cases
from bench.cases import Actor, Case, picker
from bench.common import NOW, SqlProfiler, heaviest
from bench.generate import FIRST, slug
from bot.clock import FixedClock
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Invite, Member, Workspace
from bot.domain.invites import PERIODS
from bot.slack.request import SlackRequest
from tests.support.fake_slack import FakeSlack
from tests.support.harness import Answer
from tests.support.signing import BOT_TOKEN, SIGNING_SECRET, command_body, sign

log = logging.getLogger("bench.commands")

FORM = "application/x-www-form-urlencoded"
BROKEN = ("Something went wrong", "database is temporarily unavailable")
UNAVAILABLE = "not available in this version"
FLOOR = "floor: /invites help"


def actors(db: Database) -> list[Actor]:
    """Active members and their invite counts (the weights for picking who acts)."""
    with db.session(write=False) as session:
        rows = session.execute(
            select(Member.team_id, Member.user_id, func.count(Invite.id))
            .outerjoin(Invite, Invite.member_id == Member.id)
            .where(Member.deactivated.is_(False))
            .group_by(Member.id, Member.team_id, Member.user_id)
            .order_by(Member.id)
        ).all()
    return [Actor(team, user, int(count)) for team, user, count in rows]


def make_app(db: Database, fake: FakeSlack) -> App:
    """The real app, as `create_app` builds it, on a fixed clock at the data's NOW.

    One workspace: its bot token (auth.test names that workspace). Several: each installed through
    OAuth with its own token, as a distributed app has them (one token answers for one workspace).
    """
    from bot.bootstrap import freeze_startup_objects
    from bot.slack.app import create_app
    from tests.support.workspaces import oauth_harness

    # Charts are drawn once a member a day, in the background after Home and stats: measured in the
    # charts section. Here that drawing (~150 ms of CPU each) would land on the other commands' timings.
    os.environ["CHARTS_ENABLED"] = "false"
    with db.session(write=False) as session:
        teams = sorted(session.scalars(select(Workspace.team_id)))
    if len(teams) > 1:
        app = oauth_harness(db, fake, FixedClock(NOW), teams=tuple(teams), now=NOW).app
    else:
        fake.token_teams[BOT_TOKEN] = teams[0]
        settings = Settings(
            _env_file=None, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.base_url, database_url=str(db.engine.url),
        )
        app = create_app(settings, db, clock=FixedClock(NOW))
    freeze_startup_objects()  # as `serve` and `socket` do once the app is built
    return app


def _reply(response) -> tuple[int, str]:
    data = json.loads(response.body) if response.body else {}
    return response.status, Answer(response.status, data).text


def _checker(*expected: str) -> Callable[[Any], str]:
    def check(response) -> str:
        status, text = _reply(response)
        if status != 200:
            return f"HTTP {status}: {text[:120]}"
        if any(b in text for b in BROKEN):
            return f"error reply: {text[:160]}"
        if UNAVAILABLE in text:
            return "unavailable"
        if expected and not any(e in text for e in expected):
            return f"unexpected reply: {text[:160]}"
        return "ok"

    return check


def _command(app: App, fake: FakeSlack, command: str, text_of: Callable[[int], str],
             who: Callable[[int], Actor]) -> Callable[[int], Callable[[], Any]]:
    """Build call `i`: a body signed now (outside the timing), dispatched when called."""

    def build(i: int) -> Callable[[], Any]:
        actor = who(i)
        body = command_body(command, text_of(i), user_id=actor.user_id, team_id=actor.team_id,
                            response_url=fake.response_url("cmd"))
        headers = {"Content-Type": FORM, **sign(body)}
        return lambda: app.dispatch(SlackRequest(body=body, headers=headers))

    return build


def invited_url(tag: str, i: int, popular: int) -> str:
    """Mostly a new prospect (an insert); every tenth a prospect teammates already invited."""
    if i % 10 == 9:
        return f"https://www.linkedin.com/in/{slug((i * 7919) % popular)}"
    return f"https://www.linkedin.com/in/bench-{tag}-{i}"


def cases(app: App, fake: FakeSlack, db: Database, people: list[Actor], *, tag: str, popular: int,
          leaderboard_service: bool = True) -> list[Case]:
    """The floor, the four commands, and the leaderboard service called directly."""
    result = [
        Case(FLOOR, _command(app, fake, "/invites", lambda i: "help", picker(people, 1)),
             _checker("Invite Hygiene commands")),
        Case("/invited <url>", _command(app, fake, "/invited", lambda i: invited_url(tag, i, popular), picker(people, 2)),
             _checker("Logged 1 invite", "already pending"), target_ms=50),
        Case("/invites list", _command(app, fake, "/invites", lambda i: "list", picker(people, 3)),
             _checker("Your pending invites", "pending invites: none"), target_ms=50),
        # Not a target: your invites whose name, company, slug or comment contains a first name (folded in Python).
        Case("/invites find", _command(app, fake, "/invites", lambda i: f"find {FIRST[i % len(FIRST)].lower()}",
                                       picker(people, 7)),
             _checker("matching")),
        Case("/invites stats", _command(app, fake, "/invites", lambda i: "stats", picker(people, 4)),
             _checker("Your invites sent in"), target_ms=150),
        Case("/invites leaderboard", _command(app, fake, "/invites", lambda i: "leaderboard", picker(people, 5)),
             _checker(), target_ms=150),
    ]
    if leaderboard_service:
        service = _leaderboard_service(db, people)
        if service is not None:
            result.append(service)
    result.extend(dm_cases(app, fake, people, tag=tag))
    result.extend(_insight_services(db, people))
    return result


def _insight_services(db: Database, people: list[Actor]) -> list[Case]:
    """`report curve --format json` and the admins' Home team section (rows and blocks), called directly."""
    try:
        from bot.cli_reports import curve_report
        from bot.services.curve import team_curve
        from bot.services.team_view import team_rows
        from bot.slack.render.home import team_blocks
    except ImportError:
        return []
    curve_of, team_of = picker(people, 7), picker(people, 8)

    def curve(i: int) -> Callable[[], Any]:
        team = curve_of(i).team_id
        return lambda: json.loads(curve_report(team_curve(db, team, now=NOW), fmt="json"))

    def check_curve(report: Any) -> str:
        return "ok" if report.get("source") in ("team", "published") else f"unexpected: {report}"

    def team_section(i: int) -> Callable[[], Any]:
        team = team_of(i).team_id
        return lambda: team_blocks(team_rows(db, team, now=NOW))

    def check_section(blocks: Any) -> str:
        return "ok" if len(blocks) > 3 and len(blocks) <= 10 else f"unexpected: {len(blocks)} blocks"

    return [
        Case("report curve (json, direct)", curve, check_curve, target_ms=150, via="service call"),
        Case("admin Home team section (direct)", team_section, check_section, target_ms=150, via="service call"),
    ]


def _leaderboard_service(db: Database, people: list[Actor]) -> Case | None:
    """`team_leaderboard` (30d) called directly: the query the command will run once it is wired."""
    try:
        from bot.services.leaderboard import team_leaderboard
    except ImportError:
        return None
    who = picker(people, 6)

    def build(i: int) -> Callable[[], Any]:
        team = who(i).team_id
        return lambda: team_leaderboard(db, team_id=team, period=PERIODS["30d"], now=NOW)

    def check(board: Any) -> str:
        return "ok" if board.rows_ranked or board.rows_unranked else "unexpected: empty leaderboard"

    return Case("leaderboard service (30d, direct)", build, check, target_ms=150, via="service call")


def measure(case_list: list[Case], profiler: SqlProfiler, *, runs: int, warmup: int, seed: int = 11) -> None:
    """Run every case `runs` times, interleaved in a shuffled order each round, after a warm-up."""
    rng = random.Random(seed)
    for i in range(warmup + runs):
        order = list(case_list)
        rng.shuffle(order)
        for case in order:
            call = case.build(i)
            profiler.by_shape = case.shapes
            with profiler.counting() as box:
                cpu_started, started = time.thread_time(), time.perf_counter()
                outcome = call()
                elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
            if i < warmup:
                continue
            case.latency.add(elapsed)
            case.cpu.add(cpu)
            case.statements.append(box[0])
            verdict = case.check(outcome)
            if verdict == "unavailable":
                case.unavailable += 1
            elif verdict != "ok":
                case.errors.append(verdict)
    profiler.by_shape = {}


def run(db: Database, fake: FakeSlack, *, tag: str, popular: int, runs: int, warmup: int) -> list[dict[str, Any]]:
    """Measure the floor and the commands on one database; one result dict per case."""
    app = make_app(db, fake)
    people = actors(db)
    profiler = SqlProfiler(db.engine)
    try:
        case_list = cases(app, fake, db, people, tag=tag, popular=popular)
        # The DM cases leave work running after their reply (the lazy listener's alert check): measured in
        # their own pass, so that work never lands on another command's timing.
        dm = [c for c in case_list if c.name.startswith("DM with")]
        measure([c for c in case_list if c not in dm], profiler, runs=runs, warmup=warmup)
        if dm:
            measure(dm, profiler, runs=runs, warmup=warmup)
        results = []
        for case in case_list:
            statements = sorted(case.statements)
            results.append({
                "name": case.name, "via": case.via, "target_ms": case.target_ms, **case.latency.summary(),
                "cpu_median": case.cpu.summary()["median"], "cpu_p99": case.cpu.summary()["p99"],
                "statements": statements[len(statements) // 2] if statements else 0,
                "errors": len(case.errors), "error_examples": sorted(set(case.errors))[:3],
                "unavailable": case.unavailable,
                "heaviest": heaviest(case.shapes, db.engine, sum(case.latency.samples) / 1000, limit=2),
            })
        return results
    finally:
        profiler.close()
