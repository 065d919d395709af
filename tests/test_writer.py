"""Writing the output: a write that fails for a reason of the machine's (no space left, no permission, a read-only
file system) ends the command with one line that names the path and what to do, exit 2, and the previous output
as it was. Simulated so that the tests hold when they run as root (whom chmod does not stop): a patched write, a
file where the output folder should be, and a real limit on file sizes (``ulimit -f``) in a child process."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cleaner import cli, writer
from cleaner.writer import OutputError, output_error, publish_staging
from tests.conftest import ARTICLE, ARTICLE_DE, SEEDS

BUILD = Path("dist") / "cleaner-corpus" / "build"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with raw/ and a finished output in dist/, as the working folder (the default config)."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "raw" / "b.txt").write_text(ARTICLE_DE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    first = invoke("run", "raw", "--workers", "1", "--no-validate")
    assert first.exit_code == 0, first.output
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


def test_a_full_disk_ends_the_run_with_one_line_and_the_previous_output_untouched(project: Path, monkeypatch):
    before = snapshot(project / BUILD)

    def full(self, *args, **kwargs):  # as Arrow reports it: no file name
        raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")

    (project / "raw" / "c.txt").write_text(ARTICLE + " More.", encoding="utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(pq.ParquetWriter, "write_table", full)
        result = invoke("run", "raw", "--workers", "1", "--no-validate")
    assert result.exit_code == 2
    line = one_line_error(result)
    part = Path("dist", "cleaner-corpus", ".progress-build", "documents", "part-00000.parquet")
    assert line.startswith(f"error: cannot write {part}: No space left on device;")  # the file, named
    assert "free some space on that disk" in line and "--out" in line and "--resume" in line
    assert snapshot(project / BUILD) == before
    resumed = invoke("run", "raw", "--workers", "1", "--no-validate", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "read 3 documents" in resumed.stdout


def test_a_read_only_output_folder_is_named_with_what_to_do(project: Path, monkeypatch):
    before = snapshot(project / BUILD)
    real_mkdir = os.mkdir
    dataset = (project / BUILD).parent

    def read_only(path, *args, **kwargs):  # the file system of the output is mounted read-only
        if Path(path).resolve().is_relative_to(dataset) and not os.path.exists(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    result = invoke("run", "raw", "--workers", "1", "--no-validate")
    assert result.exit_code == 2
    line = one_line_error(result)
    assert (
        f"cannot write {Path('dist', 'cleaner-corpus', '.progress-build', '_progress')}: Read-only file system" in line
    )
    assert "the file system is read-only: write the output elsewhere with --out" in line
    assert "the previous output is untouched" in line
    assert snapshot(project / BUILD) == before


def chmod_stops_writes(folder: Path) -> bool:
    """False for root (or any process allowed to override file permissions): chmod does not stop its writes."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "x").write_text("x", encoding="utf-8")
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False


def test_a_folder_without_write_permission(project: Path):
    if not chmod_stops_writes(project):
        pytest.skip("this process writes into a folder without write permission (root): see the simulations above")
    dataset = (project / BUILD).parent
    before = snapshot(project / BUILD)
    dataset.chmod(0o555)
    try:
        result = invoke("run", "raw", "--workers", "1", "--no-validate")
    finally:
        dataset.chmod(0o755)
    assert result.exit_code == 2
    line = one_line_error(result)
    assert f"cannot write {Path('dist', 'cleaner-corpus', '.progress-build')}: Permission denied" in line
    assert "make the folder writable for you" in line
    assert snapshot(project / BUILD) == before


def test_a_file_where_the_output_folder_should_be(tmp_path: Path, monkeypatch):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "raw", "--out", "notes.txt/dist", "--workers", "1", "--no-validate")
    assert result.exit_code == 2
    line = one_line_error(result)
    assert "cannot write notes.txt/dist" in line and "Not a directory" in line and "a file stands where" in line
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "not a folder"


def limited(megabytes: float):
    """A child process that may write no file larger than this (``ulimit -f``): writes beyond fail with EFBIG, as
    on a full disk, for the workers too, and also as root."""

    def limit() -> None:
        size = int(megabytes * (1 << 20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_a_write_that_fails_in_the_workers_or_while_publishing_ends_the_same_way(tmp_path: Path):
    import random
    import shutil

    shutil.copytree(SEEDS, tmp_path / "raw")
    words = random.Random(0).choices(ARTICLE.split(), k=20_000)  # a documents part far over 8 KB, compressed
    (tmp_path / "raw" / "big.txt").write_text(" ".join(words), encoding="utf-8")
    # The spine only: the language model is inflated into a temporary file larger than the limit.
    (tmp_path / "cleaner.toml").write_text('pipeline = ["whitespace", "length"]\n', encoding="utf-8")

    def cleaner(*args: str, megabytes: float | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cleaner", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=limited(megabytes) if megabytes else None,
        )

    first = cleaner("run", "raw", "--workers", "2", "--no-validate")
    assert first.returncode == 0, first.stderr
    before = snapshot(tmp_path / BUILD)
    failed = cleaner("run", "raw", "--workers", "2", "--no-validate", megabytes=0.008)
    assert failed.returncode == 2, failed.stderr
    line = one_line_error(failed)
    assert "File too large" in line and "ulimit -f" in line and "documents/part-0000" in line
    assert snapshot(tmp_path / BUILD) == before
    release = cleaner("publish", "--version", "1.0.0", "--allow-invalid", megabytes=0.008)
    assert release.returncode == 2, release.stderr
    assert "File too large" in one_line_error(release)
    assert not (tmp_path / "dist" / "cleaner-corpus" / "1.0.0").exists()
    assert not list((tmp_path / "dist" / "cleaner-corpus").glob(".tmp-*"))


def test_the_previous_output_is_put_back_when_the_new_one_cannot_be_renamed_into_place(tmp_path: Path, monkeypatch):
    destination, staging = tmp_path / "build", tmp_path / ".tmp-build-1"
    destination.mkdir()
    (destination / "old.txt").write_text("old", encoding="utf-8")
    staging.mkdir()
    (staging / "new.txt").write_text("new", encoding="utf-8")
    real_rename = os.rename

    def refuse_staging(src, dst):
        if Path(src) == staging:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(dst))
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", refuse_staging)
    with pytest.raises(OSError):
        publish_staging(staging, destination)
    assert (destination / "old.txt").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-build-1", "build"]


def test_only_the_machines_write_errors_become_output_errors():
    full = output_error(OSError(errno.ENOSPC, "Error writing bytes to file"), "dist/x")
    assert isinstance(full, OutputError)
    assert str(full) == (
        "cannot write dist/x: No space left on device; free some space on that disk, or write the output elsewhere"
        " with --out"
    )
    named = output_error(PermissionError(errno.EACCES, "Permission denied", "dist/x/build/run.json"), "dist/x")
    assert named is not None and named.path == "dist/x/build/run.json" and "writable" in named.advice
    assert output_error(FileNotFoundError(errno.ENOENT, "No such file or directory", "a"), "dist") is None
    assert output_error(OSError("no errno at all"), "dist") is None
    assert set(writer.WRITE_ADVICE) >= {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES}


@pytest.mark.parametrize("row_group_bytes", [1 << 20, 700])
def test_rows_added_column_by_column_write_the_same_file_as_rows_added_one_by_one(
    tmp_path: Path, monkeypatch, row_group_bytes: int
):
    """The audit and edits rows go in column-wise: the bytes, row groups included, are those of row-wise adds (at
    700 bytes a row group fills in the middle of a batch)."""
    from cleaner.schema import AUDIT_SCHEMA

    monkeypatch.setattr(writer, "ROW_GROUP_BYTES", row_group_bytes)
    batches = [
        [
            {
                "id": f"d{d}",
                "source": "s",
                "step": "boilerplate",
                "reason": "menu",
                "line_no": k,
                "text": "x" * (k * 7),
                "blank_after": k % 2 == 0,
            }
            for k in range(1, 2 + d % 5)
        ]
        for d in range(30)
    ]
    by_row = writer.PartWriter(tmp_path / "rows.parquet", AUDIT_SCHEMA)
    by_column = writer.PartWriter(tmp_path / "columns.parquet", AUDIT_SCHEMA)
    for rows in batches:
        for row in rows:
            by_row.add(row, len(row["text"]))
        by_column.add_columns(
            {name: [row[name] for row in rows] for name in AUDIT_SCHEMA.names}, [len(row["text"]) for row in rows]
        )
    assert by_row.close() == by_column.close() == sum(map(len, batches))
    assert (tmp_path / "rows.parquet").read_bytes() == (tmp_path / "columns.parquet").read_bytes()
    groups = pq.ParquetFile(tmp_path / "columns.parquet").metadata.num_row_groups
    assert (groups > 1) == (row_group_bytes == 700)


def test_scratch_parts_are_written_plain_with_the_same_rows(tmp_path: Path):
    """Dedup's signatures (read once, then removed) go without compression or dictionary; the output's parts keep
    zstd. Either way the rows read back the same."""
    import numpy as np
    import pyarrow as pa

    schema = pa.schema([("id", pa.string()), ("sample", pa.list_(pa.uint32()))])
    rows = [{"id": f"d{k}", "sample": np.arange(k, 3 * k, dtype=np.uint32)} for k in range(50)]
    written = {}
    for name, options in (("output", None), ("scratch", writer.SCRATCH_OPTIONS)):
        part = writer.PartWriter(tmp_path / f"{name}.parquet", schema, options)
        for row in rows:
            part.add(row)
        assert part.close() == len(rows)
        file = pq.ParquetFile(tmp_path / f"{name}.parquet")
        written[name] = file.read()
        column = file.metadata.row_group(0).column(1)
        assert column.compression == ("ZSTD" if options is None else "UNCOMPRESSED")
        assert (column.statistics is not None and column.statistics.has_min_max) == (options is None)
    assert written["output"].equals(written["scratch"])
    assert written["scratch"].column("sample").to_pylist()[3] == [3, 4, 5, 6, 7, 8]
