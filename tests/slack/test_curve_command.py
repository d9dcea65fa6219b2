"""`/invites curve`, the curve in stats and beside the withdraw threshold in the admin settings modal."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.slack.ids import SettingsBlock
from tests.conftest import NOW
from tests.services.test_curve import FakeInvite, store

DAY = timedelta(days=1)


def team_with_curve(db, *, n: int = 100) -> None:
    """n acceptances: 40 same day, 30 after 5 days, 26 after 13, 4 after 20 (96% within 13 days)."""
    split = [(0, 40), (5, 30), (13, 26), (20, 4)]
    invites = []
    for days, share in split:
        for _ in range(share * n // 100):
            sent = NOW - 40 * DAY
            invites.append(FakeInvite(sent, "accepted", [("accepted", sent + days * DAY + timedelta(hours=1), False)]))
    store(db, invites, user="U3")


def test_curve_shows_the_team_figures_and_the_suggestion(slack, db):
    team_with_curve(db)
    answer = slack.invites("curve")
    assert "Your team's 100 acceptances in the last 180 days" in answer.visible
    assert "40% within 1 day · 40% within 3 days · 70% within 7 days · 96% within 14 days" in answer.visible
    assert "Suggested withdraw threshold: 13 days" in answer.visible
    assert "At 14 days you withdraw before 4% of your acceptances arrive." in answer.visible


def test_curve_with_few_acceptances_says_so_and_uses_the_published_figures(slack, db):
    store(db, [FakeInvite(NOW - 10 * DAY, "accepted", [("accepted", NOW - 8 * DAY, False)])] * 3, user="U3")
    answer = slack.invites("curve")
    assert "Only 3 acceptances in the last 180 days (50 needed for your team's own curve)" in answer.visible
    assert "88% within 7 days · 99% within 30 days" in answer.visible
    assert "Suggested withdraw threshold: 22 days" in answer.visible
    assert "At 14 days you withdraw before 9% of acceptances (published figures) arrive." in answer.visible


def test_curve_is_in_help_and_the_usage_line(slack):
    assert "/invites curve" in slack.invites("help").visible
    assert "curve" in slack.invites("bogus").text


def test_stats_shows_the_suggestion(slack, db):
    team_with_curve(db)
    answer = slack.invites("stats")
    assert "Withdraw threshold suggested by your team's 100 acceptances: 13 days" in answer.visible
    assert "At 14 days you withdraw before 4% of your acceptances arrive." in answer.visible


def test_the_settings_modal_shows_the_curve_beside_the_threshold(slack, db, fake_slack):
    team_with_curve(db)
    fake_slack.add_user("UADMIN", tz="UTC", name="Boss")
    slack.invites("settings", user="UADMIN")
    view = fake_slack.of("views.open")[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.index(SettingsBlock.CURVE_HINT) == ids.index("withdraw_after_days") + 1
    hint = view["blocks"][ids.index(SettingsBlock.CURVE_HINT)]["elements"][0]["text"]
    assert "Suggested withdraw threshold: 13 days" in hint
    assert "At 14 days you withdraw before 4% of your acceptances arrive." in hint
