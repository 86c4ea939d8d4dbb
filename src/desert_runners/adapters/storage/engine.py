"""Engines for the two backends: SQLite (the default, embedded) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL`` so a committed read survives a
power cut, and every write transaction starts with ``BEGIN IMMEDIATE``: one writer
at a time, waiting its turn instead of failing half-way with "database is locked".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from desert_runners.domain.errors import UserError

READ_ONLY = "dr_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


SQLITE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite"})
POSTGRESQL_DRIVERS = frozenset({"postgresql", "postgres", "postgresql+psycopg"})


def make_engine(url: str) -> Engine:
    parsed = _parse(url)
    try:
        if parsed.drivername in SQLITE_DRIVERS:
            return _sqlite_engine(url)
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    except (ArgumentError, ValueError, TypeError):  # a bad query argument: ?timeout=abc
        raise _invalid(url) from None


def _parse(url: str) -> URL:
    """The URL of a backend we support, with its driver installed; never in memory."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise _invalid(url) from None
    if parsed.drivername in SQLITE_DRIVERS:
        if parsed.database in {None, "", ":memory:"} or parsed.query.get("mode") == "memory":
            raise UserError(
                f"database URL {url!r} names no file: a database in memory keeps nothing; "
                "use sqlite:///FILE"
            )
    elif parsed.drivername not in POSTGRESQL_DRIVERS:  # or another driver: not installed
        raise UserError(f"database URL {url!r}: only sqlite:// and postgresql:// are supported")
    return parsed


def _invalid(url: str) -> UserError:
    return UserError(
        f"database URL {url!r} is not valid: use sqlite:///FILE or postgresql://USER@HOST/DB"
    )


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Leave transaction control to us (see _on_begin), per SQLAlchemy's pysqlite recipe.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
