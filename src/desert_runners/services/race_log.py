"""A race's log as the results engine's facts, kept between two computations:
``race_facts``.

During a race the results are computed again every few seconds, and reading a large
log is most of that (a 1,500-runner race: 430,000 events, seconds to read; the engine
takes a fraction of a second). The log is append-only (the migrations' triggers refuse
an update or a delete), so what was read once stays true: a later computation reads only
the events stored since, and adds their facts to those it holds.

Ids are not always committed in their order: on PostgreSQL a transaction holding a lower
id may commit after one holding a higher id. So before reading the newer events the
cache counts the events the store holds up to the last id it read; when that is not the
number it holds, an event came in late below it, and the whole log is read again.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import polars as pl
from sqlalchemy.engine import Connection

from desert_runners.adapters.storage.event_log import count_up_to, log_columns
from desert_runners.adapters.storage.store import Store
from desert_runners.results.facts import facts_from_log


@dataclass(frozen=True)
class _Held:
    facts: pl.DataFrame  # in event order, in one piece
    last_id: int  # the highest event id read (0: none)


class LogCache:
    """The facts of each race read so far from one store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the two dictionaries
        self._race_locks: dict[int, threading.Lock] = {}  # one reader of a log at a time
        self._races: dict[int, _Held] = {}
        self.events_read = 0  # events read from the store by the latest call
        self.full_reads = 0  # calls that read a race's whole log

    def facts(self, connection: Connection, race_id: int) -> pl.DataFrame:
        """The facts of the race's whole log, as ``connection`` sees it."""
        with self._lock:
            race_lock = self._race_locks.setdefault(race_id, threading.Lock())
        with race_lock:
            held = self._races.get(race_id)
            whole = held is None or not _still_whole(connection, race_id, held)
            if held is None or whole:
                new = log_columns(connection, race_id)
                facts = facts_from_log(new)
            else:
                new = log_columns(connection, race_id, after_id=held.last_id)
                # One piece again: a frame in thousands of pieces is slow to filter.
                facts = (
                    pl.concat([held.facts, facts_from_log(new)], rechunk=True)
                    if len(new)
                    else held.facts
                )
            last_id = int(facts["event_id"][-1]) if len(facts) else 0  # in event order
            with self._lock:
                self._races[race_id] = _Held(facts, last_id)
                self.events_read = len(new)
                self.full_reads += whole
            return facts


def _still_whole(connection: Connection, race_id: int, held: _Held) -> bool:
    """Whether the store holds no event up to the last id read that ``held`` lacks (or
    one it has: a connection on an older snapshot than the one that filled it)."""
    return count_up_to(connection, race_id, held.last_id) == len(held.facts)


_caches: weakref.WeakKeyDictionary[Store, LogCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def log_cache(store: Store) -> LogCache:
    """The store's cache, made on first use; it goes with the store."""
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = LogCache()
        return cache


def race_facts(store: Store, connection: Connection, race_id: int) -> pl.DataFrame:
    """The facts of the race's log (``results.facts.facts_from_log``), reading from
    ``connection`` only what ``store``'s cache does not hold yet."""
    return log_cache(store).facts(connection, race_id)
