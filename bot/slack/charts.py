"""Charts on Slack surfaces: drawn by bot.charts, uploaded once a day, shown as image blocks.

The upload is `files_upload_v2` without a channel (files.getUploadURLExternal, a POST of the bytes
to the returned URL, files.completeUploadExternal): the file stays private to the app, and an
image block may reference it by id (`"slack_file": {"id": "F…"}`) when the same bot token that
uploaded it posts the blocks. Slack finishes uploads asynchronously, so a block naming a file
seconds old can be refused (`invalid slack file`): a refused chart leaves the surface as text.

Text stays the source of truth (PRODUCT.md "Insight and pictures"): a chart that cannot be drawn,
uploaded or shown never blocks or breaks the message it belongs to. Drawing and uploading happen
after the ack (Home and stats) or in the scheduler (the weekly digest).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import charts
from bot.db.engine import Database
from bot.services import chart_files
from bot.services import home as home_service
from bot.services.chart_files import TEAM_OWNER, CachedChart
from bot.services.curve import team_curve
from bot.services.home import WeekRate
from bot.services.members import Actor
from bot.services.team_digest import TeamDigestPlan
from bot.slack.ids import TeamBlock

log = logging.getLogger("bot.charts")

TREND, LEADERBOARD, CURVE = "trend", "leaderboard", "curve"
MESSAGE_BLOCKS, HOME_BLOCKS = 50, 100
# Slack may refuse a block naming a file uploaded a moment ago (uploads complete asynchronously).
SHOW_RETRY_AFTER_S = 1.0

Draw = Callable[[], charts.Chart]


# ---- pure: numbers for the drawings, and the blocks -------------------------------------------


def week_label(start: datetime, tz: ZoneInfo) -> str:
    """`Oct 5`: a week named by its first day, in the member's zone (as Home names it)."""
    local = start.astimezone(tz)
    return f"{local:%b} {local.day}"


def trend_points(weeks: Sequence[WeekRate], tz: ZoneInfo) -> list[charts.WeekPoint]:
    """The trend's weeks as the drawing takes them (rates and n from bot.services.counts)."""
    return [charts.WeekPoint(week_label(w.start, tz), w.counts.rate, w.counts.decided) for w in weeks]


def worth_drawing(weeks: Sequence[WeekRate]) -> bool:
    """A trend with nothing decided in any week says nothing a picture could add."""
    return any(w.counts.decided for w in weeks)


def board_bars(plan: TeamDigestPlan) -> list[charts.BoardBar]:
    """The digest's ranked rows (names as the digest writes them), best first."""
    from bot.slack.render.team import member_name

    return [charts.BoardBar(member_name(r), r.rate, r.n) for r in plan.board.rows_ranked if r.rate is not None]


def image_block(chart: CachedChart, *, block_id: str) -> dict[str, Any]:
    """An image block showing an uploaded chart, its figures in the alt text."""
    return {
        "type": "image",
        "block_id": block_id,
        "slack_file": {"id": chart.file_id},
        "alt_text": charts.cut(chart.alt_text, charts.ALT_TEXT_LIMIT),
        "title": {"type": "plain_text", "text": charts.cut(chart.title, charts.TITLE_LIMIT)},
    }


def has_image(blocks: Sequence[dict[str, Any]]) -> bool:
    """Whether a payload already shows an image block."""
    return any(isinstance(b, dict) and b.get("type") == "image" for b in blocks)


def with_block(blocks: list[dict[str, Any]], block: dict[str, Any], *, limit: int,
               after: str | None = None) -> list[dict[str, Any]]:
    """The blocks with the image added (after the block with id `after`, else at the end), within the
    surface's block limit (the image is left out rather than a text block)."""
    if len(blocks) >= limit:
        return blocks
    at = next((i + 1 for i, b in enumerate(blocks) if after and b.get("block_id") == after), len(blocks))
    return [*blocks[:at], block, *blocks[at:]]


# ---- the cache and the upload ------------------------------------------------------------------


def upload(client: WebClient, chart: charts.Chart, *, filename: str) -> str:
    """files_upload_v2 without a channel: the Slack file id of the chart."""
    answer = client.files_upload_v2(content=chart.png, filename=filename, title=chart.title)
    return str(answer["file"]["id"])


def obtain(db: Database, client: WebClient, *, team_id: str, owner: str, kind: str, day: date, draw: Draw,
           filename: str, now: datetime) -> CachedChart | None:
    """The day's chart: from the cache, else drawn, uploaded and remembered; None when any step fails."""
    hit = chart_files.cached(db, team_id=team_id, owner=owner, kind=kind, day=day)
    if hit is not None:
        return hit
    try:
        chart = draw()
        file_id = upload(client, chart, filename=filename)
        made = CachedChart(file_id=file_id, alt_text=chart.alt_text, title=chart.title)
        return chart_files.remember(db, team_id=team_id, owner=owner, kind=kind, day=day, chart=made, now=now)
    except Exception as error:  # noqa: BLE001 - the one place a chart fails: the message stays text
        log.warning("%s chart for %s in %s not made: %s: %s", kind, owner, team_id, type(error).__name__,
                    _code(error))
        return None


def _logged(work: Callable[..., None]) -> Callable[..., None]:
    """A background task whose unexpected failure is logged (nobody waits on its future); what is
    shown stays as it was."""

    def run(*args: Any) -> None:
        try:
            work(*args)
        except Exception:  # noqa: BLE001 - a worker thread: the text is already shown
            log.exception("chart task %s failed", work.__name__)

    return run


def _code(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return str(error)[:200]


def _refused_for_the_file(error: SlackApiError) -> bool:
    return error.response.get("error") in {"invalid_blocks", "invalid_arguments"}


# ---- the member's trend: App Home and /invites stats --------------------------------------------


def _trend(deps, actor: Actor, client: WebClient, weeks: Sequence[WeekRate], *, now: datetime,
           cached_only: bool = False) -> CachedChart | None:
    day = now.astimezone(actor.tz).date()
    if cached_only:
        return chart_files.cached(deps.db, team_id=actor.team_id, owner=actor.user_id, kind=TREND, day=day)
    return obtain(deps.db, client, team_id=actor.team_id, owner=actor.user_id, kind=TREND, day=day,
                  draw=lambda: charts.trend_chart(trend_points(weeks, actor.tz)),
                  filename=f"acceptance-trend-{day.isoformat()}.png", now=now)


def publish_home(deps, actor: Actor, client: WebClient, view: dict[str, Any], *, weeks: Sequence[WeekRate],
                 now: datetime) -> None:
    """views.publish of the Home, with the day's trend chart: at once when it is cached, else the
    text first and the chart in a second publish from a background task (guarded by the view's hash,
    so an older Home never replaces a newer one)."""
    if not deps.settings.charts_enabled or not worth_drawing(weeks):
        client.views_publish(user_id=actor.user_id, view=view)
        return
    cached = _trend(deps, actor, client, weeks, now=now, cached_only=True)
    if cached is not None:
        try:
            client.views_publish(user_id=actor.user_id, view=_home_with(view, cached))
            return
        except SlackApiError as error:
            if not _refused_for_the_file(error):
                raise
            log.warning("Home chart %s refused for %s: %s", cached.file_id, actor.user_id, _code(error))
            chart_files.forget(deps.db, team_id=actor.team_id, owner=actor.user_id, kind=TREND,
                               day=now.astimezone(actor.tz).date())
            client.views_publish(user_id=actor.user_id, view=view)
            return
    shown = client.views_publish(user_id=actor.user_id, view=view)
    view_hash = (shown.get("view") or {}).get("hash")
    deps.background.submit(_logged(_home_chart_later), deps, actor, client, view, weeks, now, view_hash)


def _home_with(view: dict[str, Any], chart: CachedChart) -> dict[str, Any]:
    block = image_block(chart, block_id=TeamBlock.HOME_CHART)
    return {**view, "blocks": with_block(view["blocks"], block, limit=HOME_BLOCKS, after=TeamBlock.HOME_RATE)}


def _home_chart_later(deps, actor: Actor, client: WebClient, view: dict[str, Any], weeks: Sequence[WeekRate],
                      now: datetime, view_hash: str | None) -> None:
    """Draw and upload the trend, then publish the same Home with it (one retry while Slack
    finishes the upload); a newer Home (hash_conflict) or a refusal leaves what is shown."""
    chart = _trend(deps, actor, client, weeks, now=now)
    if chart is None:
        return
    extra = {"hash": view_hash} if view_hash else {}
    for attempt in range(2):
        try:
            client.views_publish(user_id=actor.user_id, view=_home_with(view, chart), **extra)
            return
        except SlackApiError as error:
            code = error.response.get("error")
            if code == "hash_conflict":  # a newer Home is showing; its own task adds the chart
                return
            if not _refused_for_the_file(error) or attempt:
                log.warning("Home chart %s not shown to %s: %s", chart.file_id, actor.user_id, code)
                return
            time.sleep(SHOW_RETRY_AFTER_S)
        except OSError as error:
            log.warning("Home chart %s not shown to %s: %s", chart.file_id, actor.user_id, error)
            return


def stats_reply(deps, actor: Actor, reply: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """`/invites stats`'s reply with the trend chart when today's is already uploaded (no wait in the ack)."""
    if not deps.settings.charts_enabled:
        return reply
    cached = chart_files.cached(deps.db, team_id=actor.team_id, owner=actor.user_id, kind=TREND,
                                day=now.astimezone(actor.tz).date())
    if cached is None:
        return reply
    block = image_block(cached, block_id=TeamBlock.STATS_CHART)
    return {**reply, "blocks": with_block(list(reply.get("blocks") or []), block, limit=MESSAGE_BLOCKS)}


def after_stats(deps, actor: Actor, client: WebClient, reply: dict[str, Any], *, response_url: str | None,
                now: datetime) -> None:
    """After the stats ack: when the reply had no chart, draw and upload it in the background and
    send it as a second ephemeral message through the command's response_url."""
    if not deps.settings.charts_enabled or not response_url or has_image(reply.get("blocks") or []):
        return
    deps.background.submit(_logged(_stats_chart_later), deps, actor, client, response_url, now)


def _stats_chart_later(deps, actor: Actor, client: WebClient, response_url: str, now: datetime) -> None:
    weeks = home_service.trend_weeks(deps.db, actor, now=now)
    if not worth_drawing(weeks):
        return
    chart = _trend(deps, actor, client, weeks, now=now)
    if chart is None:
        return
    try:
        answer = WebhookClient(response_url, timeout=10).send(
            text=charts.cut(chart.alt_text, 3000), response_type="ephemeral", replace_original=False,
            blocks=[image_block(chart, block_id=TeamBlock.STATS_CHART)],
        )
        if answer.status_code != 200:
            log.warning("stats chart %s not shown to %s: %s %s", chart.file_id, actor.user_id, answer.status_code,
                        answer.body[:100])
    except OSError as error:
        log.warning("stats chart %s not shown to %s: %s", chart.file_id, actor.user_id, error)


# ---- the weekly digest's leaderboard ------------------------------------------------------------


def digest_message(db: Database, client: WebClient, plan: TeamDigestPlan, message: dict[str, Any], *,
                   now: datetime) -> dict[str, Any]:
    """The weekly digest with its 30-day leaderboard chart (drawn and uploaded once per team per week)."""
    bars = board_bars(plan)
    if not bars:
        return message
    from bot.slack.render.team import period_text

    chart = obtain(db, client, team_id=plan.team_id, owner=TEAM_OWNER, kind=LEADERBOARD, day=plan.local_date,
                   draw=lambda: charts.leaderboard_chart(bars, period=period_text(plan.board.period)),
                   filename=f"leaderboard-{plan.local_date.isoformat()}.png", now=now)
    if chart is None:
        return message
    block = image_block(chart, block_id=TeamBlock.TEAM_DIGEST_CHART)
    return {**message, "blocks": with_block(list(message.get("blocks") or []), block, limit=MESSAGE_BLOCKS)}


# ---- the team's days-to-accept curve (for `/invites curve` and the settings hint to call) -----------


def curve_block(db: Database, client: WebClient, *, team_id: str, within: Mapping[int, float], day: date,
                now: datetime, suggested: int | None = None, accepted: int | None = None, source: str = "team",
                block_id: str = TeamBlock.CURVE_CHART) -> dict[str, Any] | None:
    """An image block of the team's curve (`{days: share}`), drawn and uploaded once per team per day;
    None when there is nothing to draw or the chart could not be made (then show the text alone)."""
    if not within:
        return None
    chart = obtain(db, client, team_id=team_id, owner=TEAM_OWNER, kind=CURVE, day=day,
                   draw=lambda: charts.curve_chart(within, suggested=suggested, accepted=accepted, source=source),
                   filename=f"days-to-accept-{day.isoformat()}.png", now=now)
    return image_block(chart, block_id=block_id) if chart is not None else None


# ---- the team's days-to-accept curve ----------------------------------------------------------------


def _curve_day(now: datetime) -> date:
    return now.astimezone(UTC).date()  # one chart a day for the whole team (its rows are the team's)


def cached_curve_block(deps, *, team_id: str, now: datetime) -> dict[str, Any] | None:
    """Today's curve chart when it is already uploaded (the settings modal never waits for a drawing)."""
    if not deps.settings.charts_enabled:
        return None
    cached = chart_files.cached(deps.db, team_id=team_id, owner=TEAM_OWNER, kind=CURVE, day=_curve_day(now))
    return None if cached is None else image_block(cached, block_id=TeamBlock.CURVE_CHART)


def curve_reply(deps, reply: dict[str, Any], *, team_id: str, now: datetime) -> dict[str, Any]:
    """`/invites curve`'s reply with the curve chart when today's is already uploaded."""
    block = cached_curve_block(deps, team_id=team_id, now=now)
    if block is None:
        return reply
    return {**reply, "blocks": with_block(list(reply.get("blocks") or []), block, limit=MESSAGE_BLOCKS)}


def after_curve(deps, actor: Actor, client: WebClient, reply: dict[str, Any], *, response_url: str | None,
                now: datetime) -> None:
    """After `/invites curve`'s ack: when the reply had no chart, draw and upload it in the background and
    send it as a second ephemeral message through the command's response_url."""
    if not deps.settings.charts_enabled or not response_url or has_image(reply.get("blocks") or []):
        return
    deps.background.submit(_logged(_curve_chart_later), deps, actor, client, response_url, now)


def _curve_chart_later(deps, actor: Actor, client: WebClient, response_url: str, now: datetime) -> None:
    curve = team_curve(deps.db, actor.team_id, now=now)
    block = curve_block(deps.db, client, team_id=actor.team_id, within=curve.within_days, day=_curve_day(now),
                        now=now, suggested=curve.suggested_withdraw_after_days, accepted=curve.accepted,
                        source=curve.source)
    if block is None:
        return
    try:
        answer = WebhookClient(response_url, timeout=10).send(
            text=charts.cut(block["alt_text"], 3000), response_type="ephemeral", replace_original=False,
            blocks=[block],
        )
        if answer.status_code != 200:
            log.warning("curve chart not shown to %s: %s %s", actor.user_id, answer.status_code, answer.body[:100])
    except OSError as error:
        log.warning("curve chart not shown to %s: %s", actor.user_id, error)
