"""Workspace settings (admins only), a member's own settings, forget-me and deactivation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy import delete, func, select, update

from bot.db.engine import Database
from bot.db.models import (
    ChartFile,
    Delivery,
    EventClaim,
    FileImport,
    Invite,
    InviteEvent,
    Member,
    TeamCurve,
    Workspace,
)
from bot.domain.away import BadHolidays, holidays_text, read_holidays
from bot.domain.settings import BY_NAME, SETTINGS, rule_problems
from bot.services.errors import Forbidden, ServiceError
from bot.services.members import ensure_workspace

WEEKDAYS = "1234567"


# The words for the settings picked from a list (the numbers have theirs in bot/domain/settings.py).
PICK = {
    "working_days": "Pick at least one day.",
    "digest_channel": "Pick a channel, or leave it empty.",
    "timezone": "Pick a time zone from the list.",
}
_RULE_BROKEN = "setting_rule"
_BAD_HOLIDAYS = "bad_holidays"
_OUT_OF_RANGE = {"greater_than_equal", "less_than_equal", "int_parsing_size"}


class _ChosenSettings(BaseModel):
    """The settings picked from lists, and the rules between the numbers (added from SETTINGS below)."""

    model_config = ConfigDict(extra="forbid")

    working_days: str
    digest_channel: str | None = None
    timezone: str
    holidays: str | None = None  # stored as sorted ISO dates, comma-separated

    @field_validator("holidays")
    @classmethod
    def _holidays(cls, value: str | None) -> str | None:
        try:
            return holidays_text(read_holidays(value))
        except BadHolidays as error:
            raise PydanticCustomError(_BAD_HOLIDAYS, str(error)) from None

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: str) -> str:
        if not value or any(d not in WEEKDAYS for d in value):
            raise ValueError(PICK["working_days"])
        return "".join(sorted(set(value)))

    @field_validator("digest_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"[CG][A-Z0-9]{2,30}", value):
            raise ValueError(PICK["digest_channel"])
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(PICK["timezone"]) from None
        if value not in available_timezones() and value != "UTC":
            raise ValueError(PICK["timezone"])
        return value

    @model_validator(mode="after")
    def _rules(self) -> _ChosenSettings:
        for field, message in rule_problems(self.model_dump()).items():
            raise PydanticCustomError(_RULE_BROKEN, message, {"field": field})
        return self


# Every workspace setting of PRODUCT.md: the numbers' bounds from their declaration, as the CHECKs.
WorkspaceSettingsInput = create_model(
    "WorkspaceSettingsInput",
    __base__=_ChosenSettings,
    __doc__="Every workspace setting, validated; the numbers in the ranges the database also enforces.",
    **{s.name: (int | None, Field(default=None, ge=s.min, le=s.max)) if s.optional  # type: ignore[call-overload]
       else (int, Field(ge=s.min, le=s.max)) for s in SETTINGS},
)


class SettingsInvalid(ServiceError):
    """Field-by-field problems, keyed by setting name (the modal shows each on its field)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _words(item: ErrorDetails) -> tuple[str, str]:
    """(field, message in words) for one of pydantic's errors; its own text is never shown."""
    if item["type"] == _RULE_BROKEN:
        return str((item.get("ctx") or {})["field"]), item["msg"]
    if item["type"] == _BAD_HOLIDAYS:
        return "holidays", item["msg"]
    field = str(item["loc"][0]) if item["loc"] else ""
    declared = BY_NAME.get(field)
    if declared is not None:
        if item["type"] in _OUT_OF_RANGE and not declared.choose:
            return field, declared.out_of_range
        return field, declared.not_a_number
    if field in PICK:
        return field, PICK[field]
    # A field the form does not have: a stale or forged view. Shown on the first input.
    return SETTINGS[0].name, "This form is out of date: close it and run `/invites settings` again."


def validate_workspace_settings(values: dict[str, object]) -> BaseModel:
    """Validate raw values; SettingsInvalid names each bad field with a message a person can act on."""
    try:
        return WorkspaceSettingsInput.model_validate(values)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            field, message = _words(item)
            errors.setdefault(field, message)
        raise SettingsInvalid(errors) from None


def workspace_settings(db: Database, team_id: str, *, now: datetime) -> dict[str, object]:
    """The current settings of a workspace, as the modal shows them."""
    with db.session() as session:
        ensure_workspace(session, team_id=team_id, now=now)
        ws = session.get(Workspace, team_id)
        assert ws is not None
        return {name: getattr(ws, name) for name in WorkspaceSettingsInput.model_fields}


def save_workspace_settings(db: Database, *, team_id: str, values: BaseModel, is_admin: bool) -> None:
    """Store validated settings; refused unless the caller was checked to be an admin on the server."""
    if not is_admin:
        raise Forbidden("Only workspace admins and owners can change the workspace settings.")
    with db.session() as session:
        session.execute(update(Workspace).where(Workspace.team_id == team_id).values(**values.model_dump()))


@dataclass(frozen=True)
class Forgotten:
    invites: int
    events: int
    deliveries: int


def forget_member(db: Database, *, team_id: str, user_id: str) -> Forgotten:
    """Delete everything stored about one member of one workspace: invites, audit, ledger, settings."""
    with db.session() as session:
        member_id = session.scalar(select(Member.id).where(Member.team_id == team_id, Member.user_id == user_id))
        deliveries = session.execute(
            delete(Delivery).where(Delivery.team_id == team_id, Delivery.recipient == user_id)
        ).rowcount
        session.execute(delete(FileImport).where(FileImport.team_id == team_id, FileImport.user_id == user_id))
        session.execute(delete(ChartFile).where(ChartFile.team_id == team_id, ChartFile.owner == user_id))
        if member_id is None:
            return Forgotten(0, 0, deliveries or 0)
        invites = session.scalar(select(func.count()).select_from(Invite).where(Invite.member_id == member_id)) or 0
        events = session.scalar(
            select(func.count()).select_from(InviteEvent).where(InviteEvent.member_id == member_id)
        ) or 0
        session.execute(delete(InviteEvent).where(InviteEvent.member_id == member_id))
        session.execute(delete(Invite).where(Invite.member_id == member_id))
        session.execute(delete(Member).where(Member.id == member_id))
        session.execute(delete(TeamCurve).where(TeamCurve.team_id == team_id))  # it counted their acceptances
        return Forgotten(invites, events, deliveries or 0)


def set_deactivated(db: Database, *, team_id: str, user_id: str, deactivated: bool,
                    enterprise_id: str | None = None) -> bool:
    """Mark a member deactivated in Slack (no nudges, off the leaderboard) or active again.

    With `enterprise_id` (an org-wide Grid install) the account is the org's: the change applies to
    the member's rows in every workspace of that org, and no other.
    """
    teams = (select(Workspace.team_id).where(Workspace.enterprise_id == enterprise_id).scalar_subquery()
             if enterprise_id else None)
    in_teams = Member.team_id.in_(teams) if teams is not None else Member.team_id == team_id
    with db.session() as session:
        changed = session.execute(
            update(Member).where(in_teams, Member.user_id == user_id, Member.deactivated.is_not(deactivated))
            .values(deactivated=deactivated)
        ).rowcount
    return bool(changed)


def purge_workspace(db: Database, team_id: str) -> dict[str, int]:
    """Delete a workspace and everything in it (the operator's `purge --team T`)."""
    from bot.db.models import SLACK_BOTS, SLACK_INSTALLATIONS

    with db.session() as session:
        counts = {
            "members": session.scalar(select(func.count()).select_from(Member).where(Member.team_id == team_id)) or 0,
            "invites": session.scalar(select(func.count()).select_from(Invite).where(Invite.team_id == team_id)) or 0,
        }
        for model in (InviteEvent, Delivery, FileImport, EventClaim, ChartFile, TeamCurve, Invite, Member):
            session.execute(delete(model).where(model.team_id == team_id))
        session.execute(delete(Workspace).where(Workspace.team_id == team_id))
        session.execute(delete(SLACK_INSTALLATIONS).where(SLACK_INSTALLATIONS.c.team_id == team_id))
        session.execute(delete(SLACK_BOTS).where(SLACK_BOTS.c.team_id == team_id))
    return counts
