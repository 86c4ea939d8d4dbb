"""Simulation: timing devices on loopback (``devices``), an in-memory sink and a harness
that runs a live reader against a device (``memory_sink``, ``harness``)."""
