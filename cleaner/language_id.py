"""Language identifiers: which language a sample of text is written in, as an ISO 639-1 code and a probability.

Two are offered. ``py3langid`` (the default) is a naive Bayes model over byte n-grams, shipped inside the package,
as accurate as ``langdetect`` on the development pages and ten times faster (``python bench/language.py``, which
also measures fastText's lid.176: no faster, and as accurate within two pages). ``langdetect`` is the project's
named dependency; it samples at random, so it is seeded here to be deterministic. The language step labels
documents with them; the boilerplate step asks py3langid which stop-word list to use.

py3langid walks its n-gram automaton one byte at a time in Python, which was most of its cost; here the walk is
done by numpy for all positions at once (:class:`VectorisedIdentifier`), with the very scores py3langid gives.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier


class VectorisedIdentifier(LanguageIdentifier):
    """py3langid's identifier with its automaton walked by numpy: the same features, counts and scores.

    The automaton is an Aho-Corasick one over the model's byte n-grams: its state after a byte is the longest
    suffix of the text read so far that begins some n-gram, so it depends on the last ``depth`` bytes only (the
    longest n-gram's length). Walking from the start state over those bytes, for every position at once, takes
    ``depth`` numpy steps instead of a Python step per byte. Features are counted in the order they first occur,
    as py3langid's ``Counter`` does, so that the scores are summed in the same order, bit for bit."""

    __slots__ = ("_depth", "_moves", "_outputs", "_rows")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._moves = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
        self._rows = np.asarray(self._rowbase, dtype=np.int64)
        self._outputs = np.asarray(self.tk_output, dtype=np.int64)
        self._depth = _automaton_depth(self._moves.reshape(-1, 256), np.asarray(self.tk_row, dtype=np.int64))

    def _raw_score(self, text: bytes) -> np.ndarray:
        data = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
        states = np.zeros(len(data), dtype=np.int64)
        for back in range(min(self._depth, len(data)) - 1, -1, -1):  # the byte ``back`` positions before each
            states[back:] = self._moves[self._rows[states[back:]] + data[: len(data) - back]]
        features = self._outputs[states]
        features = features[features >= 0]
        if not len(features):
            return super()._raw_score(text)  # py3langid's own answer for a text without features
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        # float16 weights to float32 through their bits: numpy's own cast is several times slower. Exact for the
        # negative normal numbers the model holds (log probabilities; checked when it loads), so the product is
        # the very one py3langid computes.
        weights = _negative_half_to_single(np.take(self.nb_ptc.view(np.uint16), found[order], axis=0))
        return np.log1p(counts[order].astype(np.float32)) @ weights + self.nb_pc


def _automaton_depth(moves: np.ndarray, row_of: np.ndarray) -> int:
    """The most transitions any state lies from the start state: the length of the model's longest n-gram."""
    seen = np.zeros(len(row_of), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while True:
        rows = np.zeros(len(moves), dtype=bool)
        rows[row_of[frontier]] = True
        reached = np.zeros(len(row_of), dtype=bool)
        reached[moves[rows].ravel()] = True
        new = reached & ~seen
        if not new.any():
            return depth
        depth += 1
        seen |= new
        frontier = np.flatnonzero(new)


def _negative_half_to_single(bits: np.ndarray) -> np.ndarray:
    """float16 bit patterns of negative normal numbers as float32.

    A float32 has the float16's sign, its exponent re-biased by 127 - 15 = 112 (0x1C000 once the bits are in place)
    and its mantissa widened by 13 bits: ``(((bits & 0x7FFF) + 0x1C000) << 13) | 0x80000000``. With the sign bit
    (0x8000) always set, that is ``(bits + 0x54000) << 13``, two passes over the array."""
    wide = bits.astype(np.uint32)
    wide += 0x54000
    wide <<= 13
    return wide.view(np.float32)


def _negative_normal(half: np.ndarray) -> bool:
    """Whether float16 values are all negative normal numbers (no zero, subnormal, infinity or NaN)."""
    bits = half.view(np.uint16)
    exponent = (bits >> 10) & 0x1F
    return bool(((bits & 0x8000).astype(bool) & (exponent > 0) & (exponent < 31)).all())


@lru_cache(maxsize=1)
def py3langid_model() -> LanguageIdentifier:
    """The py3langid model with probabilities normalised to sum to 1 (loaded once, about 0.8 s).

    Vectorised when its weights are float16 log probabilities (negative normal numbers, as those of py3langid 0.4
    are); py3langid's own identifier otherwise."""
    model = VectorisedIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if model.nb_ptc.dtype != np.float16 or not _negative_normal(model.nb_ptc):
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return model


@lru_cache(maxsize=1024)
def detect_py3langid(text: str) -> tuple[str, float]:
    """py3langid's verdict on ``text``, remembered for the most recent samples: the boilerplate step identifies a
    page's longest lines (to choose its stop words) in every pass, and the language step the same sample of the
    cleaned page right after, so that most identifications after the first cost a dictionary look-up."""
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
