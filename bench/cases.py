"""What the command benchmarks measure: an acting member, a measured case, who acts on call `i`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import Latency, StatementStats


@dataclass(frozen=True)
class Actor:
    """A member who can send commands, weighted by how many invites they have logged."""

    team_id: str
    user_id: str
    invites: int


@dataclass
class Case:
    """One measured operation: how to build call `i`, and what its answer must contain."""

    name: str
    build: Callable[[int], Callable[[], Any]]
    check: Callable[[Any], str]  # "ok", "unavailable" or an error description
    target_ms: float | None = None
    via: str = "app.dispatch"
    latency: Latency = field(default_factory=Latency)
    cpu: Latency = field(default_factory=Latency)  # CPU time of this thread: all of SQLite's work, none of PostgreSQL's
    statements: list[int] = field(default_factory=list)
    shapes: dict[str, StatementStats] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unavailable: int = 0


def picker(people: list[Actor], seed: int) -> Callable[[int], Actor]:
    """The actor of call `i`: drawn by invite count, so busy senders send more commands."""
    rng = random.Random(seed)
    weights = [a.invites + 1 for a in people]
    drawn = rng.choices(people, weights=weights, k=20_000)
    return lambda i: drawn[i % len(drawn)]
