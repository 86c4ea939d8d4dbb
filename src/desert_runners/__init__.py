"""Desert Runners."""

import os

# Polars hands freed memory back to the system after 0.5 s (it sets its allocator's
# dirty_decay_ms to 500, and takes _RJEM_MALLOC_CONF as the override). Results are
# recomputed every few seconds during a race, and on a large race each recompute would
# then fault its memory in again: a third of its CPU time on 10,000 runners (see
# bench/results_engine.py). Freed memory is kept 10 s instead, jemalloc's own default.
# Read when Polars is first imported: set here, before that. A value already set wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:10000")
