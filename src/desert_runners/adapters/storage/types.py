"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

JsonColumn = JSON().with_variant(JSONB(), "postgresql")
# The largest values the columns hold on both backends: a bigger number given to a query
# is an error from the driver, so callers check first (it matches no row anyway).
MAX_EVENT_ID = 2**63 - 1  # BIGINT
MAX_INTEGER = 2**31 - 1  # INTEGER (a bib, a stage) on PostgreSQL


def storable_id(value: int) -> bool:
    return 0 < value <= MAX_EVENT_ID


def storable_integer(value: int) -> bool:
    return -MAX_INTEGER - 1 <= value <= MAX_INTEGER


class UtcDateTime(TypeDecorator[datetime]):
    """An absolute instant. Refuses naive datetimes; always gives back UTC-aware ones.

    SQLite has no time zone type, so instants are stored there as UTC text in a fixed
    format, which also sorts chronologically.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a time without a time zone: {value}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
