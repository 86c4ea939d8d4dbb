"""Large frames worked on in two halves at once.

Most of the engine's work on millions of rows (casts, lookups, sorts, NumPy) runs on one
core; Polars and NumPy release Python's lock while they work, so two threads use two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import polars as pl

Result = TypeVar("Result")
Part = TypeVar("Part")

PARALLEL_FROM = 100_000  # rows: below this, one part is quicker


def in_parallel(work: Callable[[Part], Result], parts: Sequence[Part]) -> list[Result]:
    """``work`` done on each of ``parts``, at once when there is more than one."""
    if len(parts) == 1:
        return [work(parts[0])]
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        return list(pool.map(work, parts))


def is_large(frame: pl.DataFrame) -> bool:
    """Whether ``frame`` is worth working on in parts."""
    return frame.height >= PARALLEL_FROM


def row_halves(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """``frame`` as its first and second half of rows (no copy), or whole when small."""
    if not is_large(frame):
        return [frame]
    half = frame.height // 2
    return [frame.slice(0, half), frame.slice(half)]
