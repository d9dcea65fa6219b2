"""The LinkedIn profiles a Slack message holds: typed, pasted, shared from LinkedIn's app, unfurled (pure).

A message logged from the app's DM, the message shortcut's message: its `text` (Slack writes links
as `<url>` or `<url|label>` and `&` as `&amp;`), its `attachments` (LinkedIn's share sheet and
unfurls carry the profile as `from_url`, `original_url` or `title_link`), and its `rich_text`
blocks (`link` elements, and URLs typed into `text` elements). Links that are not profiles (a post,
a company page, another site) are left out; the same person twice is one prospect.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from bot.domain.commands import MAX_URLS_PER_COMMAND, LogRequest, SentSpec
from bot.domain.invites import Priority
from bot.domain.prospect import NotAProfileUrl, Prospect, looks_like_url, prospect_from_url

# Where an attachment (share sheet, unfurl) keeps the page it is about.
ATTACHMENT_URL_FIELDS = ("from_url", "original_url", "title_link", "app_unfurl_url")
_SLACK_LINK = re.compile(r"<([^<>|\s]+)(?:\|[^<>]*)?>")
_MAX_DEPTH = 8


def _text_candidates(text: str) -> Iterator[str]:
    """Link targets and bare URL-like tokens of mrkdwn text (labels are not read: they repeat the link)."""
    for match in _SLACK_LINK.finditer(text):
        yield html.unescape(match.group(1))
    for token in _SLACK_LINK.sub(" ", text).split():
        token = html.unescape(token).strip("()[]{}.,;:!?\"'“”‘’")
        if looks_like_url(token):
            yield token


def _rich_text_candidates(element: Any, depth: int = 0) -> Iterator[str]:
    if depth > _MAX_DEPTH or not isinstance(element, dict):
        return
    if element.get("type") == "link" and isinstance(element.get("url"), str):
        yield element["url"]
    elif element.get("type") == "text" and isinstance(element.get("text"), str):
        for token in element["text"].split():
            token = token.strip("()[]{}.,;:!?\"'“”‘’")
            if looks_like_url(token):
                yield token
    children = element.get("elements")
    if isinstance(children, list):
        for child in children:
            yield from _rich_text_candidates(child, depth + 1)


def _candidates(message: dict[str, Any]) -> Iterator[str]:
    text = message.get("text")
    if isinstance(text, str):
        yield from _text_candidates(text)
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict):
            for name in ATTACHMENT_URL_FIELDS:
                if isinstance(attachment.get(name), str):
                    yield html.unescape(attachment[name])
    blocks = message.get("blocks")
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "rich_text":
            yield from _rich_text_candidates(block)


def prospects_in_message(message: dict[str, Any]) -> tuple[Prospect, ...]:
    """The distinct LinkedIn profiles a message holds, in the order first seen (at most the command's limit)."""
    found: dict[str, Prospect] = {}
    for candidate in _candidates(message if isinstance(message, dict) else {}):
        try:
            prospect = prospect_from_url(candidate)
        except NotAProfileUrl:
            continue
        found.setdefault(prospect.key, prospect)
        if len(found) >= MAX_URLS_PER_COMMAND:
            break
    return tuple(found.values())


def log_request(prospects: tuple[Prospect, ...]) -> LogRequest:
    """Log these profiles as `/invited <urls>` would: sent now, normal priority, no note, no name."""
    return LogRequest(prospects, None, None, None, SentSpec(), Priority.NORMAL, False)
