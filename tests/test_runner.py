from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner import config as config_module
from cleaner.readers import discover
from cleaner.runner import PHASES, RunError, output_dir, run
from cleaner.tasks import plan_tasks
from tests.conftest import ARTICLE, ARTICLE_DE, PAGE_HTML, read_table


def make_mixed_corpus(root: Path) -> Path:
    """A folder with every input kind, good and bad."""
    raw = root / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "sub" / "b.md").write_text(ARTICLE_DE, encoding="utf-8")
    (raw / "sub" / "c.html").write_text(PAGE_HTML, encoding="utf-8")
    (raw / "d.jsonl.gz").write_bytes(
        gzip.compress(
            "\n".join([json.dumps({"text": ARTICLE, "id": 1}), "{oops", json.dumps({"text": "too short"})]).encode()
        )
    )
    (raw / "e.txt").write_bytes(b"")
    (raw / "f.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (raw / "g.txt").write_bytes((ARTICLE + " Größe und Maße.").encode("latin-1"))
    return raw


def test_every_record_is_accounted_for(tmp_path: Path, spine):
    raw = make_mixed_corpus(tmp_path)
    summary = run(raw, tmp_path / "out", spine, workers=1)
    build = output_dir(tmp_path / "out", spine)
    documents = read_table(build / "documents")
    rejects = read_table(build / "rejects")
    assert summary.read == 9 == len(documents) + len(rejects)
    assert sorted(d["source"] for d in documents) == [
        "a.txt",
        "d.jsonl.gz#0",
        "g.txt",
        "sub/b.md",
        "sub/c.html",
    ]
    assert {r["source"]: r["reason"] for r in rejects} == {
        "d.jsonl.gz#1": "read.bad_json",
        "d.jsonl.gz#2": "length.too_short",
        "e.txt": "read.empty",
        "f.txt": "read.binary",
    }
    short = next(r for r in rejects if r["reason"] == "length.too_short")
    assert short["text"] == "too short"  # the original is kept so it can be reprocessed
    report = json.loads((build / "run.json").read_text())
    assert report["counts"]["read"] == 9
    assert report["counts"]["kept"] == 5
    assert report["counts"]["rejected_by_reason"]["read.binary"] == 1
    assert report["config_fingerprint"] == spine.fingerprint()
    assert len(report["input"]["fingerprint"]) == 64


def test_the_words_kept_are_those_of_the_published_documents(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a", "b", "c"):  # three copies: deduplication keeps one
        (raw / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "d.txt").write_text(ARTICLE_DE, encoding="utf-8")
    config = config_module.parse({"pipeline": ["whitespace", "length", "dedup"]})
    summary = run(raw, tmp_path / "out", config, workers=1)
    documents = read_table(output_dir(tmp_path / "out", config) / "documents")
    assert summary.rejected["dedup.exact_duplicate"] == 2
    assert summary.words_kept == sum(d["n_words"] for d in documents)
    report = json.loads((output_dir(tmp_path / "out", config) / "run.json").read_text())
    assert report["counts"]["words_kept"] == summary.words_kept


def test_document_columns(tmp_path: Path):
    raw = make_mixed_corpus(tmp_path)
    config = config_module.parse({"pipeline": ["whitespace", "boilerplate", "length"]})
    run(raw, tmp_path / "out", config, workers=1)
    rows = {d["source"]: d for d in read_table(output_dir(tmp_path / "out", config) / "documents")}
    page = rows["sub/c.html"]
    assert page["author"] == "Jane Reporter"
    assert str(page["date"]) == "2024-03-05"
    assert page["n_words"] == len(page["text"].split())
    assert len(page["content_sha256"]) == 64
    assert json.loads(rows["d.jsonl.gz#0"]["extra"]) == {"id": 1}
    assert json.loads(rows["g.txt"]["extra"])["encoding"] != "utf-8"
    assert {"whitespace_odd_spaces", "whitespace_blank_lines", "boilerplate_lines_removed"} <= set(
        rows["a.txt"]["stats"]
    )
    assert json.loads(page["extra"])["format"] == "html"


@pytest.mark.parametrize("steps", [[], ["language", "length"]])
def test_a_pipeline_without_counters_writes_no_stats_column(tmp_path: Path, steps: list[str]):
    raw = make_mixed_corpus(tmp_path)
    config = config_module.parse({"pipeline": steps})
    summary = run(raw, tmp_path / "out", config, workers=1)
    documents = pq.read_table(output_dir(tmp_path / "out", config) / "documents")
    assert "stats" not in documents.column_names
    assert documents.num_rows == summary.kept > 0


def test_ids_are_stable_across_text_changes(tmp_path: Path):
    defaults = config_module.parse({"pipeline": ["whitespace", "length"]})
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    run(raw, tmp_path / "out", defaults, workers=1)
    before = read_table(output_dir(tmp_path / "out", defaults) / "documents")[0]
    (raw / "a.txt").write_text(ARTICLE + "\n\nA correction was appended to this article.", encoding="utf-8")
    run(raw, tmp_path / "out", defaults, workers=1)
    after = read_table(output_dir(tmp_path / "out", defaults) / "documents")[0]
    assert before["id"] == after["id"] and before["content_sha256"] != after["content_sha256"]


def test_an_output_folder_inside_the_input_folder_is_not_read_again(tmp_path: Path, spine):
    """``cleaner run .`` writes dist/ inside the folder it reads: the next run must not take the last run's tables
    (or its run.json) for input."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE_DE, encoding="utf-8")
    for _ in range(2):
        summary = run(tmp_path, tmp_path / "dist", spine, workers=1)
        assert (summary.read, summary.kept, summary.skipped_output) == (2, 2, "dist")
    beside = run(tmp_path, tmp_path, spine, workers=1)  # --out is the input folder: the dataset's folder is skipped
    assert beside.skipped_output == spine.dataset.name
    assert beside.files == 2 + sum(1 for p in (tmp_path / "dist").rglob("*") if p.is_file())  # dist/ is input now
    elsewhere = run(tmp_path / "dist", tmp_path / "other", spine, workers=1)  # no output inside: nothing skipped
    assert elsewhere.skipped_output == "" and elsewhere.read > 0


def test_output_is_byte_identical_for_any_worker_count(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(60):
        body = (ARTICLE if i % 2 else ARTICLE_DE) + f"\n\nUpdate number {i}: " + "more words here " * (i % 7)
        (raw / f"doc-{i:03d}.txt").write_text(body, encoding="utf-8")
    config = config_module.parse({"run": {"task_files": 7}})
    outputs = []
    for workers in (1, 2, 3):
        out = tmp_path / f"out{workers}"
        run(raw, out, config, workers=workers)
        build = output_dir(out, config)
        outputs.append({p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*.parquet"))})
    plan, _ = plan_tasks(discover(raw)[0], int(config.run.task_mb * 2**20), config.run.task_files)
    assert len([name for name in outputs[0] if name.startswith("documents/")]) == len(plan) > 1
    assert outputs[0] == outputs[1] == outputs[2]


def test_one_large_file_is_cleaned_by_every_worker(tmp_path: Path, monkeypatch):
    """A corpus of one big JSON Lines shard must not leave all cores but one idle: its records are handed out in
    slices, and the output is the same for any worker count."""
    import cleaner.pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    records = [json.dumps({"id": i, "text": f"{ARTICLE}\n\nUpdate {i}."}) for i in range(300)]
    records[17] = "{not json"
    (raw / "shard.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    pids = tmp_path / "pids"
    original = cleaner.pipeline.run_task

    def run_task(*args):
        with open(pids, "a") as log:
            log.write(f"{os.getpid()}\n")
        return original(*args)

    monkeypatch.setattr(cleaner.pipeline, "run_task", run_task)
    monkeypatch.setattr("cleaner.jobs.run_task", run_task)
    spine = config_module.parse({"pipeline": ["whitespace", "length"]})
    outputs = []
    for workers in (1, 2):
        pids.write_text("")
        out = tmp_path / f"out{workers}"
        summary = run(raw, out, spine, workers=workers)
        assert (summary.read, summary.kept, summary.files) == (300, 299, 1)
        assert summary.rejected == {"read.bad_json": 1}
        assert summary.bytes_in == (raw / "shard.jsonl").stat().st_size
        build = output_dir(out, spine)
        outputs.append({p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*.parquet"))})
        assert len(set(pids.read_text().split())) == workers
    assert len([name for name in outputs[0] if name.startswith("documents/")]) > 1
    assert outputs[0] == outputs[1]
    sources = [row["source"] for row in read_table(output_dir(tmp_path / "out2", spine) / "documents")]
    assert sources == [f"shard.jsonl#{i}" for i in range(300) if i != 17]  # in file order


def test_a_large_warc_is_sliced_and_its_pages_extracted_in_the_workers(tmp_path: Path):
    from tests.readers.test_readers import write_warc

    raw = tmp_path / "raw"
    raw.mkdir()
    page = PAGE_HTML.replace("on Tuesday", "on day {}")
    write_warc(
        raw / "crawl.warc.gz", [(f"https://a.example/{i}", "text/html", page.format(i).encode()) for i in range(8)]
    )
    config = config_module.parse({"pipeline": ["whitespace", "length"], "run": {"task_mb": 0.002}})
    summary = run(raw, tmp_path / "out", config, workers=2)
    assert (summary.read, summary.kept, summary.files) == (8, 8, 1)
    rows = read_table(output_dir(tmp_path / "out", config) / "documents")
    assert [row["source"] for row in rows] == [f"crawl.warc.gz#{i}" for i in range(8)]
    assert all(f"on day {i}" in row["text"] and row["url"] == f"https://a.example/{i}" for i, row in enumerate(rows))
    assert len(list((output_dir(tmp_path / "out", config) / "documents").glob("*.parquet"))) > 1


def test_each_stage_of_a_run_is_announced_in_order(tmp_path: Path, defaults, spine):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(3):
        (raw / f"doc-{i}.txt").write_text(ARTICLE + f"\n\nNote {i}.", encoding="utf-8")
    heard: list[str] = []
    run(raw, tmp_path / "out", defaults, workers=1, on_phase=heard.append)
    assert heard == ["loading the steps", "surveying recurring lines", "cleaning", "deduplicating"]
    assert heard == [phase for phase in PHASES if phase in heard]  # the documented order
    heard.clear()
    run(raw, tmp_path / "out", spine, workers=1, on_phase=heard.append)  # no survey, no dedup: not announced
    assert heard == ["loading the steps", "cleaning"]


def test_steps_prepare_once_in_the_main_process_before_the_workers(tmp_path: Path, monkeypatch):
    from cleaner.steps.boilerplate import Boilerplate

    calls: list[int] = []
    original = Boilerplate.prepare

    def prepare(self) -> None:
        calls.append(os.getpid())
        original(self)

    monkeypatch.setattr(Boilerplate, "prepare", prepare)
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(8):
        (raw / f"doc-{i}.txt").write_text(ARTICLE + f"\n\nNote {i}.", encoding="utf-8")
    config = config_module.parse({"pipeline": ["whitespace", "boilerplate"]})
    summary = run(raw, tmp_path / "out", config, workers=2)
    assert summary.kept == 8
    assert calls == [os.getpid()]  # once, here; the forked workers inherit what it loaded


def test_missing_and_empty_input_folder(tmp_path: Path, defaults):
    with pytest.raises(RunError, match="does not exist"):
        run(tmp_path / "nope", tmp_path / "out", defaults)
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunError, match="no input files"):
        run(tmp_path / "empty", tmp_path / "out", defaults)
    assert not (tmp_path / "out").exists()


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_cli_on_the_seeds(seeds: Path, tmp_path: Path):
    result = cli("run", str(seeds), "--out", str(tmp_path / "dist"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "read 5 documents" in result.stdout
    assert "kept 5 documents" in result.stdout
    build = tmp_path / "dist" / "cleaner-corpus" / "build"
    assert len(read_table(build / "documents")) == 5
    assert (build / "run.json").is_file()


def test_cli_exit_codes(tmp_path: Path):
    missing = cli("run", str(tmp_path / "missing"), cwd=tmp_path)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "cleaner.toml").write_text("[steps.length]\nminwords = 3\n", encoding="utf-8")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    bad_config = cli("run", "raw", cwd=tmp_path)
    assert bad_config.returncode == 2
    assert "'steps.length.minwords'" in bad_config.stderr and "Traceback" not in bad_config.stderr
    (tmp_path / "cleaner.toml").write_text('[steps.pii]\naction = "mask"\n', encoding="utf-8")
    bad_value = cli("run", "raw", cwd=tmp_path)
    assert bad_value.returncode == 2
    assert "steps.pii.action must be" in bad_value.stderr and "Traceback" not in bad_value.stderr
    (tmp_path / "old_model.json").write_text(json.dumps({"features": ["log_words"]}), encoding="utf-8")
    (tmp_path / "cleaner.toml").write_text('[steps.boilerplate]\nmodel_file = "old_model.json"\n', encoding="utf-8")
    bad_model = cli("run", "raw", cwd=tmp_path)
    assert bad_model.returncode == 2
    assert "step boilerplate cannot start" in bad_model.stderr and "retrain" in bad_model.stderr
    assert "Traceback" not in bad_model.stderr
    (tmp_path / "cleaner.toml").unlink()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.bin").write_bytes(b"\x00\x01")
    (tmp_path / "junk" / "y.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    unreadable = cli("run", "junk", cwd=tmp_path)
    assert unreadable.returncode == 1
    assert "nothing in junk could be read" in unreadable.stderr
    assert "y.txt: binary content" in unreadable.stdout
    ok = cli("run", "raw", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_an_unexpected_error_is_reported_as_a_bug_with_its_traceback(monkeypatch, capsys):
    from cleaner import cli as cli_module

    def broken() -> None:
        raise RuntimeError("a step's data file lost a field")

    monkeypatch.setattr(cli_module, "app", broken)
    with pytest.raises(SystemExit) as stopped:
        cli_module.main()
    assert stopped.value.code == 3
    stderr = capsys.readouterr().err
    assert "Traceback" in stderr and "lost a field" in stderr and "a bug in cleaner" in stderr


def test_writing_rows_does_not_import_pandas_and_pandas_still_works_after():
    """The run tells pyarrow that pandas is absent while it primes the conversion of Python lists (0.3 s saved
    in every run; the writer always gives the schema, so pyarrow has no type to infer); validation, which needs
    pandas, must still get it."""
    script = (
        "import sys, pyarrow as pa\n"
        "from cleaner.writer import prime_pyarrow\n"
        "prime_pyarrow()\n"
        "pa.Table.from_pydict({'text': ['a', 'b']}, schema=pa.schema([('text', pa.string())]))\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
        "assert pa.table({'n': [1, 2]}).to_pandas()['n'].sum() == 3\n"
        "assert 'pandas' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def big_corpus(root: Path, files: int = 400) -> Path:
    raw = root / "big"
    raw.mkdir()
    for i in range(files):
        (raw / f"page-{i:04d}.html").write_text(PAGE_HTML.replace("Tuesday", f"day {i}"), encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def finished_small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a small corpus and the finished release of it, made once: each test copies it."""
    root = tmp_path_factory.mktemp("finished")
    (root / "small").mkdir()
    (root / "small" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert cli("run", "small", "--out", "out", cwd=root).returncode == 0
    return root


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_leaves_previous_output_untouched(
    finished_small_run: Path, tmp_path: Path, sig: signal.Signals
):
    shutil.copytree(finished_small_run, tmp_path, dirs_exist_ok=True)
    build = tmp_path / "out" / "cleaner-corpus" / "build"
    assert list(build.rglob("*.parquet"))
    before = {p: p.read_bytes() for p in build.rglob("*.parquet")}

    big_corpus(tmp_path)
    # One file per task: 400 tasks, so that the run is far from done when its first part appears (with 40 tasks
    # a loaded machine sometimes let it finish before the signal was sent)
    (tmp_path / "cleaner.toml").write_text("[run]\ntask_files = 1\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "run", "big", "--out", "out", "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out" / "cleaner-corpus").glob(".progress-build/documents/*.parquet")):
        assert time.monotonic() < deadline and process.poll() is None, "the run never started writing"
        time.sleep(0.02)
    os.kill(process.pid, sig)
    code = process.wait(timeout=60)
    assert code != 0
    assert {p: p.read_bytes() for p in build.rglob("*.parquet")} == before
    # what the interrupted run finished stays in its hidden progress folder, for `--resume`; a run without
    # --resume starts clean and leaves nothing behind
    leftovers = [p.name for p in (tmp_path / "out" / "cleaner-corpus").iterdir() if p.name != "build"]
    assert leftovers == [".progress-build"]
    assert cli("run", "small", "--out", "out", cwd=tmp_path).returncode == 0
    leftovers = [p.name for p in (tmp_path / "out" / "cleaner-corpus").iterdir() if p.name != "build"]
    assert leftovers == []
