"""The store: one engine, transactions for writing and reading, and the schema version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError, OperationalError

from desert_runners.adapters.storage.engine import READ_ONLY, make_engine
from desert_runners.domain.errors import UserError

MIGRATIONS = Path(__file__).parent / "migrations"


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: all of it is committed, or none of it."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read-only transaction that sees one state of the store throughout: SQLite
        keeps the snapshot of its first read; PostgreSQL needs REPEATABLE READ (its
        default gives each statement its own, so two queries could disagree)."""
        options: dict[str, object] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"  # read-only: never a conflict
        with self.engine.connect() as connection:
            connection = connection.execution_options(**options)
            with connection.begin():
                yield connection

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str | None:
        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def migrate(self) -> tuple[str | None, str | None]:
        """Bring the schema to the newest revision; returns (before, after)."""
        with self._reachable():
            before = self.revision()
            with self.engine.begin() as connection:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return before, self.revision()

    def ensure_schema(self) -> None:
        """Create or upgrade the schema when it is behind; cheap when it is current."""
        with self._reachable():
            current = self.revision()
        if current != self.head():
            self.migrate()

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A database that cannot be reached or opened is the user's to fix: say so plainly."""
        try:
            yield
        except OperationalError as error:
            raise UserError(
                f"cannot open the database {self.safe_url}: {_first_line(error)}"
            ) from None
        except DatabaseError as error:
            if type(error) is DatabaseError:  # SQLite opened a file that is not a database
                raise UserError(
                    f"{self.safe_url} is not a Desert Runners database ({_first_line(error)})"
                ) from None
            raise UserError(
                f"cannot use the database {self.safe_url}: {_first_line(error)}"
            ) from None
        except CommandError as error:  # a revision our migrations do not know
            raise UserError(
                f"{self.safe_url} is not a Desert Runners database, or one of a newer version "
                f"({_unknown_revision(error)})"
            ) from None

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _unknown_revision(error: CommandError) -> str:
    found = re.search(r"revision identified by '([^']*)'", str(error))
    return f"its schema revision {found[1]!r} is unknown" if found else _first_line(error)


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
