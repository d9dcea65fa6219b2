"""invite numbers are never reused: SQLite's invites table gets AUTOINCREMENT

Without it SQLite hands out max(id)+1, so an invite logged after an `/invites undo` got the
number of the one the undo removed ("#12" meant two different people). PostgreSQL's sequence
never goes back, so nothing changes there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:20:00.000000
"""

from __future__ import annotations

import re

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _rebuild(*, autoincrement: bool) -> None:
    """Recreate `invites` with its own DDL and indexes, the id column changed; rows and ids kept."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # env.py turns foreign keys off for SQLite migrations: dropping the old table must not cascade.
    assert bind.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0, "foreign keys must be off to rebuild invites"
    ddl = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'invites'").scalar()
    indexes = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invites' AND sql IS NOT NULL"
    ).scalars().all()
    if autoincrement:
        new, found = re.subn(r"\bid INTEGER NOT NULL,", "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", ddl, count=1)
        new, dropped = re.subn(r"\s*CONSTRAINT pk_invites PRIMARY KEY \(id\),", "", new)
    else:
        new, found = re.subn(r"\bid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", "id INTEGER NOT NULL,", ddl, count=1)
        new, dropped = re.subn(r"(\n\s*)(CONSTRAINT ck_invites_priority)", r"\1CONSTRAINT pk_invites PRIMARY KEY (id), \1\2",
                               new, count=1)
    assert found == 1 and dropped == 1, "unexpected invites DDL"
    columns = ", ".join(r[1] for r in bind.exec_driver_sql("PRAGMA table_info(invites)"))
    bind.exec_driver_sql(new.replace("CREATE TABLE invites (", "CREATE TABLE invites_rebuilt (", 1))
    bind.exec_driver_sql(f"INSERT INTO invites_rebuilt ({columns}) SELECT {columns} FROM invites")  # noqa: S608
    bind.exec_driver_sql("DROP TABLE invites")
    bind.exec_driver_sql("ALTER TABLE invites_rebuilt RENAME TO invites")
    for index in indexes:
        bind.exec_driver_sql(index)
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    assert not problems, f"foreign keys broken by the rebuild: {problems[:5]}"


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
