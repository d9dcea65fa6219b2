"""The playground's Block Kit → HTML: escaped, formatted, and every control tagged for the page script."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.domain.counts import PileCounts
from bot.domain.invites import Priority, Risk
from bot.domain.nudges import Kind, Message, PendingInvite
from bot.playground.blockkit import Context, blocks_html, element_html, message_html, modal_html
from bot.playground.mrkdwn import mrkdwn, plain
from bot.playground.slack_requests import action_object, missing_required, state_values
from bot.slack.render.nudges import digest

CTX = Context(users={"U0ANA": "Ana Ortiz"}, channels={"C0SALES": "sales-team"})


@pytest.mark.parametrize(("source", "expected"), [
    ("*bold*", "<b>bold</b>"),
    ("_italic_", "<i>italic</i>"),
    ("~gone~", "<s>gone</s>"),
    ("`#12`", '<code class="bk-code">#12</code>'),
    ("a\nb", "a<br>b"),
    (":white_check_mark: done", "✅ done"),
    (":no_such_emoji:", ":no_such_emoji:"),
    ("snake_case_name", "snake_case_name"),
    ("2*3*4", "2*3*4"),
    ("<@U0ANA> hi", '<span class="bk-mention">@Ana Ortiz</span> hi'),
    ("<#C0SALES>", '<span class="bk-mention">#sales-team</span>'),
    ("<!here>", '<span class="bk-mention">@here</span>'),
    ("Tom &amp; Jerry &lt;3", "Tom &amp; Jerry &lt;3"),
    ("> quoted", '<span class="bk-quote">quoted</span>'),
])
def test_mrkdwn_formats(source, expected):
    assert mrkdwn(source, users=CTX.users, channels=CTX.channels) == expected


def test_links_keep_their_label_and_only_safe_schemes():
    html = mrkdwn("<https://www.linkedin.com/in/jane-doe?a=1&amp;b=2|*Jane* Doe>")
    assert 'href="https://www.linkedin.com/in/jane-doe?a=1&amp;b=2"' in html
    assert ">" + "<b>Jane</b> Doe</a>" in html
    assert 'rel="noopener noreferrer"' in html
    assert "href" not in mrkdwn("<javascript:alert(1)|click>")
    assert mrkdwn("<javascript:alert(1)|click>") == '<a class="bk-link bk-link-dead" title="javascript:alert(1)">click</a>'


def test_a_stray_angle_bracket_becomes_a_link_as_in_slack_even_in_code():
    # What Slack does to an unescaped usage line: a link to "url" labelled "slug|#id|name".
    html = mrkdwn("`/invites accepted <url|slug|#id|name>`")
    assert html == ('<code class="bk-code">/invites accepted '
                    '<a class="bk-link bk-link-dead" title="url">slug|#id|name</a></code>')
    assert mrkdwn("Ann <b> & Co") == 'Ann <a class="bk-link bk-link-dead" title="b">b</a> &amp; Co'
    html = mrkdwn("`/x <https://a.io|a>` *<https://b.io|b>*")
    assert '<code class="bk-code">/x <a class="bk-link" href="https://a.io"' in html
    assert '<b><a class="bk-link" href="https://b.io"' in html


def test_escaped_text_shows_literally_with_entities_decoded():
    assert mrkdwn("`/invites accepted &lt;url|slug&gt;`") == '<code class="bk-code">/invites accepted &lt;url|slug&gt;</code>'
    assert mrkdwn("Ann &lt;b&gt; &amp; Co") == "Ann &lt;b&gt; &amp; Co"
    assert mrkdwn("<@U0ANA|ana> and <@U9>", users=CTX.users) == (
        '<span class="bk-mention">@Ana Ortiz</span> and <span class="bk-mention">@U9</span>')


def test_text_is_escaped_before_anything_else():
    hostile = '<img src=x onerror="alert(1)"> "quotes" *<b>bold</b>*'
    html = mrkdwn(hostile)
    assert "<img" not in html and "<b>bold</b></b>" not in html
    assert "&quot;quotes&quot;" in html
    assert "<script" not in plain("<script>alert(1)</script>")


def test_code_is_not_formatted_inside():
    assert mrkdwn("`*not bold* :x:`") == '<code class="bk-code">*not bold* :x:</code>'
    assert mrkdwn("```line *1*\nline 2```") == '<pre class="bk-pre">line *1*\nline 2</pre>'


def test_section_with_fields_and_button_accessory():
    html = blocks_html([{
        "type": "section", "block_id": "b1", "text": {"type": "mrkdwn", "text": "*Ana*"},
        "fields": [{"type": "mrkdwn", "text": "*Pending*\n3"}, {"type": "plain_text", "text": "Rate 40%"}],
        "accessory": {"type": "button", "action_id": "go", "value": '{"id":1}', "style": "danger",
                      "text": {"type": "plain_text", "text": "Forget me"},
                      "confirm": {"title": {"type": "plain_text", "text": "Sure?"},
                                  "text": {"type": "mrkdwn", "text": "This *deletes* everything."}}},
    }], CTX)
    assert '<div class="bk-block bk-block-section" data-block-id="b1">' in html
    assert html.count('class="bk-field"') == 2
    assert 'class="bk-button bk-danger"' in html
    assert 'data-action-id="go"' in html and 'data-fire' in html
    assert 'value="{&quot;id&quot;:1}"' in html
    assert 'data-confirm="This deletes everything."' in html


def test_header_context_divider_and_unknown_blocks():
    html = blocks_html([
        {"type": "header", "text": {"type": "plain_text", "text": "Leaderboard :trophy:", "emoji": True}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "_small_"}, {"type": "image", "alt_text": "pic"}]},
        {"type": "divider"},
        {"type": "video", "title": {"type": "plain_text", "text": "x"}},
    ], CTX)
    assert "Leaderboard 🏆" in html
    assert "<i>small</i>" in html and 'title="pic"' in html
    assert '<hr class="bk-hr">' in html
    assert "Unsupported block type: video" in html


def test_actions_with_overflow_and_static_select():
    html = blocks_html([{"type": "actions", "block_id": "row", "elements": [
        {"type": "overflow", "action_id": "more", "options": [
            {"text": {"type": "plain_text", "text": "Snooze"}, "value": "snooze"}]},
        {"type": "static_select", "action_id": "period", "placeholder": {"type": "plain_text", "text": "Period"},
         "initial_option": {"text": {"type": "plain_text", "text": "30 days"}, "value": "30d"},
         "options": [{"text": {"type": "plain_text", "text": "7 days"}, "value": "7d"},
                     {"text": {"type": "plain_text", "text": "30 days"}, "value": "30d"}]},
    ]}], CTX)
    assert 'class="bk-overflow"' in html and '<option value="snooze">Snooze</option>' in html
    assert '<option value="30d" selected>30 days</option>' in html
    assert html.count("data-fire") == 2


def test_input_blocks_render_every_element_the_modals_use():
    blocks = [
        {"type": "input", "block_id": "urls", "label": {"type": "plain_text", "text": "LinkedIn URLs"},
         "element": {"type": "plain_text_input", "action_id": "v", "multiline": True, "max_length": 5000}},
        {"type": "input", "block_id": "name", "optional": True, "label": {"type": "plain_text", "text": "Name"},
         "element": {"type": "plain_text_input", "action_id": "v", "initial_value": "Jane <Doe>"}},
        {"type": "input", "block_id": "prio", "label": {"type": "plain_text", "text": "Priority"},
         "element": {"type": "static_select", "action_id": "v", "options": [
             {"text": {"type": "plain_text", "text": "High"}, "value": "high"}]}},
        {"type": "input", "block_id": "sent", "label": {"type": "plain_text", "text": "Sent"},
         "element": {"type": "datepicker", "action_id": "v", "initial_date": "2026-11-18"}},
        {"type": "input", "block_id": "note", "optional": True, "label": {"type": "plain_text", "text": "Note"},
         "element": {"type": "checkboxes", "action_id": "v", "options": [
             {"text": {"type": "mrkdwn", "text": "*With* a note"}, "value": "yes"}]}},
        {"type": "input", "block_id": "tier", "label": {"type": "plain_text", "text": "Tier"},
         "element": {"type": "radio_buttons", "action_id": "v", "options": [
             {"text": {"type": "plain_text", "text": "Free"}, "value": "free"}]}},
        {"type": "input", "block_id": "chan", "label": {"type": "plain_text", "text": "Digest channel"},
         "element": {"type": "conversations_select", "action_id": "v"}},
    ]
    html = blocks_html(blocks, CTX)
    assert '<textarea class="bk-input bk-textarea"' in html and 'maxlength="5000"' in html
    assert 'value="Jane &lt;Doe&gt;"' in html
    assert "(optional)" in html
    assert '<option value="high">High</option>' in html
    assert 'type="date" value="2026-11-18"' in html
    assert 'type="checkbox" name="note/v" value="yes"' in html and "<b>With</b> a note" in html
    assert 'type="radio"' in html
    assert '<option value="C0SALES">#sales-team</option>' in html
    assert "data-fire" not in html  # inputs only report on submit unless dispatch_action is set


def test_modal_shows_title_buttons_and_errors():
    view = {"id": "V1", "type": "modal", "title": {"type": "plain_text", "text": "Log invites"},
            "submit": {"type": "plain_text", "text": "Log"},
            "blocks": [{"type": "input", "block_id": "urls", "label": {"type": "plain_text", "text": "URLs"},
                        "element": {"type": "plain_text_input", "action_id": "v"}}]}
    html = modal_html(view, Context(errors={"urls": "Not a LinkedIn URL"}))
    assert 'data-view-id="V1"' in html and "Log invites" in html
    assert "data-modal-submit" in html and ">Cancel</button>" in html
    assert "Not a LinkedIn URL" in html


def test_message_without_blocks_shows_its_text():
    assert message_html("*hi*", [], CTX) == '<div class="bk-text"><b>hi</b></div>'
    assert "Unsupported element: workflow_button" in element_html({"type": "workflow_button"}, CTX, "b")


def test_the_real_digest_renders_with_its_buttons():
    now = datetime(2026, 11, 18, 9, tzinfo=UTC)
    invite = PendingInvite(7, "in:jane-doe", Priority.NORMAL, datetime(2026, 11, 1, tzinfo=UTC), name="Jane <Doe>",
                           url="https://www.linkedin.com/in/jane-doe")
    message = Message(kind=Kind.DAILY_DIGEST, team_id="T", user_id="U", member_id=1,
                      local_date=now.date(), pending=3, risk=Risk.OK, stale_keys=(invite.key,), batch=(invite,),
                      counts=PileCounts(pending=3, stale=1, max_withdrawals_per_day=20))
    html = blocks_html(digest(message, now=now)["blocks"], CTX)
    assert "Your LinkedIn invites today" in html
    assert "Jane &lt;Doe&gt;</a>" in html
    for action_id in ("digest_withdrawn", "digest_accepted", "digest_snooze"):
        assert f'data-action-id="{action_id}"' in html
    assert 'data-block-id="digest_row:7"' in html


def test_state_values_and_actions_take_slack_shapes():
    options = [{"text": {"type": "plain_text", "text": "High"}, "value": "high"},
               {"text": {"type": "plain_text", "text": "Low"}, "value": "low"}]
    blocks = [
        {"type": "input", "block_id": "urls", "element": {"type": "plain_text_input", "action_id": "v"}},
        {"type": "input", "block_id": "prio", "element": {"type": "static_select", "action_id": "v", "options": options}},
        {"type": "input", "block_id": "when", "optional": True,
         "element": {"type": "datepicker", "action_id": "v", "initial_date": "2026-11-18"}},
        {"type": "input", "block_id": "note", "optional": True,
         "element": {"type": "checkboxes", "action_id": "v", "options": options}},
        {"type": "input", "block_id": "chan", "optional": True,
         "element": {"type": "conversations_select", "action_id": "v"}},
    ]
    raw = [{"block_id": "urls", "action_id": "v", "value": "https://www.linkedin.com/in/a"},
           {"block_id": "prio", "action_id": "v", "value": "low"},
           {"block_id": "note", "action_id": "v", "value": ["high"]},
           {"block_id": "chan", "action_id": "v", "value": "C0SALES"}]
    values = state_values(blocks, raw)
    assert values["urls"]["v"] == {"type": "plain_text_input", "value": "https://www.linkedin.com/in/a"}
    assert values["prio"]["v"] == {"type": "static_select", "selected_option": options[1]}
    assert values["when"]["v"] == {"type": "datepicker", "selected_date": "2026-11-18"}
    assert values["note"]["v"] == {"type": "checkboxes", "selected_options": [options[0]]}
    assert values["chan"]["v"] == {"type": "conversations_select", "selected_conversation": "C0SALES"}
    assert missing_required(blocks, raw) == {}
    assert set(missing_required(blocks, [])) == {"urls", "prio"}
    button = {"type": "button", "action_id": "digest_withdrawn", "value": '{"invite_id":7}', "style": "primary",
              "text": {"type": "plain_text", "text": "Withdrawn"}}
    action = action_object(button, "digest_row:7", None)
    assert action["value"] == '{"invite_id":7}' and action["block_id"] == "digest_row:7"
    assert action["type"] == "button" and action["text"]["text"] == "Withdrawn"
    chosen = action_object({"type": "overflow", "action_id": "more", "options": options}, "b", "low")
    assert chosen["selected_option"] == options[1]


def test_each_radio_group_is_its_own_html_group_with_its_initial_option_checked():
    # The member settings modal: two radio groups whose elements share action_id "value", as Slack
    # allows (state is keyed by block_id, then action_id). One HTML name would make them one group.
    def radios(block_id: str, values: list[str], initial: str) -> dict:
        options = [{"text": {"type": "plain_text", "text": v.title()}, "value": v} for v in values]
        return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": block_id},
                "element": {"type": "radio_buttons", "action_id": "value", "options": options,
                            "initial_option": options[values.index(initial)]}}

    html = blocks_html([radios("nudges", ["on", "off"], "off"), radios("leaderboard", ["show", "hide"], "show")], CTX)
    names = re.findall(r'<input type="radio" name="([^"]*)" value="(\w+)"( checked)?', html)
    by_group: dict[str, list[tuple[str, bool]]] = {}
    for name, value, checked in names:
        by_group.setdefault(name, []).append((value, bool(checked)))
    assert sorted(by_group.values()) == [[("on", False), ("off", True)], [("show", True), ("hide", False)]]
    assert len(by_group) == 2


# Tokens in bot/ that look like shortcodes but are not emoji (a SQLite URL, Sphinx roles, a docstring).
NOT_EMOJI = {"memory", "class", "func", "short_codes"}


def app_shortcodes() -> set[str]:
    """Every :shortcode: the app's source writes."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "bot"
    found = set()
    for path in root.rglob("*.py"):
        found |= set(re.findall(r":([a-z0-9_+]+):", path.read_text(encoding="utf-8")))
    return found - NOT_EMOJI


def test_every_shortcode_the_app_uses_shows_as_an_emoji_in_the_playground():
    codes = app_shortcodes()
    assert {"white_check_mark", "warning", "zzz", "rotating_light", "chart_with_upwards_trend", "inbox_tray",
            "wastebasket", "see_no_evil", "eyes"} <= codes
    for code in sorted(codes):
        shown = mrkdwn(f":{code}: text")
        assert not shown.startswith(":"), f":{code}: is shown as text in the playground"
        assert shown.endswith(" text")


@pytest.mark.parametrize(("source", "expected"), [
    (":see_no_evil: hidden", "🙈 hidden"),
    (":zzz::warning:", "💤⚠️"),
    ("*:rotating_light: Past the limit*", "<b>🚨 Past the limit</b>"),
    ("_:hourglass: expired_", "<i>⌛ expired</i>"),
    ("`:warning:` in code", '<code class="bk-code">:warning:</code> in code'),  # Slack leaves code alone
    (":unknown_to_slack: stays", ":unknown_to_slack: stays"),
    ("12:30:45", "12:30:45"),
])
def test_shortcodes_render_as_slack_shows_them(source, expected):
    assert mrkdwn(source) == expected


def test_a_rendered_message_keeps_no_known_shortcode_as_text():
    html = message_html("", [
        {"type": "section", "text": {"type": "mrkdwn", "text": ":white_check_mark: Logged 1 invite:"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": ":inbox_tray: Imported · :wastebasket: gone"}]},
        {"type": "header", "text": {"type": "plain_text", "text": ":chart_with_upwards_trend: Pace", "emoji": True}},
    ], CTX)
    assert "✅ Logged 1 invite:" in html and "📥 Imported · 🗑️ gone" in html and "📈 Pace" in html
    assert not re.search(r":[a-z_]+:", html)
