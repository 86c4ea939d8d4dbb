"""Text mapped to numbers over millions of rows, without a join.

A join moves every column of its left side; hashing the text of each row is what costs.
Casting to an enum of the distinct keys hashes each row once, into a small table, and
the enum's codes then index the values directly. Text held as codes (a categorical
column, as the event log holds its text) is not hashed at all: each distinct code is
looked up once, and the rows take their value from a table indexed by code.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def looked_up_column(text: pl.Series, keys: pl.Series, values: pl.Series) -> pl.Series:
    """``text`` (text or codes) mapped through ``keys`` (distinct, no null) to ``values``,
    row for row; null where the text is not a key."""
    index = key_index(text, keys)
    if values.dtype.is_integer() and not values.has_nulls() and len(values):
        # NumPy gathers plain integers several times faster; the rows of no key are null.
        found = pl.Series(text.name, values.to_numpy()[np.maximum(index, 0)], values.dtype)
        return found.set(pl.Series(index < 0), None) if (index < 0).any() else found
    with_none = values.extend_constant(None, 1)  # index -1 (no key) takes the null
    return with_none.gather(np.where(index < 0, len(values), index)).alias(text.name)


def key_index(text: pl.Series, keys: pl.Series) -> np.ndarray:
    """Each row's index in ``keys`` (distinct text, no null), -1 where it is none (or
    null). Text is cast to an enum of the keys (hashed once per row); codes (categorical)
    are looked up once per distinct code: a scatter finds a row of each, and the rows
    take their index from a table indexed by code."""
    if text.dtype != pl.Categorical:
        found = text.cast(pl.Enum(keys.to_list()), strict=False).to_physical()
        return found.cast(pl.Int64).fill_null(-1).to_numpy()
    physical = text.to_physical()
    top = physical.max()
    if top is None:  # no text at all
        return np.full(text.len(), -1, dtype=np.int64)
    null_code = int(top) + 1  # type: ignore[arg-type]
    codes = physical.fill_null(null_code).to_numpy()
    row_of = np.full(null_code + 1, -1, dtype=np.int64)  # a row of each code present
    row_of[codes] = np.arange(len(codes), dtype=np.int32 if len(codes) < 2**31 else np.int64)
    row_of[null_code] = -1
    present = np.flatnonzero(row_of >= 0)
    names = text.gather(row_of[present]).cast(pl.String)
    table = np.full(null_code + 1, -1, dtype=np.int64)
    table[present] = key_index(names, keys)
    index: np.ndarray = table[codes]
    return index


def among(values: pl.Series, wanted: pl.Series) -> pl.Series:
    """Whether each of ``values`` (integers: event ids, bibs) is one of ``wanted``; null
    stays null. Ids and bibs are small non-negative numbers: a table indexed by value
    answers without hashing millions of rows. Other values are hashed."""
    low, high = values.min(), values.max()
    if low is None or low < 0 or high > 4 * len(values) + 1_000_000:  # type: ignore[operator]
        return values.is_in(wanted.implode())
    top = int(high)  # type: ignore[arg-type]
    table = np.zeros(top + 2, dtype=bool)  # the last slot: for nulls, never wanted
    chosen = wanted.drop_nulls().to_numpy()
    table[chosen[(chosen >= 0) & (chosen <= top)]] = True
    found = pl.Series(values.name, table[values.fill_null(top + 1).to_numpy()])
    return (
        found
        if not values.has_nulls()
        else pl.select(pl.when(pl.lit(values).is_not_null()).then(pl.lit(found)))
        .to_series()
        .alias(values.name)
    )


def positions(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Each of ``values``' index in ``keys`` (distinct integers), or -1 where it is none
    of them. Bibs and stage numbers are small and non-negative: a table indexed by value
    answers; other keys are found by a binary search."""
    if not len(keys) or not len(values):
        return np.full(len(values), -1, dtype=np.int64)
    low, high = int(keys.min()), int(keys.max())
    if low >= 0 and high <= 4 * len(values) + 1_000_000:
        table = np.full(high + 2, -1, dtype=np.int64)  # the last slot: any other value
        table[keys] = np.arange(len(keys))
        return table[np.where((values >= 0) & (values <= high), values, high + 1)]
    by_key = np.argsort(keys, kind="stable")
    found = np.minimum(np.searchsorted(keys[by_key], values), len(keys) - 1)
    return np.where(keys[by_key][found] == values, by_key[found], -1)
