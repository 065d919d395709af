"""What the command line prints: the summary of a run and the validation verdict, the user's text as written."""

from __future__ import annotations

from cleaner.console import print_summary, print_validation
from cleaner.run_summary import RunSummary
from cleaner.validate import Outcome, Report


def test_the_summary_prints_counts_reasons_and_names_as_written(capsys):
    summary = RunSummary(raw_dir="raw", output="dist/x/build", files=2, read=3, kept=1, seconds=1.0, workers=2)
    summary.rejected["length.too_short"] = 2
    summary.removed_lines["boilerplate.menu"] = 7
    summary.hidden = ["[bold]secret[/].txt"]
    summary.retried = ["task 3 (input file a.txt) was run again: its worker process was killed (SIGKILL)"]
    print_summary(summary)
    output = " ".join(capsys.readouterr().out.split())
    assert "warning task 3 (input file a.txt) was run again: its worker process was killed (SIGKILL)" in output
    assert "read 3 documents from 2 files" in output and "2 workers" in output
    assert "kept 1 documents" in output and "length.too_short 2" in output and "removed 7 lines" in output
    assert "[bold]secret[/].txt" in output  # not taken for markup


def test_the_brief_verdict_lists_only_the_failed_expectations(capsys):
    failed = Outcome("documents", "expect_column_values_to_not_be_null", "text", False, unexpected=2, examples=["a"])
    passed = Outcome("keys", "expect_column_values_to_be_unique", "id", True)
    report = Report("dist/x/build", "default", False, [failed, passed], "docs/index.html")
    print_validation(report, brief=True)
    brief = " ".join(capsys.readouterr().out.split())
    assert "FAILED (1 expectations), 2 expectations" in brief
    assert "column_values_to_not_be_null" in brief and "column_values_to_be_unique" not in brief
    print_validation(report, brief=False)
    assert "column_values_to_be_unique" in capsys.readouterr().out
