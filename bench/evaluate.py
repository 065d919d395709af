"""Quality on the development evaluation set: `cleaner run` on each set, then the set's own scorer.

    python bench/evaluate.py [--eval ../shared/eval-dev] [--work /tmp/cleaner-eval] [--sets boilerplate,...]

Prints, per set, the scorer's headline lines (boilerplate: P/R/F1 for the text dumps and for the HTML, overall
and per language; mojibake: exact restoration and intact paragraphs damaged; spaces: fixed rate and false
splits; neardup: pairwise precision/recall), and the language detector's accuracy against the gold languages.
Boilerplate and HTML use the repository's cleaner.toml without dedup (the pages are distinct). Mojibake, spaces
and neardup go through the whole default pipeline (cleaner.toml as it is): what a user gets, where any step may
change a paragraph that repair restored or that was correct to begin with. Mojibake is also scored through the
repair step alone, for comparison ("[repair alone]").

For mojibake and spaces it then names the step that changed each gold paragraph (``paragraphs changed, by step``):
the steps run one by one on each document (in this process, without the corpus survey or dedup), and a
paragraph is charged to the first step after which it is no longer found whole (scored as the scorer does:
NFC, whitespace runs collapsed); a corrupted paragraph repair did not restore is charged to repair. A change
that only removed soft hyphens (the whitespace step's documented ``remove_soft_hyphens``) or only redacted
personal data (the pii step's purpose) is counted apart.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = {
    "boilerplate": ["repair", "whitespace", "pii", "boilerplate", "language", "spacing", "metadata", "quality"],
    "html": ["repair", "whitespace", "pii", "boilerplate", "language", "spacing", "metadata", "quality"],
    "mojibake": None,  # the repository's full pipeline, as a user runs it
    "mojibake-repair": ["repair"],  # the repair step alone, printed beside the whole pipeline's mojibake figure
    "spaces": None,
    "neardup": None,  # dedup included
}
INPUTS = {
    "boilerplate": "boilerplate/text",
    "html": "boilerplate/html",
    "mojibake": "mojibake/input",
    "mojibake-repair": "mojibake/input",
    "spaces": "spaces/input",
    "neardup": "neardup/input",
}


BASE_CONFIG = ROOT / "cleaner.toml"  # --config: another base configuration (to measure a setting)


def run_set(name: str, eval_dir: Path, work: Path) -> Path:
    out = work / name
    config = work / f"{name}.toml"
    base = BASE_CONFIG.read_text(encoding="utf-8")
    pipeline = PIPELINES[name]
    if pipeline is not None:
        lines = [line for line in base.splitlines() if not line.startswith("pipeline")]
        base = f"pipeline = {json.dumps(pipeline)}\n" + "\n".join(lines) + "\n"
    config.write_text(base, encoding="utf-8")
    command = [sys.executable, "-m", "cleaner", "run", str(eval_dir / INPUTS[name]), "--out", str(out), "--quiet"]
    subprocess.run([*command, "--config", str(config)], check=True, stdout=subprocess.DEVNULL)
    return out


def score(name: str, eval_dir: Path, out: Path, exclude: str | None = None) -> str:
    gold = eval_dir / {"html": "boilerplate", "mojibake-repair": "mojibake"}.get(name, name)
    exclude = exclude or ("audit" if name == "neardup" else "reject|audit")
    result = subprocess.run(
        [sys.executable, str(eval_dir / "score.py"), str(gold), str(out), "--exclude", exclude],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout


def blame(name: str, eval_dir: Path) -> str:
    """Which step changed the gold paragraphs of the mojibake or spaces set (see the module's docstring)."""
    import re
    import tomllib
    import unicodedata
    from collections import Counter

    from cleaner import config as config_module
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline, build_steps

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()

    config = config_module.parse(tomllib.loads(BASE_CONFIG.read_text(encoding="utf-8")))
    steps = Pipeline(build_steps(config)).steps  # corpus steps (dedup) left out
    changed: Counter[str] = Counter()
    examples: list[str] = []
    folder = eval_dir / name
    for row in map(json.loads, (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()):
        path = folder / "input" / f"{row['id']}.txt"
        doc = Document(id=row["id"], text=path.read_text(encoding="utf-8"), source=path.name)
        # The paragraphs to follow: corrupted ones once repair ran, the others from the start.
        corrupted = [p for p in row["paragraphs"] if p.get("corrupted")]
        correct = [p for p in row["paragraphs"] if not p.get("corrupted") and p.get("kind") != "positive"]
        followed = {id(p): norm(p["original"]) for p in correct}
        for step in steps:
            result = step.apply(doc)
            if not isinstance(result, Document):
                changed[f"{step.name} (document rejected)"] += len(followed)
                break
            doc = result
            text = norm(doc.text)
            if step.name == "repair":
                for p in corrupted:
                    if norm(p["original"]) in text:
                        followed[id(p)] = norm(p["original"])
                    else:
                        changed["repair (not restored)"] += 1
            for key, original in list(followed.items()):
                if original in text:
                    continue
                del followed[key]
                why = step.name
                if step.name == "whitespace" and original.replace("\u00ad", "") in text:
                    why = "whitespace (soft hyphens only)"
                elif step.name == "pii" and re.search(r"\[(?:EMAIL|PHONE|IP|IBAN)\]", text):
                    why = "pii (redaction)"
                changed[why] += 1
                if len(examples) < 12 and why == step.name:
                    examples.append(f"     {step.name}: {row['id']} {original[:100]!r}")
    total = ", ".join(f"{why} {n}" for why, n in changed.most_common()) or "none"
    return "\n".join([f"   paragraphs changed, by step: {total}", *examples]) + "\n"


def language_accuracy(eval_dir: Path, outputs: dict[str, Path]) -> str:
    import pyarrow.parquet as pq

    gold: dict[str, str] = {}
    for line in (eval_dir / "boilerplate" / "gold.jsonl").read_text().splitlines():
        row = json.loads(line)
        gold[row["name"]] = row.get("lang_text") or row["lang"]
    for line in (eval_dir / "mojibake" / "gold.jsonl").read_text().splitlines():
        row = json.loads(line)
        gold[row["id"]] = row["lang"]
    hits = total = 0
    by_language: dict[str, list[int]] = {}
    for name in ("boilerplate", "mojibake"):
        if name not in outputs:
            continue
        for part in sorted(outputs[name].rglob("documents/*.parquet")):
            for row in pq.read_table(part, columns=["source", "language"]).to_pylist():
                key = row["source"].rsplit(".", 1)[0]
                expected = gold.get(key)
                if expected in (None, "und") or row["language"] is None:
                    continue
                ok = row["language"] == expected
                hits += ok
                total += 1
                by_language.setdefault(expected, [0, 0])
                by_language[expected][0] += ok
                by_language[expected][1] += 1
    if not total:
        return "language: no documents with a language (run boilerplate and mojibake with the language step)\n"
    parts = ", ".join(f"{lang} {h}/{n}" for lang, (h, n) in sorted(by_language.items(), key=lambda x: -x[1][1]))
    return f"language accuracy: {hits / total:.3f} ({hits}/{total}); {parts}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval-dev")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-eval")
    parser.add_argument("--sets", default="boilerplate,html,mojibake,spaces,neardup")
    parser.add_argument("--config", type=Path, help="base configuration instead of the repository's cleaner.toml")
    args = parser.parse_args()
    if args.config:
        global BASE_CONFIG
        BASE_CONFIG = args.config.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    outputs = {}
    for name in args.sets.split(","):
        outputs[name] = run_set(name, args.eval, args.work)
        report = score(name, args.eval, outputs[name])
        if name == "neardup":  # pairwise metrics need the rejects (they carry the cluster); copies removed do not
            kept_only = score(name, args.eval, outputs[name], exclude="reject|audit").splitlines()
            report += "".join(f"{line}  [kept documents only]\n" for line in kept_only if "redundant" in line)
        print(f"## {name}")
        print("\n".join(line for line in report.splitlines() if not line.startswith(("==", "   matched"))))
        if name == "mojibake":  # the repair step alone, beside the whole pipeline
            alone = score("mojibake-repair", args.eval, run_set("mojibake-repair", args.eval, args.work))
            print(
                "".join(
                    f"{line}  [repair alone]\n" for line in alone.splitlines() if "restored" in line or "intact" in line
                ),
                end="",
            )
        if name in ("mojibake", "spaces"):
            print(blame(name, args.eval), end="")
    # Language accuracy needs the language step, which the mojibake pipeline leaves out: judged on boilerplate.
    print(language_accuracy(args.eval, {k: v for k, v in outputs.items() if k == "boilerplate"}), end="")


if __name__ == "__main__":
    main()
