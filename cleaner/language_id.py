"""Language identifiers: which language a sample of text is written in, as an ISO 639-1 code and a probability.

Two are offered. ``py3langid`` (the default) is a naive Bayes model over byte n-grams, shipped inside the package,
as accurate as ``langdetect`` on the development pages and several times faster (``python bench/language.py``).
``langdetect`` is the project's named dependency; it samples at random, so it is seeded here to be deterministic.
The language step labels documents with them; the boilerplate step asks one which stop-word list to use.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def py3langid_model():
    """The py3langid model with probabilities normalised to sum to 1 (loaded once, about 0.2 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_py3langid(text: str) -> tuple[str, float]:
    language, score = py3langid_model().classify(text)
    return language, float(score)


def detect_langdetect(text: str) -> tuple[str, float]:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # langdetect samples at random: a fixed seed makes it deterministic
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return "und", 0.0
    return best.lang.split("-")[0], float(best.prob)


DETECTORS = {"py3langid": detect_py3langid, "langdetect": detect_langdetect}
