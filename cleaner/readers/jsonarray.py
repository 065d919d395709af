"""The items of a large JSON list (``[{...}, {...}, …]``), parsed one at a time in bounded memory.

``json.loads`` of a 2 GB list holds the whole file and every record at once. Here the text is decoded as it is
read (UTF-8, as JSON files are), each item is parsed by ``json``'s own decoder from a window of the text, and an
item larger than ``limit`` bytes is skipped to its end (tracked by brackets and strings, never parsed) and
rejected. A list that breaks off (the file cut short) or an item that is not JSON ends the reading with a reject
saying where.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cleaner.document import Reject, stable_id
from cleaner.readers.decode import too_large

CHUNK = 1 << 20
WHITESPACE = re.compile(r"[ \t\r\n]*")
# What matters when skipping over an item: escaped characters (as pairs), string quotes and brackets.
STRUCTURE = re.compile(r'\\.|["\[\]{}]', re.DOTALL)


class _Text:
    """The decoded text of a stream, kept as a window from the item being read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buffer = ""
        self.pos = 0
        self.ended = False

    def more(self) -> bool:
        """Read another chunk; False at the end of the stream."""
        if self.ended:
            return False
        data = self._stream.read(CHUNK)
        self.ended = not data
        if self.pos > CHUNK:  # drop what was parsed already
            self.buffer, self.pos = self.buffer[self.pos :], 0
        self.buffer += self._decoder.decode(data, final=self.ended)
        return not self.ended

    def skip_space(self) -> str:
        """The next character that is not whitespace ('' at the end)."""
        while True:
            self.pos = WHITESPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""


def array_items(stream: BinaryIO, rel: str, limit: int) -> Iterator[tuple[int, Any]]:
    """``(index, item)`` for every item of the list in ``stream``; an item is a parsed value, or a
    :class:`~cleaner.document.Reject` (too large, not JSON, cut short)."""
    text = _Text(stream)
    decoder = json.JSONDecoder()
    try:
        if text.skip_space() != "[":
            yield 0, _reject(f"{rel}#0", "read.bad_json", f"{rel}: not a JSON list")
            return
        text.pos += 1
        index = 0
        while True:
            char = text.skip_space()
            if char == "]":
                return
            if index and char == ",":
                text.pos += 1
                char = text.skip_space()
            source = f"{rel}#{index}"
            if not char:
                yield index, _cut(source, rel)
                return
            item = _item(text, decoder, source, rel, limit)
            yield index, item
            if isinstance(item, Reject) and item.reason != "read.too_large":
                return  # where the next item starts is unknown
            index += 1
    except UnicodeDecodeError as err:
        yield 0, _reject(rel, "read.undecodable", f"{rel}: not UTF-8 ({err.reason}); JSON files are UTF-8")


def _item(text: _Text, decoder: json.JSONDecoder, source: str, rel: str, limit: int) -> Any:
    """The item starting at ``text.pos``, read to its end (reading more of the stream until it parses)."""
    while True:
        try:
            value, end = decoder.raw_decode(text.buffer, text.pos)
        except json.JSONDecodeError as err:
            if len(text.buffer) - text.pos > limit:
                return _skip(text, source, limit)
            if text.more():
                continue
            if err.msg.startswith("Unterminated string") or err.pos >= len(text.buffer) - 1:
                return _cut(source, rel)
            return _reject(
                source, "read.bad_json", f"{source}: not valid JSON ({err}); the items after it are not read"
            )
        if end == len(text.buffer) and text.more():
            continue  # a number or literal may go on in the next chunk
        if end - text.pos > limit // 4 and len(text.buffer[text.pos : end].encode()) > limit:
            text.pos = end
            return _reject(source, "read.too_large", too_large(source, limit))
        text.pos = end
        return value


def _skip(text: _Text, source: str, limit: int) -> Reject:
    """Pass over an item too large to parse, by its brackets and strings, and reject it."""
    depth, in_string = 0, False
    while True:
        last = text.pos
        for match in STRUCTURE.finditer(text.buffer, text.pos):
            char, last = match.group(), match.end()
            if len(char) == 2:  # an escaped character, in a string
                continue
            if in_string:
                in_string = char != '"'
            elif char == '"':
                in_string = True
            else:
                depth += 1 if char in "[{" else -1
            if depth <= 0 and not in_string:
                text.pos = last
                return _reject(source, "read.too_large", too_large(source, limit))
        # a backslash at the very end escapes the first character of the next chunk: keep it for then
        held = text.buffer.endswith("\\") and last < len(text.buffer)
        text.pos = len(text.buffer) - held
        if not text.more():
            return _cut(source, source.rsplit("#", 1)[0])


def _cut(source: str, rel: str) -> Reject:
    return _reject(
        source,
        "read.truncated",
        f"{rel}: the file ends inside the JSON list, at {source}: it was probably cut short; re-download it",
    )


def _reject(source: str, reason: str, detail: str) -> Reject:
    return Reject(id=stable_id(source), source=source, reason=reason, detail=detail)
