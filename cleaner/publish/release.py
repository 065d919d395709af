"""A validated build becomes an immutable release: ``dist/<name>/<version>/``.

Layout (the Hugging Face one): ``data/train-0000K-of-0000N.parquet`` shards of at most ``SHARD_BYTES`` with row
groups of about ``ROW_GROUP_BYTES`` in memory (the Hub's viewer refuses row groups over ~286 MiB), ``README.md``
(the card), ``manifest.json`` (every file's sha256 and size, row counts, schema, tool version, config and input
fingerprints, validation verdict, changelog) and ``validation/result.json`` (unless it was released unvalidated,
see :func:`publish`). The release is written beside its final place and renamed into it; an existing version is
never overwritten. ``dist/<name>/README.md`` then lists every release as a ``datasets`` config, the latest as
``default``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from cleaner import __version__
from cleaner.config import Config
from cleaner.publish import card, version
from cleaner.report import write_report
from cleaner.writer import PARQUET_OPTIONS, make_staging

SHARD_BYTES = 500 << 20
ROW_GROUP_BYTES = 100 << 20


class PublishError(Exception):
    """A release that must not be made; the message says why and what to do."""


def release_target(dataset_dir: Path, config: Config, release_version: str | None, bump: str | None) -> str:
    """The version a release of the dataset in ``dataset_dir`` would get; PublishError when that version is not
    valid or already released (checked before a long run, too: ``cleaner release``)."""
    existing = version.releases(dataset_dir)
    target = release_version or config.dataset.version
    if bump:
        target = version.bump(existing[-1] if existing else config.dataset.version, bump)
    try:
        version.parse(target)
    except ValueError as err:
        raise PublishError(str(err)) from err
    if (dataset_dir / target).exists():
        raise PublishError(
            f"version {target} is already released at {dataset_dir / target}; releases are immutable — "
            "set a new version (--version X.Y.Z or --bump patch)"
        )
    return target


def publish(
    build: Path,
    config: Config,
    release_version: str | None = None,
    bump: str | None = None,
    allow_invalid: bool = False,
) -> Path:
    """Make a release of ``build`` (a run's output) next to it; returns the release folder.

    With ``allow_invalid``, a build is released even when validation fails, or cannot run at all (no suites where
    the config says): the card and the manifest say which."""
    from cleaner.validate import ValidationError, validate

    if not (build / "documents").is_dir() or not (build / "run.json").is_file():
        raise PublishError(f"{build} is not a run output; run `cleaner run RAW_DIR` first")
    dataset_dir = build.parent
    existing = version.releases(dataset_dir)
    target = release_target(dataset_dir, config, release_version, bump)
    try:
        report = validate(build, config)
    except ValidationError as err:
        if not allow_invalid:
            raise PublishError(f"{err}; or pass --allow-invalid to publish without validation") from err
        report, verdict = None, {"suite": None, "success": False, "allowed_invalid": True, "not_run": str(err)}
    else:
        verdict = validation_verdict(report, allow_invalid)
    if report is not None and not report.success and not allow_invalid:
        failed = ", ".join(f"{o.expectation}({o.column or ''})" for o in report.outcomes if not o.success)
        raise PublishError(f"validation failed ({failed}); fix the data, or pass --allow-invalid to publish anyway")

    staging = make_staging(dataset_dir / target)
    try:
        files = write_shards(sorted((build / "documents").glob("*.parquet")), staging / "data")
        run = json.loads((build / "run.json").read_text(encoding="utf-8"))
        manifest = build_manifest(staging, files, run, config, target, verdict)
        previous = [v for v in existing if version.parse(v) < version.parse(target)]
        manifest["changelog"] = changelog(dataset_dir, previous[-1] if previous else None, staging, manifest)
        if report is not None:
            (staging / "validation").mkdir()
            shutil.copy(build / "validation" / "result.json", staging / "validation" / "result.json")
        write_json(staging / "manifest.json", manifest)
        (staging / "README.md").write_text(card.render(manifest, features(staging), run["config"]), encoding="utf-8")
        write_report(staging, build=build, previous=dataset_dir / previous[-1] if previous else None)
        os.rename(staging, dataset_dir / target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    write_collection_card(dataset_dir)
    return dataset_dir / target


def write_shards(parts: list[Path], folder: Path) -> list[Path]:
    """Re-cut the run's parts into shards of at most SHARD_BYTES, row groups of about ROW_GROUP_BYTES."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    shards: list[Path] = []
    writer, written, pending, pending_bytes = None, 0, [], 0

    def flush_group() -> None:
        nonlocal pending, pending_bytes, writer, written
        if not pending:
            return
        table = pa.concat_tables(pending)
        if writer is None:
            shards.append(folder / f"train-{len(shards):05d}.parquet.tmp")
            writer = pq.ParquetWriter(shards[-1], table.schema, **PARQUET_OPTIONS)
        writer.write_table(table, row_group_size=table.num_rows)
        written += table.nbytes
        pending, pending_bytes = [], 0
        if written >= SHARD_BYTES:
            writer.close()
            writer, written = None, 0

    schema = None
    for part in parts:
        for batch in pq.ParquetFile(part).iter_batches(batch_size=1024):
            schema = batch.schema
            pending.append(pa.Table.from_batches([batch]))
            pending_bytes += batch.nbytes
            if pending_bytes >= ROW_GROUP_BYTES:
                flush_group()
    flush_group()
    if writer is not None:
        writer.close()
    if not shards:  # an empty dataset still has one (empty) shard with the schema
        shards.append(folder / "train-00000.parquet.tmp")
        empty_schema = schema or pq.read_schema(parts[0])
        pq.write_table(empty_schema.empty_table(), shards[-1], **PARQUET_OPTIONS)
    final = []
    for index, path in enumerate(shards):
        name = f"train-{index:05d}-of-{len(shards):05d}.parquet"
        path.rename(folder / name)
        final.append(folder / name)
    return final


def validation_verdict(report: Any, allowed: bool) -> dict[str, Any]:
    """What the manifest and the card say of a validation ``report`` (a :class:`cleaner.validate.Report`)."""
    return {
        "suite": report.suite,
        "success": report.success,
        "allowed_invalid": bool(allowed and not report.success),
        "failed": [f"{o.expectation} {o.column or ''}".strip() for o in report.outcomes if not o.success],
    }


def build_manifest(
    release: Path, files: list[Path], run: dict[str, Any], config: Config, target: str, verdict: dict[str, Any]
) -> dict[str, Any]:
    import pyarrow.parquet as pq

    languages: Counter = Counter()
    words = text_bytes = rows = 0
    for path in files:
        table = pq.read_table(path, columns=["language", "n_words", "n_chars"])
        rows += table.num_rows
        languages.update(lang or "und" for lang in table["language"].to_pylist())
        words += sum(table["n_words"].to_pylist())
        text_bytes += sum(table["n_chars"].to_pylist())
    counts = run["counts"]
    schema = pq.read_schema(files[0])
    return {
        "name": config.dataset.name,
        "version": target,
        "license": config.dataset.license,
        "description": config.dataset.description,
        "tool": {"name": "cleaner", "version": __version__},
        "config_fingerprint": run["config_fingerprint"],
        "input_fingerprint": run["input"]["fingerprint"],
        "files": [
            {
                "path": p.relative_to(release).as_posix(),
                "bytes": p.stat().st_size,
                "sha256": sha256(p),
                "rows": pq.ParquetFile(p).metadata.num_rows,
            }
            for p in files
        ],
        "counts": {
            "read": counts["read"],
            "kept": rows,
            "rejected": counts["rejected"],
            "rejected_by_reason": counts["rejected_by_reason"],
        },
        "statistics": {
            "words": words,
            "text_bytes": text_bytes,
            "languages": dict(sorted(languages.items(), key=lambda item: (-item[1], item[0]))),
            "duplicates_removed": sum(n for r, n in counts["rejected_by_reason"].items() if r.startswith("dedup.")),
            "removed_lines_by_reason": counts["removed_lines_by_reason"],
        },
        "schema": {field.name: str(field.type) for field in schema},
        "validation": verdict,
        "changelog": [],
    }


def changelog(dataset_dir: Path, previous: str | None, staging: Path, manifest: dict[str, Any]) -> list[str]:
    """This release's entry (a diff against the previous one) followed by the previous changelog."""
    from cleaner.publish.diff import diff

    if previous is None:
        return [f"{manifest['version']}: first release, {manifest['counts']['kept']:,} documents"]
    write_json(staging / "manifest.json", manifest)  # the diff reads the schema from it
    entry = diff(dataset_dir / previous, staging).summary()
    old = json.loads((dataset_dir / previous / "manifest.json").read_text(encoding="utf-8"))
    return [entry, *old.get("changelog", [])]


def features(release: Path) -> list[dict[str, Any]]:
    """The ``datasets`` features of the release's schema, as card YAML."""
    import datasets
    import pyarrow.parquet as pq

    schema = pq.read_schema(next((release / "data").glob("*.parquet")))
    return card.features_yaml(datasets.Features.from_arrow_schema(schema).to_dict())


def write_collection_card(dataset_dir: Path) -> None:
    """``dist/<name>/README.md``: every release as a config (named by its version), the latest as default."""
    from huggingface_hub import DatasetCard, DatasetCardData

    releases = version.releases(dataset_dir)
    latest = releases[-1]
    configs = [{"config_name": "default", "data_files": [{"split": "train", "path": f"{latest}/data/*.parquet"}]}]
    configs += [{"config_name": v, "data_files": [{"split": "train", "path": f"{v}/data/*.parquet"}]} for v in releases]
    manifest = json.loads((dataset_dir / latest / "manifest.json").read_text(encoding="utf-8"))
    data = DatasetCardData(pretty_name=manifest["name"], license=manifest["license"], configs=configs)
    body = (
        f"# {manifest['name']}\n\nReleases: {', '.join(releases)} (latest: {latest}).\n\n"
        f"```python\nfrom datasets import load_dataset\n\n"
        f'latest = load_dataset("dist/{manifest["name"]}", split="train")\n'
        f'pinned = load_dataset("dist/{manifest["name"]}", "{releases[0]}", split="train")\n```\n\n'
        f"Each release's own card: `<version>/README.md`.\n"
    )
    temporary = dataset_dir / "README.md.tmp"
    temporary.write_text(str(DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}")), encoding="utf-8")
    os.replace(temporary, dataset_dir / "README.md")


def sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
