"""invites logged by DM, by the message shortcut and by the Workflow Builder step: their sources and vias

`invites.source` and `invite_events.via` are CHECKed against a list of values; three ways to log are
added: `dm` (a message in the app's DM), `shortcut` (the "Log as sent invites" message shortcut) and
`workflow` (the `log_linkedin_invite` workflow step). The lists are written out here as they are at
this revision (a migration is history). SQLite cannot alter a CHECK: the two tables are rebuilt
from their own DDL (as 0008 does), rows, ids and indexes kept.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

import re

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_SOURCES = ("command", "modal", "import")
NEW_SOURCES = ("command", "modal", "import", "dm", "shortcut", "workflow")
OLD_VIAS = ("command", "button", "import", "sweep", "modal", "undo")
NEW_VIAS = ("command", "button", "import", "sweep", "modal", "undo", "dm", "shortcut", "workflow")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_rebuild(table: str, old: str, new: str) -> None:
    """Recreate a table with its own DDL, one CHECK's text replaced; rows, ids and indexes kept."""
    bind = op.get_bind()
    # env.py turns foreign keys off for SQLite migrations: dropping the old table must not cascade.
    assert bind.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0, f"foreign keys must be off to rebuild {table}"
    ddl = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    indexes = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).scalars().all()
    assert ddl.count(old) == 1, f"unexpected {table} DDL"
    # AUTOINCREMENT's high-water mark (0008): an id an undo freed is never handed out again.
    seq = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar() \
        if "AUTOINCREMENT" in ddl else None
    columns = ", ".join(r[1] for r in bind.exec_driver_sql(f"PRAGMA table_info({table})"))
    rebuilt, named = re.subn(rf'^CREATE TABLE "?{table}"? \(', f"CREATE TABLE {table}_rebuilt (", ddl.replace(old, new),
                             count=1)
    assert named == 1, f"unexpected {table} DDL"
    bind.exec_driver_sql(rebuilt)
    bind.exec_driver_sql(f"INSERT INTO {table}_rebuilt ({columns}) SELECT {columns} FROM {table}")  # noqa: S608
    bind.exec_driver_sql(f"DROP TABLE {table}")
    bind.exec_driver_sql(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
    for index in indexes:
        bind.exec_driver_sql(index)
    if seq is not None:
        now = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar() or 0
        bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, max(seq, now)))
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    assert not problems, f"foreign keys broken by the rebuild: {problems[:5]}"


def _change(sources: tuple[tuple[str, ...], tuple[str, ...]], vias: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    bind = op.get_bind()
    for table, column, (old, new) in (("invites", "source", sources), ("invite_events", "via", vias)):
        name = f"ck_{table}_{column}"
        if bind.dialect.name == "sqlite":
            _sqlite_rebuild(table, _in(column, old), _in(column, new))
        else:
            op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, _in(column, new))


def upgrade() -> None:
    _change((OLD_SOURCES, NEW_SOURCES), (OLD_VIAS, NEW_VIAS))


def downgrade() -> None:
    # Rows logged the new ways read as the nearest old way before the old CHECKs come back.
    op.execute("UPDATE invites SET source = 'command' WHERE source IN ('dm', 'shortcut', 'workflow')")
    op.execute("UPDATE invite_events SET via = 'command' WHERE via IN ('dm', 'shortcut', 'workflow')")
    _change((NEW_SOURCES, OLD_SOURCES), (NEW_VIAS, OLD_VIAS))
