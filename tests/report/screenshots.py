"""The README's screenshots of the report (docs/report-overview.png, docs/report-document.png), taken in the same
headless Chromium as the browser tests, of the corpus they use (raw/, a page with mojibake, a rejected page).

    python -m tests.report.screenshots
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cleaner import config as config_module
from cleaner.report import write_report
from cleaner.runner import output_dir, run
from tests.conftest import ROOT
from tests.report.conftest import write_corpus


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="cleaner-shots-"))
    try:
        config = config_module.load(ROOT / "cleaner.toml")
        run(write_corpus(work / "raw"), work / "dist", config, workers=1, validate=False)
        report = write_report(output_dir(work / "dist", config))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_page(viewport={"width": 1280, "height": 1500})
            tab.goto(report.as_uri())
            tab.wait_for_selector("body[data-ready='1']")
            tab.screenshot(path=ROOT / "docs" / "report-overview.png")
            tab.set_viewport_size({"width": 1280, "height": 900})
            tab.goto(report.as_uri() + "#q=reason%3Arepair.mojibake")
            tab.wait_for_selector("#doc .edit")
            tab.screenshot(path=ROOT / "docs" / "report-document.png")
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("docs/report-overview.png, docs/report-document.png")


if __name__ == "__main__":
    main()
