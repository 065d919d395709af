"""The ``cleaner`` command line. Thin by design: it parses options, calls the library, and renders results.

Nothing heavy is imported at module level (pyarrow, trafilatura, Great Expectations, datasets load only in the
commands that use them), so ``cleaner --help`` answers at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cleaner.console import output_console, print_diff, print_summary, print_validation, progress_bar

# Options shared by several commands.
OutDir = Annotated[
    Path, typer.Option("--out", help="Output root: runs go to OUT/<name>/build, releases to OUT/<name>/<version>.")
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config", help="TOML config (default: ./cleaner.toml, else the tool.cleaner table of pyproject.toml)."
    ),
]

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


def _write_failure(err: OSError, out: Path, then: str = "") -> str | None:
    """The one-line message of a write below ``out`` that failed for a reason of the machine's (no space left, no
    permission, a read-only file system: see cleaner.writer.WRITE_ADVICE); None for any other error, a bug."""
    from cleaner.writer import output_error

    if err.filename and not Path(os.fsdecode(err.filename)).resolve().is_relative_to(out.resolve()):
        return None  # not the output: an error of ours (inputs are read by readers that reject, not raise)
    problem = output_error(err, out)
    return None if problem is None else f"{problem}; the previous output is untouched{then}"


def _show_version(value: bool) -> None:
    if value:
        from cleaner import __version__

        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print cleaner's version and exit."),
    ] = None,
) -> None:
    """Turn raw web-scraped text into a clean, validated, versioned dataset."""


@app.command()
def run(
    raw_dir: Annotated[
        str,
        typer.Argument(
            help="Folder of raw documents (txt, md, html, jsonl, parquet, warc; .gz/.zst), or a URL such as"
            " s3://bucket/prefix."
        ),
    ],
    out: OutDir = Path("dist"),
    config_file: ConfigFile = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes to use (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the Great Expectations suite.")] = False,
    engine: Annotated[
        str | None, typer.Option("--engine", help="Where tasks run: local (default) or ray ([run] engine).")
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster to join (ray start --head prints it).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Keep what an interrupted run of the same input and config finished.")
    ] = False,
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
    console = Console(stderr=True)  # the progress bar: only on a terminal
    progress, on_progress, on_phase = progress_bar(console, disabled=quiet or not console.is_terminal)
    try:
        with progress:
            summary = run_pipeline(
                raw_dir,
                out,
                config,
                workers=workers,
                on_progress=on_progress,
                validate=not no_validate,
                on_phase=on_phase,
                engine=engine or ("ray" if ray_address else None),
                ray_address=ray_address,
                resume=resume,
                on_staged=_report_staged,
            )
    except RunError as err:
        fail(str(err))
    except OSError as err:
        then = "; once fixed, run again with --resume to keep the tasks already finished"
        message = _write_failure(err, out / config.dataset.name, then)
        if message is None:
            raise
        fail(message)
    except (KeyboardInterrupt, Interrupted):
        fail(
            "interrupted: nothing was published, the previous output is untouched; run again with --resume to"
            " keep the tasks already finished",
            code=130,
        )
    if summary.resume_note:
        typer.secho(summary.resume_note, fg="yellow", err=True)
    print_summary(summary)
    if summary.validation is not None:
        print_validation(summary.validation, brief=True)
    elif summary.validation_skipped:
        typer.secho(f"validation skipped: {summary.validation_skipped}", fg="yellow")
    if summary.readable == 0:
        fail(f"nothing in {summary.raw_dir} could be read; see the reasons above", code=1)
    if (Path(summary.output) / "report.html").is_file():
        output_console().print(f"[bold]report[/] {Path(summary.output) / 'report.html'}", highlight=False)


def _report_staged(staging: Path, destination: Path) -> None:
    """The run's report, written into its output before that is published, while the validation checks it."""
    _write_report(staging, announce=False, published=destination)


def _write_report(folder: Path, announce: bool = True, **kwargs) -> None:
    """The HTML report beside the data; a report that cannot be made is a warning, the data stays."""
    from cleaner.report import write_report

    try:
        path = write_report(Path(folder), **kwargs)
    except Exception as err:  # the run or release is done and sound: never lose it over its report
        typer.secho(f"warning: no report written ({type(err).__name__}: {err})", fg="yellow", err=True)
        return
    if announce:
        output_console().print(f"[bold]report[/] {path}", highlight=False)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A run output (DIR/<name>/build) or a release (DIR/<name>/<version>).")],
    suite: Annotated[str | None, typer.Option("--suite", help="Suite name in expectations/ (default: config).")] = None,
    config_file: ConfigFile = None,
    expectations: Annotated[Path | None, typer.Option("--expectations", help="Folder of suite files.")] = None,
) -> None:
    """Check a dataset against a Great Expectations suite; exit code 1 when any expectation fails."""
    from cleaner import config as config_module
    from cleaner.validate import ValidationError
    from cleaner.validate import validate as run_suite

    try:
        config = config_module.load(config_file)
        path = _dataset_folder(path)
        report = run_suite(path, config, suite=suite, expectations=expectations)
    except (config_module.ConfigError, ValidationError) as err:
        fail(str(err))
    except OSError as err:  # its result.json and Data Docs are written beside the data
        if (message := _write_failure(err, path)) is None:
            raise
        fail(message)
    print_validation(report, brief=False)
    if not report.success:
        raise typer.Exit(1)


def _dataset_folder(path: Path) -> Path:
    """A build or release at ``path``, or the one build below it: ``cleaner validate dist/`` finds
    ``dist/<name>/build``, and lists the candidates when there are several."""
    if (path / "run.json").is_file() or (path / "manifest.json").is_file():
        return path
    builds = sorted(p.parent for p in path.glob("*/build/run.json")) if path.is_dir() else []
    if len(builds) == 1:
        typer.echo(f"using {builds[0]}", err=True)
        return builds[0]
    if len(builds) > 1:
        fail(f"{path} holds several builds; name one: {', '.join(str(b) for b in builds)}")
    return path


@app.command()
def report(
    path: Annotated[Path, typer.Argument(help="A run output (DIR/<name>/build), a release, or DIR with one build.")],
    per_group: Annotated[
        int, typer.Option("--per-group", min=1, help="Documents embedded per reason and per site.")
    ] = 20,
) -> None:
    """Write PATH/report.html: one self-contained page of what was kept, removed and why, to open in a browser."""
    from cleaner.report import ReportError, write_report

    folder = _dataset_folder(path)
    previous = _previous_release(folder)
    try:
        written = write_report(folder, previous=previous, per_group=per_group)
    except ReportError as err:
        fail(str(err))
    except OSError as err:
        if (message := _write_failure(err, folder)) is None:
            raise
        fail(message)
    output_console().print(f"[bold]report[/] {written}", highlight=False)


def _previous_release(folder: Path) -> Path | None:
    from cleaner.publish import version

    if not (folder / "manifest.json").is_file():
        return None
    try:
        older = [v for v in version.releases(folder.parent) if version.parse(v) < version.parse(folder.name)]
    except ValueError:
        return None
    return folder.parent / older[-1] if older else None


@app.command()
def publish(
    build: Annotated[Path | None, typer.Argument(help="A run output (default: OUT/<name>/build).")] = None,
    out: OutDir = Path("dist"),
    config_file: ConfigFile = None,
    version: Annotated[str | None, typer.Option("--version", help="Release version (default: config).")] = None,
    bump: Annotated[str | None, typer.Option("--bump", help="major, minor or patch of the latest release.")] = None,
    allow_invalid: Annotated[
        bool,
        typer.Option("--allow-invalid", help="Publish even if validation fails or cannot run (recorded in the card)."),
    ] = False,
    to: Annotated[str | None, typer.Option("--to", help="Also push to the Hub: hf://ORG/NAME.")] = None,
) -> None:
    """Turn a validated run output into an immutable, versioned release under OUT/<name>/<version>/."""
    from cleaner import config as config_module
    from cleaner.publish.release import PublishError
    from cleaner.publish.release import publish as make_release
    from cleaner.validate import ValidationError

    try:
        config = config_module.load(config_file)
        source = build or out / config.dataset.name / "build"
        release = make_release(source, config, version, bump, allow_invalid)
    except (config_module.ConfigError, PublishError, ValidationError, ValueError) as err:
        fail(str(err), code=1)
    except OSError as err:  # the release is written beside its place and renamed into it: nothing half-made stays
        if (message := _write_failure(err, out / config.dataset.name)) is None:
            raise
        fail(message)
    output_console().print(
        f"[bold green]released[/] {release}/ (data/, README.md, manifest.json, report.html)", highlight=False
    )
    if to:
        _push(release, to)


@app.command()
def push(
    version: Annotated[str, typer.Argument(help="A released version (a tag's leading v is stripped).")],
    to: Annotated[str, typer.Option("--to", help="hf://ORG/NAME")],
    out: OutDir = Path("dist"),
    config_file: ConfigFile = None,
) -> None:
    """Upload an existing release to the Hugging Face Hub (token: HF_TOKEN or `huggingface-cli login`)."""
    from cleaner import config as config_module

    try:
        config = config_module.load(config_file)
    except config_module.ConfigError as err:
        fail(str(err))
    release = out / config.dataset.name / version.removeprefix("v")
    if not (release / "manifest.json").is_file():
        fail(f"no release {version} at {release}; make it with `cleaner publish --version {version}`", code=1)
    _push(release, to)


def _push(release: Path, to: str) -> None:
    from cleaner.publish.hub import HubError
    from cleaner.publish.hub import push as push_release

    try:
        done = push_release(release, to)
    except HubError as err:
        fail(str(err), code=1)
    output_console().print(f"pushed to https://huggingface.co/datasets/{done.repo_id} tag {done.revision_tag}")


@app.command()
def diff(
    version_a: Annotated[str, typer.Argument(help="Older version (or a release folder).")],
    version_b: Annotated[str, typer.Argument(help="Newer version (or a release folder).")],
    out: OutDir = Path("dist"),
    config_file: ConfigFile = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Documents added, removed and changed (by id), schema changes and statistics between two releases."""
    import json

    from cleaner import config as config_module
    from cleaner.publish.diff import diff as compare

    try:
        config = config_module.load(config_file)
    except config_module.ConfigError as err:
        fail(str(err))

    def folder(name: str) -> Path:
        path = Path(name) if Path(name).is_dir() else out / config.dataset.name / name
        if not (path / "manifest.json").is_file():
            fail(f"no release {name} (looked in {path})")
        return path

    result = compare(folder(version_a), folder(version_b))
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    print_diff(result)


@app.command()
def release(
    raw_dir: Annotated[Path, typer.Argument(help="Folder of raw documents.")],
    version: Annotated[str, typer.Option("--version", help="Release version, e.g. 1.4.0 (a tag's v stripped).")],
    out: OutDir = Path("dist"),
    config_file: ConfigFile = None,
    to: Annotated[str | None, typer.Option("--to", help="Also push to the Hub: hf://ORG/NAME.")] = None,
) -> None:
    """Run, validate and publish in one go: what the release workflow calls on a version tag."""
    from cleaner import config as config_module
    from cleaner.publish.release import PublishError, release_target

    try:
        config = config_module.load(config_file)
    except config_module.ConfigError as err:
        fail(str(err))
    try:  # a version that cannot be released is refused before the run, not after it
        release_target(out / config.dataset.name, config, version.removeprefix("v"), None)
    except PublishError as err:
        fail(str(err), code=1)
    # publish validates the build (and refuses a failing one), so the run does not validate twice
    run(raw_dir, out=out, config_file=config_file, workers=None, quiet=True, no_validate=True)
    publish(None, out=out, config_file=config_file, version=version.removeprefix("v"), bump=None,
            allow_invalid=False, to=to)  # fmt: skip


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.exit(1)
    except Exception:  # bad input and bad settings end above with a one-line error: this is a bug
        import traceback

        traceback.print_exc()
        typer.secho(
            "error: cleaner stopped on an unexpected error, a bug in cleaner rather than a problem with your input; "
            "please report it with the traceback above",
            fg="red",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
