"""What one input may cost: the per-document and per-file limits every reader honours.

They come from ``[run] max_document_bytes`` and ``[run] max_file_bytes`` and reach the readers as a
:class:`Limits` value passed down the call (runner -> tasks / pipeline -> :func:`cleaner.readers.read_file` ->
:class:`~cleaner.readers.decode.RawInput`), never through a module global set at run time. An input over a limit is
rejected with its own reason (``read.too_large``, ``read.file_too_large``), never cut down in silence.

This module imports nothing, so that the config can name its defaults without loading the readers.
"""

from __future__ import annotations

from dataclasses import dataclass

# The largest document read, in bytes once decompressed: a text or HTML file, one JSON line or record, one WARC
# record's payload, one Parquet value. The longest Wikipedia article is ~1.5 MB of text, a web page's text is rarely
# over 1 MB, a long novel 2-3 MB: real documents fit with room to spare. The cleaning steps hold ~30-45 times a
# document's size at their peak: measured with the full pipeline and 2 workers (bench/measure.py, --no-validate), a
# run whose workers idle peaks at 0.80 GB; with one 7.9 MB document, 1.07 GB; with two at once, 1.35 GB (two of
# 2 MB: 0.97 GB). A 60 MB single-line file, kept whole before, made a 2.8 GB process tree; it is now rejected at
# 0.83 GB. Lower this on a small machine. A gzip or zstd bomb is inflated only to this limit.
MAX_DOCUMENT_BYTES = 8 << 20

# The most bytes read from one input file once decompressed (0: no limit). Streamed containers (JSON Lines, WARC,
# a JSON array) hold one record at a time, so their memory is bounded by MAX_DOCUMENT_BYTES whatever their size;
# this limit bounds the *time* one file can take: a 1 GB .zst of tiny records can hold terabytes. 64 GiB is far
# above a real shard (a Common Crawl WARC file is ~1 GB compressed, ~5 GB uncompressed), and is read in minutes,
# not days. The records before the limit are kept; the rest of the file is one reject saying where it stopped.
MAX_FILE_BYTES = 64 << 30


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of one run (see the module's constants for why the defaults are what they are)."""

    document_bytes: int = MAX_DOCUMENT_BYTES
    file_bytes: int = MAX_FILE_BYTES  # 0: none

    def __post_init__(self) -> None:
        if self.document_bytes < 1 or self.file_bytes < 0:
            raise ValueError("max_document_bytes must be 1 or more, max_file_bytes 0 (no limit) or more")


DEFAULT_LIMITS = Limits()


def describe(size: int) -> str:
    """A byte count as people read it: ``8 MiB``, ``64 GiB`` for round sizes, ``2,000 bytes`` for others."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size:,} bytes"
