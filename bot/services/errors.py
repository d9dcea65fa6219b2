"""Typed errors services raise; the Slack error handler turns each into the right message."""

from __future__ import annotations

from dataclasses import dataclass, field


class ServiceError(Exception):
    """A request that cannot be done as asked; the message is what the user sees."""


class NotFound(ServiceError):
    """The invite (or member) the user pointed at is not theirs or does not exist."""


class AlreadyDone(ServiceError):
    """The change was already made (a second click, a Slack retry, a change elsewhere)."""


class Forbidden(ServiceError):
    """The user may not do this (not their invite, not an admin)."""


class NothingToUndo(ServiceError):
    """There is no change of the user's left to revert."""


@dataclass
class Candidate:
    invite_id: int
    label: str


@dataclass
class Ambiguous(ServiceError):
    """A name matched several invites; the user picks one."""

    query: str
    outcome: str
    candidates: list[Candidate] = field(default_factory=list)

    def __str__(self) -> str:
        return f"`{self.query}` matches {len(self.candidates)} of your invites: which one?"
