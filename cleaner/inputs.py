"""What a run reads: the input files below a folder or a URL, and the identity a resumed run must match."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cleaner import __version__
from cleaner.config import Config
from cleaner.readers import InputFile, discover
from cleaner.readers.remote import is_remote, list_remote, redact
from cleaner.run_summary import RunError
from cleaner.tasks import LargeFile, Planned, files_of


@dataclass
class Inputs:
    """What a run reads: the files, the hidden files passed over, and a stamp of each file (for resume)."""

    files: list[InputFile]
    hidden: list[str]
    stamps: list[str]
    own_output: Path | None = None  # the run's own output folder, when it lies inside the input folder


def find_inputs(raw: str, out: Path, config: Config) -> Inputs:
    """The input files below ``raw``, a local folder or a remote URL; :class:`RunError` when there are none."""
    if is_remote(raw):
        try:
            listing = list_remote(raw)
        except OSError as err:
            raise RunError(f"{err}; check the URL and your credentials") from err
        visible = [entry for entry in listing if not _is_hidden(entry[1])]
        files = [InputFile(path=url, rel=rel, size=size) for url, rel, size, _ in visible]
        inputs = Inputs(files, [entry[1] for entry in listing if _is_hidden(entry[1])], [e[3] for e in visible])
    else:
        folder = Path(raw)
        if not folder.is_dir():
            raise RunError(f"input folder {raw} does not exist (or is not a folder)")
        own_output = _output_inside(folder, out, config)
        files, hidden = discover(folder, skip=own_output)
        inputs = Inputs(files, hidden, [_local_stamp(file.path) for file in files], own_output)
    if not inputs.files:
        raise RunError(f"no input files in {redact(raw)}: put .txt, .html, .jsonl, .parquet or .warc files there")
    return inputs


def run_identity(config: Config, inputs: Inputs, plan: list[Planned], task_bytes: int) -> dict[str, str]:
    """What a run is of; a resumed run must be of the same (see :mod:`cleaner.progress`)."""
    listing = hashlib.sha256()
    for file, stamp in zip(inputs.files, inputs.stamps, strict=True):
        listing.update(f"{file.rel}\t{file.size}\t{stamp}\n".encode())
    cuts = hashlib.sha256(str(task_bytes).encode())
    for planned in plan:
        cuts.update(("\t".join(f.rel for f in files_of(planned)) + f"\n{isinstance(planned, LargeFile)}").encode())
    return {"tool": __version__, "config": config.fingerprint(), "input": listing.hexdigest(), "plan": cuts.hexdigest()}


def _local_stamp(path: str) -> str:
    try:
        return str(os.stat(path).st_mtime_ns)
    except OSError:
        return "unreadable"


def _is_hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def _output_inside(raw_dir: Path, out: Path, config: Config) -> Path | None:
    """The folder this run writes into, when it lies inside the input folder (``cleaner run .``): its tables and
    releases are the last run's output, and reading them as input would clean the corpus into itself."""
    raw, folder = raw_dir.resolve(), out.resolve()
    if folder == raw:  # --out is the input folder itself: only the dataset's own folder is output
        folder = folder / config.dataset.name
    return folder if folder.is_relative_to(raw) else None
