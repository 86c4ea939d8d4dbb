"""The engine's lookups without joins (``results.lookup``), against plain Python: text
and codes mapped to values, and integers matched by a table or by hashing."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from desert_runners.results.lookup import among, looked_up_column, positions

names = st.sampled_from(["cp1", "cp2", "finish", "E200 0017", "ÄÖ", ""])
texts = st.lists(st.one_of(st.none(), names), max_size=30)
keys = st.lists(names, unique=True, max_size=5)


@settings(deadline=None)
@given(texts, keys, st.booleans())
def test_text_and_codes_are_looked_up_as_a_dictionary_would(
    text: list[str | None], wanted: list[str], coded: bool
) -> None:
    values = {key: index * 10 for index, key in enumerate(wanted)}
    column = pl.Series("text", text, dtype=pl.Categorical if coded else pl.String)
    found = looked_up_column(
        column, pl.Series(wanted, dtype=pl.String), pl.Series(list(values.values()), dtype=pl.Int64)
    )
    assert found.to_list() == [values.get(t) if t is not None else None for t in text]
    assert found.name == "text"


numbers = st.one_of(st.none(), st.integers(-3, 40), st.sampled_from([2**40, -(2**40)]))


@given(st.lists(numbers, max_size=30), st.lists(st.one_of(st.none(), st.integers(-3, 50))))
def test_among_is_membership_with_null_kept(
    values: list[int | None], wanted: list[int | None]
) -> None:
    column = pl.Series("id", values, dtype=pl.Int64)
    found = among(column, pl.Series(wanted, dtype=pl.Int64))
    chosen = {w for w in wanted if w is not None}
    assert found.to_list() == [None if v is None else v in chosen for v in values]


@given(
    st.lists(st.sampled_from([-5, 0, 1, 7, 99, 2**40]), max_size=30),
    st.lists(st.sampled_from([0, 1, 7, 99, 2**40, -5]), unique=True, max_size=6),
)
def test_positions_are_each_values_index_among_the_keys(
    values: list[int], wanted: list[int]
) -> None:
    found = positions(np.array(values, dtype=np.int64), np.array(wanted, dtype=np.int64))
    assert found.tolist() == [wanted.index(v) if v in wanted else -1 for v in values]
