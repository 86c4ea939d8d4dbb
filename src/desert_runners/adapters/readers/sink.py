"""Where a live reader client puts what it receives.

The live clients (``live/``) depend on this interface only; ``services.capture.StoreSink``
implements it on the event log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from desert_runners.adapters.readers.model import DeviceRead


class ReadSink(Protocol):
    def store(self, reads: Sequence[DeviceRead]) -> None:
        """Keep the reads durably before returning; a read sent again is kept once."""

    def resume_position(self, device: str) -> int | None:
        """The highest sequence number stored from ``device`` (None: nothing yet), so
        a reconnecting client asks the device for what came after it."""
