"""Random streams that depend only on the seed and what they are for.

Each part of a simulation draws from its own stream, named by labels (the series, the
race, "timing"...), so the same seed gives the same race whatever else changed, and the
same person is drawn in every race of a series. Labels are hashed with CRC-32, not
``hash()``: Python salts string hashes per process.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *labels: str | int) -> np.random.Generator:
    words = [seed & 0xFFFFFFFF, seed >> 32 & 0xFFFFFFFF]
    words += [zlib.crc32(str(label).encode()) for label in labels]
    return np.random.default_rng(words)
