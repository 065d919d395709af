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
tenth of a second of each process is missed.

    python bench/measure.py [--timeline FILE.jsonl] [--every 0.5] -- python -m cleaner run ...

measures one command and prints, besides the totals, where the memory and the CPU went: each process of the tree
by role (the driver, its forked workers, the validation process, the report's drawing process), its peak PSS and
CPU seconds, and a timeline (every ``--every`` seconds: PSS and CPU share of each role, the tree's PSS). With
``CLEANER_PHASES=FILE`` in its environment, ``bench/phases.py`` (a wrapper of ``python -m cleaner``) logs when each
stage of a run begins, and the timeline names the stage of each row."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
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


def _role(pid: int, root: int, parent_role: str) -> str:
    """What a process of the tree is, from its command line: the run's driver, a forked worker (same command
    line as its parent), the validation process, the report's drawing process, or its command's name."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = b" ".join(command).decode(errors="replace")
    if "validation_process" in text or "_serve" in text:  # cleaner.validation_process.serve (_serve before)
        return "validate"
    if "draw.py" in text:
        return "draw"
    if pid == root:
        return "driver"
    if parent_role in ("driver", "worker") and "python" in text.split(" ", 1)[0]:
        return "worker" if parent_role == "driver" else parent_role
    return Path(command[0].decode(errors="replace")).name or "?"


def _sample_tree(
    pid: int, ticks: dict[int, int], sample: dict[int, tuple[str, int, int]] | None = None
) -> tuple[int, int]:
    """Resident memory (RSS and PSS), in bytes, of ``pid`` and all its descendants (from /proc; cheap enough to
    poll); records each one's CPU ticks so far in ``ticks``, and with ``sample`` each one's (role, PSS, ticks)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, proportional, stack = 0, 0, [(pid, "")]
    while stack:
        current, parent_role = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            ticks[current] = max(ticks.get(current, 0), _cpu_ticks(current))
        except (OSError, IndexError, ValueError):
            continue
        pss = _pss(current)
        proportional += pss
        role = _role(current, pid, parent_role) if sample is not None else ""
        if sample is not None:
            sample[current] = (role, pss, ticks[current])
        stack.extend((child, role) for child in _children(current))
    return total, proportional


def measure(
    command: list[str],
    cwd: Path | None = None,
    env: dict | None = None,
    check: bool = True,
    timeline: Path | None = None,
) -> Measurement:
    """Run ``command`` to its end, polling its process tree's memory and CPU time every 0.1 s (with ``timeline``,
    each poll's processes, by role, go to that file as a JSON line).

    Its stderr goes to a temporary file, not a pipe: a chatty command (datatrove logs every task's statistics) would
    fill a pipe nobody reads until the end and block there, which would be timed."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        peak, peak_pss, ticks = 0, 0, {}
        log_file = timeline.open("w") if timeline else None
        while process.poll() is None:
            sample: dict[int, tuple[str, int, int]] | None = {} if log_file else None
            rss, pss = _sample_tree(process.pid, ticks, sample)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            if log_file and sample:
                now = time.perf_counter() - started
                row = {"t": round(now, 3), "epoch": time.time() - now, "rss": rss, "procs": sample}
                log_file.write(json.dumps(row) + "\n")
            time.sleep(0.1)
        if log_file:
            log_file.close()
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


def summarise(timeline: Path, every: float = 0.5, phases: Path | None = None) -> str:
    """The timeline file of :func:`measure` as a table: per role, peak PSS and CPU seconds; then every ``every``
    seconds the PSS (MB) and CPU share (% of one core) of each role, and the stage the run was in."""
    rows = [json.loads(line) for line in timeline.read_text().splitlines()]
    marks = []
    if phases and phases.is_file():
        origin = rows[0]["epoch"] if rows else 0.0  # the phases are logged in seconds since the epoch
        pairs = (line.split("\t", 1) for line in phases.read_text().splitlines())
        marks = [(float(t) - origin, name) for t, name in pairs]
    hz = os.sysconf("SC_CLK_TCK")
    roles = sorted({proc[0] for row in rows for proc in row["procs"].values()})
    peak: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for row in rows:
        for pid, (_, _, ticks) in row["procs"].items():
            cpu[pid] = ticks / hz
        by_role: dict[str, float] = {}
        for role, pss_bytes, _ in row["procs"].values():
            by_role[role] = by_role.get(role, 0) + pss_bytes / 1e6
        for role, mb in by_role.items():
            peak[role] = max(peak.get(role, 0), mb)
    role_of: dict[str, str] = {}  # a process's role, as first seen (an exiting one has no command line: "?")
    for row in rows:
        for pid, proc in row["procs"].items():
            if role_of.get(pid, "?") == "?":
                role_of[pid] = proc[0]
    cpu_by_role: dict[str, float] = {}
    for pid, seconds in cpu.items():
        cpu_by_role[role_of[pid]] = cpu_by_role.get(role_of[pid], 0) + seconds
    lines = ["role        peak PSS MB   CPU s   (processes)"]
    for role in roles:
        count = len({pid for pid, r in role_of.items() if r == role})
        lines.append(f"{role:10} {peak.get(role, 0):10.0f} {cpu_by_role.get(role, 0):8.1f}   ({count})")
    peak_row = max(rows, key=lambda r: sum(p[1] for p in r["procs"].values()))
    parts = {}
    for role, pss_bytes, _ in peak_row["procs"].values():
        parts[role] = parts.get(role, 0) + pss_bytes / 1e6
    shown = ", ".join(f"{role} {mb:.0f}" for role, mb in sorted(parts.items()))
    lines.append(f"tree peak PSS {sum(parts.values()):.0f} MB at {peak_row['t']:.1f} s: {shown}")
    lines.append("")
    lines.append("    t  " + "".join(f"{role:>16}" for role in roles) + "   tree MB  stage")
    next_t, previous_ticks, previous_t = 0.0, {}, 0.0
    for row in rows:
        if row["t"] < next_t:
            continue
        busy: dict[str, float] = {}
        mem: dict[str, float] = {}
        for pid, (role, pss_bytes, ticks) in row["procs"].items():
            mem[role] = mem.get(role, 0) + pss_bytes / 1e6
            busy[role] = busy.get(role, 0) + (ticks - previous_ticks.get(pid, ticks if previous_t else 0)) / hz
            previous_ticks[pid] = ticks
        span = max(row["t"] - previous_t, 1e-9)
        stage = [name for t, name in marks if t <= row["t"]]
        cells = "".join(
            f"{mem.get(role, 0):8.0f}{100 * busy.get(role, 0) / span:6.0f}% " if role in mem else f"{'':16}"
            for role in roles
        )
        lines.append(f"{row['t']:6.1f} {cells} {sum(mem.values()):8.0f}  {stage[-1] if stage else ''}")
        previous_t, next_t = row["t"], row["t"] + every
    if marks:
        lines.append("")
        lines.append("stage                          from      to    CPU s   peak tree PSS MB")
        bounds = [*marks, (rows[-1]["t"] if rows else 0.0, "")]
        for (start, name), (end, _) in itertools.pairwise(bounds):
            inside = [row for row in rows if start <= row["t"] < end]
            if not inside:
                lines.append(f"{name:28} {start:7.2f} {end:7.2f}")
                continue
            used = _ticks_between(rows, start, end) / hz
            top = max(sum(p[1] for p in row["procs"].values()) for row in inside) / 1e6
            lines.append(f"{name:28} {start:7.2f} {end:7.2f} {used:8.1f}   {top:8.0f}")
    return "\n".join(lines)


def _ticks_between(rows: list[dict], start: float, end: float) -> int:
    """CPU ticks the tree used between the polls nearest ``start`` and ``end`` (processes born meanwhile count
    from zero)."""
    first = next((row for row in rows if row["t"] >= start), rows[-1])
    last = next((row for row in reversed(rows) if row["t"] <= end), rows[0])
    ticks = {pid: proc[2] for pid, proc in first["procs"].items()}
    later: dict[str, int] = {}
    for row in rows:
        if first["t"] <= row["t"] <= last["t"]:
            later.update({pid: proc[2] for pid, proc in row["procs"].items()})
    return sum(t - ticks.get(pid, 0) for pid, t in later.items())


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure one command: wall, CPU, peak PSS; with a timeline.")
    parser.add_argument("--timeline", type=Path, help="write each poll's processes here (JSON lines)")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between the rows printed")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    timeline = args.timeline or Path(f"/tmp/measure-{os.getpid()}.jsonl")
    phases = Path(str(timeline) + ".phases")
    phases.unlink(missing_ok=True)
    env = {**os.environ, "CLEANER_PHASES": str(phases)}
    m = measure(command, env=env, timeline=timeline, check=False)
    print(summarise(timeline, args.every, phases))
    print(
        f"\nwall {m.seconds:.1f} s  CPU {m.cpu_seconds:.1f} s  peak PSS {m.peak_pss_mb:.0f} MB  "
        f"RSS summed {m.peak_rss_mb:.0f} MB  exit {m.returncode}"
    )
    if not args.timeline:
        timeline.unlink(missing_ok=True)
    sys.exit(m.returncode)


if __name__ == "__main__":
    main()
