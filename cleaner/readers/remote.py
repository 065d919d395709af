"""Input from object storage and other remote file systems, through fsspec.

``cleaner run s3://bucket/prefix`` (or ``gs://``, ``hf://datasets/ORG/NAME/…``, any URL fsspec knows) lists the
files below the URL and hands them to the readers like local ones: every reader opens its bytes through
:func:`open_remote`, a stream read in blocks, so no file is ever copied whole to local disk. Credentials come
from where the file system's own library looks for them (``AWS_*`` variables and ``~/.aws`` for S3, the Hub token
for ``hf://``); they are never part of a path this module returns, so they never reach the output or the logs.

fsspec and the file system's package (``s3fs``, ``huggingface_hub``) are imported only when a URL is given:
``pip install "cleaner[remote]"`` installs them for S3.
"""

from __future__ import annotations

from typing import Any, BinaryIO
from urllib.parse import urlsplit, urlunsplit

# Bytes fetched per request while a reader streams a remote file: a few requests per typical shard, and a bounded
# buffer whatever the file's size.
BLOCK_SIZE = 8 << 20


def is_remote(path: str) -> bool:
    """A URL of a remote file system (``file://`` and plain paths are local)."""
    scheme = path.split("://", 1)[0] if "://" in path else ""
    return bool(scheme) and scheme != "file"


def redact(url: str) -> str:
    """``url`` without any user name or password in it (``https://user:token@host/x`` -> ``https://host/x``)."""
    if not is_remote(url):
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=host))


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError as err:
        raise OSError(f'reading {redact(url)} needs fsspec: pip install "cleaner[remote]"') from err
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as err:  # no package for the protocol (s3fs, gcsfs…), or a malformed URL
        raise OSError(f"cannot read {redact(url)}: {err}") from err


def list_remote(url: str) -> list[tuple[str, str, int, str]]:
    """Every file below ``url``: (its URL, its name relative to ``url``, its size, a stamp that changes when
    the file does (ETag or modification time)), sorted by relative name. :class:`OSError` when ``url`` cannot
    be listed (no such bucket, no credentials, no network)."""
    fs, root = _filesystem(url)
    root = root.rstrip("/")
    try:
        listing = fs.find(root, detail=True, withdirs=False)
    except Exception as err:  # each file system raises its own errors (botocore's, aiohttp's…)
        raise OSError(f"cannot list {redact(url)}: {err}") from err
    files = []
    for path, info in listing.items():
        rel = path[len(root) :].lstrip("/") if path.startswith(root + "/") else path.rsplit("/", 1)[-1]
        stamp = str(info.get("ETag") or info.get("mtime") or info.get("LastModified") or "")
        files.append((fs.unstrip_protocol(path), rel, int(info.get("size") or 0), stamp))
    return sorted(files, key=lambda file: file[1])


def open_remote(url: str) -> BinaryIO:
    """A binary stream of the remote file at ``url``, read in blocks of :data:`BLOCK_SIZE`."""
    fs, path = _filesystem(url)
    try:
        return fs.open(path, "rb", block_size=BLOCK_SIZE)
    except FileNotFoundError:
        raise
    except Exception as err:
        raise OSError(f"cannot open {redact(url)}: {err}") from err
