"""What the benchmarks share: a timed run, and a figure printed beside its baseline."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.table import Table


def timed(work: Callable[[], object]) -> float:
    """Wall seconds of one run of ``work``."""
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def add_figure(
    table: Table,
    label: str,
    ours: float,
    baseline: float,
    *,
    figure: str = ".2f",
    ratio: str = ".2f",
) -> None:
    """A row of ``label``, our figure, the baseline's and their ratio (ours / baseline),
    in the format specs ``figure`` and ``ratio``."""
    share = ours / baseline if baseline else float("nan")
    table.add_row(label, f"{ours:{figure}}", f"{baseline:{figure}}", f"{share:{ratio}}")
