"""Sending planned nudges as DMs, through the Web API with bounded retries."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from sqlalchemy import update

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Member
from bot.domain.commands import Commands
from bot.domain.nudges import Message
from bot.services.sweep import DeliveryError, Sender
from bot.slack.render_nudges import render

log = logging.getLogger("bot.delivery")

TokenSource = Callable[[str], str | None]


def single_workspace_tokens(settings: Settings) -> TokenSource:
    """Every workspace uses the one configured bot token (single-workspace install)."""
    from bot.slack.install import single_workspace

    return single_workspace(settings).tokens


def slack_sender(settings: Settings, db: Database, tokens: TokenSource, clock: Clock) -> Sender:
    """A Sender that opens the member's DM (cached) and posts the rendered message."""
    from bot.slack.app import make_client

    clients: dict[str, object] = {}

    def send(message: Message) -> tuple[str, str]:
        token = tokens(message.team_id)
        if not token:
            raise DeliveryError("not_authed")
        client = clients.get(token) or make_client(settings, token)
        clients[token] = client
        reply = render(message, now=clock.now(), commands=Commands.from_settings(settings))
        try:
            channel = client.conversations_open(users=message.user_id)["channel"]["id"]
            posted = client.chat_postMessage(channel=channel, text=reply["text"], blocks=reply["blocks"])
        except SlackApiError as error:
            raise DeliveryError(str(error.response.get("error") or f"http_{error.response.status_code}")) from None
        except OSError as error:  # timeouts and refused connections, after the client's retries
            raise DeliveryError(f"connection_error:{type(error).__name__}") from None
        return channel, posted["ts"]

    return send


def marker(db: Database) -> Callable[[Message, str], None]:
    """Record on the member why DMs to them fail (for operators)."""

    def mark(message: Message, code: str) -> None:
        with db.session() as session:
            session.execute(update(Member).where(Member.id == message.member_id).values(undeliverable=code[:64]))

    return mark

