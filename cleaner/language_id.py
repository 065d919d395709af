"""Language identifiers: which language a sample of text is written in, as an ISO 639-1 code and a probability.

Two are offered. ``py3langid`` (the default) is a naive Bayes model over byte n-grams, shipped inside the package,
as accurate as ``langdetect`` on the development pages and ten times faster (``python bench/language.py``, which
also measures fastText's lid.176: no faster, and as accurate within two pages). ``langdetect`` is the project's
named dependency; it samples at random, so it is seeded here to be deterministic. The language step labels
documents with them; the boilerplate step asks py3langid which stop-word list to use.

py3langid walks its n-gram automaton one byte at a time in Python, which was most of its cost; here the walk is
done by numpy for all positions at once (:class:`VectorisedIdentifier`), with the very scores py3langid gives. The
samples of a batch of pages are identified together (:func:`detect_py3langid_many`): walked together, they cost
three quarters of what each alone does. Verdicts are remembered for the samples asked again.
"""

from __future__ import annotations

import io
import lzma
import math
import threading
import zipfile
from array import array
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, RAW_FLOOR, LanguageIdentifier

from cleaner.cache import cached

# A feature's first position before it is found (larger than any position).
NOT_SEEN = np.iinfo(np.int64).max
# What reading a damaged or foreign .npz raises.
UNREADABLE = (OSError, ValueError, EOFError, zipfile.BadZipFile)


class VectorisedIdentifier(LanguageIdentifier):
    """py3langid's identifier with its automaton walked by numpy: the same features, counts and scores.

    The automaton is an Aho-Corasick one over the model's byte n-grams: its state after a byte is the longest
    suffix of the text read so far that begins some n-gram, so it depends on the last ``depth`` bytes only (the
    longest n-gram's length). Walking from the start state over those bytes, for every position at once, takes
    ``depth`` numpy steps instead of a Python step per byte. Features are counted in the order they first occur,
    as py3langid's ``Counter`` does, so that the scores are summed in the same order, bit for bit."""

    __slots__ = ("_depth", "_moves", "_outputs", "_pad", "_rows", "_scratch", "widened")

    def __init__(self, *args, depth: int | None = None, **kwargs) -> None:
        """py3langid's arguments; ``tk_nextmove`` may also be a numpy array, and ``depth`` the automaton's depth
        when it is known (it takes a search of the automaton to find)."""
        super().__init__(*args, **kwargs)
        moves = self.tk_nextmove
        self._moves = moves if isinstance(moves, np.ndarray) else np.frombuffer(moves, dtype=np.dtype(moves.typecode))
        self._rows = np.asarray(self._rowbase, dtype=np.int64)
        self._outputs = np.asarray(self.tk_output, dtype=np.int64)
        if depth is None:
            depth = _automaton_depth(self._moves.reshape(-1, 256), np.asarray(self.tk_row, dtype=np.int64))
        self._depth = depth
        self._scratch: tuple[np.ndarray, np.ndarray] | None = None
        # A byte no n-gram begins with (the walk stays at the start state), to keep texts walked together apart.
        leading = self._moves[self._rows[0] : self._rows[0] + 256]
        self._pad = next((byte for byte in range(255, -1, -1) if leading[byte] == 0), None)
        # The weights widened to float32 once, in place of py3langid's float16 ones (28 MB more): widening the rows
        # each text needs at every identification cost twice what taking them does. Exact for the negative normal
        # numbers the model holds (log probabilities), so the product is the very one py3langid computes.
        self.widened = self.nb_ptc.dtype == np.float16 and _negative_normal(self.nb_ptc)
        if self.widened:
            self.nb_ptc = _negative_half_to_single(self.nb_ptc.view(np.uint16))
            self._full_model = (self.nb_ptc, *self._full_model[1:])

    def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """:meth:`classify` of each of ``texts``, with the automaton walked for all of them at once.

        A text's own walk takes ``depth`` transitions per byte (every position from ``depth - 1`` bytes back).
        Here the texts are laid end to end, cut into rows of a few dozen bytes, and the rows walked side by side,
        a byte of each at a time, each from ``depth - 1`` bytes before its start: little more than one transition
        per byte, in a few dozen numpy steps for the whole batch (see :meth:`_walk_many`). Each text is then scored
        on its own, as :meth:`classify` scores it (py3langid's sums, in its order; its normalisation). The
        features walked stay in this call: the model is shared (by threads too), a call's state is not."""
        if len(texts) < 2 or self._pad is None:
            return [self.classify(text) for text in texts]
        # Encoded once, as classify encodes them (the bytes are scored as they are: py3langid's decoding of bytes
        # would trim a lone surrogate at their end).
        encoded = [self._encode(text) for text in texts]
        walked = self._walk_many(encoded)
        return [self._verdict(self._scores(data, features)) for data, features in zip(encoded, walked, strict=True)]

    def _decide(self, text: str | bytes) -> np.ndarray:
        """py3langid's ``_decide``: the score of each language for ``text``."""
        data = self._encode(text)
        return self._scores(data, self._walk(data))

    def _scores(self, data: bytes, features: np.ndarray) -> np.ndarray:
        """What py3langid's ``_decide`` makes of the encoded text ``data`` whose features (:meth:`_walk`) are
        ``features``: its raw scores, normalised to probabilities (``norm_probs``), aliased languages folded."""
        scores = self._raw_scores(data, features)
        if self._norm_probs:
            scores *= 1.0 / math.sqrt(len(data) or 1)  # as py3langid: a softmax at temperature sqrt(bytes)
            np.exp(scores - scores.max(), out=scores)
            scores /= scores.sum()
        for i, j in self._alias_pairs:
            if self._norm_probs:
                scores[i] += scores[j]
                scores[j] = 0.0
            else:
                scores[i] = max(scores[i], scores[j])
                scores[j] = RAW_FLOOR
        return scores

    def _verdict(self, scores: np.ndarray) -> tuple[str, float]:
        """py3langid's ``classify`` given the scores: the best language, or ``und`` below ``min_confidence``."""
        best = int(scores.argmax())
        confidence = float(scores[best])
        if self.min_confidence is not None and confidence < self.min_confidence:
            return "und", confidence
        return self.nb_classes[best], confidence

    def _raw_scores(self, text: bytes, features: np.ndarray) -> np.ndarray:
        """py3langid's raw naive Bayes scores of the encoded ``text``, given its features."""
        if not len(features):
            return super()._raw_score(text)  # py3langid's own answer for a text without features
        found, counts = self._count(features)
        return np.log1p(counts.astype(np.float32)) @ np.take(self.nb_ptc, found, axis=0) + self.nb_pc

    def _walk(self, text: bytes) -> np.ndarray:
        """The features found at each position of ``text`` where one is, in order: every position walked from
        ``depth - 1`` bytes back, all positions at once."""
        data = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
        states = np.zeros(len(data), dtype=np.int64)
        for back in range(min(self._depth, len(data)) - 1, -1, -1):  # the byte ``back`` positions before each
            states[back:] = self._moves[self._rows[states[back:]] + data[: len(data) - back]]
        features = self._outputs[states]
        return features[features >= 0]

    def _walk_many(self, texts: list[bytes], width: int | None = None) -> list[np.ndarray]:
        """:meth:`_walk` of each of ``texts``, walked together.

        The texts are joined with ``depth - 1`` bytes of ``_pad`` before each, a byte no n-gram begins with: the
        state at a text's byte is the longest suffix of what was read that begins an n-gram, and a suffix taking in
        any padding begins with it or is longer than any n-gram, so it is the state the text's own walk reaches
        there. The joined bytes are cut into rows of ``width`` bytes, each walked from ``depth - 1`` bytes before it
        (the end of the row above, or padding): ``width + depth - 1`` numpy steps over all rows at once, and
        ``1 + (depth - 1) / width`` transitions per byte. By default ``width`` grows with the square root of the
        bytes, which balances the two (a batch of 64 samples of 1,000 bytes: 32; a fourth of the walk's time)."""
        warm, pad = self._depth - 1, self._pad
        assert pad is not None
        joined = bytes([pad]) * warm
        joined += joined.join(texts)
        positions = len(joined) - warm
        if not positions:
            return [np.empty(0, dtype=np.int64) for _ in texts]
        width = width or max(1, math.isqrt(positions) // 8)
        count = -(-positions // width)
        buffer = np.full(count * width + warm, pad, dtype=np.uint8)
        buffer[: len(joined)] = np.frombuffer(joined, dtype=np.uint8)
        windows = np.lib.stride_tricks.sliding_window_view(buffer, width + warm)[::width]
        data = np.ascontiguousarray(windows.T, dtype=np.int64)  # data[t]: the t-th byte of every row's walk
        state = np.zeros(count, dtype=np.int64)
        states = np.empty((width, count), dtype=np.int64)
        for step, column in enumerate(data):
            index = self._rows.take(state)
            index += column
            if step < warm:
                state = self._moves.take(index)
            else:
                state = states[step - warm]
                state[:] = self._moves.take(index)
        features = self._outputs.take(states.T.ravel())  # by position in ``joined``, from its first text on
        found, start = [], 0
        for text in texts:
            own = features[start : start + len(text)]
            found.append(own[own >= 0])
            start += len(text) + warm
        return found

    def _count(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ``features`` in the order they first occur, and how often each occurs.

        Counted in two arrays over all the model's features, kept between calls and cleared after each: four
        times faster than sorting the features (``np.unique``, then the first positions), which was half the
        cost of an identification. A call that finds them in use (another thread's) makes its own."""
        scratch, self._scratch = self._scratch, None
        if scratch is None:
            size = len(self.nb_ptc)
            scratch = (np.full(size, NOT_SEEN, dtype=np.int64), np.zeros(size, dtype=np.int64))
        first, counts = scratch
        positions = np.arange(len(features), dtype=np.int64)
        np.minimum.at(first, features, positions)
        found = features[first[features] == positions]
        np.add.at(counts, features, 1)
        result = counts[found]
        first[found], counts[found] = NOT_SEEN, 0
        self._scratch = scratch
        return found, result


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
    """Whether float16 values are all negative normal numbers (no zero, subnormal, infinity or NaN).

    Those are the bit patterns from 0x8400 (sign set, exponent 1, mantissa 0) to 0xFBFF (exponent 30, mantissa
    all ones): two reductions over the model's 14 million weights, without a temporary array."""
    bits = half.view(np.uint16)
    return not bits.size or bool(bits.min() >= 0x8400 and bits.max() < 0xFC00)


@lru_cache(maxsize=1)
def py3langid_model() -> LanguageIdentifier:
    """The py3langid model with probabilities normalised to sum to 1 (loaded once, about 0.2 s; 0.7 s the first
    time, see :func:`_model_arrays`).

    Vectorised when its weights are float16 log probabilities (negative normal numbers, as those of py3langid 0.4
    are); py3langid's own identifier otherwise."""
    try:
        model = _vectorised_model()
    except (*UNREADABLE, KeyError):  # a model file of another layout: py3langid reads it its own way
        model = VectorisedIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if not model.widened:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return model


def _vectorised_model() -> VectorisedIdentifier:
    """The identifier built from the model's arrays, as ``LanguageIdentifier.from_model_file`` builds it (but with
    the automaton's transitions left in numpy, where they are walked)."""
    arrays = _model_arrays()
    return VectorisedIdentifier(
        arrays["ptc"],
        arrays["pc"],
        arrays["classes"].tolist(),
        arrays["nextmove"],
        arrays["out_feat"].tolist(),
        norm_probs=True,
        tk_row=_as_array(arrays["nextmove_row"]),
        depth=int(arrays["depth"]),
    )


def _model_arrays() -> dict[str, np.ndarray]:
    """The arrays of py3langid's model file, an LZMA-compressed ``.npz``, and the depth of its automaton.

    Decompressing the file and searching the automaton took 0.7 s at every start. Their result is kept in the
    user's cache (:mod:`cleaner.cache`), named by py3langid's version and the model file's size and time, and loads
    in a fraction of that."""
    import py3langid

    source = MODEL_DIR / MODEL_FILE
    stat = source.stat()
    key = f"{py3langid.__version__}-{stat.st_size}-{stat.st_mtime_ns}.npz"
    found = cached("py3langid", key, lambda: _unpacked(source))
    try:
        with np.load(found if isinstance(found, Path) else io.BytesIO(found), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except UNREADABLE:
        if isinstance(found, Path):  # a damaged copy: the next start makes it again
            found.unlink(missing_ok=True)
        raise


def _unpacked(source: Path) -> bytes:
    """The model file's arrays with the automaton's depth, as an uncompressed ``.npz``."""
    with np.load(io.BytesIO(lzma.decompress(source.read_bytes())), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    rows = arrays["nextmove"].reshape(-1, 256)
    arrays["depth"] = np.array(_automaton_depth(rows, arrays["nextmove_row"].astype(np.int64)))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _as_array(values: np.ndarray) -> array:
    """A numpy array of unsigned integers as the stdlib ``array`` py3langid keeps its automaton in."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


# How many of py3langid's verdicts are remembered, the most recent ones (see detect_py3langid).
REMEMBERED = 1024


def detect_py3langid(text: str) -> tuple[str, float]:
    """py3langid's verdict on ``text``, remembered for the most recent samples: the boilerplate step identifies a
    page's longest lines (to choose its stop words) in every pass, and the language step the same sample of the
    cleaned page right after, so that most identifications after the first cost a dictionary look-up."""
    remembered = _remembered()
    with _REMEMBERING:
        verdict = remembered.get(text)
        if verdict is not None:
            remembered.move_to_end(text)
            return verdict
    return detect_py3langid_many([text])[0]


def detect_py3langid_many(texts: list[str]) -> list[tuple[str, float]]:
    """:func:`detect_py3langid` of each of ``texts``: those not remembered are identified together
    (``VectorisedIdentifier.classify_many``: a quarter cheaper each than alone, ``python bench/language.py``)."""
    remembered = _remembered()
    with _REMEMBERING:
        verdicts = [remembered.get(text) for text in texts]
        for text, verdict in zip(texts, verdicts, strict=True):
            if verdict is not None:
                remembered.move_to_end(text)
    missing = list(dict.fromkeys(text for text, verdict in zip(texts, verdicts, strict=True) if verdict is None))
    if not missing:
        return verdicts  # type: ignore[return-value]
    model = py3langid_model()
    found = model.classify_many(missing) if isinstance(model, VectorisedIdentifier) else map(model.classify, missing)
    new = {text: (language, float(score)) for text, (language, score) in zip(missing, found, strict=True)}
    with _REMEMBERING:
        remembered.update(new)
        while len(remembered) > REMEMBERED:
            remembered.popitem(last=False)
    return [new[text] if verdict is None else verdict for text, verdict in zip(texts, verdicts, strict=True)]


@lru_cache(maxsize=1)
def _remembered() -> OrderedDict[str, tuple[str, float]]:
    """py3langid's recent verdicts by text, least recently asked first (held by an ``lru_cache``, as the model is,
    so that ``jobs.forget_steps`` lets go of them with it)."""
    return OrderedDict()


_REMEMBERING = threading.Lock()


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
