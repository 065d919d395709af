"""The dataset card: YAML front matter that the Hub and ``datasets`` read, then a card for people."""

from __future__ import annotations

import json
from typing import Any

SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
]


def size_category(rows: int) -> str:
    return next((label for limit, label in SIZE_CATEGORIES if rows < limit), "n>1B" if rows > 10**9 else "100M<n<1B")


def features_yaml(features: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's ``dataset_info.features`` from ``datasets.Features.to_dict()``: a list of ``{name, dtype}``,
    a struct as ``{name, struct: [...]}`` and a list as ``{name, list: ...}``, as the Hub reads them.

    Our own code rather than ``datasets``' private ``Features._to_yaml_list``; it knows the feature types a release
    has (values, structs, lists) and refuses any other, rather than writing a card the Hub would misread."""
    return [{"name": name, **_feature_yaml(feature)} for name, feature in features.items()]


def _feature_yaml(feature: Any) -> dict[str, Any]:
    if isinstance(feature, dict) and feature.get("_type") == "Value":
        return {"dtype": feature["dtype"]}
    if isinstance(feature, dict) and feature.get("_type") in ("List", "LargeList", "Sequence"):
        inner = _feature_yaml(feature["feature"])
        key = "large_list" if feature["_type"] == "LargeList" else "list"
        return {key: inner["dtype"] if list(inner) == ["dtype"] else inner.get("struct", inner)}
    if isinstance(feature, dict) and "_type" not in feature:
        return {"struct": features_yaml(feature)}
    raise TypeError(f"no card YAML for the feature {feature!r}")


def loading_line(name: str, release_version: str, repo_id: str | None = None) -> str:
    """The card's ``load_dataset`` call: by the Hub repository once pushed, else by the dataset's own folder
    name, as it stands in the output folder (``dist/<name>/<version>``)."""
    if repo_id:
        return f'ds = load_dataset("{repo_id}", revision="v{release_version}", split="train")'
    return f'ds = load_dataset("dist/{name}/{release_version}", split="train")  # the release folder, as published'


def front_matter(manifest: dict[str, Any], features: list[dict[str, Any]], data_glob: str = "data/*.parquet") -> Any:
    from huggingface_hub import DatasetCardData

    languages = sorted(lang for lang in manifest["statistics"]["languages"] if lang not in ("und", None))
    return DatasetCardData(
        pretty_name=manifest["name"],
        license=manifest["license"],
        language=languages or None,
        size_categories=[size_category(manifest["counts"]["kept"])],
        task_categories=["text-generation"],
        configs=[{"config_name": "default", "data_files": [{"split": "train", "path": data_glob}]}],
        dataset_info={
            "features": features,
            "splits": [
                {
                    "name": "train",
                    "num_bytes": manifest["statistics"]["text_bytes"],
                    "num_examples": manifest["counts"]["kept"],
                }
            ],
        },
    )


def render(manifest: dict[str, Any], features: list[dict[str, Any]], config: dict[str, Any]) -> str:
    """The whole README.md of a release."""
    from huggingface_hub import DatasetCard

    stats = manifest["statistics"]
    counts = manifest["counts"]
    validation = manifest["validation"]
    lines = [
        f"# {manifest['name']} {manifest['version']}",
        "",
        manifest.get("description") or "A corpus of web documents cleaned with cleaner.",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        loading_line(manifest["name"], manifest["version"]),
        "```",
        "",
        "What was kept, removed and why, with charts and a sample of documents: [report.html](report.html)"
        + (" (and the changes since the previous release)." if len(manifest["changelog"]) > 1 else "."),
        "",
        "## How it was cleaned",
        "",
        f"Built with cleaner {manifest['tool']['version']} from {counts['read']:,} input records "
        f"(input fingerprint `{manifest['input_fingerprint'][:16]}…`). Steps, in order: "
        + ", ".join(f"`{step}`" for step in config["pipeline"])
        + ".",
        "",
        "<details><summary>Configuration</summary>",
        "",
        "```json",
        json.dumps({k: v for k, v in config.items() if k != "run"}, indent=2, ensure_ascii=False),
        "```",
        "",
        "</details>",
        "",
        "## Statistics",
        "",
        "| | |",
        "|---|---|",
        f"| documents | {counts['kept']:,} |",
        f"| words | {stats['words']:,} |",
        f"| records read | {counts['read']:,} |",
        f"| rejected | {counts['rejected']:,} |",
        f"| duplicates removed | {stats['duplicates_removed']:,} |",
        "",
        "Languages: " + ", ".join(f"{lang} {n:,}" for lang, n in stats["languages"].items()) + ".",
        "",
        "Rejected documents by reason:",
        "",
        *([f"- `{reason}`: {n:,}" for reason, n in counts["rejected_by_reason"].items()] or ["- none"]),
        "",
        "Lines removed by reason:",
        "",
        *([f"- `{reason}`: {n:,}" for reason, n in stats["removed_lines_by_reason"].items()] or ["- none"]),
        "",
        "## Validation",
        "",
        _verdict(validation),
        *[f"- failed: `{name}`" for name in validation.get("failed", [])],
        "",
        "## Changelog",
        "",
        *[f"- {entry}" for entry in manifest["changelog"]],
        "",
    ]
    card_data = front_matter(manifest, features)
    return str(DatasetCard(f"---\n{card_data.to_yaml()}\n---\n\n" + "\n".join(lines)))


def _verdict(validation: dict[str, Any]) -> str:
    """The validation section's first line: passed, failed, or not run at all (and why)."""
    if validation.get("not_run"):
        return (
            "**Not validated**: the suites could not be run (why: `validation.not_run` in manifest.json) — published "
            "anyway with `--allow-invalid`."
        )
    verdict = f"Great Expectations suite `{validation['suite']}`: **{'passed' if validation['success'] else 'FAILED'}**"
    return verdict + (" — published anyway with `--allow-invalid`." if validation.get("allowed_invalid") else ".")
