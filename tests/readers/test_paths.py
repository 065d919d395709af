"""Every path in the input folder is accounted for: no file that cannot be read vanishes, nothing hangs.

The tests run as root, for whom permissions do not stop a read: a file that cannot be opened is made by taking it
away between discovery and reading, a folder that cannot be listed by making its listing fail."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.document import Document, Reject
from cleaner.readers import InputFile, discover, read_file
from cleaner.runner import output_dir, run
from tests.conftest import ARTICLE, ARTICLE_DE, read_table


@pytest.fixture
def deadline():
    """A read that blocks (a FIFO without a writer) fails the test instead of hanging it."""

    def expired(*_):
        raise TimeoutError("a read blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def reasons(file: InputFile, digests: dict[str, str] | None = None) -> list[str]:
    return [r.reason if isinstance(r, Reject) else "kept" for r in read_file(file, digests)]


def test_fifos_sockets_and_devices_are_rejected_without_being_opened(tmp_path: Path, deadline):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(raw / "pipe.txt")  # opening it for reading would wait for a writer forever
    os.mkfifo(raw / "pipe")  # no reader for its name either, but it is hashed for the fingerprint: not opened
    (raw / "zero.txt").symlink_to("/dev/zero")  # a device that never ends
    files, _ = discover(raw)
    assert [f.rel for f in files] == ["a.txt", "pipe", "pipe.txt", "zero.txt"]
    digests: dict[str, str] = {}
    found = {f.rel: reasons(f, digests) for f in files}
    assert found == {
        "a.txt": ["kept"],
        "pipe": ["read.not_a_file"],
        "pipe.txt": ["read.not_a_file"],
        "zero.txt": ["read.not_a_file"],
    }
    [reject] = read_file(files[2])
    assert reject.detail.startswith("pipe.txt: not a regular file but a FIFO") and "remove it" in reject.detail
    assert "a device" in next(iter(read_file(files[3]))).detail
    assert digests["pipe"] == digests["pipe.txt"] == digests["zero.txt"] == "unreadable"


def test_a_file_that_vanishes_after_discovery_is_rejected(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "big.jsonl").write_text("{}\n" * 10, encoding="utf-8")
    files, _ = discover(tmp_path)
    (tmp_path / "a.txt").unlink()
    (tmp_path / "big.jsonl").unlink()
    for file in files:
        [reject] = read_file(file)
        assert reject.reason == "read.unreadable" and reject.detail.startswith(f"{file.rel}: cannot read")


def test_a_folder_that_cannot_be_listed_is_a_reject_not_a_crash(tmp_path: Path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "locked").mkdir(parents=True)
    (raw / "locked" / "hidden-away.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    scandir = os.scandir

    def refuse(path):  # what a folder without read permission does for a user other than root
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    files, _ = discover(raw)
    assert [f.rel for f in files] == ["a.txt", "locked"]
    [reject] = read_file(files[1])
    assert reject.reason == "read.unreadable"
    assert reject.detail == "locked: cannot list this folder (Permission denied); check its permissions"


def test_a_run_accounts_for_every_path(tmp_path: Path, monkeypatch, deadline):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "sub" / "b.txt").write_text(ARTICLE_DE, encoding="utf-8")
    (raw / "gone.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (raw / "sub" / "up").symlink_to(raw)  # a loop: never followed twice
    (raw / "self").symlink_to(raw / "self")  # a link to itself
    os.mkfifo(raw / "pipe.txt")
    import cleaner.inputs

    real = cleaner.inputs.discover

    def then_delete(folder, skip=None):
        found = real(folder, skip=skip)
        (raw / "gone.txt").unlink()  # taken away after it was listed
        return found

    monkeypatch.setattr(cleaner.inputs, "discover", then_delete)
    config = config_module.parse({"pipeline": ["whitespace"]})
    summary = run(raw, tmp_path / "out", config, workers=2)
    build = output_dir(tmp_path / "out", config)
    kept = sorted(d["source"] for d in read_table(build / "documents"))
    rejected = {r["source"]: r["reason"] for r in read_table(build / "rejects")}
    assert kept == ["a.txt", "sub/b.txt"]
    assert rejected == {
        "dangling.txt": "read.unreadable",
        "gone.txt": "read.unreadable",
        "pipe.txt": "read.not_a_file",
        "self": "read.unreadable",
    }
    assert summary.read == 6 == summary.files
    assert all(isinstance(d, str) and d.startswith(tuple(rejected)) for d in summary.read_errors)


def test_documents_are_still_documents(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    [file] = discover(tmp_path)[0]
    [doc] = read_file(file)
    assert isinstance(doc, Document) and doc.text == ARTICLE
