"""Run a command and measure its wall time, peak memory of the process and its descendants, and the CPU time of that
tree.

Memory is given two ways. RSS summed over the processes counts a page shared by several processes once in each:
forked workers share what the parent loaded before the fork (models, word lists) copy-on-write, so the sum counts
those pages up to three times at two workers, for memory the machine holds once. PSS (proportional set size, from
/proc/PID/smaps_rollup) divides each shared page among the processes that map it: summed over the tree it is the
memory the run really occupies, and what the project's target is measured in. Both are printed.

CPU time is what a loaded machine leaves least changed: when other work competes for the cores, wall times stretch,
and not evenly (a contender with more busy processes gets a larger share of the cores), while the CPU seconds a run
needs stay close to what they are on an idle machine. It is sampled from /proc with the memory, every 0.1 s, per
process (its own user + system time, not its children's, which are counted as processes of their own), so the last
tenth of a second of each process is missed."""

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
    cpu_seconds: float = 0.0
    peak_pss_mb: float = 0.0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(c) for c in task.read_text().split())
        except OSError:
            continue
    return found


def _cpu_ticks(pid: int) -> int:
    """User + system clock ticks of ``pid`` itself (fields 14 and 15 of /proc/PID/stat, after the command's name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _pss(pid: int) -> int:
    """Proportional set size of ``pid``, in bytes (0 when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _sample_tree(pid: int, ticks: dict[int, int]) -> tuple[int, int]:
    """Resident memory (RSS and PSS), in bytes, of ``pid`` and all its descendants (from /proc; cheap enough to
    poll); records each one's CPU ticks so far in ``ticks``."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, proportional, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            ticks[current] = max(ticks.get(current, 0), _cpu_ticks(current))
        except (OSError, IndexError, ValueError):
            continue
        proportional += _pss(current)
        stack.extend(_children(current))
    return total, proportional


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None, check: bool = True) -> Measurement:
    """Run ``command`` to its end, polling its process tree's memory and CPU time every 0.1 s.

    Its stderr goes to a temporary file, not a pipe: a chatty command (datatrove logs every task's statistics) would
    fill a pipe nobody reads until the end and block there, which would be timed."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        peak, peak_pss, ticks = 0, 0, {}
        while process.poll() is None:
            rss, pss = _sample_tree(process.pid, ticks)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        if check and process.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{log.read().decode(errors='replace')[-2000:]}")
    cpu = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    return Measurement(
        seconds=seconds,
        peak_rss_mb=peak / 1e6,
        returncode=process.returncode,
        cpu_seconds=cpu,
        peak_pss_mb=peak_pss / 1e6,
    )
