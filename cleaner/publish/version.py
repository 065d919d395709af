"""Semantic versions: parsing, ordering, bumping, and the releases that already exist."""

from __future__ import annotations

import re
from pathlib import Path

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def parse(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        raise ValueError(f"'{version}' is not a semantic version like 1.4.0")
    return int(match[1]), int(match[2]), int(match[3])


def bump(version: str, part: str) -> str:
    major, minor, patch = parse(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise ValueError(f"bump must be major, minor or patch, not '{part}'")


def releases(dataset_dir: Path) -> list[str]:
    """The versions released under ``dataset_dir``, oldest first (folders with a manifest only)."""
    if not dataset_dir.is_dir():
        return []
    found = [p.name for p in dataset_dir.iterdir() if SEMVER.match(p.name) and (p / "manifest.json").is_file()]
    return sorted(found, key=parse)
