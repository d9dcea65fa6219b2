"""The database keeps every workspace setting in its declared range, and the rules between them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.db.models import Workspace
from bot.domain.settings import SETTINGS, Setting
from bot.services.members import ensure_workspace

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _store(db, **values) -> None:
    with db.session() as session:
        ensure_workspace(session, team_id="T1", now=NOW)
        session.execute(update(Workspace).where(Workspace.team_id == "T1").values(**values))


def _in_range_partners(s: Setting, value: int) -> dict[str, int]:
    """Values of the other settings that keep the rules between settings true around `value`."""
    if s.name == "pending_warn_at":
        return {"pending_limit": max(value, 300)}
    if s.name == "pending_limit":
        return {"pending_warn_at": min(value, 200)}
    if s.name == "withdraw_after_days":
        return {"expire_after_days": max(value + 1, 180)}
    if s.name == "expire_after_days":
        return {"withdraw_after_days": 1}
    return {}


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.name)
def test_each_setting_is_held_to_its_declared_range(db, s):
    for value in (s.min, s.max):
        _store(db, **{s.name: value}, **_in_range_partners(s, value))
    for value in (s.min - 1, s.max + 1):
        with pytest.raises(IntegrityError):
            _store(db, **{s.name: value}, **_in_range_partners(s, value))


def test_the_rules_between_settings_are_held(db):
    _store(db, pending_warn_at=150, pending_limit=150, withdraw_after_days=30, expire_after_days=31)
    with pytest.raises(IntegrityError):
        _store(db, pending_warn_at=150, pending_limit=149)
    with pytest.raises(IntegrityError):
        _store(db, withdraw_after_days=30, expire_after_days=30)
