"""Button values and private_metadata: small pydantic models, validated when they come back."""

from __future__ import annotations

import logging
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.commands import FIND_MAX
from bot.services.errors import ServiceError

log = logging.getLogger("bot.slack.payloads")


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        """The compact JSON Slack carries for us (max 2,000 characters): a field at its default is left out
        (loading gives it back), so a list's 45 button values stay short in the reply Slack is sent."""
        return self.model_dump_json(exclude_defaults=True)


V = TypeVar("V", bound=_Value)


class PickOutcome(_Value):
    invite_id: int = Field(ge=1, le=2**53)
    outcome: Literal["accepted", "declined", "withdrawn"]


class DigestRow(_Value):
    invite_id: int = Field(ge=1, le=2**53)


# The most ids a "Withdrew all N" button carries: the rows shown (20 in the digest and on Home)
# with room to spare; at 2**53 each this is 1,700 characters, inside Slack's 2,000 for a value.
MAX_BULK_IDS = 100
InviteId = Annotated[int, Field(ge=1, le=2**53)]


class BulkWithdraw(_Value):
    """"Withdrew all N": exactly the rows shown (ownership is checked again on click)."""

    invite_ids: tuple[InviteId, ...] = Field(min_length=1, max_length=MAX_BULK_IDS)


class ListOutcome(_Value):
    """A `list` / `find` row's outcome button: the invite, the outcome, and the list to show again."""

    invite_id: InviteId
    outcome: Literal["accepted", "declined", "withdrawn"]
    status: Literal["pending", "stale", "accepted", "declined", "withdrawn", "expired", "all"] = "pending"
    page: int = Field(default=1, ge=1, le=100_000)
    find: str | None = Field(default=None, min_length=1, max_length=FIND_MAX)


class ForgetMe(_Value):
    user_id: str = Field(min_length=1, max_length=32)


class UndoChange(_Value):
    """The Undo button of a message logged by DM: the change it reverts."""

    change_id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class ListPage(_Value):
    status: Literal["pending", "stale", "accepted", "declined", "withdrawn", "expired", "all"]
    page: int = Field(ge=1, le=100_000)
    find: str | None = Field(default=None, min_length=1, max_length=FIND_MAX)  # a `find` result's pages


class BadPayload(ServiceError):
    """A button value or metadata that is not one the app wrote (stale, truncated or forged)."""


def load(model: type[V], raw: str | None) -> V:
    """Parse a button value; a broken one raises BadPayload with a message for the user."""
    try:
        return model.model_validate_json(raw or "")
    except (ValidationError, ValueError):
        raise BadPayload("That button is out of date or damaged; run the command again.") from None


class PostLeaderboard(_Value):
    """The "Post to channel" button's value: the period only; the board is recomputed on click."""

    period: Literal["7d", "30d", "90d", "all"]


class HomeSwitch(_Value):
    """A Home settings button's value: the state the member asks for."""

    on: bool


class LogModalMeta(BaseModel):
    """The modal's private_metadata: where the confirmation goes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel_id: str | None = Field(default=None, pattern=r"^[CDG][A-Z0-9]{1,30}$")
    # How the modal was opened: the invites' source ("shortcut": the message shortcut).
    source: Literal["modal", "shortcut"] = "modal"

    def dump(self) -> str:
        """Compact JSON (Slack keeps up to 3,000 characters)."""
        return self.model_dump_json(exclude={"source"} if self.source == "modal" else None)

    @classmethod
    def of(cls, channel_id: str | None, *, source: Literal["modal", "shortcut"] = "modal") -> LogModalMeta:
        """Metadata for a channel id; one that is not a channel's (a surprise from Slack) is left out."""
        try:
            return cls(channel_id=channel_id, source=source)
        except ValidationError:
            return cls(source=source)

    @classmethod
    def load(cls, raw: str | None) -> LogModalMeta:
        """Validated metadata; a damaged value only loses the channel (the DM is used instead)."""
        try:
            return cls.model_validate_json(raw or "{}")
        except (ValidationError, ValueError):
            log.warning("log modal: private_metadata not ours, confirming by DM")
            return cls()
