"""Pushing a release to the Hugging Face Hub: one commit with every file, then a tag ``v<version>``.

The token comes from ``HF_TOKEN`` or huggingface_hub's own login, and is handed to huggingface_hub only: it is
never printed, logged or written. Everything before the network calls (the target, the files, the commit) is
planned by :func:`plan`, which the tests check; :func:`push` then performs it through an ``HfApi``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HubError(Exception):
    pass


@dataclass(frozen=True)
class Plan:
    repo_id: str
    revision_tag: str
    folder: Path
    files: list[str]
    commit_message: str


def parse_target(target: str) -> str:
    """``hf://ORG/NAME`` -> ``ORG/NAME``."""
    if not target.startswith("hf://") or target.count("/") != 3 or not all(target[5:].split("/")):
        raise HubError(f"'{target}' is not a Hub target; write hf://ORG/NAME")
    return target[5:]


def plan(release: Path, target: str) -> Plan:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    return Plan(
        repo_id=parse_target(target),
        revision_tag=f"v{manifest['version']}",
        folder=release,
        files=files,
        commit_message=f"Release {manifest['name']} {manifest['version']} (cleaner {manifest['tool']['version']})",
    )


def push(release: Path, target: str, api: Any = None) -> Plan:
    """Upload ``release`` to the Hub in one commit and tag it; returns what was done."""
    the_plan = plan(release, target)
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=os.environ.get("HF_TOKEN") or None)
    api.create_repo(the_plan.repo_id, repo_type="dataset", exist_ok=True)
    api.upload_folder(
        repo_id=the_plan.repo_id,
        repo_type="dataset",
        folder_path=str(the_plan.folder),
        commit_message=the_plan.commit_message,
    )
    api.create_tag(the_plan.repo_id, tag=the_plan.revision_tag, repo_type="dataset")
    return the_plan
