"""The repair step on mojibake made from real paragraphs, in the ways no-break spaces are lost on the web.

    python bench/repair_synthetic.py [--eval ../shared/eval-dev] [--show 10]

Paragraphs: the original paragraphs of the mojibake set and the lines of the development page dumps (boilerplate
set) longer than 80 characters that are not ASCII, in many languages and scripts. Each is damaged as UTF-8 read as
cp1252 (``cp1252``), then with its no-break spaces (byte A0) flattened to spaces (``cp1252_flat``), or flattened and
merged with the spaces around them (``cp1252_collapsed``); read as Latin-1 and flattened (``latin1_flat``); read as
cp1252 twice and flattened (``cp1252x2_flat``). Prints, per damage, the share the repair step gives back exactly
(NFC, whitespace runs collapsed, as the mojibake scorer compares), and how many intact paragraphs it changes (must
be 0). The development set's own mojibake (bench/evaluate.py) holds the first kinds; this one has each kind on every
paragraph, so that a change to the repair is judged on far more text than the set it was tuned on. Run it on two
checkouts to compare.
"""

from __future__ import annotations

import argparse
import difflib
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def damaged(paragraph: str) -> Iterator[tuple[str, str]]:
    import ftfy.bad_codecs  # noqa: F401 (registers "sloppy-windows-1252", how browsers decode cp1252)

    once = paragraph.encode("utf-8").decode("sloppy-windows-1252")
    yield "cp1252", once
    yield "cp1252_flat", once.replace("\u00a0", " ")
    yield "cp1252_collapsed", " ".join(once.replace("\u00a0", " ").split())
    yield "latin1_flat", paragraph.encode("utf-8").decode("latin-1").replace("\u00a0", " ")
    yield "cp1252x2_flat", once.encode("utf-8").decode("sloppy-windows-1252").replace("\u00a0", " ")


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval-dev")
    parser.add_argument("--show", type=int, default=10, help="failures to show")
    args = parser.parse_args()

    from cleaner.document import Document
    from cleaner.steps.repair import Repair

    step = Repair()
    step.prepare()

    def repair(text: str) -> str | None:
        result = step.apply(Document(id="x", text=text, source="x"))
        return result.text if isinstance(result, Document) else None

    paragraphs: list[str] = []
    for row in map(json.loads, (args.eval / "mojibake" / "gold.jsonl").read_text(encoding="utf-8").splitlines()):
        paragraphs += [p["original"] for p in row["paragraphs"]]
    for path in sorted((args.eval / "boilerplate" / "text").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        paragraphs += [line for line in lines if len(line) > 80 and not line.isascii()]
    paragraphs = [p for p in dict.fromkeys(paragraphs) if "\n" not in p]

    intact_changed = 0
    totals: dict[str, list[int]] = {}
    shown = 0
    for paragraph in paragraphs:
        target = norm(paragraph)
        clean = repair(paragraph)
        intact_changed += clean is None or norm(clean) != target
        for kind, text in damaged(paragraph):
            if text == paragraph:
                continue
            fixed = repair(text)
            exact = fixed is not None and norm(fixed) == target
            total = totals.setdefault(kind, [0, 0])
            total[0] += 1
            total[1] += exact
            if not exact and fixed is not None and shown < args.show:
                shown += 1
                matcher = difflib.SequenceMatcher(None, target, norm(fixed), autojunk=False)
                ops = [
                    (t, target[i - 12 : j + 12], norm(fixed)[k - 12 : m + 12])
                    for t, i, j, k, m in matcher.get_opcodes()
                ]
                print(f"  {kind}: {[(a, b) for t, a, b in ops if t != 'equal'][:2]}")
    print(f"paragraphs {len(paragraphs)}; intact paragraphs the repair changes: {intact_changed}")
    for kind, (n, exact) in totals.items():
        print(f"{kind:17} {n:5} damaged, {exact:5} restored exactly ({exact / n:.2%})")


if __name__ == "__main__":
    main()
