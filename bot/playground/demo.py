"""The demo workspace: its teammates, its channel and the app's own ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TEAM_ID = "T0PLAYGRND"
TEAM_DOMAIN = "playground"
TEAM_NAME = "Playground Sales"
APP_ID = "A0PLAYGRND"
BOT_USER_ID = "U0INVITEBOT"
BOT_ID = "B0INVITEBOT"
APP_NAME = "Invite Hygiene"
CHANNEL_ID = "C0SALESTEAM"
CHANNEL_NAME = "sales-team"


@dataclass(frozen=True)
class Teammate:
    """A demo teammate: what `users.info` answers for them."""

    user_id: str
    name: str
    handle: str
    tz: str
    title: str
    is_admin: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The teammate's time zone."""
        return ZoneInfo(self.tz)

    @property
    def dm_channel(self) -> str:
        """The id of the app's DM with this teammate."""
        return "D" + self.user_id[1:]

    @property
    def initials(self) -> str:
        """Two letters for the avatar."""
        return "".join(part[0] for part in self.name.split()[:2]).upper()

    def slack_user(self, now: datetime) -> dict[str, Any]:
        """The `user` object Slack's users.info returns (the fields the app reads, and a few more)."""
        offset = now.astimezone(self.zone).utcoffset()
        return {
            "id": self.user_id,
            "team_id": TEAM_ID,
            "name": self.handle,
            "real_name": self.name,
            "deleted": False,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": False,
            "is_app_user": False,
            "profile": {
                "title": self.title,
                "real_name": self.name,
                "display_name": self.name.split()[0],
                "team": TEAM_ID,
            },
        }


TEAMMATES: tuple[Teammate, ...] = (
    Teammate("U0ANA", "Ana Ortiz", "ana", "America/New_York", "Head of Sales (workspace admin)", is_admin=True),
    Teammate("U0TOM", "Tom Becker", "tom", "Europe/London", "Account Executive"),
    Teammate("U0PRIYA", "Priya Nair", "priya", "Asia/Kolkata", "Technical Recruiter"),
    Teammate("U0KENJI", "Kenji Sato", "kenji", "Asia/Tokyo", "Business Development"),
)

ADMIN_USER_IDS = frozenset(t.user_id for t in TEAMMATES if t.is_admin)

# The app's global shortcuts, as manifest.yml declares them.
SHORTCUTS: tuple[tuple[str, str], ...] = (("Log invites", "log_invites"),)
# Message shortcuts (⋯ on a message in #sales-team), as manifest.yml declares them.
MESSAGE_SHORTCUTS: tuple[tuple[str, str], ...] = (("Log as sent invites", "log_from_message"),)
# The workflow step the page's "Run workflow step" form runs (manifest.yml `functions`).
WORKFLOW_STEP = "log_linkedin_invite"


def teammate(user_id: str) -> Teammate | None:
    """The demo teammate with this id, if any."""
    return next((t for t in TEAMMATES if t.user_id == user_id), None)


def user_for_dm(channel_id: str) -> Teammate | None:
    """The teammate whose DM with the app this channel is."""
    return next((t for t in TEAMMATES if t.dm_channel == channel_id), None)


def names() -> dict[str, str]:
    """User id → display name, the app included (for mentions and authors)."""
    return {BOT_USER_ID: APP_NAME, **{t.user_id: t.name for t in TEAMMATES}}
