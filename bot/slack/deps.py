"""What listeners need, built once by `create_app` and passed down (no globals)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.domain.commands import Commands
from bot.services.members import Actor, Profile, ProfileLookup, identify

# users.info runs inside a command's 3 seconds: short, and no retries.
PROFILE_TIMEOUT_S = 1.5


@dataclass(frozen=True)
class Origin:
    """Where a command or click came from: what a handler needs to answer beyond its reply."""

    client: WebClient
    team_id: str
    user_id: str
    channel_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None

    @classmethod
    def of_command(cls, command: dict, client: WebClient, *, team_id: str) -> Origin:
        """The origin of a slash command payload, in the workspace Bolt authorized (`context.team_id`)."""
        return cls(client=client, team_id=team_id, user_id=command["user_id"],
                   channel_id=command.get("channel_id"), trigger_id=command.get("trigger_id"),
                   response_url=command.get("response_url"))

log = logging.getLogger("bot.slack")


@dataclass
class Deps:
    settings: Settings
    db: Database
    clock: Clock
    logger: logging.Logger = field(default_factory=lambda: log)
    # The slash commands as configured: every reply names these (built once, from the settings).
    commands: Commands = field(init=False)
    # Work a listener hands off after its ack (the alert check of a change): two threads at most.
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="after-ack"))

    def __post_init__(self) -> None:
        self.commands = Commands.from_settings(self.settings)

    def actor(self, *, team_id: str, user_id: str, client: WebClient | None) -> Actor:
        """The member behind a request (profile fetched from Slack on first sight, then weekly)."""
        lookup = profile_lookup(client) if client is not None and client.token else None
        return identify(self.db, team_id=team_id, user_id=user_id, now=self.clock.now(), lookup=lookup)


def profile_lookup(client: WebClient) -> ProfileLookup:
    """`users.info` with a short timeout; a failure means "unknown", never a failed command."""
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=PROFILE_TIMEOUT_S, retry_handlers=[])

    def lookup(user_id: str) -> Profile | None:
        try:
            user = quick.users_info(user=user_id)["user"]
        except Exception as error:  # noqa: BLE001 - the profile is a nicety; log and carry on
            log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
            return None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        return Profile(
            tz=user.get("tz"),
            display_name=name,
            is_admin=bool(user.get("is_admin") or user.get("is_owner")),
            deleted=bool(user.get("deleted")),
        )

    return lookup
