"""`help`, the `/invites` summary, the usage line and the DM help list every registered subcommand."""

from __future__ import annotations

from bot.domain.commands import REGISTRY
from tests.slack.test_command_names import everything
from tests.support.harness import visible


def _listed(shown: str) -> None:
    for entry in REGISTRY:
        assert f"/invites {'|'.join(entry.names)}" in shown, entry.names
        assert entry.description in shown, entry.description


def test_help_lists_every_registered_subcommand(slack):
    _listed(slack.invites("help").visible)


def test_the_summary_lists_every_registered_subcommand(slack):
    _listed(slack.invites("").visible)


def test_the_usage_line_of_an_unknown_subcommand_names_every_entry(slack):
    answer = slack.invites("frobnicate")
    usage = answer.visible.split("Usage:", 1)[1]
    for entry in REGISTRY:
        assert "|".join(entry.names) in usage, entry.names


def test_the_dm_help_lists_every_registered_subcommand(slack, fake_slack):
    slack.event({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "hi", "ts": "1.1"})
    (post,) = fake_slack.wait_for("chat.postMessage")
    _listed(visible(everything(post.params)))
