"""INVITED_COMMAND=/sent and INVITES_COMMAND=/pile: every surface names the commands as installed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.services.sweep import run_cycle
from bot.slack.outbound import single_workspace_tokens, slack_sender
from tests.support.factories import make_invites, make_member, set_workspace
from tests.support.harness import visible
from tests.support.signing import event_body

WED_9 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
OLD_NAMES = re.compile(r"/invite[sd]\b")


@pytest.fixture
def settings(settings):
    """The app installed with its commands renamed (a workspace that already had /invited)."""
    return settings.model_copy(update={"invited_command": "/sent", "invites_command": "/pile"})


def names_only_the_new_commands(text: str, *expected: str) -> None:
    shown = visible(text)
    assert not OLD_NAMES.search(shown), shown
    for name in expected:
        assert name in shown, shown


def everything(payload: dict) -> str:
    """Every string of a payload (fallback text and all blocks), as one text."""
    return "\n".join(_strings(payload))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        try:
            return _strings(json.loads(value)) if value[:1] in "[{" else [value]
        except ValueError:
            return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_renamed_commands_answer_and_name_themselves(slack):
    assert slack.command("/invited", "https://linkedin.com/in/a-a").status == 404  # not registered any more
    logged = slack.command("/sent", "https://linkedin.com/in/jane-doe")
    assert "Logged 1 invite" in logged.visible
    for text, expected in [
        ("", "/sent <linkedin url>"),     # the summary and its command list
        ("help", "/pile list"),
        ("list accepted", "/pile"),      # not asserted to name a command; the next ones do
        ("list", "/pile"),
        ("accepted #1", "/pile undo"),
        ("accepted nobody-here", "/pile list"),     # the service's "not found" hint
        ("accepted", "/pile accepted <url|slug|#id|name>"),
        ("snooze forever", "/pile snooze 3d"),
        ("frobnicate", "/pile [list"),  # the usage line
        ("pause", "/pile resume"),
        ("leaderboard hide", "/pile leaderboard show"),
    ]:
        answer = slack.command("/pile", text)
        assert answer.status == 200, text
        names_only_the_new_commands(answer.text, *([expected] if expected != "/pile" else []))
    bad = slack.command("/sent", "https://example.com/in/jane")
    names_only_the_new_commands(bad.text, "Usage: `/sent <linkedin url>")
    empty = slack.command("/pile", "list declined")
    names_only_the_new_commands(empty.text)


def test_an_empty_pending_list_says_how_to_log_with_the_renamed_command(slack):
    answer = slack.command("/pile", "list")
    names_only_the_new_commands(answer.text, "Log one with `/sent <linkedin url>`")


def test_the_dm_help_names_the_renamed_commands(slack, fake_slack):
    slack.event({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "hello?", "ts": "1.1"})
    (post,) = fake_slack.wait_for("chat.postMessage")
    names_only_the_new_commands(everything(post.params), "/sent <linkedin url>", "/pile help")


def test_the_digest_footer_and_alerts_name_the_renamed_commands(db, settings, fake_slack):
    actor = make_member(db, "U1", tz="UTC", now=WED_9)
    set_workspace(db, pending_warn_at=3)
    make_invites(db, actor, [{"key": f"in:p-{n}", "days_ago": 20 + n} for n in range(3)], now=WED_9)
    send = slack_sender(settings, db, single_workspace_tokens(settings), FixedClock(WED_9))
    run_cycle(db, now=WED_9, send=send)
    posts = fake_slack.of("chat.postMessage")
    assert posts
    shown = "\n".join(everything(p.params) for p in posts)
    names_only_the_new_commands(shown, "/pile pause", "/pile snooze 3d")


def test_the_home_tab_names_the_renamed_commands(slack, db, fake_slack, clock):
    make_member(db, "U1", tz="UTC", now=clock.now())
    body = event_body({"type": "app_home_opened", "user": "U1", "channel": "D0HOME", "tab": "home", "event_ts": "1.0"})
    assert slack.dispatch(body, content_type="application/json").status == 200
    view = fake_slack.wait_for("views.publish")[-1].params["view"]
    names_only_the_new_commands(everything({"view": view}), "/sent <linkedin url>", "/pile help")
