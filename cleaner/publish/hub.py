"""Pushing a release to the Hugging Face Hub: one commit with every file, then a tag ``v<version>``.

The commit also deletes every file the repository holds that the release does not (the shards of a previous,
bigger release would otherwise stay, and the card's ``data/*.parquet`` glob would load them), and its card names
the repository in its loading snippet. The token comes from ``HF_TOKEN`` or huggingface_hub's own login, and is
handed to huggingface_hub only: it is never printed, logged or written. Everything before the network calls (the
target, the files to add and delete, the commit) is planned by :func:`plan`, which the tests check; :func:`push`
then performs it through an ``HfApi``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.publish.card import loading_line

KEEP_REMOTE = {".gitattributes"}  # the Hub's own file: LFS rules


class HubError(Exception):
    pass


@dataclass(frozen=True)
class Plan:
    repo_id: str
    revision_tag: str
    folder: Path
    files: list[str]
    delete: list[str]
    commit_message: str
    card: str  # README.md as pushed: its loading snippet names the repository


def parse_target(target: str) -> str:
    """``hf://ORG/NAME`` -> ``ORG/NAME``."""
    if not target.startswith("hf://") or target.count("/") != 3 or not all(target[5:].split("/")):
        raise HubError(f"'{target}' is not a Hub target; write hf://ORG/NAME")
    return target[5:]


def plan(release: Path, target: str, remote_files: list[str] = ()) -> Plan:
    """What pushing ``release`` to ``target`` does, given the files the repository holds now."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    repo_id = parse_target(target)
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    card = (release / "README.md").read_text(encoding="utf-8")
    local_line = loading_line(manifest["name"], manifest["version"])
    card = card.replace(local_line, loading_line(manifest["name"], manifest["version"], repo_id))
    return Plan(
        repo_id=repo_id,
        revision_tag=f"v{manifest['version']}",
        folder=release,
        files=files,
        delete=sorted(set(remote_files) - set(files) - KEEP_REMOTE),
        commit_message=f"Release {manifest['name']} {manifest['version']} (cleaner {manifest['tool']['version']})",
        card=card,
    )


def push(release: Path, target: str, api: Any = None) -> Plan:
    """Upload ``release`` to the Hub in one commit (deleting what it no longer has) and tag it."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    repo_id = parse_target(target)
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=os.environ.get("HF_TOKEN") or None)
    with _remote(release, target):
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        remote_files = api.list_repo_files(repo_id, repo_type="dataset")
    the_plan = plan(release, target, remote_files)
    operations: list[Any] = [
        CommitOperationAdd(
            path_in_repo=name,
            path_or_fileobj=the_plan.card.encode("utf-8") if name == "README.md" else str(release / name),
        )
        for name in the_plan.files
    ]
    operations += [CommitOperationDelete(path_in_repo=name) for name in the_plan.delete]
    with _remote(release, target):
        api.create_commit(
            repo_id=the_plan.repo_id, repo_type="dataset", operations=operations, commit_message=the_plan.commit_message
        )
        api.create_tag(the_plan.repo_id, tag=the_plan.revision_tag, repo_type="dataset")
    return the_plan


@contextmanager
def _remote(release: Path, target: str) -> Iterator[None]:
    """The Hub's calls: whatever they raise (no network, offline mode, a refused token, a missing repository: the
    errors of huggingface_hub and of the HTTP library under it, which differ by version) is a :class:`HubError`
    saying what to check, in one line that never holds the token."""
    try:
        yield
    except Exception as err:
        reason = (str(err).strip().splitlines() or [""])[0]
        if token := os.environ.get("HF_TOKEN"):
            reason = reason.replace(token, "***")
        raise HubError(
            f"cannot push {release} to {target} ({type(err).__name__}: {reason}); check the network, the"
            " repository's name and your token (HF_TOKEN or `huggingface-cli login`), then push the release again:"
            f" cleaner push {release.name} --to {target}"
        ) from err
