"""Bulk-load generated data into freshly migrated databases, cached under bench/data/ by spec.

SQLite: one transaction of `executemany` with loading PRAGMAs. PostgreSQL: `COPY` through
psycopg's `cursor.copy`. On both, the secondary indexes the migrations created are dropped for the
load and re-created from their own definitions afterwards, so the schema is exactly the migrated one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import func, select

from bench.common import DATA_DIR, NOW
from bench.generate import COLUMNS, TABLE_ORDER, Dataset, Spec, converter, generate
from bot.db.engine import Database
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Invite

log = logging.getLogger("bench.load")

PG_ADMIN_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
# Benchmark databases are named PREFIX_<dataset> and PREFIX_work_<tag>: another prefix keeps two
# checkouts benchmarking on one server apart.
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "ihb")
BULK_TABLES = ("invites", "invite_events", "deliveries")
CHUNK = 50_000


def pg_dsn(database: str) -> str:
    """A libpq DSN for one database on the benchmark server."""
    return f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{database}"


def pg_url(database: str) -> str:
    """The SQLAlchemy URL for one database on the benchmark server."""
    return pg_dsn(database).replace("postgresql://", "postgresql+psycopg://", 1)


def pg_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {type(error).__name__}"


def alembic_head() -> str:
    """The latest migration revision in the checkout."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _pg_name(key: str) -> str:
    return f"{PG_PREFIX}_{key}"


def _stamp_path(backend: str, spec: Spec) -> Path:
    return DATA_DIR / f"{backend}-{spec.key}.json"


@dataclass
class Cached:
    """A loaded template database for one spec and backend."""

    spec: Spec
    backend: str
    location: str  # SQLite file path or PostgreSQL database name
    stamp: dict

    @property
    def url(self) -> str:
        """The template's own URL (do not write to it: take a working copy)."""
        return f"sqlite:///{self.location}" if self.backend == "sqlite" else pg_url(self.location)


class Generated:
    """Generates a spec's rows at most once per run, only when some backend needs loading."""

    def __init__(self, spec: Spec, *, chunked: Callable | None = None, merge_facts: Callable | None = None) -> None:
        self.spec = spec
        self._data: Dataset | None = None
        self.seconds = 0.0
        # Data too big to hold at once: a generator of (team, rows by table, facts), loaded part by part.
        self.chunked = chunked
        self.merge_facts = merge_facts

    def get(self) -> Dataset:
        """The dataset, generated on first use."""
        if self._data is None:
            started = time.perf_counter()
            self._data = generate(self.spec)
            self.seconds = time.perf_counter() - started
            log.info("generated %s in %.1f s", self.spec.label, self.seconds)
        return self._data


def _sqlite_rows(data: Dataset, table: str):
    convert = converter(table)
    return map(convert, data.rows[table])


def _load_sqlite(path: Path, data: Dataset) -> None:
    """Migrate a new file, then load every table in one transaction with the indexes dropped."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(f"sqlite:///{path}")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # CHECK constraints triple SQLite's insert cost; PostgreSQL's load still enforces them on the
        # same generated rows, so the data is known to satisfy them.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF", "ignore_check_constraints=ON",
                       "cache_size=-524288", "temp_store=MEMORY", "locking_mode=EXCLUSIVE"):
            conn.execute(f"PRAGMA {pragma}")
        marks = ",".join("?" * len(BULK_TABLES))
        indexes = conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            BULK_TABLES,
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("BEGIN")
        for table in TABLE_ORDER:
            columns = COLUMNS[table]
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            conn.executemany(statement, _sqlite_rows(data, table))
        conn.execute("COMMIT")
        for _, ddl in indexes:
            conn.execute(ddl)
        conn.execute("PRAGMA locking_mode=NORMAL")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(statement)


def _load_postgres(database: str, data: Dataset) -> None:
    """Create and migrate a database, COPY every table in, re-create the indexes, VACUUM ANALYZE."""
    _load_postgres_chunks(database, [data.rows])


def _load_postgres_chunks(database: str, chunks: Iterable[dict[str, list[tuple]]]) -> None:
    """`_load_postgres` for data that comes in parts (rows by table, ids unique across parts)."""
    name = sql.Identifier(database)
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    _admin(sql.SQL("CREATE DATABASE {}").format(name))
    upgrade(pg_url(database))
    with psycopg.connect(pg_dsn(database)) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        try:
            with conn.transaction():
                # Skips the foreign-key triggers during the load (needs a superuser); the generator
                # writes consistent keys, and `verify` reads them back through the models.
                conn.execute("SET session_replication_role = replica")
        except psycopg.Error:
            log.info("cannot skip FK triggers (not a superuser): loading with them")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(BULK_TABLES),),
        ).fetchall()
        for index, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index)))
        with conn.cursor() as cursor:
            for rows in chunks:
                for table in TABLE_ORDER:
                    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
                    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), columns)
                    convert = converter(table)
                    with cursor.copy(statement) as copy:
                        for row in rows[table]:
                            copy.write_row(convert(row))
        for _, ddl in indexes:
            conn.execute(ddl)
        for table in TABLE_ORDER:
            if "id" in COLUMNS[table]:
                conn.execute(
                    sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))").format(
                        sql.Literal(table), sql.Identifier(table)
                    )
                )
        conn.commit()
    with psycopg.connect(pg_dsn(database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def verify(url: str, spec: Spec) -> None:
    """Read the data back through the models: instants must compare and convert as the app expects."""
    db = Database.from_url(url)
    try:
        with db.session(write=False) as session:
            total = session.scalar(select(func.count()).select_from(Invite))
            newest = session.scalar(select(Invite).order_by(Invite.id.desc()).limit(1))
            recent = session.scalar(select(func.count()).select_from(Invite).where(Invite.sent_at > NOW.replace(year=NOW.year - 3)))
        if total != spec.invites or recent != spec.invites:
            raise AssertionError(f"{url}: expected {spec.invites} invites, found {total} ({recent} by date)")
        if newest is None or newest.sent_at.tzinfo is None or newest.sent_at > NOW:
            raise AssertionError(f"{url}: instants did not round-trip: {newest and newest.sent_at}")
    finally:
        db.dispose()


def _pg_comment(database: str) -> str | None:
    with psycopg.connect(PG_ADMIN_DSN) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
    return None if row is None else (row[0] or "")


def _db_head(url: str) -> str | None:
    db = Database.from_url(url)
    try:
        with db.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        db.dispose()


def prepare(spec: Spec, backend: str, generated: Generated) -> Cached:
    """The cached template for a spec: reused when present, upgraded when migrations moved on, else built."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stamp_path = _stamp_path(backend, spec)
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else None
    location = str(DATA_DIR / f"{spec.key}.sqlite3") if backend == "sqlite" else _pg_name(spec.key)
    present = Path(location).exists() if backend == "sqlite" else _pg_comment(location) == spec.key
    cached = Cached(spec, backend, location, stamp or {})
    head = alembic_head()
    if stamp and present:
        if _db_head(cached.url) != head:
            log.info("upgrading cached %s %s to %s", backend, spec.key, head)
            upgrade(cached.url)
            if backend == "postgres":
                # A migration may rewrite a table (0018 adds a stored column): its statistics and
                # visibility map are gone until autovacuum comes by, and the planner picks heap scans
                # where index-only ones belong. Do what autovacuum would do shortly after, as on loading.
                with psycopg.connect(pg_dsn(location), autocommit=True) as conn:
                    conn.execute("VACUUM ANALYZE")
            cached.stamp["head"] = head
            stamp_path.write_text(json.dumps(cached.stamp, indent=1))
        return cached
    if generated.chunked is not None:
        if backend != "postgres":
            raise ValueError(f"{spec.label} is generated in parts for PostgreSQL only")
        started = time.perf_counter()
        facts: list[dict[str, object]] = []

        def parts() -> Iterable[dict[str, list[tuple]]]:
            for team, rows, part_facts in generated.chunked(spec):
                log.info("loading %s (%d invites)", team, len(rows["invites"]))
                facts.append(part_facts)
                yield rows

        _load_postgres_chunks(location, parts())
        _admin(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(location), sql.Literal(spec.key)))
        seconds = time.perf_counter() - started
        verify(cached.url, spec)
        log.info("generated and loaded %s into %s in %.1f s", spec.label, backend, seconds)
        cached.stamp = {"key": spec.key, "head": head, "load_seconds": round(seconds, 2), "generate_seconds": None,
                        "facts": generated.merge_facts(facts) if generated.merge_facts else {}}
        stamp_path.write_text(json.dumps(cached.stamp, indent=1))
        return cached
    data = generated.get()
    started = time.perf_counter()
    if backend == "sqlite":
        _load_sqlite(Path(location), data)
    else:
        _load_postgres(location, data)
        _admin(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(location), sql.Literal(spec.key)))
    seconds = time.perf_counter() - started
    verify(cached.url, spec)
    log.info("loaded %s into %s in %.1f s", spec.label, backend, seconds)
    cached.stamp = {"key": spec.key, "head": head, "load_seconds": round(seconds, 2),
                    "generate_seconds": round(generated.seconds, 2), "facts": data.facts}
    stamp_path.write_text(json.dumps(cached.stamp, indent=1))
    return cached


def working_copy(cached: Cached, tag: str) -> tuple[str, Callable[[], None]]:
    """A disposable copy of a cached template (commands write): its URL and a function that drops it."""
    if cached.backend == "sqlite":
        path = DATA_DIR / f"work-{tag}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(cached.location, path)

        def drop_file() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return f"sqlite:///{path}", drop_file
    name = f"{PG_PREFIX}_work_{tag}"
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    _admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(cached.location)))

    def drop_database() -> None:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    return pg_url(name), drop_database
