"""`cleaner report`, `cleaner --version`, and `cleaner validate dist/` finding the build below it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from cleaner import __version__
from tests.conftest import ROOT


def cleaner(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_version():
    result = cleaner("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"cleaner {__version__}"


def test_report_of_the_output_folder(build: Path, tmp_path: Path):
    out = tmp_path / "dist"
    shutil.copytree(build, out / "news" / "build")
    (out / "news" / "build" / "report.html").unlink(missing_ok=True)
    result = cleaner("report", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "news" / "build" / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 6
    assert not re.search(r"""(src|href)=["']?(https?:)?//|<link|@import|url\(""", html)  # nothing to fetch


def test_validate_finds_the_build_or_lists_them(build: Path, tmp_path: Path):
    out = tmp_path / "dist"
    shutil.copytree(build, out / "news" / "build")
    result = cleaner("validate", str(out))
    assert "not a" not in result.stderr and f"using {out / 'news' / 'build'}" in result.stderr
    assert "validation" in result.stdout
    shutil.copytree(build, out / "other" / "build")
    result = cleaner("validate", str(out))
    assert result.returncode == 2 and "several builds" in result.stderr and "other/build" in result.stderr


def test_push_and_diff_with_a_bad_config_are_config_errors(tmp_path: Path):
    bad = tmp_path / "cleaner.toml"
    bad.write_text("pipeline = [\n", encoding="utf-8")
    for args in (["push", "1.0.0", "--to", "hf://acme/x"], ["diff", "1.0.0", "1.1.0"]):
        result = cleaner(*args, "--config", str(bad))
        assert result.returncode == 2 and "not valid TOML" in result.stderr and "bug in cleaner" not in result.stderr
