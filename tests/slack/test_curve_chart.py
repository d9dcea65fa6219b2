"""The team's days-to-accept curve as a chart: `/invites curve` and the admin settings modal."""

from __future__ import annotations

import json

from bot.slack.ids import TeamBlock
from tests.slack.test_charts import assert_uploaded_png, blocks_of, chart_settings, images, quiet, slack  # noqa: F401
from tests.slack.test_curve_command import team_with_curve


def test_curve_answers_at_once_then_sends_the_chart_and_attaches_it_once_cached(slack, db, fake_slack):  # noqa: F811
    team_with_curve(db)
    first = slack.invites("curve")
    assert first.status == 200 and "Suggested withdraw threshold: 13 days" in first.visible
    assert images(first.body.get("blocks") or []) == []
    (follow,) = fake_slack.wait_for("response_url", 1)
    assert follow.params["response_type"] == "ephemeral" and follow.params.get("replace_original") is False
    (image,) = images(blocks_of(follow.params))
    assert image["block_id"] == TeamBlock.CURVE_CHART
    assert_uploaded_png(fake_slack, image["slack_file"]["id"])
    assert "within 7 days: 70%" in image["alt_text"] and "13 days" in image["alt_text"]
    second = slack.invites("curve", user="U9")  # anyone in the team: one chart a day for the team
    (attached,) = images(second.body["blocks"])
    assert attached["slack_file"] == image["slack_file"]
    quiet(fake_slack, "response_url", 1)
    assert len(fake_slack.of("files.completeUploadExternal")) == 1


def test_curve_with_a_failed_upload_is_just_the_text(slack, db, fake_slack):  # noqa: F811
    team_with_curve(db)
    fake_slack.queue("files.getUploadURLExternal", {"ok": False, "error": "not_allowed_token_type"})
    answer = slack.invites("curve")
    assert answer.status == 200 and "Suggested withdraw threshold: 13 days" in answer.visible
    quiet(fake_slack, "response_url", 0)


def test_the_settings_modal_shows_todays_curve_chart_under_the_hint_once_made(slack, db, fake_slack):  # noqa: F811
    team_with_curve(db)
    fake_slack.add_user("UADMIN", tz="UTC", name="Boss")

    def modal_blocks() -> list[dict]:
        view = fake_slack.of("views.open")[-1].params["view"]
        return (json.loads(view) if isinstance(view, str) else view)["blocks"]

    slack.invites("settings", user="UADMIN")
    assert images(modal_blocks()) == []  # nothing drawn yet: the modal opens without waiting for one
    assert len(fake_slack.of("files.completeUploadExternal")) == 0
    slack.invites("curve")
    (made,) = images(blocks_of(fake_slack.wait_for("response_url", 1)[0].params))
    slack.invites("settings", user="UADMIN")
    blocks = modal_blocks()
    ids = [b.get("block_id") for b in blocks]
    assert ids.index(TeamBlock.CURVE_CHART) == ids.index("withdraw_curve") + 1
    assert blocks[ids.index(TeamBlock.CURVE_CHART)]["slack_file"] == made["slack_file"]
