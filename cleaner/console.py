"""What the command line prints: the progress bar, the end-of-run summary, the validation verdict.

Kept apart from :mod:`cleaner.cli` (the commands: options parsed, the library called) so that how results look is
in one place. Rich is imported inside each function: ``cleaner --help`` must not pay for it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cleaner.publish.diff import Diff
    from cleaner.runner import RunSummary
    from cleaner.validate import Report


def output_console(stderr: bool = False):
    """A console that wraps to the terminal, or writes wide lines when the output is a file or a pipe."""
    from rich.console import Console

    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=160)


def progress_bar(console, disabled: bool):
    """A progress bar over input bytes, showing documents and MB per second, headed by the stage the run is in
    (the survey before cleaning, deduplication and validation after it run without a bar of their own)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn(
            "{task.fields[docs]:,} docs · {task.fields[docs_rate]:,.0f} docs/s · {task.fields[mb_rate]:.1f} MB/s"
        ),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=disabled,
        transient=True,
    )
    state = {"task": None, "docs": 0, "bytes": 0, "start": time.perf_counter()}

    def on_phase(phase: str) -> None:
        if state["task"] is None:
            state["task"] = progress.add_task(phase, total=None, docs=0, docs_rate=0.0, mb_rate=0.0)
        progress.update(state["task"], description=phase)
        if phase == "cleaning":  # rates count from here, not from the start-up and the survey
            state["start"] = time.perf_counter()

    def on_progress(result, total_files: int, total_bytes: int) -> None:
        if state["task"] is None:
            on_phase("cleaning")
        state["docs"] += result.read
        state["bytes"] += result.bytes_in
        elapsed = max(time.perf_counter() - state["start"], 1e-6)
        progress.update(
            state["task"],
            total=total_bytes,
            completed=state["bytes"],
            docs=state["docs"],
            docs_rate=state["docs"] / elapsed,
            mb_rate=state["bytes"] / elapsed / 1e6,
        )

    return progress, on_progress, on_phase


def print_summary(summary: RunSummary) -> None:
    from rich.markup import escape  # file names and messages are the user's text, not markup: "[run]" stays
    from rich.table import Table

    console = output_console()
    seconds = max(summary.seconds, 1e-9)
    console.print(
        f"[bold]read[/] {summary.read:,} documents from {summary.files:,} files "
        f"({summary.bytes_in / 1e6:,.1f} MB) in {summary.seconds:.1f}s "
        f"({summary.read / seconds:,.0f} docs/s, {summary.bytes_in / seconds / 1e6:,.1f} MB/s, "
        f"{summary.workers} worker{'s' if summary.workers != 1 else ''})"
    )
    console.print(f"[bold green]kept[/] {summary.kept:,} documents, {summary.words_kept:,} words")
    console.print(f"[bold yellow]rejected[/] {summary.rejected_total:,} documents")
    if summary.rejected:
        table = Table("reason", "documents", box=None, padding=(0, 2))
        for reason, count in summary.rejected.most_common():
            table.add_row(reason, f"{count:,}")
        console.print(table)
    if summary.removed_lines:
        console.print(f"[bold]removed[/] {sum(summary.removed_lines.values()):,} lines")
        table = Table("reason", "lines", box=None, padding=(0, 2))
        for reason, count in summary.removed_lines.most_common(15):
            table.add_row(reason, f"{count:,}")
        console.print(table)
    for message in summary.retried:
        console.print(f"[yellow]warning[/] {escape(message)}", highlight=False)
    for message in summary.read_errors[:10]:
        console.print(f"[yellow]warning[/] {escape(message)}", highlight=False)
    if len(summary.read_errors) > 10:
        console.print(f"[yellow]… and {len(summary.read_errors) - 10:,} more unreadable inputs (see rejects)[/]")
    if summary.hidden:
        console.print(f"ignored {len(summary.hidden)} hidden file(s), e.g. {escape(str(summary.hidden[0]))}")
    if summary.skipped_output:
        console.print(
            f"ignored {escape(str(summary.skipped_output))}/: the output folder, inside the input folder",
            highlight=False,
        )
    console.print(f"[bold]output[/] {escape(str(summary.output))}/ (documents/, rejects/, audit/, edits/, run.json)")


def print_validation(report: Report, brief: bool) -> None:
    from rich.table import Table

    console = output_console()
    failed = [o for o in report.outcomes if not o.success]
    verdict = "[bold green]passed[/]" if report.success else f"[bold red]FAILED[/] ({len(failed)} expectations)"
    console.print(f"[bold]validation[/] suite '{report.suite}': {verdict}, {len(report.outcomes)} expectations")
    shown = failed if brief else report.outcomes
    if shown:
        table = Table("", "batch", "expectation", "column", "observed", "unexpected", "examples (ids)", box=None)
        for o in shown:
            mark = "[green]✓[/]" if o.success else "[red]✗[/]"
            observed = "" if o.observed is None else str(o.observed)[:40]
            name = o.expectation.removeprefix("expect_")
            table.add_row(mark, o.batch, name, o.column or "", observed, str(o.unexpected or ""),
                          ", ".join(o.examples))  # fmt: skip
        console.print(table)
    console.print(f"report: {report.dataset}/validation/result.json · Data Docs: {report.docs}", highlight=False)


def print_diff(result: Diff) -> None:
    """Two releases side by side: the summary line, documents, words and languages, the first ids of each change."""
    from rich.table import Table

    console = output_console()
    console.print(result.summary(), highlight=False)
    table = Table("", result.old.version, result.new.version, box=None)
    table.add_row("documents", f"{result.old.documents:,}", f"{result.new.documents:,}")
    table.add_row("words", f"{result.old.words:,}", f"{result.new.words:,}")
    for lang in sorted(set(result.old.languages) | set(result.new.languages)):
        table.add_row(f"language {lang}", f"{result.old.languages[lang]:,}", f"{result.new.languages[lang]:,}")
    console.print(table)
    for label, ids in (("added", result.added), ("removed", result.removed), ("changed", result.changed)):
        if ids:
            console.print(f"{label}: {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}", highlight=False)
