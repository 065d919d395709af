"""Shared fixtures: small, real-looking inputs written to temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner import config as config_module

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "raw"

ARTICLE = (
    "The city council approved the new budget on Tuesday after a long debate about school funding.\n\n"
    "Council members said the plan would add two hundred teachers over the next three years, "
    "while keeping property taxes flat for most households.\n\n"
    "Critics argued that the budget relies on optimistic revenue forecasts and leaves the transit "
    "authority without the money it needs to replace its ageing buses."
)

ARTICLE_DE = (
    "Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt beschlossen.\n\n"
    "Die Mitglieder des Rates erklärten, der Plan sehe in den nächsten drei Jahren zweihundert zusätzliche "
    "Lehrerinnen und Lehrer vor, während die Grundsteuer für die meisten Haushalte gleich bleibe."
)

PAGE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Council passes budget | City News</title>
<meta name="author" content="Jane Reporter"><meta property="article:published_time" content="2024-03-05">
</head><body>
<nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/sport">Sport</a></nav>
<article><h1>Council passes budget</h1>
<p>The city council approved the new budget on Tuesday after a long debate about school funding.</p>
<p>Council members said the plan would add two hundred teachers over the next three years, while keeping
property taxes flat for most households.</p>
<p>Critics argued that the budget relies on optimistic revenue forecasts and leaves the transit authority
without the money it needs to replace its ageing buses.</p>
</article>
<footer>© 2024 City News. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>
"""


@pytest.fixture
def defaults() -> config_module.Config:
    return config_module.parse({})


@pytest.fixture
def spine() -> config_module.Config:
    """Only the pipeline's spine (whitespace, length): for tests of reading, accounting and writing."""
    return config_module.parse({"pipeline": ["whitespace", "length"]})


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(SEEDS, target)
    return target


def read_table(folder: Path) -> list[dict]:
    """All rows of a table folder (``documents/``, ``rejects/``, ``audit/``) in part order."""
    rows: list[dict] = []
    for part in sorted(folder.glob("*.parquet")):
        rows.extend(pq.read_table(part).to_pylist())
    return rows


def parquet_bytes(build: Path) -> dict[str, bytes]:
    """Every Parquet file of an output folder, by relative path: two runs agree when these are equal."""
    return {str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*.parquet"))}


def varied_corpus(root: Path, pages: int = 40, records: int = 200) -> Path:
    """A small corpus that takes every path of a run: the seed pages, many small text files (some exact and
    near copies of each other, for dedup), and one JSON Lines shard large enough to be handed out in slices."""
    import json

    raw = root / "varied"
    shutil.copytree(SEEDS, raw)
    for i in range(pages):
        text = ARTICLE.replace("Tuesday", f"day {i % (pages // 2)}") + f"\n\nReport number {i // 2}."
        (raw / "pages" / f"page-{i:03d}.txt").parent.mkdir(exist_ok=True)
        (raw / "pages" / f"page-{i:03d}.txt").write_text(text, encoding="utf-8")
    lines = [
        json.dumps({"id": i, "text": f"{ARTICLE_DE if i % 3 else ARTICLE}\n\nMeldung {i}: {'Wort ' * (i % 7)}ende."})
        for i in range(records)
    ]
    (raw / "shard.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return raw
