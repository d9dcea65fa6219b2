"""The LinkedIn profiles a Slack message holds: typed, pasted, shared from LinkedIn's app, unfurled (pure).

A message logged from the app's DM, the message shortcut's message: its `text` (Slack writes links
as `<url>` or `<url|label>` and `&` as `&amp;`), its `attachments` (LinkedIn's share sheet and
unfurls carry the profile as `from_url`, `original_url` or `title_link`, or in unfurl blocks), and its
blocks (`rich_text` links and typed URLs, the mrkdwn of sections and contexts). Links that are not profiles (a post,
a company page, another site) are left out; the same person twice is one prospect.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.domain.commands import COMMENT_MAX, MAX_URLS_PER_COMMAND, LogRequest, SentSpec
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


def _block_candidates(blocks: Any) -> Iterator[str]:
    """Links in Block Kit: rich_text elements, and the mrkdwn of sections (text, fields) and contexts (unfurls)."""
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "rich_text":
            yield from _rich_text_candidates(block)
            continue
        texts = [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]
        for text in texts:
            if isinstance(text, dict) and text.get("type") == "mrkdwn" and isinstance(text.get("text"), str):
                yield from _text_candidates(text["text"])


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
            yield from _block_candidates(attachment.get("blocks"))
    yield from _block_candidates(message.get("blocks"))


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


# ---- the Workflow Builder step `log_linkedin_invite` ------------------------------------------

_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,30}$")


class StepInputError(ValueError):
    """A workflow step's inputs that cannot be logged; the message is the step's error."""


@dataclass(frozen=True)
class StepInputs:
    """What the step logs: one invite, for `sender`."""

    sender: str
    request: LogRequest


def read_step_inputs(inputs: dict[str, Any]) -> StepInputs:
    """The step's inputs (PRODUCT.md: profile_url, sender, priority, with_note, comment) as a log request."""
    sender = inputs.get("sender")
    if not isinstance(sender, str) or not _USER_ID.match(sender):
        raise StepInputError(f"“{str(sender)[:40]}” is not a member of this workspace: sender must be a Slack user.")
    url = inputs.get("profile_url")
    if not isinstance(url, str) or not url.strip():
        raise StepInputError("profile_url is empty: give the LinkedIn profile URL of the person invited.")
    try:
        prospect = prospect_from_url(html.unescape(url.strip()))
    except NotAProfileUrl as error:
        raise StepInputError(f"“{url.strip()[:100]}” is not a LinkedIn profile URL ({error}).") from None
    raw_priority = inputs.get("priority")
    priority = Priority.NORMAL
    if isinstance(raw_priority, str) and raw_priority.strip():
        try:
            priority = Priority(raw_priority.strip().lower())
        except ValueError:
            raise StepInputError(f"priority “{raw_priority[:40]}”: use high, normal or low.") from None
    with_note = inputs.get("with_note") in (True, "true", "True", "1", 1)
    comment = inputs.get("comment")
    comment = " ".join(comment.split())[:COMMENT_MAX] or None if isinstance(comment, str) else None
    return StepInputs(sender, LogRequest((prospect,), None, None, comment, SentSpec(), priority, with_note))
