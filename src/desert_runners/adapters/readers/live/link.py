"""One TCP connection to a device, cut into the protocol's frames (lines or messages).

Bytes are decoded as latin-1, which maps every byte: a stray byte never stops a reader,
and ``raw`` keeps what came. A link that stays silent longer than its ``idle`` (set by a
protocol that has a heartbeat or a keep-alive) is taken as dead and aborted.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

ENCODING = "latin-1"
MAX_FRAME = 1 << 20  # a "line" this long is no protocol's: the stream is garbage


class LinkClosedError(Exception):
    """The connection ended (closed by either side, reset, or silent too long)."""


@dataclass(frozen=True)
class Framing:
    end: bytes  # what ends a frame
    any_of: bool = False  # any one byte of ``end`` ends a frame (CR, LF or CRLF lines)
    keep_end: bool = False  # the end is part of the frame (MyLaps' ``$``)
    keep_empty: bool = False  # an empty frame means something (RaceResult's end of block)
    strip: str = ""  # characters trimmed around a frame
    length_at: tuple[int, int] | None = None  # binary: where the big-endian total length is


class Link:
    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, framing: Framing
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._framing = framing
        self._buffer = bytearray()
        self._frames: deque[str] = deque()
        self._closed = asyncio.Event()
        self._heard = asyncio.get_running_loop().time()
        self.opened_at = self._heard  # loop time; ``dial`` sets when it began connecting
        self.idle: float | None = None  # seconds of silence that mean a dead link
        self.established = False  # set by the handler once the handshake is done

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def frame(self, wait: float | None = None) -> str | None:
        """The next frame, or None when ``wait`` seconds passed without one.

        Raises ``LinkClosedError`` when the connection ends or stays silent past ``idle``.
        """
        loop = asyncio.get_running_loop()
        deadline = None if wait is None else loop.time() + wait
        while not self._frames:
            if self.closed:
                raise LinkClosedError("connection closed")
            now = loop.time()
            limits = [deadline - now] if deadline is not None else []
            if self.idle is not None:
                limits.append(self._heard + self.idle - now)
            try:
                data = await asyncio.wait_for(
                    self._reader.read(65536), max(min(limits), 0) if limits else None
                )
            except TimeoutError:
                if self.idle is not None and loop.time() - self._heard >= self.idle:
                    self.abort()
                    raise LinkClosedError(f"no word from the device for {self.idle:g} s") from None
                return None
            except OSError as error:
                self.abort()
                raise LinkClosedError(str(error) or type(error).__name__) from error
            if not data:
                self.abort()
                raise LinkClosedError("closed by the other side")
            self._heard = loop.time()
            self._cut(data)
        return self._frames.popleft()

    def buffered(self) -> list[str]:
        """The frames already received, without waiting: to store them in one go."""
        frames = list(self._frames)
        self._frames.clear()
        return frames

    async def send(self, text: str) -> None:
        if self.closed:
            raise LinkClosedError("connection closed")
        try:
            self._writer.write(text.encode(ENCODING, errors="replace"))
            await self._writer.drain()
        except OSError as error:
            self.abort()
            raise LinkClosedError(str(error) or type(error).__name__) from error

    async def pause(self, seconds: float) -> None:
        """Sleep, but end with ``LinkClosedError`` as soon as the link is aborted."""
        try:
            await asyncio.wait_for(self._closed.wait(), seconds)
        except TimeoutError:
            return
        raise LinkClosedError("connection closed")

    def abort(self) -> None:
        if not self.closed:
            self._closed.set()
            self._writer.transport.abort()

    def _cut(self, data: bytes) -> None:
        buffer, framing = self._buffer, self._framing
        buffer += data
        if framing.length_at is not None:
            self._cut_counted(framing.length_at)
            return
        while True:
            if framing.any_of:
                found = [i for i in (buffer.find(byte) for byte in framing.end) if i >= 0]
                index, width = (min(found), 1) if found else (-1, 1)
            else:
                index, width = buffer.find(framing.end), len(framing.end)
            if index < 0:
                break
            chunk = bytes(buffer[: index + (width if framing.keep_end else 0)])
            del buffer[: index + width]
            text = chunk.decode(ENCODING).strip(framing.strip)
            if text or framing.keep_empty:
                self._frames.append(text)
        if len(buffer) > MAX_FRAME:
            self.abort()
            raise LinkClosedError(f"no frame end in {MAX_FRAME} bytes")

    def _cut_counted(self, length_at: tuple[int, int]) -> None:
        # Binary messages (LLRP) that say their own length: a frame is the message's
        # bytes as latin-1 text, one character a byte (``frame.encode(ENCODING)``).
        buffer, (offset, size) = self._buffer, length_at
        while len(buffer) >= offset + size:
            total = int.from_bytes(buffer[offset : offset + size], "big")
            if not offset + size <= total <= MAX_FRAME:
                self.abort()
                raise LinkClosedError(f"a message of {total} bytes: not the protocol")
            if len(buffer) < total:
                break
            self._frames.append(bytes(buffer[:total]).decode(ENCODING))
            del buffer[:total]
