"""Language identification on a bounded sample of the text.

The sample is the document's longest lines, up to a fixed number of characters: its prose, where menus, bylines
and captions are short, and a book costs what a tweet costs. It is the very sample the boilerplate step judged in
its last pass over the page (to choose its stop words), so that py3langid's verdict is remembered from there
(``language_id.detect_py3langid``) and costs nothing here. Text with too few letters gets ``und`` (undetermined)
rather than a guess, and so does a guess the detector itself is unsure of.

The detectors are in ``cleaner/language_id.py``: ``py3langid`` by default, ``langdetect`` by config.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.boilerplate.lines import longest_lines
from cleaner.document import Document
from cleaner.language_id import DETECTORS, py3langid_model
from cleaner.steps import Step


@dataclass
class LanguageConfig:
    detector: str = "py3langid"  # or "langdetect"
    sample_chars: int = 1000
    # Fewer letters than this: "und". Two short sentences are about the least any detector judges reliably.
    min_letters: int = 40
    # A top guess below this probability is "und" too.
    min_score: float = 0.5


def _has_letters(text: str, needed: int) -> bool:
    """Whether ``text`` has at least ``needed`` letters (stops counting as soon as it has)."""
    for char in text:
        if char.isalpha():
            needed -= 1
            if needed <= 0:
                return True
    return False


def sample(text: str, size: int) -> str:
    """The longest lines of ``text``, up to ``size`` characters (the last one cut at a space)."""
    return longest_lines(text.split("\n"), size)


class Language(Step):
    name = "language"
    Config = LanguageConfig

    def __init__(self, config: LanguageConfig | None = None) -> None:
        super().__init__(config)
        if self.config.detector not in DETECTORS:
            raise ValueError(f"steps.language.detector must be one of {', '.join(DETECTORS)}")
        self.detect = DETECTORS[self.config.detector]

    def prepare(self) -> None:
        if self.config.detector == "py3langid":
            py3langid_model()

    def apply(self, doc: Document) -> Document:
        text = sample(doc.text, self.config.sample_chars)
        if not _has_letters(text, self.config.min_letters):
            language, score = "und", 0.0
        else:
            language, score = self.detect(text)
            if score < self.config.min_score:
                language = "und"
        doc.metadata["language"] = language
        doc.metadata["language_score"] = round(score, 4)
        return doc
