"""Names, companies and file text with `&`, `<` and `>` show literally on every surface, as Slack renders them.

The strict fake Web API (tests/conftest.py) fails any test whose payload has an unescaped `<` or
`&` in mrkdwn; these tests also read what the user sees (`visible`) and check plain_text stays literal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.clock import FixedClock
from bot.services.sweep import run_cycle
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.support.factories import make_invites, make_member
from tests.support.harness import visible

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
NAME = "Ann <b> & Co"


def test_a_name_with_angle_brackets_and_ampersand_shows_literally_in_replies(slack):
    # Slack sends what people type with & < > as entities.
    logged = slack.invited("https://linkedin.com/in/ann-co Ann &lt;b&gt; &amp; Co, R&amp;D &lt;Labs&gt;")
    assert "Logged 1 invite" in logged.visible
    assert f"{NAME} · R&D <Labs>" in logged.visible
    listed = slack.invites("list")
    assert NAME in listed.visible and "R&D <Labs>" in listed.visible
    marked = slack.invites("accepted #1")
    assert f"Marked #1 {NAME} accepted" in marked.visible.replace("`", "")


def test_candidate_buttons_are_plain_text_and_not_escaped(slack):
    slack.invited("https://linkedin.com/in/ann-a Ann &lt;b&gt; &amp; Co")
    slack.invited("https://linkedin.com/in/ann-b Ann &lt;b&gt; &amp; Co")
    answer = slack.invites("accepted Ann")
    labels = [b["text"]["text"] for b in answer.buttons]
    assert labels and all(label.startswith(NAME) for label in labels), labels


def test_the_digest_and_its_click_note_show_the_name_literally(slack, db, settings, fake_slack):
    actor = make_member(db, "U1", tz="UTC", now=WED_9)
    make_invites(db, actor, [{"key": "in:ann-co", "days_ago": 30, "url": "https://www.linkedin.com/in/ann-co",
                              "name": NAME}], now=WED_9)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    run_cycle(db, now=WED_9, send=send)
    (post,) = fake_slack.of("chat.postMessage")
    blocks = post.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    row = next(b for b in blocks if b["type"] == "section" and "ann-co" in b["text"]["text"])
    assert row["text"]["text"].startswith("<https://www.linkedin.com/in/ann-co|Ann &lt;b&gt; &amp; Co>")
    assert visible(row["text"]["text"]).startswith(NAME)
    message = {"text": post.params["text"], "blocks": blocks}
    accepted = next(e for b in blocks if b["type"] == "actions" for e in b["elements"]
                    if e["text"]["text"] == "Accepted")
    slack.click_in_message(accepted, message=message, channel=post.params["channel"], ts="1.2")
    (update,) = fake_slack.wait_for("chat.update")
    notes = [e["text"] for b in update.params["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any(visible(n) == f"✅ {NAME} marked accepted".replace("✅", ":white_check_mark:") for n in notes), notes
