"""Charts on Slack surfaces: really drawn and uploaded to the fake (files_upload_v2), shown with image
blocks referencing the uploaded file, cached per member per day, and never breaking the text."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot import charts
from bot.clock import FixedClock
from bot.services import chart_files
from bot.services.team_digest import run_team_digests
from bot.slack import charts as slack_charts
from bot.slack.ids import TeamBlock
from bot.slack.outbound import channel_sender
from tests.conftest import NOW
from tests.services.test_team_digest import CHANNEL, NY_MONDAY_9, seed_piles
from tests.slack.test_home import open_home, published
from tests.support.factories import make_invites, make_member
from tests.support.harness import SlackHarness
from tests.support.signing import BOT_TOKEN

PNG = b"\x89PNG\r\n\x1a\n"
QUIET_S = 0.4


@pytest.fixture
def chart_settings(settings):
    return settings.model_copy(update={"charts_enabled": True})


@pytest.fixture
def slack(chart_settings, db, clock, fake_slack):
    """The real app with charts on, against the strict fake Web API."""
    from bot.slack.app import create_app

    return SlackHarness(create_app(chart_settings, db, clock=clock), fake_slack)


def seed_decided(db, user: str = "U1"):
    """Four decided invites in the trend's weeks: 2 accepted of 4 over the 8 weeks, and a pending one."""
    actor = make_member(db, user, tz="Europe/Berlin", now=NOW)
    make_invites(db, actor, [
        {"key": f"in:{user}-a", "days_ago": 30, "status": "accepted", "changed_days_ago": 25},
        {"key": f"in:{user}-b", "days_ago": 31, "status": "declined", "changed_days_ago": 28},
        {"key": f"in:{user}-c", "days_ago": 45, "status": "accepted", "changed_days_ago": 40},
        {"key": f"in:{user}-d", "days_ago": 16, "status": "withdrawn", "changed_days_ago": 1},
        {"key": f"in:{user}-e", "days_ago": 2},
    ], now=NOW)
    return actor


def images(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b.get("type") == "image"]


def blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def quiet(fake, method: str, expected: int) -> None:
    """No further call of `method` arrives (the background task had time to run)."""
    time.sleep(QUIET_S)
    assert len(fake.of(method)) == expected, fake.of(method)


def assert_uploaded_png(fake_slack, file_id: str) -> bytes:
    """The file was really uploaded: promised, POSTed, completed without a channel, and is a small PNG."""
    (complete,) = [c for c in fake_slack.of("files.completeUploadExternal")
                   if file_id in [f["id"] for f in json.loads(c.params["files"])]]
    assert not complete.params.get("channel_id") and not complete.params.get("channels")
    data = fake_slack.uploads[file_id]
    assert data.startswith(PNG) and len(data) < 200_000
    assert fake_slack.files[file_id]["mimetype"] == "image/png"
    return data


# ---- App Home ------------------------------------------------------------------------------------------


def test_home_shows_the_text_first_then_the_trend_chart_it_uploaded(slack, db, fake_slack):
    seed_decided(db)
    open_home(slack)
    first = published(fake_slack, 1)
    assert images(first["blocks"]) == []  # the text does not wait for the drawing
    second = published(fake_slack, 2)
    (image,) = images(second["blocks"])
    file_id = image["slack_file"]["id"]
    assert image["block_id"] == TeamBlock.HOME_CHART
    assert_uploaded_png(fake_slack, file_id)
    assert image["alt_text"].startswith("Acceptance by week sent, last 8 weeks")
    assert "Sep 28: 100% (n=1)" in image["alt_text"] and "Oct 12: 0% (n=1)" in image["alt_text"]
    assert "Oct 5: nothing decided" in image["alt_text"]
    # The chart sits under the rate line; the rest of the Home is the same view.
    ids = [b.get("block_id") for b in second["blocks"]]
    assert ids[ids.index(TeamBlock.HOME_RATE) + 1] == TeamBlock.HOME_CHART
    assert [b for b in second["blocks"] if b.get("type") != "image"] == first["blocks"]
    # The second publish is guarded by the first one's hash.
    assert fake_slack.of("views.publish")[1].params.get("hash")
    quiet(fake_slack, "views.publish", 2)


def test_home_opened_again_the_same_day_shows_the_cached_chart_at_once_without_uploading(slack, db, fake_slack):
    seed_decided(db)
    open_home(slack)
    file_id = images(published(fake_slack, 2)["blocks"])[0]["slack_file"]["id"]
    open_home(slack)
    third = published(fake_slack, 3)
    assert [i["slack_file"]["id"] for i in images(third["blocks"])] == [file_id]
    quiet(fake_slack, "views.publish", 3)
    assert len(fake_slack.of("files.getUploadURLExternal")) == 1
    assert len(fake_slack.of("upload")) == 1


def test_the_next_day_draws_a_new_chart(chart_settings, db, fake_slack):
    from bot.slack.app import create_app

    seed_decided(db)
    for day, publishes in ((18, 2), (19, 4)):
        app = create_app(chart_settings, db, clock=FixedClock(NOW.replace(day=day)))
        open_home(SlackHarness(app, fake_slack))
        published(fake_slack, publishes)
    assert len(fake_slack.of("files.completeUploadExternal")) == 2
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=NOW.date()) is None  # replaced


def test_a_member_with_nothing_decided_gets_no_chart_and_no_upload(slack, db, fake_slack):
    actor = make_member(db, "U1", now=NOW)
    make_invites(db, actor, [{"key": "in:x", "days_ago": 2}], now=NOW)
    open_home(slack)
    assert images(published(fake_slack, 1)["blocks"]) == []
    quiet(fake_slack, "views.publish", 1)
    assert fake_slack.of("files.getUploadURLExternal") == []


@pytest.mark.parametrize("failure", ["get_url", "upload", "complete"])
def test_a_failed_upload_leaves_home_as_text(slack, db, fake_slack, failure):
    seed_decided(db)
    if failure == "get_url":
        fake_slack.queue("files.getUploadURLExternal", {"ok": False, "error": "missing_scope"})
    elif failure == "upload":
        fake_slack.queue("upload", (500, {}, b"upload failed"))
    else:
        fake_slack.queue("files.completeUploadExternal", {"ok": False, "error": "internal_error"})
    open_home(slack)
    view = published(fake_slack, 1)
    assert "By week sent:" in json.dumps(view)
    quiet(fake_slack, "views.publish", 1)
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=NOW.date()) is None


def test_a_failed_drawing_leaves_home_as_text(slack, db, fake_slack, monkeypatch):
    seed_decided(db)

    def broken(_weeks):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(charts, "trend_chart", broken)
    open_home(slack)
    assert images(published(fake_slack, 1)["blocks"]) == []
    quiet(fake_slack, "views.publish", 1)
    assert fake_slack.of("files.getUploadURLExternal") == []


def test_a_chart_slack_refuses_leaves_the_text_home_shown(slack, db, fake_slack, monkeypatch):
    monkeypatch.setattr(slack_charts, "SHOW_RETRY_AFTER_S", 0.01)
    seed_decided(db)
    refused = {"ok": False, "error": "invalid_blocks", "errors": ["invalid slack file [json-pointer:/blocks/4]"]}
    # The text publish passes; the two publishes with the chart (and its one retry) are refused.
    fake_slack.queue("views.publish", None, refused, refused)
    open_home(slack)
    fake_slack.wait_for("views.publish", 3)
    quiet(fake_slack, "views.publish", 3)
    # What the member sees is the first (text) view: the refused ones never replaced it.
    view = fake_slack.of("views.publish")[0].params["view"]
    assert images((json.loads(view) if isinstance(view, str) else view)["blocks"]) == []


def test_a_cached_chart_slack_refuses_is_dropped_and_the_home_shown_as_text(slack, db, fake_slack):
    seed_decided(db)
    open_home(slack)
    published(fake_slack, 2)
    fake_slack.queue("views.publish", {"ok": False, "error": "invalid_blocks", "errors": ["invalid slack file"]})
    open_home(slack)
    text_only = published(fake_slack, 4)
    assert images(text_only["blocks"]) == [] and "By week sent:" in json.dumps(text_only)
    assert chart_files.cached(db, team_id="T1", owner="U1", kind="trend", day=NOW.date()) is None
    quiet(fake_slack, "views.publish", 4)


def test_a_newer_home_is_never_replaced_by_an_older_one_with_its_chart(slack, db, fake_slack):
    seed_decided(db)
    fake_slack.queue("views.publish", None, {"ok": False, "error": "hash_conflict"})
    open_home(slack)
    fake_slack.wait_for("views.publish", 2)
    quiet(fake_slack, "views.publish", 2)  # no retry after a conflict: a newer Home is shown


# ---- /invites stats ------------------------------------------------------------------------------------


def test_stats_answers_at_once_then_sends_the_chart_and_attaches_it_once_cached(slack, db, fake_slack):
    seed_decided(db)
    first = slack.invites("stats")
    assert first.status == 200 and "Acceptance rate" in first.text
    assert images(first.body.get("blocks") or []) == []
    (follow,) = fake_slack.wait_for("response_url", 1)
    assert follow.params["response_type"] == "ephemeral" and follow.params.get("replace_original") is False
    (image,) = images(blocks_of(follow.params))
    assert_uploaded_png(fake_slack, image["slack_file"]["id"])
    assert "100% (n=1)" in follow.params["text"]  # the figures are the notification text too
    second = slack.invites("stats 90d")
    (attached,) = images(second.body["blocks"])
    assert attached["slack_file"] == image["slack_file"] and attached["block_id"] == TeamBlock.STATS_CHART
    quiet(fake_slack, "response_url", 1)
    assert len(fake_slack.of("files.completeUploadExternal")) == 1


def test_stats_with_a_failed_upload_is_just_the_text(slack, db, fake_slack):
    seed_decided(db)
    fake_slack.queue("files.getUploadURLExternal", {"ok": False, "error": "not_allowed_token_type"})
    answer = slack.invites("stats")
    assert answer.status == 200 and "Acceptance rate" in answer.text
    quiet(fake_slack, "response_url", 0)


def test_the_chart_is_the_members_own(slack, db, fake_slack):
    seed_decided(db, "U1")
    seed_decided(db, "U2")
    slack.invites("stats", user="U1")
    fake_slack.wait_for("response_url", 1)
    answer = slack.invites("stats", user="U2")
    assert images(answer.body.get("blocks") or []) == []  # U1's chart is not U2's
    fake_slack.wait_for("response_url", 2)
    assert len(fake_slack.of("files.completeUploadExternal")) == 2


# ---- the weekly digest ------------------------------------------------------------------------------------


def test_the_weekly_digest_carries_the_leaderboard_chart_uploaded_once_a_week(db, chart_settings, fake_slack):
    seed_piles(db)
    send = channel_sender(chart_settings, lambda _team: BOT_TOKEN, db=db, clock=FixedClock(NY_MONDAY_9))
    report = run_team_digests(db, now=NY_MONDAY_9, send_to_channel=send)
    assert len(report.sent) == 1
    (post,) = fake_slack.of("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    (image,) = images(blocks_of(post.params))
    assert image["block_id"] == TeamBlock.TEAM_DIGEST_CHART
    assert_uploaded_png(fake_slack, image["slack_file"]["id"])
    assert image["alt_text"].startswith("Leaderboard, the last 30 days: acceptance rate. 1. ")
    assert "(n=2)" in image["alt_text"] and "UHID" not in image["alt_text"]  # hidden members stay hidden
    cached = chart_files.cached(db, team_id="T1", owner=chart_files.TEAM_OWNER, kind="leaderboard",
                                day=NY_MONDAY_9.date())
    assert cached is not None and cached.file_id == image["slack_file"]["id"]


def test_a_refused_digest_chart_still_posts_the_digest_as_text(db, chart_settings, fake_slack):
    seed_piles(db)
    fake_slack.queue("chat.postMessage", {"ok": False, "error": "invalid_blocks",
                                          "errors": ["invalid slack file [json-pointer:/blocks/3/slack_file]"]})
    send = channel_sender(chart_settings, lambda _team: BOT_TOKEN, db=db, clock=FixedClock(NY_MONDAY_9))
    report = run_team_digests(db, now=NY_MONDAY_9, send_to_channel=send)
    assert len(report.sent) == 1 and report.failed == []
    refused, posted = fake_slack.of("chat.postMessage")
    assert images(blocks_of(refused.params)) and images(blocks_of(posted.params)) == []
    assert "Weekly invite digest" in posted.params["text"]


def test_a_failed_digest_upload_posts_the_text(db, chart_settings, fake_slack):
    seed_piles(db)
    fake_slack.queue("files.completeUploadExternal", {"ok": False, "error": "internal_error"})
    send = channel_sender(chart_settings, lambda _team: BOT_TOKEN, db=db, clock=FixedClock(NY_MONDAY_9))
    assert len(run_team_digests(db, now=NY_MONDAY_9, send_to_channel=send).sent) == 1
    (post,) = fake_slack.of("chat.postMessage")
    assert images(blocks_of(post.params)) == []


# ---- the curve (drawn and uploaded here; wired into `/invites curve` by the curve service's branch) ------


def test_the_curve_block_is_uploaded_once_a_day_for_the_team(db, fake_slack):
    from slack_sdk import WebClient

    make_member(db, "U1", now=NOW)
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    within = {1: 0.2, 3: 0.45, 7: 0.88, 14: 0.93, 21: 0.96, 30: 0.99, 60: 1.0}
    block = slack_charts.curve_block(db, client, team_id="T1", within=within, suggested=21, accepted=120,
                                     day=NOW.date(), now=NOW)
    assert block is not None and block["block_id"] == TeamBlock.CURVE_CHART
    assert_uploaded_png(fake_slack, block["slack_file"]["id"])
    assert "within 7 days: 88%" in block["alt_text"] and "Suggested withdraw threshold: 21 days." in block["alt_text"]
    again = slack_charts.curve_block(db, client, team_id="T1", within=within, day=NOW.date(), now=NOW)
    assert again == block and len(fake_slack.of("files.completeUploadExternal")) == 1
    assert slack_charts.curve_block(db, client, team_id="T1", within={}, day=NOW.date(), now=NOW) is None
