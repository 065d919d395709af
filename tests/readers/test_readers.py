from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from cleaner import config as config_module
from cleaner.document import Document, Reject
from cleaner.readers import InputFile, discover, read_file
from tests.conftest import ARTICLE, ARTICLE_DE, PAGE_HTML, read_table


def records(path: Path, root: Path) -> list[Document | Reject]:
    return list(read_file(InputFile(path=str(path), rel=path.relative_to(root).as_posix(), size=path.stat().st_size)))


def write_warc(path: Path, pages: list[tuple[str, str, bytes]]) -> None:
    """A WARC with, per page, a request record and a response record (content type, body)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        for url, content_type, body in pages:
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            response = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"},
            )
            writer.write_record(response)


def test_text_file_is_one_document(tmp_path: Path):
    (tmp_path / "news").mkdir()
    path = tmp_path / "news" / "budget.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [doc] = records(path, tmp_path)
    assert isinstance(doc, Document)
    assert doc.text == ARTICLE
    assert doc.source == "news/budget.txt"
    assert doc.metadata == {}


def test_markdown_and_compressed_text(tmp_path: Path):
    (tmp_path / "a.md").write_text(ARTICLE_DE, encoding="utf-8")
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(ARTICLE_DE.encode()))
    (tmp_path / "c.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(ARTICLE_DE.encode()))
    for name in ("a.md", "b.txt.gz", "c.txt.zst"):
        [doc] = records(tmp_path / name, tmp_path)
        assert doc.text == ARTICLE_DE, name


def test_legacy_encoded_text_records_its_encoding(tmp_path: Path):
    path = tmp_path / "alt.txt"
    path.write_bytes((ARTICLE_DE + " Größe, Maße, Füße.").encode("latin-1"))
    [doc] = records(path, tmp_path)
    assert "Größe, Maße, Füße." in doc.text
    assert doc.metadata["encoding"] != "utf-8"


def test_html_main_text_and_metadata(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(PAGE_HTML, encoding="utf-8")
    [doc] = records(path, tmp_path)
    assert "approved the new budget on Tuesday" in doc.text
    assert "All rights reserved" not in doc.text
    assert doc.metadata["title"].startswith("Council passes budget")
    assert doc.metadata["author"] == "Jane Reporter"
    assert doc.metadata["date"] == "2024-03-05"
    assert doc.original_text == PAGE_HTML


def test_html_date_does_not_depend_on_the_day_of_the_run(tmp_path: Path):
    """A page dated after today (an event page, a scheduled post) keeps its date: otherwise the same page would be
    dated on one day and not on another."""
    path = tmp_path / "event.html"
    path.write_text(PAGE_HTML.replace("2024-03-05", "2031-09-14"), encoding="utf-8")
    [doc] = records(path, tmp_path)
    assert doc.metadata["date"] == "2031-09-14"


def test_html_without_main_text_is_rejected(tmp_path: Path):
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><script>var a=1;</script></head><body></body></html>", encoding="utf-8")
    [rej] = records(path, tmp_path)
    assert isinstance(rej, Reject)
    assert rej.reason == "read.no_main_text"


def test_jsonl_records_fields_and_bad_lines(tmp_path: Path):
    lines = [
        json.dumps(
            {
                "id": "a1",
                "text": ARTICLE,
                "url": "https://news.example.org/a",
                "title": "Budget",
                "lang": "en",
            }
        ),
        "",
        "{not json",
        json.dumps({"id": "a3", "body": "no text field here"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": ARTICLE_DE, "date": "2024-03-05"}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = records(path, tmp_path)
    assert [type(r).__name__ for r in out] == ["Document", "Reject", "Reject", "Reject", "Document"]
    first = out[0]
    assert first.source == "batch.jsonl#0"
    assert first.metadata["url"] == "https://news.example.org/a"
    assert first.metadata["title"] == "Budget"
    assert first.metadata["extra"] == {"id": "a1", "lang": "en"}
    assert [r.reason for r in out[1:4]] == ["read.bad_json", "read.no_text", "read.bad_record"]
    assert out[1].source == "batch.jsonl#2"  # line numbers count blank lines: they point at the file
    assert out[1].text == "{not json"
    assert "batch.jsonl#2" in out[1].detail
    assert out[4].metadata["date"] == "2024-03-05"


def test_json_array_and_single_object(tmp_path: Path):
    (tmp_path / "list.json").write_text(json.dumps([{"text": ARTICLE}, {"text": ARTICLE_DE}]), encoding="utf-8")
    (tmp_path / "one.json.gz").write_bytes(gzip.compress(json.dumps({"text": ARTICLE}).encode()))
    assert [d.text for d in records(tmp_path / "list.json", tmp_path)] == [ARTICLE, ARTICLE_DE]
    [one] = records(tmp_path / "one.json.gz", tmp_path)
    assert one.text == ARTICLE and one.source == "one.json.gz#0"


def test_a_lone_surrogate_escaped_in_json_becomes_a_replacement_character(tmp_path: Path):
    """JSON may escape half a surrogate pair ("\\ud800"), which no UTF-8 text can hold: one such record stopped the
    whole run when its text was hashed or written (found by tests/readers/test_fuzz)."""
    from cleaner.runner import output_dir, run

    raw = tmp_path / "raw"
    raw.mkdir()
    article = ARTICLE.replace("\n", " ")
    lines = [  # json.dumps escapes every non-ASCII character, a lone surrogate too
        json.dumps({"text": f"{article} \ud800 end.", "title": "T\udc80", "k\udfff": ["\U0001f600"]}),
        json.dumps("\ud800"),
        json.dumps({"text": "short \udbff"}),
    ]
    assert "\\ud800" in lines[0] and "\\ud83d\\ude00" in lines[0]  # the pair stays a pair
    (raw / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (raw / "b.json").write_text(json.dumps({"text": f"{article} \ud800"}), encoding="utf-8")
    first, bad, _ = records(raw / "a.jsonl", raw)
    assert first.text.endswith(" \ufffd end.") and first.metadata["title"] == "T\ufffd"
    assert first.metadata["extra"] == {"k\ufffd": ["\U0001f600"]}
    assert bad.reason == "read.bad_record" and bad.text == '"\ufffd"'
    config = config_module.parse({"pipeline": ["whitespace", "length"]})
    summary = run(raw, tmp_path / "out", config, workers=1)
    assert (summary.read, summary.kept) == (4, 2)
    assert dict(summary.rejected) == {"read.bad_record": 1, "length.too_short": 1}
    texts = [row["text"] for row in read_table(output_dir(tmp_path / "out", config) / "documents")]
    assert sorted(texts) == sorted([f"{article} \ufffd end.", f"{article} \ufffd"])


def test_a_file_name_that_is_not_utf8_is_read_under_an_escaped_name(tmp_path: Path):
    """A name from a Latin-1 file system comes with lone surrogates for its stray bytes: the run stopped on the first
    id or hash made of it (found by fuzzing the readers)."""
    from cleaner.runner import output_dir, run

    raw = tmp_path / "raw"
    os.makedirs(os.fsencode(raw / "caf\u00e9") + b"/d\xe9j\xe0")
    with open(os.fsencode(raw) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(ARTICLE.encode())
    with open(os.fsencode(raw) + b"/d\xe9j\xe0.txt", "wb") as handle:  # the same bytes as a folder name below
        handle.write(ARTICLE_DE.encode())
    with open(os.fsencode(raw / "caf\u00e9") + b"/d\xe9j\xe0/x.txt", "wb") as handle:
        handle.write(ARTICLE.encode())
    files, _ = discover(raw)
    assert [f.rel for f in files] == ["caf\\xe9.txt", "café/d\\xe9j\\xe0/x.txt", "d\\xe9j\\xe0.txt"]
    assert [r.text for f in files for r in read_file(f)] == [ARTICLE, ARTICLE, ARTICLE_DE]
    config = config_module.parse({"pipeline": ["whitespace", "length"]})
    summary = run(raw, tmp_path / "out", config, workers=1)
    assert (summary.read, summary.kept) == (3, 3)
    sources = [row["source"] for row in read_table(output_dir(tmp_path / "out", config) / "documents")]
    assert sorted(sources) == [f.rel for f in files]


def test_parquet_rows(tmp_path: Path):
    table = pa.table({"text": [ARTICLE, None, ARTICLE_DE], "url": ["https://a.example/1", None, None], "n": [1, 2, 3]})
    pq.write_table(table, tmp_path / "part.parquet")
    out = records(tmp_path / "part.parquet", tmp_path)
    assert isinstance(out[0], Document) and out[0].metadata["url"] == "https://a.example/1"
    assert out[0].metadata["extra"] == {"n": 1}
    assert isinstance(out[1], Reject) and out[1].reason == "read.no_text"
    assert out[2].text == ARTICLE_DE and out[2].source == "part.parquet#2"


def test_parquet_strings_that_are_not_utf8_are_decoded_with_replacement_characters(tmp_path: Path):
    """pyarrow writes a string column without checking its bytes, and fails on the whole batch reading one that is
    not UTF-8: the run stopped (found by bench/fuzz.py --atheris). The bad bytes become U+FFFD, the rows are read."""
    text = pa.array([ARTICLE.encode(), b"bad \xc2 text", None], pa.binary()).view(pa.string())
    title = pa.array([b"T\xff", b"ok", None], pa.large_binary()).view(pa.large_string())
    pq.write_table(pa.table({"text": text, "title": title, "n": [1, 2, 3]}), tmp_path / "bad.parquet")
    first, second, third = records(tmp_path / "bad.parquet", tmp_path)
    assert first.text == ARTICLE and first.metadata["title"] == "T\ufffd" and first.metadata["extra"] == {"n": 1}
    assert second.text == "bad \ufffd text" and second.metadata["title"] == "ok"
    assert isinstance(third, Reject) and third.reason == "read.no_text"
    data = (tmp_path / "bad.parquet").read_bytes()  # a column name that is not UTF-8: the file is unreadable
    assert b"title" in data  # in the footer's schema and its column chunk
    (tmp_path / "name.parquet").write_bytes(data.replace(b"title", b"tit\x94e"))
    [reject] = records(tmp_path / "name.parquet", tmp_path)
    assert reject.reason == "read.bad_parquet" and "name.parquet" in reject.detail


def test_parquet_without_text_column(tmp_path: Path):
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "wrong.parquet")
    [rej] = records(tmp_path / "wrong.parquet", tmp_path)
    assert rej.reason == "read.no_text_column"
    assert "body" in rej.detail


def test_not_parquet_at_all(tmp_path: Path):
    (tmp_path / "fake.parquet").write_bytes(b"PAR1 this is not really parquet")
    [rej] = records(tmp_path / "fake.parquet", tmp_path)
    assert rej.reason == "read.bad_parquet"


def test_warc_html_responses_only(tmp_path: Path):
    for name in ("crawl.warc", "crawl.warc.gz"):
        write_warc(
            tmp_path / name,
            [
                ("https://news.example.org/budget", "text/html; charset=utf-8", PAGE_HTML.encode()),
                ("https://news.example.org/logo.png", "image/png", b"\x89PNG\r\n"),
            ],
        )
        [doc] = records(tmp_path / name, tmp_path)
        assert "approved the new budget" in doc.text
        assert doc.metadata["url"] == "https://news.example.org/budget"
        assert doc.metadata["date"] == "2024-03-05T10:00:00Z"
        assert doc.source == f"{name}#0"


def test_a_page_the_extractor_fails_on_is_rejected_not_a_crash(tmp_path: Path, monkeypatch):
    def failing(html: str, url: str | None = None):
        raise RecursionError("maximum recursion depth exceeded")  # what a parser does on a pathological page

    monkeypatch.setattr("cleaner.readers.html.extract", failing)
    (tmp_path / "page.html").write_text(PAGE_HTML, encoding="utf-8")
    write_warc(tmp_path / "crawl.warc", [("https://news.example.org/budget", "text/html", PAGE_HTML.encode())])
    for name in ("page.html", "crawl.warc"):
        [reject] = records(tmp_path / name, tmp_path)
        assert isinstance(reject, Reject) and reject.reason == "read.extraction_failed", name
        assert "RecursionError" in reject.detail


def test_warc_zst(tmp_path: Path):
    plain = tmp_path / "crawl.warc"
    write_warc(plain, [("https://news.example.org/budget", "text/html", PAGE_HTML.encode())])
    (tmp_path / "crawl.warc.zst").write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    [doc] = records(tmp_path / "crawl.warc.zst", tmp_path)
    assert "approved the new budget" in doc.text


def test_not_a_warc(tmp_path: Path):
    (tmp_path / "junk.warc").write_text("this is not a warc file\n" * 5, encoding="utf-8")
    [rej] = records(tmp_path / "junk.warc", tmp_path)
    assert rej.reason in ("read.bad_warc", "read.no_records")


def test_file_without_records_is_accounted_for(tmp_path: Path):
    (tmp_path / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    write_warc(tmp_path / "images.warc", [("https://a.example/x.png", "image/png", b"\x89PNG")])
    for name in ("blank.jsonl", "images.warc"):
        [rej] = records(tmp_path / name, tmp_path)
        assert rej.reason == "read.no_records", name


def test_bad_files_become_rejects(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n \n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress((json.dumps({"text": ARTICLE}) + "\n").encode() * 200)[:300])
    reasons = {
        name: [r.reason for r in records(tmp_path / name, tmp_path)]
        for name in sorted(p.name for p in tmp_path.iterdir())
    }
    assert reasons["empty.txt"] == ["read.empty"]
    assert reasons["blank.txt"] == ["read.empty"]
    assert reasons["image.txt"] == ["read.binary"]
    assert reasons["logo.png"] == ["read.unsupported_format"]
    assert reasons["cut.jsonl.gz"][-1] == "read.truncated"


def test_discover_sorts_and_skips_hidden(tmp_path: Path):
    for name in ("b/2.txt", "a.txt", "b/1.txt", ".git/config", "c/.DS_Store"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    files, hidden = discover(tmp_path)
    assert [f.rel for f in files] == ["a.txt", "b/1.txt", "b/2.txt"]
    assert hidden == [".git/config", "c/.DS_Store"]


def test_discover_follows_links_but_enters_each_folder_once(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "news").mkdir(parents=True)
    (raw / "news" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    shared = tmp_path / "shared"  # data kept elsewhere and linked in: followed
    shared.mkdir()
    (shared / "b.txt").write_text(ARTICLE_DE, encoding="utf-8")
    (raw / "linked").symlink_to(shared)
    (raw / "news" / "up").symlink_to(raw)  # a loop back to the top
    (raw / "again").symlink_to(raw / "news")  # a second way into a folder already read
    (raw / "nowhere").symlink_to(raw / "nowhere")  # a link to itself
    files, _ = discover(raw)
    # news/ under its own path, not again/; the link to itself is listed as a file, never followed
    assert [f.rel for f in files] == ["linked/b.txt", "news/a.txt", "nowhere"]


def test_dangling_and_looping_links_are_read_and_rejected(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    files, _ = discover(raw)
    assert [f.rel for f in files] == ["a.txt", "dangling.txt", "loop.txt"]
    digests: dict[str, str] = {}
    reasons = {f.rel: [r.reason for r in read_file(f, digests) if isinstance(r, Reject)] for f in files}
    assert reasons == {"a.txt": [], "dangling.txt": ["read.unreadable"], "loop.txt": ["read.unreadable"]}
    assert digests["dangling.txt"] == digests["loop.txt"] == "unreadable"


def test_formats_declare_what_their_readers_can_do():
    from cleaner.readers import format_for, reader_for

    assert format_for("a/b.jsonl.zst").sliceable and format_for("a.warc.gz").html
    assert format_for("page.txt").surveyable and not format_for("page.txt").sliceable
    assert not format_for("page.html").surveyable and format_for("page.html").html
    assert format_for("logo.png") is None and reader_for("logo.png") is None
    assert reader_for("a.parquet") is format_for("a.parquet").read


def test_a_document_over_the_limit_is_rejected_and_a_bomb_is_not_inflated_whole(tmp_path: Path):
    from cleaner.readers.limits import MAX_DOCUMENT_BYTES

    raw = tmp_path / "raw"
    raw.mkdir()
    bomb = b"a " * (4 * MAX_DOCUMENT_BYTES)  # 64 MiB of text in a few hundred KB
    (raw / "bomb.txt.gz").write_bytes(gzip.compress(bomb))
    (raw / "bomb.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(bomb))
    (raw / "big.txt").write_bytes(b"x" * (MAX_DOCUMENT_BYTES + 1))
    (raw / "fits.txt").write_bytes(b"word " * (MAX_DOCUMENT_BYTES // 5))
    files, _ = discover(raw)
    results = {f.rel: list(read_file(f)) for f in files}
    for name in ("bomb.txt.gz", "bomb.txt.zst", "big.txt"):
        [reject] = results[name]
        assert isinstance(reject, Reject) and reject.reason == "read.too_large" and name in reject.detail
    [kept] = results["fits.txt"]
    assert isinstance(kept, Document)


def test_a_file_grown_or_shrunk_since_it_was_listed_is_read_as_it_is_now(tmp_path: Path, monkeypatch):
    """The listing's size bounds only the first read: the bytes read, and their digest, are the file's now,
    and a file grown past the in-memory limit is streamed."""
    import hashlib

    from cleaner import readers

    monkeypatch.setattr(readers, "IN_MEMORY_BYTES", 4096)
    for listed, now in ((10, ARTICLE), (len(ARTICLE) + 50, ARTICLE), (10, ARTICLE * 20)):
        path = tmp_path / "a.txt"
        path.write_text(now, encoding="utf-8")
        digests: dict[str, str] = {}
        [doc] = read_file(InputFile(path=str(path), rel="a.txt", size=listed), digests)
        assert isinstance(doc, Document) and doc.text == now
        assert digests["a.txt"] == hashlib.sha256(now.encode()).hexdigest()
