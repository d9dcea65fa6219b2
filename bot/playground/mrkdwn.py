"""Slack's mrkdwn and plain_text objects to safe HTML: escaped first, then formatted."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

EMOJI = {
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "warning": "⚠️", "repeat": "🔁", "x": "❌",
    "hourglass_flowing_sand": "⏳", "hourglass": "⌛", "busts_in_silhouette": "👥", "bust_in_silhouette": "👤",
    "rotating_light": "🚨", "chart_with_upwards_trend": "📈", "chart_with_downwards_trend": "📉",
    "bar_chart": "📊", "information_source": "ℹ️", "tada": "🎉", "leftwards_arrow_with_hook": "↩️",
    "rewind": "⏪", "double_vertical_bar": "⏸️", "zzz": "💤", "recycle": "♻️", "trophy": "🏆",
    "first_place_medal": "🥇", "second_place_medal": "🥈", "third_place_medal": "🥉", "medal": "🏅",
    "sports_medal": "🏅", "calendar": "📆", "date": "📅", "spiral_calendar_pad": "🗓️", "inbox_tray": "📥",
    "outbox_tray": "📤", "memo": "📝", "pencil": "📝", "pencil2": "✏️", "mag": "🔍", "bell": "🔔",
    "no_bell": "🔕", "wave": "👋", "palm_tree": "🌴", "raised_hands": "🙌", "fire": "🔥", "sparkles": "✨", "star": "⭐",
    "lock": "🔒", "gear": "⚙️", "wastebasket": "🗑️", "link": "🔗", "paperclip": "📎", "muscle": "💪",
    "clipboard": "📋", "eyes": "👀", "point_right": "👉", "arrow_right": "➡️", "crown": "👑", "rocket": "🚀",
    "thumbsup": "👍", "+1": "👍", "thumbsdown": "👎", "-1": "👎", "heavy_plus_sign": "➕",
    "heavy_minus_sign": "➖", "new": "🆕", "speech_balloon": "💬", "email": "✉️", "envelope": "✉️",
    "page_facing_up": "📄", "file_folder": "📁", "open_file_folder": "📂", "no_entry": "⛔",
    "no_entry_sign": "🚫", "question": "❓", "exclamation": "❗", "bulb": "💡", "handshake": "🤝",
    "large_green_circle": "🟢", "large_yellow_circle": "🟡", "red_circle": "🔴", "white_circle": "⚪",
    "large_blue_circle": "🔵", "small_red_triangle_down": "🔻", "small_red_triangle": "🔺",
    "arrow_up": "⬆️", "arrow_down": "⬇️", "arrow_forward": "▶️", "arrows_counterclockwise": "🔄",
    "snowflake": "❄️", "alarm_clock": "⏰", "clock9": "🕘", "stopwatch": "⏱️", "hugging_face": "🤗",
    "slightly_smiling_face": "🙂", "smile": "😄", "party_popper": "🎉", "dart": "🎯", "seedling": "🌱",
    "broom": "🧹", "scales": "⚖️", "heavy_exclamation_mark": "❗", "pushpin": "📌", "key": "🔑",
    "package": "📦", "mailbox": "📫", "incoming_envelope": "📨", "robot_face": "🤖", "hammer_and_wrench": "🛠️",
    "see_no_evil": "🙈", "hear_no_evil": "🙉", "speak_no_evil": "🙊", "heart": "❤️", "100": "💯", "ok_hand": "👌",
    "clap": "👏", "pray": "🙏", "thinking_face": "🤔", "grinning": "😀", "joy": "😂", "sweat_smile": "😅",
    "sunglasses": "😎", "partying_face": "🥳", "heavy_multiplication_x": "✖️", "ballot_box_with_check": "☑️",
    "chart": "💹", "moneybag": "💰", "briefcase": "💼", "office": "🏢",
    "telephone_receiver": "📞", "calling": "📲", "iphone": "📱", "computer": "💻",
}

# Slack reads `<…>` (links, mentions) everywhere, code included, before any formatting.
_ANGLE = re.compile(r"<(?P<link>[^<>\n]+)>")
_CODE = re.compile(r"```(?P<pre>.+?)```|`(?P<code>[^`\n]+)`", re.S)
_HOLE = re.compile("\ue000(\\d+)\ue001")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def escape(text: str) -> str:
    """HTML-escape Slack text, whose own escapes (&amp; &lt; &gt;) are undone first."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return html.escape(text, quote=True)


def emoji(escaped: str) -> str:
    """Known :short_codes: as emoji; unknown ones stay as text."""
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


def plain(text: str, *, with_emoji: bool = True) -> str:
    """A plain_text string as HTML."""
    escaped = escape(text)
    return (emoji(escaped) if with_emoji else escaped).replace("\n", "<br>")


def mrkdwn(text: str, *, users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None) -> str:
    """A mrkdwn string as HTML, as Slack shows it: links and mentions (any `<…>`, even one left
    unescaped by mistake, inside code too), then code, *bold*, _italic_, ~strike~, quotes, emoji;
    `&lt;` `&gt;` `&amp;` shown as the characters."""
    holes: list[str] = []

    def keep(html_text: str) -> str:
        holes.append(html_text)
        return f"\ue000{len(holes) - 1}\ue001"

    body = _ANGLE.sub(lambda m: keep(_link(m.group("link"), users or {}, channels or {})), text)
    body = _CODE.sub(lambda m: keep(_code(m)), body)
    body = _format(escape(body))
    while _HOLE.search(body):  # code holds links: fill until none is left
        body = _HOLE.sub(lambda m: holes[int(m.group(1))], body)
    return body


def text_object(obj: Any, *, users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None) -> str:
    """A Block Kit text object (plain_text or mrkdwn) as HTML."""
    if isinstance(obj, str):
        return plain(obj)
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), users=users, channels=channels)
    return plain(str(obj.get("text", "")), with_emoji=obj.get("emoji", True) is not False)


def _format(escaped: str) -> str:
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    lines = []
    for line in emoji(escaped).split("\n"):
        lines.append(f'<span class="bk-quote">{line[5:]}</span>' if line.startswith("&gt; ") else line)
    return "<br>".join(lines)


def _code(match: re.Match[str]) -> str:
    if match.group("pre") is not None:
        return f'<pre class="bk-pre">{escape(match.group("pre").strip(chr(10)))}</pre>'
    return f'<code class="bk-code">{escape(match.group("code"))}</code>'


def _link(inner: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        name = users.get(target[1:], label or target[1:])
        return f'<span class="bk-mention">@{escape(name)}</span>'
    if target.startswith("#"):
        name = channels.get(target[1:], label or target[1:])
        return f'<span class="bk-mention">#{escape(name)}</span>'
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        shown = label or ("@" + special if special in {"here", "channel", "everyone"} else special)
        return f'<span class="bk-mention">{escape(shown)}</span>'
    url = target.replace("&amp;", "&")
    shown = _format(escape(label)) if label else escape(target)
    if not url.lower().startswith(_SAFE_SCHEMES):
        # Slack still makes it a link (to a target that goes nowhere useful): show it as one, inert.
        return f'<a class="bk-link bk-link-dead" title="{html.escape(url, quote=True)}">{shown}</a>'
    return f'<a class="bk-link" href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
