"""The command line's own text: the end-of-run summary prints the user's file names and messages as they are."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from cleaner import cli
from tests.conftest import ARTICLE


def test_file_names_and_messages_with_brackets_are_printed_as_written(tmp_path: Path, monkeypatch):
    """Rich reads "[...]" as markup: a warning's "[run] max_document_bytes" vanished from the summary, and a file
    named "[bold]long[red].txt" was printed as "long.txt" in colour."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "article.txt").write_text(ARTICLE[:900], encoding="utf-8")
    (raw / "[bold]long[red].txt").write_text("word " * 300, encoding="utf-8")
    (tmp_path / "cleaner.toml").write_text(
        'pipeline = ["whitespace"]\n[run]\nmax_document_bytes = 1000\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(os.environ, "COLUMNS", "400")
    result = CliRunner().invoke(cli.app, ["run", "raw", "--workers", "1", "--no-validate"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "[bold]long[red].txt" in output
    assert "(the limit, [run] max_document_bytes)" in output
