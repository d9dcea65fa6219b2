"""Run Alembic from the app: `invite-hygiene migrate`, and on start of serve and socket."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config


def script_location() -> str:
    """Where the migration scripts are, installed or in a checkout."""
    try:
        return str(files("bot.migrations"))
    except ModuleNotFoundError:
        return str(Path(__file__).resolve().parents[2] / "migrations")


def alembic_config(url: str) -> Config:
    """An Alembic Config for a database URL (passed as an attribute: no ini interpolation)."""
    config = Config()
    config.set_main_option("script_location", script_location())
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database up to the latest migration."""
    command.upgrade(alembic_config(url), revision)
