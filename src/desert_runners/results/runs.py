"""Runs of equal keys in sorted NumPy columns, found by comparing neighbours.

On rows already in key order this replaces a group-by or a window function: one pass,
no hashing.
"""

from __future__ import annotations

import numpy as np


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """True on each row whose key (all of ``keys``) differs from the row before."""
    size = len(keys[0])
    starts = np.ones(size, dtype=bool)
    if size > 1:
        starts[1:] = np.logical_or.reduce([key[1:] != key[:-1] for key in keys])
    return starts


def run_ends(starts: np.ndarray) -> np.ndarray:
    """True on each row that is the last of its run (``starts`` from ``run_starts``)."""
    return np.append(starts[1:], True) if len(starts) else starts


def first_of_run(starts: np.ndarray) -> np.ndarray:
    """For each row, the index of the first row of its run."""
    return np.maximum.accumulate(np.where(starts, np.arange(len(starts)), 0))


def previous(values: np.ndarray, fill: object) -> np.ndarray:
    """``values`` moved one row down, ``fill`` in the first row."""
    shifted = np.empty_like(values)
    if len(values):
        shifted[0] = fill
        shifted[1:] = values[:-1]
    return shifted


def in_key_order(*keys: np.ndarray) -> bool:
    """Whether the rows are sorted by ``keys`` (the first the most significant)."""
    if len(keys[0]) < 2:
        return True
    after = np.zeros(len(keys[0]) - 1, dtype=bool)  # strictly after on an earlier key
    equal = np.ones(len(keys[0]) - 1, dtype=bool)  # equal on all keys so far
    for key in keys:
        later, before = key[1:], key[:-1]
        after |= equal & (later > before)
        equal &= later == before
    return bool((after | equal).all())
