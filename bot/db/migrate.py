"""Run Alembic from the app: `invite-hygiene migrate`, and on start of serve and socket."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def script_location() -> str:
    """Where the migration scripts are, installed or in a checkout."""
    try:
        return str(files("bot.migrations"))
    except ModuleNotFoundError:
        return str(Path(__file__).resolve().parents[2] / "migrations")


def alembic_config(url: str) -> Config:
    """An Alembic Config for a database URL (passed as an attribute: no ini interpolation)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location())
    config.attributes["url"] = url
    return config


def head_revision() -> str | None:
    """The latest migration, read from the scripts' text (no Alembic): the revision no other one follows.

    None when that is not one revision (a branch): then Alembic decides."""
    revisions, followed = set(), set()
    for path in Path(script_location(), "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if found := _REVISION.search(source):
            revisions.add(found.group(1))
        if down := _DOWN_REVISION.search(source):
            followed.add(down.group(1))
    heads = revisions - followed
    return heads.pop() if len(heads) == 1 else None


def at_head(url: str) -> bool:
    """True when the database records the latest migration (a quick check before loading Alembic)."""
    from sqlalchemy import text

    from bot.db.engine import make_engine

    head = head_revision()
    if head is None:
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    except Exception:  # noqa: BLE001 - no table yet, or anything else: Alembic looks properly
        return False
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database up to the latest migration (Alembic is loaded only when there is one to run)."""
    if revision == "head" and at_head(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)
