"""The ``cleaner`` command line. Thin by design: it parses options, calls the library, and renders results.

Nothing heavy is imported at module level (pyarrow, trafilatura, Great Expectations, datasets load only in the
commands that use them), so ``cleaner --help`` answers at once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cleaner.runner import RunSummary

app = typer.Typer(
    help="Turn raw web-scraped text into a clean, validated, versioned dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error (no traceback) and exit."""
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(code)


@app.callback()
def _root() -> None:
    """Turn raw web-scraped text into a clean, validated, versioned dataset."""


@app.command()
def run(
    raw_dir: Annotated[
        Path, typer.Argument(help="Folder of raw documents (txt, md, html, jsonl, parquet, warc; .gz/.zst).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output root; the run goes to OUT/<name>/build.")] = Path("dist"),
    config_file: Annotated[
        Path | None, typer.Option("--config", help="TOML config (default: ./cleaner.toml or [tool.cleaner]).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes to use (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Clean every document below RAW_DIR into Parquet tables of documents, rejects and removed lines."""
    from rich.console import Console

    from cleaner import config as config_module
    from cleaner.runner import Interrupted, RunError
    from cleaner.runner import run as run_pipeline

    try:
        config = config_module.load(config_file)
    except config_module.ConfigError as err:
        fail(str(err))
    console = Console(stderr=True)
    progress, on_progress = _progress_bar(console, disabled=quiet or not console.is_terminal)
    try:
        with progress:
            summary = run_pipeline(raw_dir, out, config, workers=workers, on_progress=on_progress)
    except RunError as err:
        fail(str(err))
    except (KeyboardInterrupt, Interrupted):
        fail("interrupted: nothing was written, the previous output is untouched", code=130)
    _print_summary(summary)
    if summary.readable == 0:
        fail(f"nothing in {raw_dir} could be read; see the reasons above", code=1)


def _progress_bar(console, disabled: bool):
    """A progress bar over input bytes, showing documents and MB per second."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("cleaning"),
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

    def on_progress(result, total_files: int, total_bytes: int) -> None:
        if state["task"] is None:
            state["task"] = progress.add_task("clean", total=total_bytes, docs=0, docs_rate=0.0, mb_rate=0.0)
        state["docs"] += result.read
        state["bytes"] += result.bytes_in
        elapsed = max(time.perf_counter() - state["start"], 1e-6)
        progress.update(
            state["task"],
            completed=state["bytes"],
            docs=state["docs"],
            docs_rate=state["docs"] / elapsed,
            mb_rate=state["bytes"] / elapsed / 1e6,
        )

    return progress, on_progress


def _print_summary(summary: RunSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
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
    for message in summary.read_errors[:10]:
        console.print(f"[yellow]warning[/] {message}", highlight=False)
    if len(summary.read_errors) > 10:
        console.print(f"[yellow]… and {len(summary.read_errors) - 10:,} more unreadable inputs (see rejects)[/]")
    if summary.hidden:
        console.print(f"ignored {len(summary.hidden)} hidden file(s), e.g. {summary.hidden[0]}")
    console.print(f"[bold]output[/] {summary.output}/ (documents/, rejects/, audit/, run.json)")


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.exit(1)


if __name__ == "__main__":
    main()
