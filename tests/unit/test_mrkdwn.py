"""bot.slack.mrkdwn: the one escaping helper, links, and cutting text without breaking either."""

from __future__ import annotations

from bot.playground.slack_rules import check_mrkdwn
from bot.slack.mrkdwn import escape, link, mention, truncate
from bot.slack.render import context, section


def test_escape_turns_the_three_control_characters_into_entities():
    assert escape("R&D <Labs> & <@U1>") == "R&amp;D &lt;Labs&gt; &amp; &lt;@U1&gt;"
    assert check_mrkdwn(escape("`/invites accepted <url|slug|#id|name>` & more")) == []


def test_link_escapes_its_label_and_cannot_be_broken_out_of():
    assert link("https://www.linkedin.com/in/ann", "Ann <b> & Co") == "<https://www.linkedin.com/in/ann|Ann &lt;b&gt; &amp; Co>"
    assert link("https://x.io/a?b=1&c=2") == "<https://x.io/a?b=1&amp;c=2>"
    assert link("https://x.io/a|b>c", "a|b") == "<https://x.io/a%7Cb%3Ec|a¦b>"
    assert check_mrkdwn(link("https://x.io/?a=1&b=<2>", "x & y")) == []
    assert mention("U123") == "<@U123>"


def test_cutting_long_text_never_splits_an_entity_or_a_link():
    text = "a" * 2995 + "&amp; b"
    assert check_mrkdwn(truncate(text, 3000)) == [] and len(truncate(text, 3000)) <= 3000
    linked = "a" * 2980 + link("https://www.linkedin.com/in/someone-long", "Someone")
    assert check_mrkdwn(truncate(linked, 3000)) == []
    assert truncate("short", 3000) == "short"
    for cut in (section(text)["text"]["text"], context(text)["elements"][0]["text"],
                section(linked)["text"]["text"]):
        assert len(cut) <= 3000 and check_mrkdwn(cut) == []


def test_the_import_summary_escapes_file_text_and_names_the_command_as_configured():
    from bot.domain.commands import Commands
    from bot.services.importing import ImportSummary
    from bot.slack.listeners.files import import_reply
    from tests.support.harness import visible

    summary = ImportSummary(files=["Invitations & more.csv"], added=2, unmatched=["R&D <Lead>", "ACoAAB"])
    reply = import_reply(summary, Commands(invites="/pile"))
    text = "\n".join(b["text"]["text"] for b in reply["blocks"])
    assert check_mrkdwn(text) == [] and check_mrkdwn(reply["text"]) == []
    shown = visible(text)
    assert "Imported Invitations & more.csv." in shown and "R&D <Lead>, ACoAAB" in shown
    assert "`/pile accepted <name>`" in shown and "/invites" not in shown
