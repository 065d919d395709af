"""Every reader on arbitrary bytes, raw and inside gzip and zstd: nothing raises, every file gives at least one
record, and every record is a document or a reject with a ``read.*`` reason naming the file; through a task,
read = kept + rejected, and every row can be written.

Arbitrary bytes alone rarely get past a reader's first check, so most examples are well-formed files of each
format (a text, an HTML page, JSON Lines, a Parquet table, a WARC archive) built from arbitrary values and then,
maybe, damaged: cut short, a byte changed, bytes inserted. The suite runs a small fixed budget, derandomized (the
same examples on every run, in CI too); ``python bench/fuzz.py`` runs the same properties with a larger one.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import tempfile
from collections import Counter
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import config as config_module
from cleaner.document import Document, Pending, Reject
from cleaner.pipeline import Pipeline, build_steps, run_task
from cleaner.readers import InputFile, discover, read_file

# The suite's budget: examples per property (``CLEANER_FUZZ_EXAMPLES`` raises it for a longer local run).
EXAMPLES = int(os.environ.get("CLEANER_FUZZ_EXAMPLES", "25"))
SUITE = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

FORMATS = (".txt", ".html", ".jsonl", ".json", ".parquet", ".warc")
CONTAINERS = ("", ".gz", ".zst")
REASON = re.compile(r"read\.[a-z_]+")

# Words and markup the readers look for, so that arbitrary values reach past their first checks.
WORDS = st.sampled_from(
    ["The", "council", "approved", "budget", "Grüße", "Привет", "市议会", "<p>", "</p>", "&amp;", "&#0;", "\n", " "]
)
TEXT = st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=80).map(" ".join))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "cp1250", "koi8-r", "shift_jis"])
# JSON escapes any UTF-16 code unit, a lone surrogate too ("\\ud800"): no UTF-8 text can hold one.
SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\ud83d\ude00"])
JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT, SURROGATES)
JSON_VALUE = st.recursive(
    JSON_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)
RECORD = st.dictionaries(
    st.sampled_from(["text", "url", "title", "date", "author", "id", "lang"]) | st.text(max_size=8),
    JSON_VALUE,
    max_size=6,
)


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def text_file(draw) -> bytes:
    return encoded(draw(TEXT), draw(ENCODINGS))


@st.composite
def html_file(draw) -> bytes:
    charset = draw(st.sampled_from(["utf-8", "cp1252", "koi8-r", "no-such-charset", ""]))
    title, body = draw(TEXT), draw(st.lists(TEXT, max_size=6))
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in body)
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><nav>Home | News</nav><article>{paragraphs}</article></body></html>"
    )
    return encoded(page, draw(ENCODINGS)) if draw(st.booleans()) else page.encode("utf-8", "surrogatepass")


@st.composite
def jsonl_file(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["record", "value", "bytes"]))
        if kind == "record":
            record = draw(RECORD)
            if draw(st.booleans()):
                record["text"] = draw(TEXT)
            line = json.dumps(record, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        elif kind == "value":
            line = json.dumps(draw(JSON_VALUE)).encode()
        else:
            line = draw(st.binary(max_size=40))
        lines.append(line)
    return draw(st.sampled_from([b"\n", b"\r\n"])).join(lines) + draw(st.sampled_from([b"", b"\n"]))


@st.composite
def json_file(draw) -> bytes:
    records = draw(st.lists(RECORD | JSON_VALUE, max_size=4))
    whole = records if draw(st.booleans()) else (records[0] if records else {})
    return json.dumps(whole, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@st.composite
def parquet_file(draw) -> bytes:
    rows = draw(st.integers(0, 5))
    kind = draw(st.sampled_from(["string", "large_string", "not_utf8", "int64", "binary", "none"]))
    columns: dict[str, pa.Array] = {}
    if kind in ("string", "large_string"):
        values = draw(
            st.lists(
                st.none() | TEXT.map(lambda t: t.encode("utf-8", "replace").decode()), min_size=rows, max_size=rows
            )
        )
        columns["text"] = pa.array(values, type=getattr(pa, kind)())
    elif kind == "int64":
        columns["text"] = pa.array(draw(st.lists(st.integers(-5, 5), min_size=rows, max_size=rows)), type=pa.int64())
    elif kind == "binary":  # bytes that need not be UTF-8
        columns["text"] = pa.array(draw(st.lists(st.binary(max_size=30), min_size=rows, max_size=rows)), pa.binary())
    elif kind == "not_utf8":  # a string column of any bytes: pyarrow does not check them when it writes
        values = draw(st.lists(st.none() | st.binary(max_size=30), min_size=rows, max_size=rows))
        columns["text"] = pa.array(values, pa.binary()).view(pa.string())
    columns["title"] = pa.array(
        draw(st.lists(st.none() | st.text(max_size=10), min_size=rows, max_size=rows)), pa.string()
    )
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer, compression=draw(st.sampled_from(["none", "snappy", "zstd"])))
    return buffer.getvalue()


@st.composite
def warc_file(draw) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    records = []
    for _ in range(draw(st.integers(0, 3))):
        url = draw(st.sampled_from(["https://example.org/a", "http://x", "", "not a url"]))
        kind = draw(st.sampled_from(["response", "response", "request", "metadata", "resource"]))
        content_type = draw(
            st.sampled_from(["text/html", "text/html; charset=koi8-r", "application/xhtml+xml", "image/png", ""])
        )
        body = draw(html_file() | st.binary(max_size=60))
        headers = None
        if kind == "response":
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        elif kind == "request":  # warcio parses a request's payload as HTTP
            body = b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"
        # Fixed headers, and gzip without a time stamp: warcio would stamp each record with a new id and the time,
        # and the examples must be the same bytes on every run.
        fixed = {
            "WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000000>",
            "WARC-Date": "2024-03-05T10:00:00Z",
        }
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        writer.write_record(
            writer.create_warc_record(
                url, kind, payload=io.BytesIO(body), http_headers=headers, warc_headers_dict=fixed
            )
        )
        records.append(buffer.getvalue())
    if draw(st.booleans()):  # each record a gzip member of its own, as .warc.gz files are written
        records = [gzip.compress(record, mtime=0) for record in records]
    return b"".join(records)


BUILDERS = {
    ".txt": text_file(),
    ".html": html_file(),
    ".jsonl": jsonl_file(),
    ".json": json_file(),
    ".parquet": parquet_file(),
    ".warc": warc_file(),
}


@st.composite
def damaged(draw, content: bytes) -> bytes:
    """``content`` as it is, cut short, with a byte changed, or with bytes put in."""
    how = draw(st.sampled_from(["whole", "whole", "cut", "flip", "insert"]))
    if how == "whole" or not content:
        return content
    at = draw(st.integers(0, len(content) - 1))
    if how == "cut":
        return content[:at]
    if how == "flip":
        return content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1 :]
    return content[:at] + draw(st.binary(min_size=1, max_size=16)) + content[at:]


def contained(content: bytes, container: str) -> bytes:
    if container == ".gz":
        return gzip.compress(content, mtime=0)
    if container == ".zst":
        return zstandard.ZstdCompressor().compress(content)
    return content


@st.composite
def input_file(draw, suffix: str, container: str) -> bytes:
    """A file of the format, in the container; the damage may fall on the content or on the container."""
    content = draw(st.binary(max_size=300) | BUILDERS[suffix])
    if draw(st.booleans()):
        return contained(draw(damaged(content)), container)
    return draw(damaged(contained(content, container)))


@cache
def scratch() -> Path:
    """Where the examples are written (one file at a time, overwritten; removed with the process's temp files)."""
    return Path(tempfile.mkdtemp(prefix="cleaner-fuzz-"))


def stored(data: bytes, name: str) -> InputFile:
    path = scratch() / name
    path.write_bytes(data)
    return InputFile(path=str(path), rel=name, size=len(data))


def writable(value: object) -> bool:
    """A value that Parquet can hold: its strings are valid Unicode (no lone surrogate, which UTF-8 cannot encode)."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_reader(data: bytes, name: str) -> Counter:
    """Read ``data`` stored as ``name``; every record is checked. Returns the count of each outcome."""
    return check_reader_of(stored(data, name))


def check_reader_of(file: InputFile) -> Counter:
    name = file.rel
    outcomes: Counter = Counter()
    for record in read_file(file):
        assert not isinstance(record, Pending)
        assert record.source == name or record.source.startswith(f"{name}#"), record.source
        if isinstance(record, Reject):
            assert REASON.fullmatch(record.reason), record.reason
            assert name in record.detail, record.detail
            assert writable([record.reason, record.detail, record.text]), record
            outcomes[record.reason] += 1
        else:
            assert isinstance(record, Document)
            assert isinstance(record.text, str) and record.text.strip(), record
            assert writable([record.text, record.metadata, record.original_text]), record
            outcomes["document"] += 1
    assert outcomes, f"{name}: no record at all"
    return outcomes


@cache
def spine() -> Pipeline:
    return Pipeline(build_steps(config_module.parse({"pipeline": ["whitespace", "length"]})))


def check_task(files: list[tuple[str, bytes]]) -> None:
    """One task of these files through the spine and the writer: every record read is kept or rejected, and the
    tables hold exactly that."""
    staging = Path(tempfile.mkdtemp(dir=scratch()))
    task = [stored(data, name) for name, data in files]
    result = run_task(spine(), 0, task, staging)
    assert result.read >= len(files)
    assert result.read == result.kept + sum(result.rejected.values())
    assert result.rows["documents"] == result.kept
    assert result.rows["rejects"] == sum(result.rejected.values())
    written = {
        table: sum(pq.read_metadata(part).num_rows for part in (staging / table).glob("*.parquet"))
        for table in ("documents", "rejects")
    }
    assert written == {"documents": result.kept, "rejects": result.read - result.kept}


# Two crashes the fuzzing found are fixed in the readers' own rework (branch `readers`, issue 26's other half, which
# brings cleaner/readers/zstd.py): corrupt zstd data raised zstandard.ZstdError, which is no OSError, and a WARC
# response without a target URI raised warcio's AttributeError; either stopped the run. Until that is merged the
# cases that meet them are expected to fail with exactly those errors; after it they must pass.
READERS_REWORKED = find_spec("cleaner.readers.zstd") is not None


def known_crash(suffix: str, container: str):
    errors = (zstandard.ZstdError,) if container == ".zst" else ()
    errors += (AttributeError,) if suffix == ".warc" else ()
    return pytest.mark.xfail(
        bool(errors) and not READERS_REWORKED, reason="fixed by the readers' rework", raises=errors, strict=False
    )


@pytest.mark.parametrize(
    ("suffix", "container"),
    [
        pytest.param(suffix, container, marks=known_crash(suffix, container), id=f"{suffix}{container or ''}")
        for suffix in FORMATS
        for container in CONTAINERS
    ],
)
def test_every_reader_accounts_for_arbitrary_bytes(suffix: str, container: str):
    @SUITE
    @given(data=input_file(suffix, container))
    def property(data: bytes) -> None:
        check_reader(data, f"input{suffix}{container}")

    property()


# A task: a few files of any format and container, as a folder of inputs holds them.
TASK_FILES = st.lists(
    st.tuples(st.sampled_from(FORMATS), st.sampled_from(CONTAINERS)).flatmap(
        lambda kind: input_file(*kind).map(lambda data: (f"{kind[0]}{kind[1]}", data))
    ),
    min_size=1,
    max_size=4,
).map(lambda files: [(f"f{index}{name}", data) for index, (name, data) in enumerate(files)])
# A name as the OS may hand it: any bytes but "/" and NUL (not UTF-8 on a Latin-1 file system).
NAMES = st.binary(min_size=1, max_size=24).filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))


def check_name(name: bytes, suffix: str) -> None:
    """A file named ``name + suffix`` is found, under a name that can be written, and read or rejected."""
    folder = Path(tempfile.mkdtemp(dir=scratch()))
    with open(os.fsencode(folder) + b"/" + name + suffix.encode(), "wb") as handle:
        handle.write(b"The council approved the budget.")
    files, hidden = discover(folder)
    assert len(files) + len(hidden) == 1
    assert writable(files[0].rel if files else hidden[0])
    for file in files:
        check_reader_of(file)


@pytest.mark.xfail(
    not READERS_REWORKED,
    reason="fixed by the readers' rework",
    raises=(zstandard.ZstdError, AttributeError),
    strict=False,
)
@SUITE
@given(files=TASK_FILES)
def test_a_task_of_damaged_files_accounts_for_every_record(files: list[tuple[str, bytes]]):
    check_task(files)


@SUITE
@given(name=NAMES, suffix=st.sampled_from([*FORMATS, ".png", ""]))
def test_any_file_name_is_read_or_rejected_under_a_name_that_can_be_written(name: bytes, suffix: str):
    check_name(name, suffix)
