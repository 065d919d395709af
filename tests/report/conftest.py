from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.runner import output_dir, run
from tests.conftest import ROOT

# A page with boilerplate around its article, and with mojibake (UTF-8 read as Windows-1252) in the title, in a
# paragraph and in a line the boilerplate step removes.
LYON = """Café owners in Lyon reopen after the floods
Share on Facebook
Share on Twitter

Subscribe to our newsletter

The owners of the Café de la Gare in Lyon reopened on Monday, three weeks after the floods that damaged much of \
the old town. “We didn’t think we would open again this year,” said Amélie Durand, who runs the café with her \
brother.

The water rose above the counter in the first night, and the cellar was full for eleven days. Insurance paid for \
the new floor, but the family spent its savings on the kitchen and the terrace, which the city asked them to \
rebuild further from the river.

Read more: The cafés of Lyon’s old town

On Monday morning the regulars came back one by one. Some brought flowers, others brought the chairs they had \
rescued from the street. Durand said the first coffee of the day went to the firefighters who had pumped out the \
cellar.
"""
MOJIBAKE_LINES = (0, 6, 10)


def lyon_page() -> str:
    import ftfy.bad_codecs  # noqa: F401 - registers "sloppy-windows-1252", how browsers decode cp1252

    lines = LYON.split("\n")
    damaged = [line.encode("utf-8").decode("sloppy-windows-1252") for line in lines]
    return "\n".join(damaged[i] if i in MOJIBAKE_LINES else line for i, line in enumerate(lines))


def published(lines: list[dict]) -> str:
    """The kept lines of a reconstruction with each mark's new words in place of the old: the published text."""
    out = []
    for line in lines:
        if "r" in line or "b" in line:
            continue
        text, at, pieces = line["t"], 0, []
        for start, end, after, _ in line.get("e", ()):
            pieces += [text[at:start], after]
            at = end
        out.append("".join(pieces) + text[at:])
    return "\n".join(out)


def write_corpus(raw: Path) -> Path:
    """raw/ (five pages, 32 removed lines, spaces put back in one), a page with mojibake, and a page that is
    rejected, for a reject reason."""
    raw.mkdir(parents=True, exist_ok=True)
    for page in sorted((ROOT / "raw").iterdir()):
        (raw / page.name).write_bytes(page.read_bytes())
    (raw / "lyon.txt").write_text(lyon_page(), encoding="utf-8")
    (raw / "tiny.txt").write_text("Too short.\n", encoding="utf-8")
    return raw


@pytest.fixture(scope="package")
def raw(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("raw"))


@pytest.fixture(scope="package")
def build(raw: Path, tmp_path_factory) -> Path:
    """The run of ``raw`` with this repository's configuration."""
    config = config_module.load(ROOT / "cleaner.toml")
    out = tmp_path_factory.mktemp("dist")
    run(raw, out, config, workers=1, validate=False)
    return output_dir(out, config)
