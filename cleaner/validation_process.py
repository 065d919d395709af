"""The validation process: Great Expectations set up once, one dataset's batches checked, its report sent back.

:class:`cleaner.validate.Validator` spawns ``python -c`` that calls :func:`serve` here; this module holds everything
that runs on that side (GX's context and checkpoints, the batches read from Parquet, the outcomes merged), so that
neither the driver nor any command that does not validate imports GX.

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
- scipy.stats and altair are loaded lazily there (:class:`LazyModules`, Python's own ``importlib.util.LazyLoader``):
  GX imports them at start-up for expectations and charts the default suite does not use, and a suite that uses
  them gets them when first used. That is ~0.8 s and ~80 MB of the start-up; GX itself is imported whole, and used
  by its public API only;
- the process leaves with ``os._exit`` once its report is written and sent (tearing GX down took ~0.4 s), dies with
  its caller (``PR_SET_PDEATHSIG``), and has a session of its own so that Ctrl-C reaches only the driver, which
  stops it: no validator outlives a run that failed or was interrupted.

GX is imported in that process and nowhere else, so that the commands that do not validate do not pay for it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import re
import signal
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.validate import BATCH_BYTES, EXAMPLES, Outcome, Report, locate


def serve(setup: dict[str, Any]) -> None:
    """The validation process: set GX up, wait for one dataset, send its report (or the error), leave at once."""
    answer = os.fdopen(setup["results"], "w", encoding="utf-8")
    try:
        _die_with(setup["parent"])
        sys.meta_path.insert(0, LazyModules())
        context, checkpoints = _gx_context(setup["suites"])
        job = sys.stdin.readline()
        if not job:  # the run ended without validating
            os._exit(0)
        job = json.loads(job)
        report = check(Path(job["path"]), setup["suite"], setup["suites"], context, checkpoints, job["params"])
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


class LazyModules(importlib.abc.MetaPathFinder):
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


def check(
    path: Path, suite: str, suites: dict[str, Any], context: Any, checkpoints: dict[str, Any], params: dict[str, Any]
) -> Report:
    """Every batch of ``suites`` over the dataset at ``path``, with the Data Docs and ``result.json``."""
    import pyarrow.parquet as pq

    dataset = locate(path)
    out = path / "validation"
    out.mkdir(exist_ok=True)
    results: dict[str, list[Any]] = {batch: [] for batch in suites}
    if "documents" in suites:  # row-level: batches of bounded size
        columns = read_columns(suites["documents"], dataset.documents)
        for frame in _frames(dataset.documents, columns, BATCH_BYTES):
            results["documents"].append(_run(checkpoints["documents"], frame, params))
    if "keys" in suites:  # dataset-wide: all rows in one batch
        columns = read_columns(suites["keys"], dataset.documents)
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


def read_columns(spec: dict[str, Any], parts: list[Path]) -> list[str] | None:
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
