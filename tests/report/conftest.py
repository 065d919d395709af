from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.runner import output_dir, run
from tests.conftest import ROOT


@pytest.fixture(scope="package")
def build(tmp_path_factory) -> Path:
    """A run of raw/ (five pages, 32 removed lines) plus a page that is rejected, for a reject reason."""
    raw = tmp_path_factory.mktemp("raw")
    for page in sorted((ROOT / "raw").iterdir()):
        (raw / page.name).write_bytes(page.read_bytes())
    (raw / "tiny.txt").write_text("Too short.\n", encoding="utf-8")
    config = config_module.load(ROOT / "cleaner.toml")
    out = tmp_path_factory.mktemp("dist")
    run(raw, out, config, workers=1, validate=False)
    return output_dir(out, config)
