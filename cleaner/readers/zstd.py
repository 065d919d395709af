"""zstd streams read in bounded memory, with truncation noticed.

``zstandard``'s ``stream_reader`` inflates only what is asked for, so a bomb (a few KB of zstd can hold gigabytes
of zeros) costs no more than one read; but it ends a stream cut inside a frame with a short read and no error, so a
truncated download would be half-read in silence. Its ``decompressobj`` notices the cut but inflates everything it
is given at once (100 MB from 3 KB of input). So the bytes are inflated by ``stream_reader``, and
:class:`FrameWalker` follows the frame structure of the compressed bytes as they pass (headers and block sizes
only, nothing is inflated twice) to say whether the stream ended between frames.
"""

from __future__ import annotations

import io
from typing import BinaryIO

ZSTD_MAGIC = 0xFD2FB528
SKIPPABLE_MAGICS = range(0x184D2A50, 0x184D2A60)


class ZstdDataError(OSError):
    """zstd data that cannot be inflated (``zstandard.ZstdError``, which is no ``OSError``, under a name the readers
    can catch without importing zstandard)."""


class FrameWalker:
    """Follows zstd's frame format (RFC 8878, section 3.1) over a stream of compressed bytes.

    ``at_boundary`` is True when every frame fed so far is complete. Bytes that are not zstd leave the walker
    ``lost``: the decompressor itself reports those as corrupt."""

    def __init__(self) -> None:
        self._state = "magic"
        self._need = 4  # bytes the current state reads before it acts
        self._buffer = b""
        self._skip = 0  # bytes to pass over before the current state
        self._checksum = False
        self.lost = False

    @property
    def at_boundary(self) -> bool:
        return self.lost or (self._state == "magic" and not self._buffer and not self._skip)

    def feed(self, data: bytes) -> None:
        pos = 0
        while pos < len(data) and not self.lost:
            if self._skip:
                step = min(self._skip, len(data) - pos)
                self._skip -= step
                pos += step
                continue
            step = min(self._need - len(self._buffer), len(data) - pos)
            self._buffer += data[pos : pos + step]
            pos += step
            if len(self._buffer) == self._need:
                field, self._buffer = self._buffer, b""
                self._act(field)

    def _act(self, field: bytes) -> None:
        value = int.from_bytes(field, "little")
        if self._state == "magic":
            if value == ZSTD_MAGIC:
                self._state, self._need = "header", 1
            elif value in SKIPPABLE_MAGICS:
                self._state, self._need = "skippable", 4
            else:
                self.lost = True
        elif self._state == "skippable":
            self._skip, self._state, self._need = value, "magic", 4
        elif self._state == "header":  # the frame header descriptor: how long the rest of the header is
            single_segment = value >> 5 & 1
            content_size = (0 if not single_segment else 1, 2, 4, 8)[value >> 6]
            dictionary = (0, 1, 2, 4)[value & 3]
            self._checksum = bool(value >> 2 & 1)
            self._skip = (0 if single_segment else 1) + dictionary + content_size
            self._state, self._need = "block", 3
        elif self._state == "block":  # a block header: last-block flag, type, size
            kind, size = value >> 1 & 3, value >> 3
            if kind == 3:
                self.lost = True
                return
            self._skip = 1 if kind == 1 else size  # an RLE block stores one byte, repeated ``size`` times
            if value & 1:  # the frame's last block
                self._skip += 4 if self._checksum else 0
                self._state, self._need = "magic", 4


class _Observed(io.RawIOBase):
    """The compressed stream, shown to a :class:`FrameWalker` as it is read."""

    def __init__(self, raw: BinaryIO, walker: FrameWalker) -> None:
        self._raw = raw
        self._walker = walker

    def readable(self) -> bool:
        return True

    def readinto(self, out) -> int:  # type: ignore[override]
        data = self._raw.read(len(out))
        self._walker.feed(data)
        out[: len(data)] = data
        return len(data)


class ZstdReader(io.RawIOBase):
    """The inflated content of a zstd stream (all its frames); a stream cut inside a frame raises ``EOFError``
    when its end is reached, and corrupt data :class:`ZstdDataError`."""

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._error = zstandard.ZstdError
        self._walker = FrameWalker()
        source = _Observed(raw, self._walker)
        self._reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True, closefd=False)

    def readable(self) -> bool:
        return True

    def readinto(self, out) -> int:  # type: ignore[override]
        try:
            n = self._reader.readinto(out)
        except self._error as err:
            raise ZstdDataError(str(err)) from err
        if n == 0 and not self._walker.at_boundary:
            raise EOFError("zstd stream ended in the middle of a frame")
        return n
