"""The neighbour helpers the engine uses on sorted columns, against plain Python."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.results.judgement import _running_max
from desert_runners.results.runs import first_of_run, in_key_order, previous, run_ends, run_starts

rows = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=30)


@given(rows)
def test_runs_are_where_the_key_changes(keys: list[tuple[int, int]]) -> None:
    first = np.array([k[0] for k in keys], dtype=np.int64)
    second = np.array([k[1] for k in keys], dtype=np.int64)
    starts = run_starts(first, second)
    assert starts.tolist() == [i == 0 or keys[i] != keys[i - 1] for i in range(len(keys))]
    ends = run_ends(starts)
    assert ends.tolist() == [i == len(keys) - 1 or keys[i] != keys[i + 1] for i in range(len(keys))]
    heads = first_of_run(starts)
    for i, head in enumerate(heads.tolist()):
        assert all(keys[j] == keys[i] for j in range(head, i + 1))
        assert head == 0 or keys[head - 1] != keys[i]


@given(rows)
def test_key_order_is_the_order_of_the_tuples(keys: list[tuple[int, int]]) -> None:
    first = np.array([k[0] for k in keys], dtype=np.int64)
    second = np.array([k[1] for k in keys], dtype=np.int64)
    assert in_key_order(first, second) == (keys == sorted(keys))


def test_previous_moves_values_one_row_down() -> None:
    assert previous(np.array([4, 5, 6]), 0).tolist() == [0, 4, 5]
    assert previous(np.array([], dtype=np.int64), 0).tolist() == []


@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(-(2**61), 2**61)),  # wide: no room to lift groups
        min_size=1,
        max_size=30,
    )
)
def test_the_running_maximum_restarts_with_each_group(rows: list[tuple[bool, int]]) -> None:
    starts = np.array([index == 0 or new for index, (new, _) in enumerate(rows)])
    values = np.array([value for _, value in rows], dtype=np.int64)
    expected, best = [], 0
    for start, value in zip(starts.tolist(), values.tolist(), strict=True):
        best = value if start else max(best, value)
        expected.append(best)
    assert _running_max(values, starts).tolist() == expected
    small = values // 2**40  # narrow enough to lift each group above the last
    assert _running_max(small, starts).tolist() == [
        max(small[j] for j in range(first, i + 1))
        for i, first in enumerate(first_of_run(starts).tolist())
    ]
