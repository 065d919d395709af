"""Ready-to-load copies of packaged data, kept in the user's cache folder so that runs do not rebuild them.

Some data ships in a form that is slow to open: py3langid's model is LZMA-compressed, and decompressing it took
half a second at the start of every run. The cache keeps such a derived copy in ``$CLEANER_CACHE``, else
``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``, under a name that says what it was derived from (a package
version, the source file's size and time): a new version of the source never meets a stale copy, and the copies of
older versions are removed when a new one is written. A copy is written atomically, so that concurrent runs never
read half of one; a cache folder that cannot be written only costs the time it would have saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def folder() -> Path:
    """The cache folder (not created until something is stored in it)."""
    if configured := os.environ.get("CLEANER_CACHE"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cleaner"


def cached(kind: str, key: str, build: Callable[[], bytes]) -> Path | bytes:
    """The path of the cached copy for ``key`` (made from ``build()`` first when it is not there, replacing the
    copies of ``kind`` made for other keys); the bytes ``build()`` made when they cannot be stored. A path rather
    than the bytes, so that the caller reads only what it needs, without holding the file's bytes beside it."""
    path = folder() / f"{kind}-{key}"
    if os.path.isfile(path):  # False, not an error, for a folder this user may not read
        return path
    data = build()
    return path if _store(path, data, kind) else data


def _store(path: Path, data: bytes, kind: str) -> bool:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
        for stale in path.parent.glob(f"{kind}-*"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only home, a full disk: the next run builds the data again
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    return True


def cached_value(kind: str, key: str, build: Callable[[], T]) -> T:
    """``build()``'s value (plain containers of strings and numbers), kept in the cache with :mod:`marshal`: a
    table of words that takes a fifth of a second to derive from a package's files loads in half that. The key is
    completed with the Python version, whose marshal format the copy is in. The copy opens with a digest of the
    rest: marshal has no check of its own, and a flipped byte can load as another valid value. A damaged copy is
    removed and the value built again."""
    built: list[T] = []

    def build_bytes() -> bytes:
        built.append(build())
        payload = marshal.dumps(built[0])
        return _digest(payload) + payload

    found = cached(kind, f"{key}-{sys.implementation.cache_tag}-m{marshal.version}", build_bytes)
    if built:
        return built[0]
    assert isinstance(found, Path)  # cached() returns bytes only after building them
    try:
        data = found.read_bytes()
        digest, payload = data[:DIGEST_SIZE], data[DIGEST_SIZE:]
        if digest == _digest(payload):
            return marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    with contextlib.suppress(OSError):  # a damaged copy: made again at the next start
        found.unlink(missing_ok=True)
    return build()


DIGEST_SIZE = 16


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest()
