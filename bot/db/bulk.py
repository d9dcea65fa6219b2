"""Bulk writes of many rows at once: ids taken up front, rows bound once, COPY on PostgreSQL.

Used by the import (bot.services.importing), which writes tens of thousands of invites in one
transaction without a statement per row.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def new_ids(session: Session, table: str, count: int) -> list[int]:
    """`count` fresh primary keys for a table, taken inside the write transaction."""
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table, "count": count},
        ))
    largest = session.scalar(text(f'SELECT coalesce(max(id), 0) FROM "{table}"'))  # noqa: S608 - a fixed table name
    # An AUTOINCREMENT table (invites) also remembers ids of deleted rows: never hand those out again.
    used = session.scalar(text("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = :t"), {"t": table})
    largest = max(largest, used or 0)
    return list(range(largest + 1, largest + 1 + count))


def binder(dialect, table: Table, columns: tuple[str, ...]):
    """A function binding a row of values as SQLAlchemy would for these columns (UTCDateTime, Boolean, ...).

    An executemany through the Core ``insert()`` spends most of its time building parameters row
    by row; applying each column's bind step directly is several times faster, and can run
    before the write transaction begins.
    """
    steps = []
    for index, name in enumerate(columns):
        bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        bind = _quick_sqlite_datetime(bind) if dialect.name == "sqlite" and bind is not None else bind
        if bind is not None:
            # Memoised: created_at and the audit's `at` are one instant for every row.
            steps.append((index, functools.lru_cache(maxsize=4096)(bind)))

    def bound(values: tuple) -> tuple:
        if not steps:
            return values
        cells = list(values)
        for index, step in steps:
            cells[index] = step(cells[index])
        return tuple(cells)

    return bound


_SAMPLES = (datetime(2026, 3, 4, 9, 7, tzinfo=UTC), datetime(2003, 5, 5, 23, 59, 59, 999_999, tzinfo=UTC),
            datetime(2026, 11, 18, 10, 0, 0, 1, tzinfo=timezone(timedelta(hours=-8))))


def _quick_sqlite_datetime(bind):
    """SQLite's text form of an aware UTC column by `isoformat`, when it gives SQLAlchemy's very text.

    SQLAlchemy formats each datetime through a dict of its parts (a quarter of a 50,000-row
    import's own CPU); the same text comes from one C call. Checked on samples at start, so a
    column stored any other way keeps SQLAlchemy's processor."""
    def quick(value):
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    try:
        same = all(quick(sample) == bind(sample) for sample in _SAMPLES) and bind(None) is None
    except (TypeError, ValueError, AttributeError):  # not a datetime column
        same = False
    return quick if same else bind


def bulk_insert(session: Session, table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Insert bound rows (a list, or a generator: they are read once) in the session's transaction: SQLite by one DBAPI executemany,
    PostgreSQL by COPY (its executemany is one INSERT per row, three times slower for 50,000 invites)."""
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(f'"{name}"' for name in columns)
    dbapi = dialect.loaded_dbapi
    if dialect.name != "postgresql":
        placeholders = ", ".join("?" for _ in columns)
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})'
        # Straight to sqlite3's executemany, which reads the rows from an iterator as it goes
        # (SQLAlchemy's would want them all in a list first); errors raised as SQLAlchemy's.
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(statement, rows)
        except dbapi.Error as error:
            raise DBAPIError.instance(statement, None, error, dbapi.Error) from error
        finally:
            cursor.close()
        return
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    try:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for cells in rows:
                copy.write_row(cells)
    except dbapi.Error as error:
        # As SQLAlchemy would have raised it: IntegrityError for a lost race, DBAPIError for the rest.
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from error
