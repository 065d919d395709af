"""Validation with Great Expectations: the promises a clean corpus makes, as reviewable JSON suites.

A suite ``NAME`` is up to three GX suite files in ``expectations/``, one per kind of batch:

- ``NAME.documents.json``: row-level expectations, run on the documents table in batches of parts of about
  :data:`BATCH_BYTES` (memory stays bounded, not growing with the corpus);
- ``NAME.keys.json``: dataset-wide expectations (uniqueness, shares), run once on a few key columns of all rows;
- ``NAME.accounting.json``: one row, ``read`` vs ``accounted`` (documents + rejects).

``{"$PARAMETER": "name"}`` in a suite is filled from the ``[validate]`` config section. GX runs in an ephemeral
context: no project folder, no database, no analytics; it writes only the Data Docs, beside the dataset.

GX runs in a process of its own, started when cleaning is over, and is imported there and nowhere else
(:mod:`cleaner.validation_process` says why): this module is the caller's side, the suites and the report.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not imported at run time: the validation process imports this module, and needs no config
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
    "from cleaner.validation_process import serve; serve(setup)"
)
