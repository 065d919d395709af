"""The default suite: every expectation fails on a crafted bad dataset, naming the bad rows, and passes on the
seeds' clean output. (Slow-ish: Great Expectations takes seconds to import; each dataset is validated once.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cleaner import config as config_module
from cleaner.pipeline import Pipeline, build_steps
from cleaner.validate import ValidationError, Validator, validate
from tests.conftest import ROOT

GOOD = "The council approved the budget on Tuesday after a long debate."


def row(doc_id: str, text: str, **fields) -> dict:
    base = {
        "id": doc_id, "text": text, "source": f"{doc_id}.txt", "url": None, "domain": None, "title": "A title",
        "date": None, "author": None, "language": "en", "language_score": 1.0, "n_chars": len(text or ""),
        "n_words": len((text or "").split()), "n_lines": 1, "content_sha256": f"sha-{doc_id}",
        "duplicate_cluster": doc_id, "pii_count": 0, "extra": None,
    }  # fmt: skip
    base.update(fields)
    return base


@pytest.fixture(scope="module")
def config() -> config_module.Config:
    return config_module.load(ROOT / "cleaner.toml")


@pytest.fixture(scope="module")
def bad_report(tmp_path_factory, config):
    build = tmp_path_factory.mktemp("bad") / "build"
    schema = Pipeline(build_steps(config)).document_schema
    schema = pa.schema([f.with_nullable(True) for f in schema])  # let the crafted data break the promises
    rows = [
        row("ok1", GOOD),
        row("dup", GOOD + " One."),
        row("dup", GOOD + " Two."),
        row("nulltext", None, n_words=0),
        row("empty", "", n_words=0),
        row("lang", GOOD, language="xx"),
        row("leak", GOOD + "\nRead More »"),
        row("mojibake", "Zalmay Khalilzadâ€™s plea"),
        row("email", GOOD + " Write to jane.doe@example.org."),
        row("obfuscated", GOOD + " Email: usmangull36[at]gmail.com"),
        row("samehash1", GOOD, content_sha256="same"),
        row("samehash2", GOOD, content_sha256="same"),
        *[row(f"notitle{i}", GOOD, title=None) for i in range(1, 16)],
    ]
    for r in rows:
        r["stats"] = {name: 0 for name in schema.field("stats").type.names}
        for name in ("stopword_share", "terminal_punct_share", "duplicate_line_share", "mean_word_length",
                     "symbol_word_ratio", "alpha_word_share", "bullet_line_share"):  # fmt: skip
            r[name] = 0.5
    (build / "documents").mkdir(parents=True)
    half = len(rows) // 2  # two shards: failures are gathered across them
    pq.write_table(pa.Table.from_pylist(rows[:half], schema=schema), build / "documents" / "part-00000.parquet")
    pq.write_table(pa.Table.from_pylist(rows[half:], schema=schema), build / "documents" / "part-00001.parquet")
    (build / "run.json").write_text(json.dumps({"counts": {"read": len(rows) + 3}}))
    return validate(build, config)


def outcome(report, expectation: str, column: str | None, batch: str = "documents"):
    matches = [o for o in report.outcomes if o.expectation == expectation and o.column == column and o.batch == batch]
    assert matches, (expectation, column)
    return matches


def test_bad_dataset_fails(bad_report):
    assert not bad_report.success


def test_each_expectation_names_and_counts_the_bad_rows(bad_report):
    [not_null] = outcome(bad_report, "expect_column_values_to_not_be_null", "text")
    assert not not_null.success and (not_null.unexpected, not_null.examples) == (1, ["nulltext"])
    [lengths] = outcome(bad_report, "expect_column_value_lengths_to_be_between", "text")
    assert not lengths.success and (lengths.unexpected, lengths.examples) == (1, ["empty"])
    [words] = outcome(bad_report, "expect_column_values_to_be_between", "n_words")
    assert not words.success and (words.unexpected, sorted(words.examples)) == (2, ["empty", "nulltext"])
    [language] = outcome(bad_report, "expect_column_values_to_be_in_set", "language")
    assert (language.unexpected, language.examples) == (1, ["lang"])
    regexes = outcome(bad_report, "expect_column_values_to_not_match_regex", "text")
    failing = {(o.unexpected, tuple(sorted(o.examples))) for o in regexes if not o.success}
    assert failing == {(1, ("leak",)), (1, ("mojibake",)), (2, ("email", "obfuscated"))}


def test_dataset_wide_expectations(bad_report):
    hashes, ids = sorted(
        (o for o in bad_report.outcomes if o.expectation == "expect_column_values_to_be_unique"), key=lambda o: o.column
    )
    assert (hashes.column, hashes.success, hashes.unexpected) == ("content_sha256", False, 4)
    assert set(hashes.examples) == {"dup", "samehash1", "samehash2"}
    assert (ids.column, ids.success, ids.unexpected, ids.examples) == ("id", False, 2, ["dup", "dup"])
    [titles] = outcome(bad_report, "expect_column_proportion_of_non_null_values_to_be_between", "title", "keys")
    assert not titles.success and titles.observed < 0.5
    [accounting] = outcome(bad_report, "expect_column_pair_values_to_be_equal", "read", "accounting")
    assert not accounting.success


def test_results_and_data_docs_are_written(bad_report, config):
    build = Path(bad_report.dataset)
    written = (build / "validation" / "result.json").read_text()
    result = json.loads(written)
    assert result == bad_report.to_dict() and result["success"] is False
    validate(build, config)  # again: the same result, byte for byte
    assert (build / "validation" / "result.json").read_text() == written
    index = build / "validation" / "docs" / "index.html"
    assert index.is_file() and "default.documents" in index.read_text()


def test_seeds_pass_with_the_same_result_for_any_workers(tmp_path, config):
    from cleaner.runner import output_dir, run

    results = []
    for workers in (1, 2):
        summary = run(ROOT / "raw", tmp_path / str(workers), config, workers=workers, validate=True)
        assert summary.validation.success, [o for o in summary.validation.outcomes if not o.success]
        build = output_dir(tmp_path / str(workers), config)
        results.append((build / "validation" / "result.json").read_text().replace(str(build), "BUILD"))
    assert results[0] == results[1]


def test_unknown_suite_and_bad_path(tmp_path, config):
    with pytest.raises(ValidationError, match="neither a run output"):
        validate(tmp_path, config)
    (tmp_path / "documents").mkdir()
    with pytest.raises(ValidationError, match="no suite 'nope'"):
        validate(tmp_path, config, suite="nope")
    with pytest.raises(ValidationError, match=r"no expectations folder .* under \[validate\] in the config"):
        validate(tmp_path, config, expectations=tmp_path / "missing")


def test_cli_exit_code_and_help_is_fast(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cleaner", "validate", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 2 and "neither a run output" in result.stderr
    modules = subprocess.run(
        [sys.executable, "-c", "import sys, cleaner.cli; print(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for heavy in ("great_expectations", "datasets", "langdetect", "pyarrow", "trafilatura", "pandas"):
        assert heavy not in modules, heavy


def test_a_process_started_early_gives_the_same_report_and_leaves_none_behind(bad_report, config):
    """Started before the dataset is final (as a run does before deduplicating), the validation process reaches the
    verdict validate() does, then is gone."""
    validator = Validator(config)
    validator.start()
    pid = validator._process.pid
    report = validator.run(Path(bad_report.dataset))
    assert [asdict(o) for o in report.outcomes] == [asdict(o) for o in bad_report.outcomes]
    assert not _alive(pid)


def test_a_validator_never_given_a_dataset_is_stopped(config):
    validator = Validator(config)
    validator.start()
    pid = validator._process.pid
    validator.close()
    assert not _alive(pid)


def test_the_validation_process_dies_with_its_caller(tmp_path):
    """Even when the caller is killed outright (no cleanup runs), its validation process does not linger."""
    script = (
        "import time; from pathlib import Path; from cleaner import config; from cleaner.validate import Validator; "
        f"v = Validator(config.load(Path({str(ROOT / 'cleaner.toml')!r}))); v.start(); "
        "print(v._process.pid, flush=True); time.sleep(60)"
    )
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    pid = int(caller.stdout.readline())
    caller.kill()
    caller.wait()
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid)


def test_an_error_in_the_validation_process_reaches_the_caller(bad_report, tmp_path, config):
    build = tmp_path / "build"
    shutil.copytree(Path(bad_report.dataset), build)
    (build / "documents" / "part-00002.parquet").write_bytes(b"not parquet")
    with pytest.raises(RuntimeError, match=r"(?s)Traceback.*part-00002\.parquet"):
        validate(build, config)


def test_lazily_loaded_libraries_load_when_a_suite_uses_them(bad_report, tmp_path, config):
    """scipy.stats is loaded only when used: a divergence expectation still gets it (and its chart, altair)."""
    suite = {"name": "kl.documents", "expectations": [{
        "type": "expect_column_kl_divergence_to_be_less_than",
        "kwargs": {"column": "n_words", "partition_object": {"bins": [0, 5, 100], "weights": [0.5, 0.5]},
                   "threshold": 0.1},
    }]}  # fmt: skip
    (tmp_path / "kl.documents.json").write_text(json.dumps(suite))
    report = validate(Path(bad_report.dataset), config, suite="kl", expectations=tmp_path)
    [divergence] = report.outcomes
    assert not divergence.success and divergence.observed > 0.1  # 3 of 27 rows in the first bin, not a half


def test_a_run_stopped_while_deduplicating_leaves_no_validation_process(tmp_path, config, monkeypatch):
    """The run starts its validation process when cleaning is over; Ctrl-C during deduplication stops it too."""
    import cleaner.runner as runner

    started: list[int] = []
    start = Validator.start

    def recorded_start(self: Validator) -> None:
        start(self)
        started.append(self._process.pid)

    def interrupted(*args, **kwargs):
        assert started and _alive(started[0])  # up while the run deduplicates
        raise KeyboardInterrupt

    monkeypatch.setattr(Validator, "start", recorded_start)
    monkeypatch.setattr(runner, "deduplicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.run(ROOT / "raw", tmp_path, config, workers=1, validate=True)
    assert len(started) == 1 and not _alive(started[0])


def _alive(pid: int) -> bool:
    """Whether ``pid`` is still a process (reaped children are not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_run_refuses_a_missing_suite_before_cleaning(tmp_path, config):
    from cleaner.runner import RunError, output_dir, run

    broken = config_module.load(ROOT / "cleaner.toml")
    broken.validate.suite = "nope"
    with pytest.raises(RunError, match="no suite 'nope'"):
        run(ROOT / "raw", tmp_path, broken, workers=1, validate=True)
    assert not output_dir(tmp_path, broken).exists()
