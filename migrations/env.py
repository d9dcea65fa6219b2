"""Alembic environment: the models' metadata, the configured URL, compare_type on."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from bot.db import bounds
from bot.db.engine import make_engine
from bot.db.models import Base

config = context.config
target_metadata = Base.metadata

# Two replicas starting together must not both run the same migration (PostgreSQL only;
# SQLite serialises writers by itself).
MIGRATION_LOCK_KEY = 0x1A7E_5EED


def _url() -> str:
    return config.attributes.get("url") or config.get_main_option("sqlalchemy.url")


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, compare_type=True, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Table rebuilds (batch mode, 0008) drop a table: with foreign keys on, SQLite would first
                # delete its rows and cascade to the tables that reference it. Set outside any transaction.
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:
    is_pg = connection.dialect.name == "postgresql"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if is_pg:
            # The app's per-session bounds (bot/db/bounds.py) are not for a migration or its lock wait.
            connection.exec_driver_sql(bounds.set_local(bounds.MIGRATION_SERVER_SETTINGS))
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
