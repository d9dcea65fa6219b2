"""Words that meet a count: `1 invite`, `2 invites`, never `1 invites`."""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """The noun as the count needs it: `invite` for 1, `invites` otherwise (or the irregular `many`)."""
    return noun if n == 1 else (many or f"{noun}s")


def count(n: int, noun: str, many: str | None = None) -> str:
    """`1 invite`, `0 invites`, `3 history entries` (with many="history entries")."""
    return f"{n} {plural(n, noun, many)}"
