"""The run's configuration: TOML in, typed dataclasses out.

Looked up in ``--config FILE``, else ``cleaner.toml`` in the working folder, else ``[tool.cleaner]`` in its
``pyproject.toml``, else the defaults. Every key is checked: a misspelt key is an error that names it, because a
silently ignored threshold is worse than a failed run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cleaner.readers.limits import MAX_DOCUMENT_BYTES, MAX_FILE_BYTES, Limits


class ConfigError(Exception):
    """A configuration problem, explained in one line."""


@dataclass
class DatasetConfig:
    """What the published dataset is called and under which terms."""

    name: str = "cleaner-corpus"
    version: str = "0.1.0"
    license: str = "other"
    description: str = ""


@dataclass
class RunConfig:
    """How the run is executed, and what one input may cost.

    Only the limits change the output (an input over one is rejected): they are part of the config's fingerprint
    (:data:`OUTPUT_KEYS`); the rest is execution only."""

    OUTPUT_KEYS: ClassVar[tuple[str, ...]] = ("max_document_bytes", "max_file_bytes")

    workers: int = 0  # 0: one per core
    # Input is cut into tasks of about this size; each task becomes one Parquet part per table. The cut depends
    # only on the input, never on the worker count, which is what makes output identical for any --workers. A
    # worker holds a part's rows until the task ends, so the size bounds its memory: at 40,000 documents, 16 MB
    # tasks peaked at 963 MB (PSS, whole run) and 4 MB tasks at 879 MB, for the same CPU within noise.
    task_mb: float = 4.0
    task_files: int = 4096
    # Where the tasks run: "local" (this machine's cores) or "ray" (a Ray cluster; pip install "cleaner[ray]").
    engine: str = "local"
    # The largest document (a text or HTML file, a JSON record, a WARC page, a Parquet value), in bytes once
    # decompressed; a larger one is rejected (read.too_large), never truncated. 8 MiB: see cleaner/readers/limits.py.
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    # The most bytes read from one file once decompressed (0: no limit); the rest of a larger file is one reject
    # (read.file_too_large). 64 GiB: a guard against a compressed file of endless records, above any real shard.
    max_file_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        if self.workers < 0 or self.task_mb <= 0 or self.task_files < 1:
            raise ConfigError("run: workers must be 0 (one per core) or more, task_mb above 0, task_files 1 or more")
        if self.engine not in ("local", "ray"):
            raise ConfigError(f"run.engine must be 'local' or 'ray', not {self.engine!r}")
        if self.max_document_bytes < 1 or self.max_file_bytes < 0:
            raise ConfigError("run: max_document_bytes must be 1 or more, max_file_bytes 0 (no limit) or more")

    def limits(self) -> Limits:
        """The readers' limits (the seam from the config to :func:`cleaner.readers.read_file`)."""
        return Limits(document_bytes=self.max_document_bytes, file_bytes=self.max_file_bytes)


@dataclass
class ValidateConfig:
    """Parameters of the Great Expectations suites (``{"$PARAMETER": ...}`` in expectations/*.json)."""

    suite: str = "default"
    expectations: str = "expectations"  # folder of suite files, relative to the config file
    languages: list[str] = field(default_factory=list)  # allowed languages; empty: any ISO 639-1 code or "und"
    min_title_share: float = 0.5
    min_words: int = 1
    max_words: int = 0  # 0: no upper bound


@dataclass
class Config:
    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    run: RunConfig = field(default_factory=RunConfig)
    validate: ValidateConfig = field(default_factory=ValidateConfig)
    pipeline: list[str] = field(default_factory=list)  # step names, in order; empty: the default pipeline
    steps: dict[str, Any] = field(default_factory=dict)  # step name -> that step's Config dataclass
    source: str = "defaults"
    root: Path = field(default_factory=Path.cwd)  # the folder the config came from: relative paths start here

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (what run.json records)."""
        return {
            "dataset": dataclasses.asdict(self.dataset),
            "run": dataclasses.asdict(self.run),
            "validate": dataclasses.asdict(self.validate),
            "pipeline": list(self.pipeline),
            "steps": {name: dataclasses.asdict(cfg) for name, cfg in self.steps.items()},
        }

    def fingerprint(self) -> str:
        """A hash of everything that can change the output (execution and validation settings cannot)."""
        data = self.to_dict()
        data["run"] = {key: data["run"][key] for key in RunConfig.OUTPUT_KEYS}
        del data["validate"]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _check_type(value: Any, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(annotation):
            try:
                return _check_type(value, option, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: {value!r} is not a valid value ({annotation})")
    if annotation is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where}: expected nothing, got {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        (item,) = typing.get_args(annotation) or (Any,)
        return [_check_type(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {value!r}")
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(annotation, type):
        if isinstance(value, bool) and annotation is not bool:
            raise ConfigError(f"{where}: expected {annotation.__name__}, got {value!r}")
        if not isinstance(value, annotation):
            raise ConfigError(f"{where}: expected {annotation.__name__}, got {value!r}")
    return value


def build_dataclass(cls: type, data: dict[str, Any], where: str) -> Any:
    """Instantiate a config dataclass from a TOML table, rejecting unknown keys and wrong types by name."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            known = ", ".join(sorted(names)) or "none"
            raise ConfigError(f"unknown key '{where}.{key}' (known keys: {known})".replace("'.", "'"))
        kwargs[key] = _check_type(value, hints[key], f"{where}.{key}".lstrip("."))
    return cls(**kwargs)


def parse(data: dict[str, Any], source: str = "defaults", root: Path | None = None) -> Config:
    """Build a :class:`Config` from parsed TOML, checking every key against the step registry."""
    from cleaner.steps import DEFAULT_PIPELINE, STEPS

    data = dict(data)
    unknown = set(data) - {"dataset", "run", "validate", "pipeline", "steps"}
    if unknown:
        raise ConfigError(f"unknown key '{sorted(unknown)[0]}' (known keys: dataset, run, validate, pipeline, steps)")
    config = Config(
        dataset=build_dataclass(DatasetConfig, data.get("dataset", {}), "dataset"),
        run=build_dataclass(RunConfig, data.get("run", {}), "run"),
        validate=build_dataclass(ValidateConfig, data.get("validate", {}), "validate"),
        pipeline=_check_type(data.get("pipeline", list(DEFAULT_PIPELINE)), list[str], "pipeline"),
        source=source,
        root=root or Path.cwd(),
    )
    for name in config.pipeline:
        if name not in STEPS:
            raise ConfigError(f"pipeline: unknown step '{name}' (known steps: {', '.join(sorted(STEPS))})")
    tables = data.get("steps", {})
    if not isinstance(tables, dict):
        raise ConfigError("steps: expected a table of step tables")
    for name in tables:
        if name not in STEPS:
            raise ConfigError(f"unknown key 'steps.{name}' (known steps: {', '.join(sorted(STEPS))})")
    for name in config.pipeline:
        config.steps[name] = build_dataclass(STEPS[name].Config, tables.get(name, {}), f"steps.{name}")
    return config


def load(path: Path | None = None, cwd: Path | None = None) -> Config:
    """The configuration from an explicit file, ``cleaner.toml``, ``pyproject.toml`` or the defaults."""
    cwd = cwd or Path.cwd()
    if path is None:
        if (cwd / "cleaner.toml").is_file():
            path = cwd / "cleaner.toml"
        elif (cwd / "pyproject.toml").is_file():
            pyproject = _read_toml(cwd / "pyproject.toml")
            if "cleaner" in pyproject.get("tool", {}):
                return parse(pyproject["tool"]["cleaner"], f"{cwd / 'pyproject.toml'} [tool.cleaner]", cwd)
    if path is None:
        return parse({}, root=cwd)
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist")
    if not path.is_file():
        raise ConfigError(f"config file {path} is not a file: give the path of a TOML file")
    return parse(_read_toml(path), source=str(path), root=path.resolve().parent)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from err
