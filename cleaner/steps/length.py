"""Minimum-length filter: a document too short to be an article is rejected, not published.

What survives cleaning with only a handful of words is almost always an error page, a login wall or a stub
whose text was all navigation; it teaches a model nothing and pollutes search results.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.document import Document, Reject
from cleaner.steps import Step


@dataclass
class LengthConfig:
    # 20 words is about two sentences: below that a page rarely holds an article. Gopher's filter uses 50;
    # we keep short news briefs and let the quality filters judge the rest.
    min_words: int = 20
    # An upper bound guards against concatenated dumps and binary junk decoded as text; 0 means no bound.
    max_words: int = 0


class Length(Step):
    name = "length"
    Config = LengthConfig

    def apply(self, doc: Document) -> Document | Reject:
        words = doc.n_words
        if words < self.config.min_words:
            return self.reject(doc, "too_short", f"{words} words, fewer than min_words={self.config.min_words}")
        if self.config.max_words and words > self.config.max_words:
            return self.reject(doc, "too_long", f"{words} words, more than max_words={self.config.max_words}")
        return doc
