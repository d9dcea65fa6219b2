"""Writing Slack mrkdwn safely: the one place text is escaped and links and mentions are made.

In mrkdwn `<…>` is a link or mention and `&` starts an entity, so any literal `&`, `<` or `>`
(usage lines like `<url>`, names and comments people typed, imported companies) must be written
as `&amp;`, `&lt;`, `&gt;`. Deliberate links and mentions are built with `link()` and
`mention()`. plain_text fields (buttons, headers, titles, options) are shown literally by
Slack and must never be escaped.
"""

from __future__ import annotations

import re


def escape(text: str) -> str:
    """Literal text for mrkdwn: `&`, `<` and `>` as entities, so nothing links, mentions or vanishes."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str | None = None) -> str:
    """A deliberate link `<url|label>`; the label is escaped, and `|`/`>` cannot end it early."""
    target = str(url).replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    if not label:
        return f"<{target}>"
    return f"<{target}|{escape(label).replace('|', '¦')}>"


def mention(user_id: str) -> str:
    """A user mention, `<@U123>`."""
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    """A channel mention, `<#C123>`."""
    return f"<#{channel_id}>"


_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_EMOJI = re.compile(r":[a-z0-9_+\-]+:\s?")


def plain(mrkdwn: str) -> str:
    """What mrkdwn says as plain text (a workflow step's output): links as labels, no emoji or markup."""
    def shown(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return label
        return "@" + target[1:] if target.startswith(("@", "!")) else target
    text = _EMOJI.sub("", _ANGLE.sub(shown, str(mrkdwn))).replace("*", "").replace("`", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut mrkdwn to `limit` characters without splitting an entity (`&amp;`) or a `<link|label>`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):  # inside a link or mention: drop it whole
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp >= 0 and ";" not in cut[amp:]:  # inside an entity
        cut = cut[:amp]
    return cut + ellipsis
