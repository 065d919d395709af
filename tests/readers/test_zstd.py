from __future__ import annotations

import io
import random
import resource

import pytest
import zstandard

from cleaner.readers.zstd import FrameWalker, ZstdDataError, ZstdReader


def inflate(data: bytes, size: int = -1) -> bytes:
    return io.BufferedReader(ZstdReader(io.BytesIO(data)), 1 << 16).read(size)


def frames() -> tuple[bytes, list[int], bytes]:
    """Several frames of every kind (checksum or not, content size or not, a streamed multi-block one, a skippable
    one), the offsets where each ends, and the text they hold."""
    rng = random.Random(7)
    words = [bytes(rng.choices(b"abcdefghij", k=rng.randint(2, 9))) for _ in range(300)]
    text = b" ".join(rng.choice(words) for _ in range(60_000))
    parts = [text[:50_000], text[50_000:120_000], text[120_000:]]
    stream = zstandard.ZstdCompressor(write_checksum=True).compressobj()
    blobs = [
        zstandard.ZstdCompressor().compress(parts[0]),
        (0x184D2A50).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"skip!",
        zstandard.ZstdCompressor(write_content_size=False, level=12).compress(parts[1]),
        stream.compress(parts[2]) + stream.flush(),
    ]
    ends, offset = [], 0
    for blob in blobs:
        offset += len(blob)
        ends.append(offset)
    return b"".join(blobs), ends, text


def test_every_frame_kind_is_read_whole():
    data, _, text = frames()
    assert inflate(data) == text


def test_a_stream_cut_anywhere_but_between_frames_raises():
    data, ends, _ = frames()
    for cut in [*range(1, 40), *random.Random(1).sample(range(40, len(data)), 200)]:
        if cut in ends:
            continue
        with pytest.raises(EOFError):
            inflate(data[:cut])
    for end in ends:
        inflate(data[:end])  # between frames: a shorter, whole stream


def test_the_walker_follows_frames_fed_in_any_pieces():
    data, ends, _ = frames()
    walker = FrameWalker()
    for at in range(0, len(data), 3):
        walker.feed(data[at : at + 3])
        assert walker.at_boundary == (min(at + 3, len(data)) in ends)


def test_corrupt_data_is_a_zstd_data_error():
    data, _, _ = frames()
    broken = data[:30] + bytes(b ^ 0xFF for b in data[30:60]) + data[60:]
    with pytest.raises(ZstdDataError):
        inflate(broken)


def test_a_bomb_is_inflated_only_as_far_as_it_is_read():
    bomb = zstandard.ZstdCompressor(level=3).compress(bytes(1 << 30))  # 1 GiB of zeros in a few tens of KB
    assert len(bomb) < 100_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    head = inflate(bomb, 8 << 20)
    assert head == bytes(8 << 20)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KB: not the gigabyte
