"""Simulated timing devices on loopback, one per live reader kind (``DEVICES``).

Each speaks its protocol byte for byte as the real device does, from a list of
``SimRead``s; ``base.SimulatedDevice`` says what they share (rate, drops, clock, who
connects). The live readers' tests run against them, and so can a demo.
"""

from __future__ import annotations

from collections.abc import Mapping

from desert_runners.simulate.devices.base import DeviceClock, SimRead, SimulatedDevice, sample_reads
from desert_runners.simulate.devices.chronotrack import ChronoTrackReader
from desert_runners.simulate.devices.impinj import LlrpReader
from desert_runners.simulate.devices.ipico import IpicoReader
from desert_runners.simulate.devices.jchip import JChipReader
from desert_runners.simulate.devices.mylaps import MyLapsReader
from desert_runners.simulate.devices.raceresult import RaceResultDecoder
from desert_runners.simulate.devices.ultra import UltraBox

DEVICES: Mapping[str, type[SimulatedDevice]] = {
    "raceresult": RaceResultDecoder,
    "chronotrack": ChronoTrackReader,
    "jchip": JChipReader,
    "ultra": UltraBox,
    "ipico": IpicoReader,
    "mylaps": MyLapsReader,
    "impinj": LlrpReader,
}

__all__ = ["DEVICES", "DeviceClock", "SimRead", "SimulatedDevice", "sample_reads"]
