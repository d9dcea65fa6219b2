"""Outbound Slack: the Web API client, and the senders the ledger delivers through (DMs and the
weekly channel digest), with one mapping of Slack's errors to delivery outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import update

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Member
from bot.domain.commands import Commands
from bot.domain.nudges import DigestOutcome, Message
from bot.services.ledger import UNCONFIRMED, Claim, DeliveryError, Sender, SentMessage
from bot.services.sweep import DigestUpdater
from bot.services.team_digest import ChannelSender, TeamDigestPlan
from bot.slack.render import team as render_team
from bot.slack.render.nudges import render, replaced_digest

log = logging.getLogger("bot.delivery")

WEB_API_TIMEOUT_S = 10


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client on the configured base URL with bounded retries (429, 5xx, connection)."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=settings.web_api_timeout_seconds or WEB_API_TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )

TokenSource = Callable[[str], str | None]

# Every message the ledger delivers carries its delivery id in Slack's message metadata, so a post
# whose answer was lost can be found again (conversations.history, include_all_metadata).
EVENT_TYPE = "invite_hygiene_delivery"
# The app's DM with a member holds a few messages a day; the post being looked for is from the
# same local day (a delivery is retried on its own day only).
HISTORY_LIMIT = 100
# Scopes the lookup may lack (a channel without channels:history): then it cannot be checked.
CANNOT_LOOK = frozenset({"missing_scope", "not_in_channel", "not_allowed_token_type"})


def delivery_metadata(delivery_id: int) -> dict[str, Any]:
    """The metadata tagging a delivered message with its ledger id."""
    return {"event_type": EVENT_TYPE, "event_payload": {"delivery_id": delivery_id}}


def find_delivered(client: WebClient, channel: str, delivery_id: int) -> str | None:
    """The ts of the message tagged with this delivery in the channel's recent history, else None."""
    answer = client.conversations_history(channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True)
    for message in answer.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == EVENT_TYPE and str(payload.get("delivery_id")) == str(delivery_id):
            return str(message["ts"])
    return None


def _code(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"http_{error.response.status_code}")
    return f"connection_error:{type(error).__name__}"


def _nothing_sent(error: OSError) -> bool:
    """True when the request did not go out: urllib wraps failures to connect or send in URLError
    (refused, unresolvable, connect timeout); a failure reading the answer comes unwrapped."""
    return isinstance(error, URLError)


def post_once(client: WebClient, channel: str, held: Claim, **message: Any) -> tuple[str, str]:
    """Post `message` tagged with the delivery id, unless an earlier attempt already did (then its ts).

    Raises DeliveryError: `unconfirmed:…` (with the channel) when Slack may have posted it without
    our hearing back, or when an earlier attempt may have and we could not check.
    """
    if held.check_first:
        try:
            found = find_delivered(client, channel, held.id)
        except (SlackApiError, OSError) as error:
            code = _code(error)
            if code not in CANNOT_LOOK:
                raise DeliveryError(UNCONFIRMED + code, channel=channel) from None
            log.warning("cannot look for delivery %s in %s (%s): posting it again", held.id, channel, code)
            found = None
        if found is not None:
            log.info("delivery %s was posted after all (ts=%s): not posting it again", held.id, found)
            return channel, found
    try:
        posted = client.chat_postMessage(channel=channel, metadata=delivery_metadata(held.id), **message)
    except SlackApiError as error:  # Slack answered: not posted
        raise DeliveryError(_code(error)) from None
    except OSError as error:  # timeouts and dropped connections, after the client's retries
        if _nothing_sent(error):
            raise DeliveryError(_code(error)) from None
        raise DeliveryError(UNCONFIRMED + type(error).__name__, channel=channel) from None
    return str(posted.get("channel") or channel), str(posted["ts"])


def single_workspace_tokens(settings: Settings) -> TokenSource:
    """Every workspace uses the one configured bot token (single-workspace install)."""
    from bot.slack.install import single_workspace

    return single_workspace(settings).tokens


def slack_sender(settings: Settings, db: Database, tokens: TokenSource, clock: Clock) -> Sender:
    """A Sender that opens the member's DM (cached) and posts the rendered message."""
    clients: dict[str, object] = {}

    def send(message: Message, held: Claim) -> tuple[str, str]:
        token = tokens(message.team_id)
        if not token:
            raise DeliveryError("not_authed")
        client = clients.get(token) or make_client(settings, token)
        clients[token] = client
        reply = render(message, now=clock.now(), commands=Commands.from_settings(settings))
        channel = held.channel
        if channel is None:
            try:
                channel = client.conversations_open(users=message.user_id)["channel"]["id"]
            except (SlackApiError, OSError) as error:
                # Not posted now; an earlier attempt may have been (keep that known for the next one).
                raise DeliveryError((UNCONFIRMED if held.check_first else "") + _code(error)) from None
        return post_once(client, channel, held, text=reply["text"], blocks=reply["blocks"])

    return send


def marker(db: Database) -> Callable[[Message, str], None]:
    """Record on the member why DMs to them fail (for operators)."""

    def mark(message: Message, code: str) -> None:
        with db.session() as session:
            session.execute(update(Member).where(Member.id == message.member_id).values(undeliverable=code[:64]))

    return mark


def channel_sender(settings: Settings, tokens: TokenSource, *, db: Database | None = None,
                   clock: Clock | None = None) -> ChannelSender:
    """A ChannelSender posting the rendered weekly digest with the workspace's bot token (with its
    leaderboard chart when given the database and clock that the chart cache needs)."""
    clients: dict[str, WebClient] = {}

    def send(plan: TeamDigestPlan, held: Claim) -> tuple[str, str]:
        token = tokens(plan.team_id)
        if not token:
            raise DeliveryError("not_authed")
        client = clients.get(token) or clients.setdefault(token, make_client(settings, token))
        message = render_team.team_digest(plan)
        if db is not None and clock is not None and settings.charts_enabled:
            from bot.slack import charts

            pictured = charts.digest_message(db, client, plan, message, now=clock.now())
            if pictured is not message:
                try:
                    return post_once(client, plan.channel, held, unfurl_links=False, **pictured)
                except DeliveryError as error:
                    if error.code not in {"invalid_blocks", "invalid_arguments"}:
                        raise
                    # Slack answered and posted nothing: the digest goes out as text.
                    log.warning("digest chart refused in %s (%s): posting the text", plan.channel, error.code)
        # Tagged with the delivery id; a retry after a lost answer looks for it first (this needs
        # channels:history / groups:history, which the manifest does not ask for: without it the
        # lookup answers missing_scope and the digest is posted again, as before).
        return post_once(client, plan.channel, held, unfurl_links=False, **message)

    return send


def digest_updater(settings: Settings, tokens: TokenSource) -> DigestUpdater:
    """A DigestUpdater: chat.update of the previous digest to its one-line summary, without buttons.

    A digest that cannot be updated (deleted by the member, token gone) stays as it was; its buttons
    still act on each invite's current state.
    """
    clients: dict[str, WebClient] = {}

    def update(team_id: str, sent: SentMessage, outcome: DigestOutcome | None) -> None:
        token = tokens(team_id)
        if not token:
            return
        client = clients.get(token) or clients.setdefault(token, make_client(settings, token))
        try:
            client.chat_update(channel=sent.channel, ts=sent.ts, **replaced_digest(sent.local_date, outcome))
        except (SlackApiError, OSError) as error:
            log.warning("could not replace digest %s in %s: %s", sent.id, sent.channel, _code(error))

    return update
