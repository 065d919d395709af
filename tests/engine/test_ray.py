"""The Ray engine on a real Ray instance of this machine (2 CPUs): same bytes as the local engine."""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.engine import EngineError, TaskLost, start_engine
from cleaner.runner import output_dir, run
from tests.conftest import parquet_bytes, varied_corpus

ray = pytest.importorskip("ray", reason='the ray engine tests need Ray: pip install -e ".[test]"')


@pytest.fixture(scope="module")
def cluster():
    """One Ray instance for the module: starting one takes seconds."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _double(x: int) -> int:
    return 2 * x


def _die_once(flags: str, x: int) -> int:
    """Kill the worker process running it the first time it sees ``x`` (as an OOM kill or a lost node would)."""
    flag = Path(flags) / str(x)
    if x % 2 and not flag.exists():
        flag.write_text("died")
        os._exit(1)
    return 10 * x


def _always_die(x: int) -> int:
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def _fail(x: int) -> int:
    raise ValueError(f"bad item {x}")


def test_results_come_back_in_order(cluster):
    engine = start_engine("ray", workers=2)
    assert engine.workers == 2
    assert list(engine.map_ordered(_double, iter(range(20)))) == [2 * x for x in range(20)]
    engine.close()
    assert ray.is_initialized()  # the engine joined a running instance: it is not the engine's to stop


def test_a_task_whose_worker_dies_is_retried(cluster, tmp_path: Path):
    engine = start_engine("ray", workers=2)
    assert list(engine.map_ordered(functools.partial(_die_once, str(tmp_path)), range(6))) == [0, 10, 20, 30, 40, 50]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1", "3", "5"]  # each odd item's first worker died


def test_a_task_whose_worker_dies_on_every_retry_is_lost_with_a_message(cluster):
    engine = start_engine("ray", workers=2)
    with pytest.raises(TaskLost, match=r"^item 3 was lost on the Ray cluster, on all 4 attempts \(.*--resume"):
        list(engine.map_ordered(_always_die, range(6)))  # not a hang, and not Ray's own error (a bug, to the CLI)


def test_an_error_in_a_job_is_raised_as_itself(cluster):
    engine = start_engine("ray", workers=2)
    with pytest.raises(ValueError, match="bad item 0"):
        list(engine.map_ordered(_fail, range(3)))


def test_unknown_engine_is_refused():
    with pytest.raises(EngineError, match="choose one of local, ray"):
        start_engine("spark")


def test_ray_and_local_give_the_same_bytes(cluster, tmp_path: Path, defaults):
    raw = varied_corpus(tmp_path)
    builds = {}
    for engine, workers in (("local", 1), ("local", 2), ("ray", 2)):
        out = tmp_path / f"{engine}-{workers}"
        summary = run(raw, out, defaults, workers=workers, engine=engine)
        assert summary.engine == engine
        assert summary.rejected["dedup.exact_duplicate"] + summary.rejected["dedup.near_duplicate"] > 0
        builds[(engine, workers)] = parquet_bytes(output_dir(out, defaults))
    assert builds[("ray", 2)] == builds[("local", 1)] == builds[("local", 2)]


def test_engine_comes_from_the_config(cluster, tmp_path: Path, seeds: Path):
    config = config_module.parse({"run": {"engine": "ray"}})
    assert run(seeds, tmp_path / "out", config).engine == "ray"
    with pytest.raises(config_module.ConfigError, match=r"run\.engine must be"):
        config_module.parse({"run": {"engine": "dask"}})


def test_a_run_interrupted_on_one_engine_resumes_on_the_other(cluster, tmp_path: Path, defaults):
    from tests.test_progress import Crash, crash_after

    raw = varied_corpus(tmp_path)
    run(raw, tmp_path / "whole", defaults, workers=2, engine="ray")
    with pytest.raises(Crash):
        run(raw, tmp_path / "out", defaults, workers=1, on_progress=crash_after(6))
    summary = run(raw, tmp_path / "out", defaults, workers=2, engine="ray", resume=True)
    assert summary.resume_note.startswith("resuming: ")
    whole, resumed = (parquet_bytes(output_dir(tmp_path / name, defaults)) for name in ("whole", "out"))
    assert resumed == whole
