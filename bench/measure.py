"""Run a command and measure its wall time and peak memory (RSS summed over the process and its children)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(c) for c in task.read_text().split())
        except OSError:
            continue
    return found


def _tree_rss(pid: int) -> int:
    """Resident memory, in bytes, of ``pid`` and all its descendants (from /proc; cheap enough to poll)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(current))
    return total


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None, check: bool = True) -> Measurement:
    """Run ``command`` to its end, polling its process tree's RSS every 0.1 s.

    Its stderr goes to a temporary file, not a pipe: a chatty command (datatrove logs every task's statistics) would
    fill a pipe nobody reads until the end and block there, which would be timed."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        if check and process.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{log.read().decode(errors='replace')[-2000:]}")
    return Measurement(seconds=seconds, peak_rss_mb=peak / 1e6, returncode=process.returncode)
