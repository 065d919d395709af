from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import zstandard

from cleaner.readers.decode import RawInput, ReadError, decode_text, looks_binary, strip_compression


def read_all(path: Path, rel: str) -> bytes:
    return RawInput(rel, lambda: open(path, "rb")).read_all()


def test_strip_compression():
    assert strip_compression("a/b.jsonl.gz") == ("a/b.jsonl", ".gz")
    assert strip_compression("page.warc.zst") == ("page.warc", ".zst")
    assert strip_compression("notes.txt") == ("notes.txt", None)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("\ufeffÜber Straße".encode(), "utf-8"),
        ("Über Straße".encode("utf-16"), "utf-16-le"),
        ("Über Straße".encode("utf-32"), "utf-32-le"),
        ("Über Straße".encode(), "utf-8"),
    ],
)
def test_bom_and_utf8(data: bytes, encoding: str):
    assert decode_text(data, "x.txt") == ("Über Straße", encoding)


def test_legacy_encoding_is_detected():
    text = (
        "Die Bürgerinnen und Bürger müssen sich auf höhere Gebühren einstellen, erklärte der Bürgermeister. "
        "Größere Änderungen würden erst im nächsten Jahr wirksam. "
    ) * 3
    decoded, encoding = decode_text(text.encode("cp1252"), "x.txt")
    assert decoded == text
    assert encoding != "utf-8"


def test_html_meta_charset_is_used_before_guessing():
    html = '<html><head><meta charset="iso-8859-2"></head><body>Zażółć gęślą jaźń</body></html>'
    decoded, encoding = decode_text(html.encode("iso-8859-2"), "p.html", html=True)
    assert decoded == html
    assert encoding == "iso8859-2"


def test_binary_is_refused():
    with pytest.raises(ReadError) as err:
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "logo.txt")
    assert err.value.reason == "read.binary"
    assert "logo.txt" in err.value.message
    assert looks_binary(b"abc\x00def")  # a short sample: one NUL in seven bytes is binary


def test_stray_control_bytes_in_good_text_are_dropped_not_the_text():
    good = ("The city council met on Tuesday to discuss the new budget. " * 40).encode()
    text, encoding = decode_text(good[:1000] + b"\x00" + good[1000:2000] + b"\x07\x1b[0m\x01" + good[2000:], "a.txt")
    assert encoding == "utf-8"
    assert "\x00" not in text and "\x07" not in text and "\x01" not in text
    assert len(text) == len(good) + len("\x1b[0m")  # ESC kept (see BINARY_BYTES), the three stray bytes gone
    assert not looks_binary(b"plain text\twith tabs\r\n")


def test_bad_bom_is_undecodable():
    with pytest.raises(ReadError) as err:
        decode_text(b"\xef\xbb\xbfok \xff\xfe broken", "x.txt")
    assert err.value.reason == "read.undecodable"


def test_gzip_and_zstd_round_trip(tmp_path: Path):
    data = b"line one\nline two\n" * 1000
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(data))
    (tmp_path / "a.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    assert read_all(tmp_path / "a.txt.gz", "a.txt.gz") == data
    assert read_all(tmp_path / "a.txt.zst", "a.txt.zst") == data


def test_multi_frame_zstd(tmp_path: Path):
    compressor = zstandard.ZstdCompressor()
    path = tmp_path / "frames.txt.zst"
    path.write_bytes(compressor.compress(b"first frame\n") + compressor.compress(b"second frame\n"))
    assert read_all(path, path.name) == b"first frame\nsecond frame\n"


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_truncated_compression_is_reported(tmp_path: Path, suffix: str):
    data = ("A paragraph of text that will be compressed and then cut short. " * 4000).encode()
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    path = tmp_path / f"cut.txt{suffix}"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ReadError) as err:
        read_all(path, path.name)
    assert err.value.reason == "read.truncated"
    assert "re-download" in err.value.message


def test_missing_file_is_unreadable(tmp_path: Path):
    with pytest.raises(ReadError) as err:
        read_all(tmp_path / "gone.txt", "gone.txt")
    assert err.value.reason == "read.unreadable"
