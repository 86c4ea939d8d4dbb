"""Polars' allocator keeps freed memory 10 s in the program (see desert_runners/__init__),
unless the environment says otherwise; Polars reads the setting when it is imported."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = "import desert_runners, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"


def allocator_setting(environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SHOW], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_program_keeps_freed_memory_for_reuse() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    # Polars puts its own values first: the last value of a name is the one in force.
    assert allocator_setting(environment).endswith(",dirty_decay_ms:10000")


def test_a_setting_of_ones_own_is_kept() -> None:
    environment = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:500"}
    setting = allocator_setting(environment)
    assert setting.endswith(",dirty_decay_ms:500")
    assert "10000" not in setting
