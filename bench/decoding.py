"""Legacy decoding, measured: the share of legacy-encoded texts that come back exactly, per code page.

The set (``bench/data/legacy_set.jsonl``) is real text re-encoded in the code pages it fits: excerpts of the
development pages (``../shared/eval-dev/boilerplate/text``: de, en, es, fr, pl, pt, it, fi, ja) and passages written
for it in the languages those pages lack (``bench/data/legacy_passages.toml``: ru, uk, bg, el, tr, cs, hu, ja, zh,
ko, ar, he, lt). Each text comes three ways: its first sentence (short texts are where guessing fails), a paragraph,
and the whole page or passage. A text that is plain ASCII, or does not fit the code page, is left out.

Two decoders are compared on the same bytes (none of them is UTF-8 or carries a byte-order mark, so both go straight
to the guess):

- ``before``: charset-normalizer's best guess alone (``str(from_bytes(data).best())``), which is what
  :func:`cleaner.readers.decode.decode_text` did before it was steered;
- ``after``: :func:`cleaner.readers.decode.decode_text` as it is in this checkout.

    python bench/decoding.py             # the table
    python bench/decoding.py --failures  # and every text the current decoder gets wrong
    python bench/decoding.py --build     # rebuild the set from the development pages and the passages
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
SET = DATA / "legacy_set.jsonl"
PASSAGES = DATA / "legacy_passages.toml"
DEV = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared")
DEV = DEV / "eval-dev" / "boilerplate"
# Code pages the development pages' languages were written in before UTF-8.
PAGE_ENCODINGS = {
    "de": ["cp1252", "iso-8859-1"],
    "en": ["cp1252"],
    "es": ["cp1252", "iso-8859-1"],
    "fr": ["cp1252", "iso-8859-1"],
    "pt": ["cp1252", "iso-8859-1"],
    "it": ["cp1252", "iso-8859-1"],
    "fi": ["cp1252", "iso-8859-1"],
    "pl": ["cp1250", "iso-8859-2"],
    "ja": ["shift_jis", "euc-jp"],
}
PAGES_PER_LANGUAGE = 8
PAGE_CHARS = 6000
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="rebuild the set from the development pages")
    parser.add_argument("--dev", type=Path, default=DEV, help="the boilerplate development set")
    parser.add_argument("--failures", action="store_true", help="list what the current decoder gets wrong")
    args = parser.parse_args()
    if args.build:
        build(args.dev)
    measure(args.failures)


def build(dev: Path) -> None:
    """Write the set: excerpts of the development pages and the written passages, in every code page they fit."""
    texts: list[tuple[str, str, str, list[str]]] = []  # (id, lang, text, encodings)
    gold = [json.loads(line) for line in (dev / "gold.jsonl").open(encoding="utf-8")]
    taken: dict[str, int] = defaultdict(int)
    for page in sorted(gold, key=lambda g: g["name"]):
        lang = page.get("lang")
        if lang not in PAGE_ENCODINGS or taken[lang] >= PAGES_PER_LANGUAGE:
            continue
        path = dev / "text" / f"{page['name']}.txt"
        if not path.exists():
            continue
        taken[lang] += 1
        text = path.read_text(encoding="utf-8")
        texts.extend(_excerpts(f"dev:{page['name']}", lang, text, PAGE_ENCODINGS[lang], paragraphs=2))
    for number, passage in enumerate(tomllib.loads(PASSAGES.read_text(encoding="utf-8"))["passage"]):
        name = f"passage:{passage['lang']}-{number}"
        texts.extend(_excerpts(name, passage["lang"], passage["text"], passage["encodings"], paragraphs=3))
    rows = []
    for name, lang, text, encodings in texts:
        for encoding in encodings:
            try:
                text.encode(encoding)
            except UnicodeEncodeError:
                continue
            rows.append({"id": name, "lang": lang, "encoding": encoding, "text": text})
    with SET.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} texts to {SET.relative_to(ROOT)}")


def _excerpts(
    name: str, lang: str, text: str, encodings: list[str], paragraphs: int
) -> list[tuple[str, str, str, list[str]]]:
    """The first ``paragraphs`` paragraphs holding a non-ASCII letter, the first such sentence of each, and the
    whole text (cut at a line)."""
    lines = [line.strip() for line in text.splitlines()]
    prose = [line for line in lines if len(line.encode()) >= 100 and not line.isascii()]
    found = []
    for number, paragraph in enumerate(prose[:paragraphs]):
        sentence = next((s for s in SENTENCE_END.split(paragraph) if len(s.encode()) >= 40 and not s.isascii()), "")
        if sentence and sentence != paragraph:
            found.append((f"{name}/{number}/sentence", lang, sentence, encodings))
        found.append((f"{name}/{number}/paragraph", lang, paragraph[:1500], encodings))
    whole = text[:PAGE_CHARS].rsplit("\n", 1)[0] if len(text) > PAGE_CHARS else text
    if not whole.isascii() and len(prose) > 1:
        found.append((f"{name}/page", lang, whole.strip(), encodings))
    return found


def _before(data: bytes, from_bytes) -> str | None:
    """What decode_text did before it was steered: UTF-8, else charset-normalizer's best guess."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else None


def measure(show_failures: bool) -> None:
    from charset_normalizer import from_bytes

    from cleaner.readers.decode import ReadError, decode_text

    rows = [json.loads(line) for line in SET.open(encoding="utf-8")]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures = []
    for row in rows:
        data = row["text"].encode(row["encoding"])
        before = _before(data, from_bytes)
        try:
            after, guessed = decode_text(data, row["id"])
        except ReadError:
            after, guessed = None, "-"
        for table, key in ((totals, row["encoding"]), (kinds, row["id"].rsplit("/", 1)[1])):
            table[key][0] += 1
            table[key][1] += before == row["text"]
            table[key][2] += after == row["text"]
        if after != row["text"]:
            failures.append((row, guessed, after))
    print(f"{'encoding':<14}{'texts':>6}{'before':>9}{'after':>9}")
    for table in (totals, kinds):
        for key in sorted(table):
            n, before, after = table[key]
            print(f"{key:<14}{n:>6}{before / n:>9.1%}{after / n:>9.1%}")
        print()
    n = len(rows)
    print(
        f"{'all':<14}{n:>6}{sum(t[1] for t in totals.values()) / n:>9.1%}{sum(t[2] for t in totals.values()) / n:>9.1%}"
    )
    if show_failures:
        for row, guessed, after in failures:
            shown = (after or "")[:100].replace("\n", " ")
            print(f"\n{row['id']} ({row['encoding']}, read as {guessed}): {shown}")


if __name__ == "__main__":
    main()
