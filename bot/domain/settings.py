"""Every numeric workspace setting, declared once: the modal, the input model and the CHECKs come from here."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.domain.tiers import TIERS


def _number(value: int) -> str:
    return f"{value:,}"


@dataclass(frozen=True)
class Setting:
    """One whole-number workspace setting: its words, default and allowed range."""

    name: str  # the column, the input's block id and the input model's field
    label: str  # how people read it ("Withdraw after"): the modal's label and the errors' subject
    default: int | None  # None: no limit (only for an `optional` setting)
    min: int
    max: int
    unit: str  # plural, in words ("days", "pending invites"); "" when the number stands alone
    hint: str  # what it does, in one sentence (the modal's hint, before the range)
    choose: str = ""  # when the modal offers a list: what a value outside it asks for
    shown_as: str = "{}"  # how one value reads in that list
    optional: bool = False  # may be left empty: no limit (the column is NULL)

    def __post_init__(self) -> None:
        if self.default is None:
            assert self.optional, f"{self.name}: only an optional setting may default to no limit"
        else:
            assert self.min <= self.default <= self.max, f"{self.name}: default outside its range"

    @property
    def range_words(self) -> str:
        """`1 and 365 days`."""
        return f"{_number(self.min)} and {_number(self.max)}{' ' + self.unit if self.unit else ''}"

    @property
    def out_of_range(self) -> str:
        """The error for a number outside the range."""
        return f"{self.label} must be between {self.range_words}."

    @property
    def not_a_number(self) -> str:
        """The error for anything that is not a whole number."""
        if self.choose:
            return self.choose
        return f"Enter a whole number of {self.unit}." if self.unit else "Enter a whole number."

    @property
    def modal_hint(self) -> str:
        """The modal's hint under the input: what it does, its range and its default."""
        default = "no limit" if self.default is None else _number(self.default)
        empty = " Leave it empty for no limit." if self.optional else ""
        return f"{self.hint} Between {self.range_words}; {default} by default.{empty}"

    @property
    def check_sql(self) -> str:
        """The database CHECK that keeps the column in range."""
        between = f"{self.name} BETWEEN {self.min} AND {self.max}"
        return f"{self.name} IS NULL OR {between}" if self.optional else between

    def problem(self, value: int | None) -> str | None:
        """The error for a whole number (or no value), or None when it is allowed."""
        if value is None:
            return None if self.optional else self.not_a_number
        return None if self.min <= value <= self.max else self.out_of_range


_OPERATORS: dict[str, Callable[[int, int], bool]] = {">=": operator.ge, ">": operator.gt}


@dataclass(frozen=True)
class Rule:
    """A rule between two settings: `field op other`; the error shows on `field`."""

    name: str  # the CHECK constraint's name
    field: str
    op: str
    other: str
    message: str  # may use {other}: the other setting's value

    @property
    def check_sql(self) -> str:
        return f"{self.field} {self.op} {self.other}"

    def problem(self, values: Mapping[str, int]) -> str | None:
        """The error for these values, or None when the rule holds."""
        if _OPERATORS[self.op](values[self.field], values[self.other]):
            return None
        return self.message.format(other=_number(values[self.other]))


SETTINGS: tuple[Setting, ...] = (
    Setting("withdraw_after_days", "Withdraw after", 14, 1, 365, "days",
            "A pending invite this old is stale and suggested for withdrawal (high priority waits twice as long)."),
    Setting("expire_after_days", "Expire after", 180, 2, 3650, "days",
            "A pending invite this old is marked expired."),
    Setting("resend_cooldown_days", "Re-invite cooldown", 21, 0, 365, "days",
            "After a withdrawal LinkedIn blocks a new invite to the same person this long."),
    Setting("pending_warn_at", "Warning level", 200, 1, 100_000, "pending invites",
            "A member with this many invites pending is warned."),
    Setting("pending_limit", "Pending limit", 300, 1, 100_000, "pending invites",
            "A member with this many invites pending is at the limit (alerted again)."),
    Setting("max_withdrawals_per_day", "Withdrawals per day", 20, 1, 500, "invites",
            "The most stale invites suggested for withdrawal in one day."),
    *(Setting(t.setting, f"Safe weekly sends ({t.name})", t.safe_weekly, 1, 1000, "invites",
              f"Invites a member with a {t.name} account can send in 7 days without risk.") for t in TIERS),
    Setting("nudge_hour", "Daily digest hour", 9, 0, 23, "",
            "The hour of the daily digest, in each member's own time zone.",
            choose="Pick an hour from the list.", shown_as="{:02d}:00"),
    Setting("leaderboard_min_sample", "Ranking minimum", 10, 1, 10_000, "decided invites",
            "Decided invites a member needs to be ranked on the leaderboard."),
    *(Setting(t.notes_setting, f"Notes a month ({t.name})", t.notes_per_month, 0, 1000, "notes",
              f"Invites with a personal note a member with a {t.name} account can send in a calendar month "
              "(LinkedIn sends the rest without the note).", optional=True) for t in TIERS),
)

RULES: tuple[Rule, ...] = (
    Rule("pending_levels", "pending_limit", ">=", "pending_warn_at",
         "Pending limit must be at least the warning level ({other})."),
    Rule("expire_after_withdraw", "expire_after_days", ">", "withdraw_after_days",
         "Expire after must be more than Withdraw after ({other} days)."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
assert all(r.field in BY_NAME and r.other in BY_NAME for r in RULES), "rules name declared settings"


def setting(name: str) -> Setting:
    """The declaration of one setting."""
    return BY_NAME[name]


def rule_problems(values: Mapping[str, int]) -> dict[str, str]:
    """The rules between settings these values break, keyed by the field each is shown on."""
    problems: dict[str, str] = {}
    for rule in RULES:
        message = rule.problem(values)
        if message:
            problems.setdefault(rule.field, message)
    return problems
