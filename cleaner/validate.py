"""Validation with Great Expectations: the promises a clean corpus makes, as reviewable JSON suites.

A suite ``NAME`` is up to three GX suite files in ``expectations/``, one per kind of batch:

- ``NAME.documents.json``: row-level expectations, run on the documents table in batches of parts of about
  :data:`BATCH_BYTES` (memory stays bounded, not growing with the corpus);
- ``NAME.keys.json``: dataset-wide expectations (uniqueness, shares), run once on a few key columns of all rows;
- ``NAME.accounting.json``: one row, ``read`` vs ``accounted`` (documents + rejects).

``{"$PARAMETER": "name"}`` in a suite is filled from the ``[validate]`` config section. GX runs in an ephemeral
context: no project folder, no database, no analytics; it writes only the Data Docs, beside the dataset.

Why GX runs in a process of its own, started when cleaning is over (issue 21). Checking the rows is cheap (~0.6 s
of one core for the 4,000-document bench build: reading, three checkpoint runs, Data Docs); starting GX is not:
``import great_expectations`` loads every expectation, every datasource model, scipy.stats and altair, ~2.3 s of
one core and ~240 MB. Where that start-up happens decides what validation costs a run:

- not in the driver: the cleaning and deduplication pools fork it, and each forked worker counts its memory again
  (a thread of the driver importing GX during cleaning added ~165 MB to the tree's peak, and took its 2.3 s of CPU
  from the two cleaning workers of a 2-core machine);
- not during cleaning, when the process tree peaks (driver and workers) and both cores are busy;
- so in a spawned process, started as soon as the cleaning pool is gone. Its start-up runs beside deduplication
  rather than after it, and only the checks wait for the final parts. (Started with the run, it would use the core
  left idle while the driver loads the steps, but ~160 MB would stay resident through cleaning.)
- scipy.stats and altair are loaded lazily there (:class:`_LazyModules`, Python's own ``importlib.util.LazyLoader``):
  GX imports them at start-up for expectations and charts the default suite does not use, and a suite that uses
  them gets them when first used. That is ~0.8 s and ~80 MB of the start-up; GX itself is imported whole, and used
  by its public API only;
- the process leaves with ``os._exit`` once its report is written and sent (tearing GX down took ~0.4 s), dies with
  its caller (``PR_SET_PDEATHSIG``), and has a session of its own so that Ctrl-C reaches only the driver, which
  stops it: no validator outlives a run that failed or was interrupted.

GX is imported in that process and nowhere else, so that the commands that do not validate do not pay for it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cleaner.config import Config

BATCHES = ("documents", "keys", "accounting")
BATCH_BYTES = 64 << 20  # Arrow bytes of one documents batch: few GX runs, memory bounded on any corpus
EXAMPLES = 5


class ValidationError(Exception):
    """The dataset or the suite cannot be validated at all (missing files, unknown suite)."""


@dataclass
class Outcome:
    """One expectation's verdict over all batches of its kind."""

    batch: str
    expectation: str
    column: str | None
    success: bool
    observed: Any = None
    unexpected: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class Report:
    dataset: str
    suite: str
    success: bool
    outcomes: list[Outcome]
    docs: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "suite": self.suite,
            "success": self.success,
            "docs": self.docs,
            "expectations": [asdict(o) for o in self.outcomes],
        }


@dataclass
class Dataset:
    """Where a dataset's tables are: a run's build folder, or a published release."""

    root: Path
    documents: list[Path]
    rejects: list[Path]
    read: int | None


def locate(path: Path) -> Dataset:
    """Find the documents (and rejects, and the count of records read) of a build folder or a release."""
    if (path / "documents").is_dir():
        run = json.loads((path / "run.json").read_text()) if (path / "run.json").is_file() else {}
        return Dataset(
            root=path,
            documents=sorted((path / "documents").glob("*.parquet")),
            rejects=sorted((path / "rejects").glob("*.parquet")),
            read=run.get("counts", {}).get("read"),
        )
    if (path / "data").is_dir():
        manifest = json.loads((path / "manifest.json").read_text()) if (path / "manifest.json").is_file() else {}
        return Dataset(
            root=path,
            documents=sorted((path / "data").glob("*.parquet")),
            rejects=[],
            read=manifest.get("counts", {}).get("read"),
        )
    raise ValidationError(f"{path} is neither a run output (documents/) nor a release (data/); point at one")


def load_suites(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    suites = {}
    for batch in BATCHES:
        path = folder / f"{name}.{batch}.json"
        if path.is_file():
            try:
                suites[batch] = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as err:
                raise ValidationError(f"{path}: not valid JSON ({err})") from err
    if not suites:
        available = sorted({p.name.split(".")[0] for p in folder.glob("*.json")})
        raise ValidationError(f"no suite '{name}' in {folder} (available: {', '.join(available) or 'none'})")
    return suites


def parameters(config: Config) -> dict[str, Any]:
    """The values of ``$PARAMETER`` placeholders."""
    v = config.validate
    return {
        "languages": sorted(v.languages) if v.languages else _all_languages(),
        "min_title_share": v.min_title_share,
        "min_words": v.min_words,
        "max_words": v.max_words or None,
    }


def _all_languages() -> list[str]:
    """py3langid's labels, from the model the language step loaded already (loading it again took 0.6 s)."""
    from cleaner.language_id import py3langid_model

    return sorted(set(py3langid_model().nb_classes) | {"und"})


class Validator:
    """A suite ready to run in a process of its own (see the module's docstring for why).

    :meth:`start` spawns the process, which imports GX and builds the suite's checkpoints while the caller goes
    on; :meth:`run` hands it a dataset and waits for the report (:meth:`submit` and :meth:`result`, when the caller
    has something to do meanwhile); :meth:`close` stops a process that was never given one (a run that stopped
    early). A missing folder or suite is refused at construction, so that a run stops before any cleaning."""

    def __init__(self, config: Config, suite: str | None = None, expectations: Path | None = None) -> None:
        self.suite = suite or config.validate.suite
        folder = expectations or (config.root / config.validate.expectations)
        if not folder.is_dir():
            raise ValidationError(
                f"no expectations folder {folder}: set `expectations` under [validate] in the config to the folder "
                "of suite files (this repository's expectations/ holds the default suite)"
            )
        self.suites = load_suites(folder, self.suite)
        self.config = config
        self._parameters: dict[str, Any] | None = None
        self._process: subprocess.Popen | None = None
        self._results: Any = None  # the read end of the pipe the process writes its answer to

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Spawn the validation process (at most one; :meth:`run` starts it when nobody did)."""
        if self._process is not None:
            return
        self.resolve_parameters()
        read, write = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _BOOT],
                stdin=subprocess.PIPE,
                pass_fds=(write,),
                env={**os.environ, "GX_ANALYTICS_ENABLED": "False", "TQDM_DISABLE": "1"},
                start_new_session=True,  # Ctrl-C goes to the driver, which stops this process itself
                text=True,
            )
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self._results = os.fdopen(read, encoding="utf-8")
        setup = {"sys_path": sys.path, "parent": os.getpid(), "results": write, "suites": self.suites}
        setup["suite"] = self.suite
        self._send(setup)

    def resolve_parameters(self) -> None:
        """Work out the values of the suite's ``$PARAMETER`` placeholders now (once): they may need the language
        model, which a run lets go of once cleaning is over (:func:`cleaner.jobs.forget_steps`)."""
        if self._parameters is None:
            self._parameters = parameters(self.config)

    def run(self, path: Path) -> Report:
        """Run the suite over the dataset at ``path``; results and Data Docs go to ``path/validation/``."""
        self.submit(path)
        return self.result()

    def submit(self, path: Path) -> None:
        """Hand the dataset at ``path`` to the process and return at once; :meth:`result` waits for the report."""
        path = path.resolve()
        locate(path)  # a path that holds no dataset is refused here, with its message
        self.start()
        self._send({"path": str(path), "params": self._parameters}, last=True)

    def result(self) -> Report:
        """The report of the dataset :meth:`submit` handed over, once the process has sent it (then it is gone)."""
        assert self._process is not None, "submit() a dataset first"
        try:
            answer = self._results.read()
            code = self._process.wait()
        finally:
            self.close()
        if not answer:
            raise RuntimeError(f"the validation process ended without a report (exit code {code}); see above")
        message = json.loads(answer)
        if message.get("error") == "ValidationError":
            raise ValidationError(message["message"])
        if "error" in message:
            raise RuntimeError(f"the validation process failed:\n{message['traceback']}")
        return _report(message["report"])

    def close(self) -> None:
        """Stop the process if it is still running, and wait for it: none outlives its run."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, self._results):
            with contextlib.suppress(OSError):  # a pipe the process left with data unread
                stream.close()

    def _send(self, message: dict[str, Any], last: bool = False) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
            if last:
                self._process.stdin.close()
        except BrokenPipeError:  # it died: its answer (or its absence) says why
            pass


def validate(path: Path, config: Config, suite: str | None = None, expectations: Path | None = None) -> Report:
    """Run the suite over the dataset at ``path``; results and Data Docs go to ``path/validation/``."""
    with Validator(config, suite, expectations) as validator:
        return validator.run(path)


def _report(data: dict[str, Any]) -> Report:
    outcomes = [Outcome(**outcome) for outcome in data["expectations"]]
    return Report(data["dataset"], data["suite"], data["success"], outcomes, data["docs"])


# The validation process: its sys.path is the caller's, so that it runs the very same cleaner.
_BOOT = (
    "import json, sys; setup = json.loads(sys.stdin.readline()); sys.path[:] = setup['sys_path']; "
    "from cleaner.validate import _serve; _serve(setup)"
)


def _serve(setup: dict[str, Any]) -> None:
    """The validation process: set GX up, wait for one dataset, send its report (or the error), leave at once."""
    answer = os.fdopen(setup["results"], "w", encoding="utf-8")
    try:
        _die_with(setup["parent"])
        sys.meta_path.insert(0, _LazyModules())
        context, checkpoints = _gx_context(setup["suites"])
        job = sys.stdin.readline()
        if not job:  # the run ended without validating
            os._exit(0)
        job = json.loads(job)
        report = _check(Path(job["path"]), setup["suite"], setup["suites"], context, checkpoints, job["params"])
        message: dict[str, Any] = {"report": report.to_dict()}
    except BaseException as err:  # sent to the caller, which raises it
        message = {"error": type(err).__name__, "message": str(err), "traceback": traceback.format_exc()}
    answer.write(json.dumps(message, default=str))
    answer.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # everything is written: skip the teardown of GX's modules


def _die_with(parent: int) -> None:
    """Be killed when the caller dies, even by SIGKILL (Linux), and not by Ctrl-C: the caller decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the caller's close() has to do
        pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


class _LazyModules(importlib.abc.MetaPathFinder):
    """Load scipy.stats and altair when first used rather than when GX imports them.

    GX imports both at start-up (~0.8 s and ~80 MB of its ~2.3 s and ~240 MB) for a few distribution expectations
    and for charts; the default suite uses neither. This finder only wraps their loader in ``LazyLoader``: the
    module object exists at once and runs on its first attribute access, so a suite that needs them still gets them."""

    LAZY = frozenset({"scipy.stats", "altair"})

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in self.LAZY:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def _check(
    path: Path, suite: str, suites: dict[str, Any], context: Any, checkpoints: dict[str, Any], params: dict[str, Any]
) -> Report:
    """Every batch of ``suites`` over the dataset at ``path``, with the Data Docs and ``result.json``."""
    import pyarrow.parquet as pq

    dataset = locate(path)
    out = path / "validation"
    out.mkdir(exist_ok=True)
    results: dict[str, list[Any]] = {batch: [] for batch in suites}
    if "documents" in suites:  # row-level: batches of bounded size
        columns = _columns(suites["documents"], dataset.documents)
        for frame in _frames(dataset.documents, columns, BATCH_BYTES):
            results["documents"].append(_run(checkpoints["documents"], frame, params))
    if "keys" in suites:  # dataset-wide: all rows in one batch
        columns = _columns(suites["keys"], dataset.documents)
        frames = list(_frames(dataset.documents, columns, None)) or [_empty(columns)]
        results["keys"].append(_run(checkpoints["keys"], frames[0], params))
    if "accounting" in suites:
        import pandas as pd

        documents = sum(pq.ParquetFile(p).metadata.num_rows for p in dataset.documents)
        rejected = sum(pq.ParquetFile(p).metadata.num_rows for p in dataset.rejects)
        if not dataset.rejects and (manifest := dataset.root / "manifest.json").is_file():
            rejected = json.loads(manifest.read_text()).get("counts", {}).get("rejected", 0)
        frame = pd.DataFrame({"read": [dataset.read], "accounted": [documents + rejected]})
        results["accounting"].append(_run(checkpoints["accounting"], frame, params))
    _build_docs(context, out / "docs")

    outcomes = [o for batch, runs in results.items() for o in _merge(batch, runs)]
    report = Report(
        dataset=str(path),
        suite=suite,
        success=all(o.success for o in outcomes),
        outcomes=outcomes,
        docs=str(out / "docs" / "index.html"),
    )
    text = json.dumps(report.to_dict(), indent=2, default=str) + "\n"
    (out / "result.json").write_text(text, encoding="utf-8")
    return report


def _columns(spec: dict[str, Any], parts: list[Path]) -> list[str] | None:
    """The columns a suite's expectations name, and ``id`` to name failing rows: nothing else is read (None: all).

    An expectation on the table as a whole (its columns, their count) sees every column, so a suite that has one
    reads them all; only the row count needs none."""
    import pyarrow.parquet as pq

    named = {"id"}
    for expectation in spec.get("expectations", []):
        kwargs = expectation.get("kwargs", {})
        columns = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
        columns += [c for c in kwargs.get("column_list") or [] if isinstance(c, str)]
        if not columns and not str(expectation.get("type", "")).startswith("expect_table_row_count"):
            return None
        named.update(columns)
    if not parts:
        return sorted(named)
    # a column the table lacks is left out, so that GX reports it missing, as it did when every column was read
    present = set(pq.ParquetFile(parts[0]).schema_arrow.names)
    return [c for c in sorted(named) if c in present]


def _frames(parts: list[Path], columns: list[str] | None, limit: int | None) -> Iterator[Any]:
    """The parts' ``columns`` as pandas frames of about ``limit`` Arrow bytes each (one frame if None).

    Every checkpoint run costs GX a fixed overhead (one run per part made validation a quarter of a run), so
    parts are gathered into as few frames as memory allows, each converted from Arrow to pandas once. A row-level
    expectation's verdict, counts and first failing rows are the same over the gathered parts as over each part
    (the first failing rows of each part, in part order); only ``mostly`` would weigh the parts together."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    group: list[Any] = []
    size = 0
    for i, part in enumerate(parts):
        table = pq.read_table(part, columns=columns)
        group.append(table)
        size += table.nbytes
        if i == len(parts) - 1 or (limit is not None and size >= limit):
            yield pa.concat_tables(group, promote_options="permissive").to_pandas(split_blocks=True, self_destruct=True)
            group, size = [], 0


def _empty(columns: list[str] | None) -> Any:
    import pandas as pd

    return pd.DataFrame(columns=columns or ["id"])


def _gx_context(suites: dict[str, dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    """An ephemeral GX context with one checkpoint per batch kind; the Data Docs are built by :func:`_build_docs`."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("cleaner")
    checkpoints = {}
    for batch, spec in suites.items():
        definition = source.add_dataframe_asset(batch).add_batch_definition_whole_dataframe(batch)
        suite = context.suites.add(
            gx.ExpectationSuite(name=spec.get("name", batch), expectations=spec["expectations"], meta=spec.get("meta"))
        )
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=batch, data=definition, suite=suite)
        )
        # SUMMARY, not COMPLETE: listing every failing row of a badly failing shard costs more than the check.
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
        if batch != "accounting":
            result_format["unexpected_index_column_names"] = ["id"]
        checkpoints[batch] = context.checkpoints.add(
            gx.Checkpoint(
                name=batch,
                validation_definitions=[validation],
                result_format=result_format,
            )
        )
    return context, checkpoints


def _build_docs(context: Any, docs: Path) -> None:
    """The Data Docs of every batch validated, written once at the end rather than after each checkpoint run."""
    context.add_data_docs_site(
        site_name="cleaner",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    context.build_data_docs(site_names=["cleaner"])
    context.delete_data_docs_site("cleaner")


def _run(checkpoint: Any, frame: Any, params: dict[str, Any]) -> list[Any]:
    result = checkpoint.run(batch_parameters={"dataframe": frame}, expectation_parameters=params)
    return [r for run in result.run_results.values() for r in run.results]


def _merge(batch: str, runs: list[list[Any]]) -> list[Outcome]:
    """One outcome per expectation: failed if it failed on any shard; counts summed, a few failing ids kept."""
    merged: dict[str, Outcome] = {}
    for results in runs:
        for r in results:
            config = r.expectation_config
            column = config.kwargs.get("column") or config.kwargs.get("column_A")
            key = f"{config.type} {json.dumps(config.kwargs, sort_keys=True, default=str)}"
            outcome = merged.setdefault(key, Outcome(batch=batch, expectation=config.type, column=column, success=True))
            info = r.result or {}
            outcome.success = outcome.success and bool(r.success)
            outcome.unexpected += int(info.get("unexpected_count") or 0)
            if "observed_value" in info:
                observed = info["observed_value"]
                outcome.observed = observed.item() if hasattr(observed, "item") else observed
            listed = info.get("partial_unexpected_index_list") or info.get("unexpected_index_list") or []
            for item in listed[: EXAMPLES - len(outcome.examples)]:
                outcome.examples.append(str(item.get("id") if isinstance(item, dict) else item))
            if r.exception_info and r.exception_info.get("raised_exception"):
                outcome.success = False
                outcome.observed = _short(r.exception_info.get("exception_message", "error"))
    return sorted(merged.values(), key=lambda o: (o.success, o.expectation, o.column or ""))


def _short(text: str) -> str:
    return re.sub(r"\s+", " ", str(text))[:200]
