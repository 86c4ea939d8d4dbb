"""iPico, live: we connect to the reader's port 10000; it streams one read a line.

Handshake: none; the reader streams as soon as we are connected (control frames
``ab...`` are skipped). The protocol has no keep-alive: a dead peer is found by TCP
keep-alive (``session``), not by silence, since a checkpoint can be quiet for hours.

Resume: none. The lines carry no sequence and the reader cannot be asked for a range:
what it reads while we are disconnected reaches us only if the reader sends its recent
reads again on connection (some do). So every read is stored except a line already
seen by this process (``Recent``: the same 36 characters, i.e. the same reader, tag
and hundredth), which makes such a replay safe; after a restart of this process a
replayed line is stored again and left to the capture service's idempotency key (same
tag, time and antenna). Reads missed during a drop without a replay are lost, and
nothing in the protocol can tell. No clock query either: the offset stays configured.
"""

from __future__ import annotations

import logging
from functools import partial

from desert_runners.adapters.readers import ipico
from desert_runners.adapters.readers.live.link import Framing, Link
from desert_runners.adapters.readers.live.sequencer import Recent
from desert_runners.adapters.readers.live.session import Setup, dial
from desert_runners.adapters.readers.model import DeviceRead, LineProblem

log = logging.getLogger(__name__)
PORT = 10000
FRAMING = Framing(end=b"\r\n", any_of=True, strip="\0 ")


async def run(host: str, port: int, setup: Setup) -> None:
    name = f"ipico {setup.device}"
    handler = partial(_session, setup, Recent())
    await dial(
        host, port, handler, framing=FRAMING, timing=setup.timing, stop=setup.stop, name=name
    )


async def _session(setup: Setup, recent: Recent, link: Link) -> None:
    delivery = setup.delivery()
    link.established = True
    while True:
        frame = await link.frame()
        reads: list[DeviceRead] = []
        problems: list[LineProblem] = []
        for text in [frame or "", *link.buffered()]:
            if not text or ipico.skip_line(text):
                continue
            read = ipico.parse_line(text)
            if isinstance(read, LineProblem):
                problems.append(read)
            elif recent.first_time(text):
                reads.append(read)
        await delivery.reject(problems)
        await delivery.store(reads)
