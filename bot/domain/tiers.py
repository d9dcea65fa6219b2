"""LinkedIn account tiers: one table of ids, names, safe weekly pace, typed words and note budgets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    """A tier's id: what the database stores and `/invites tier` is documented with."""

    FREE = "free"
    PREMIUM = "premium"
    SALES_NAVIGATOR = "sales_navigator"


@dataclass(frozen=True)
class TierInfo:
    """One row of the tier table."""

    tier: Tier
    name: str  # written this way on every surface, in sentences too ("for a Free account")
    safe_weekly: int  # default safe sends in a rolling 7 days (workspace setting safe_weekly_<id>)
    words: tuple[str, ...]  # what `/invites tier` also accepts, besides the id and the name (any case)
    notes_per_month: int | None  # LinkedIn's cap on invites with a personal note; None: no cap

    @property
    def id(self) -> str:
        return str(self.tier)

    @property
    def setting(self) -> str:
        """The workspace setting (and column) holding this tier's safe weekly limit."""
        return f"safe_weekly_{self.tier}"

    @property
    def notes_setting(self) -> str:
        """The workspace setting (and column) holding this tier's personal notes a month (NULL: no cap)."""
        return f"notes_per_month_{self.tier}"


TIERS: tuple[TierInfo, ...] = (
    TierInfo(Tier.FREE, "Free", 80, ("basic",), 5),
    TierInfo(Tier.PREMIUM, "Premium", 120, (), None),
    TierInfo(Tier.SALES_NAVIGATOR, "Sales Navigator", 150,
             ("sales-navigator", "salesnavigator", "navigator", "sn"), None),
)
assert [t.tier for t in TIERS] == list(Tier), "one row per tier, in the enum's order"

_BY_TIER = {t.tier: t for t in TIERS}
_BY_WORD = {word.lower(): t.tier for t in TIERS for word in (t.id, t.name, *t.words)}


def tier_info(tier: Tier | str) -> TierInfo:
    """The table's row for a tier id."""
    return _BY_TIER[Tier(tier)]


def tier_name(tier: Tier | str) -> str:
    """A tier as people read it, the same on every surface."""
    return tier_info(tier).name


def parse_tier(text: str) -> Tier | None:
    """The tier a person typed (an id, the name or one of its words, any case), else None."""
    return _BY_WORD.get(" ".join(text.split()).lower())


def typed_choices(separator: str = "|") -> str:
    """The ids as the usage line writes them: `free|premium|sales_navigator`."""
    return separator.join(t.id for t in TIERS)


def typed_list() -> str:
    """The ids in words: `free, premium or sales_navigator`."""
    ids = [t.id for t in TIERS]
    return f"{', '.join(ids[:-1])} or {ids[-1]}"
