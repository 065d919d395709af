"""Validation with Great Expectations: the promises a clean corpus makes, as reviewable JSON suites.

A suite ``NAME`` is up to three GX suite files in ``expectations/``, one per kind of batch:

- ``NAME.documents.json``: row-level expectations, run on the documents table in batches of parts of about
  :data:`BATCH_BYTES` (memory stays bounded, not growing with the corpus);
- ``NAME.keys.json``: dataset-wide expectations (uniqueness, shares), run once on a few key columns of all rows;
- ``NAME.accounting.json``: one row, ``read`` vs ``accounted`` (documents + rejects).

``{"$PARAMETER": "name"}`` in a suite is filled from the ``[validate]`` config section. GX runs in an ephemeral
context: no project folder, no database, no analytics; it writes only the Data Docs, beside the dataset. It is
imported here and nowhere else, so that commands that do not validate do not pay its start-up time.
"""

from __future__ import annotations

import json
import os
import re
import threading
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
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    labels = set(LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes)
    return sorted(labels | {"und"})


class Validator:
    """A suite ready to run: GX imported, its context and the suite's parameters built, possibly in the background
    while a run cleans.

    Importing Great Expectations and building its context take seconds of one core, most of what validating a
    run's output costs. A run hands them to :meth:`start` once cleaning has begun, and :meth:`wait` s for them before
    it forks again: a thread must not be mid-import across a fork (the child would inherit the import locks it
    holds). ``cleaner validate`` just calls :meth:`run`. A missing folder or suite is refused at construction, so
    that a run stops before any cleaning rather than after."""

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
        self._thread: threading.Thread | None = None
        self._built: _Built | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        """Build in a background thread; :meth:`wait` and :meth:`run` wait for it. Call it at most once."""
        if self._thread is None and self._built is None and self._error is None:
            self._thread = threading.Thread(target=self._build, name="cleaner-gx", daemon=True)
            self._thread.start()

    def wait(self) -> None:
        """Return once no background build is under way (before a fork, or when a run stops early)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _build(self) -> None:
        try:
            context, checkpoints = _gx_context(self.suites)
            self._built = _Built(context, checkpoints, parameters(self.config))
        except BaseException as err:  # re-raised by run(), in the caller's thread
            self._error = err

    def _ready(self) -> _Built:
        self.wait()
        if self._built is None and self._error is None:
            self._build()
        if self._error is not None:
            raise self._error
        assert self._built is not None
        return self._built

    def run(self, path: Path) -> Report:
        """Run the suite over the dataset at ``path``; results and Data Docs go to ``path/validation/``."""
        import pyarrow.parquet as pq

        path = path.resolve()
        dataset = locate(path)
        out = path / "validation"
        out.mkdir(exist_ok=True)
        built = self._ready()
        suites, checkpoints, params = self.suites, built.checkpoints, built.params

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
        _build_docs(built.context, out / "docs")

        outcomes = [o for batch, runs in results.items() for o in _merge(batch, runs)]
        report = Report(
            dataset=str(path),
            suite=self.suite,
            success=all(o.success for o in outcomes),
            outcomes=outcomes,
            docs=str(out / "docs" / "index.html"),
        )
        text = json.dumps(report.to_dict(), indent=2, default=str) + "\n"
        (out / "result.json").write_text(text, encoding="utf-8")
        return report


@dataclass
class _Built:
    context: Any
    checkpoints: dict[str, Any]
    params: dict[str, Any]


def validate(path: Path, config: Config, suite: str | None = None, expectations: Path | None = None) -> Report:
    """Run the suite over the dataset at ``path``; results and Data Docs go to ``path/validation/``."""
    return Validator(config, suite, expectations).run(path)


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
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TQDM_DISABLE", "1")
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
