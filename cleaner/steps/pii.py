"""Personal data: e-mail addresses (also obfuscated ones), phone numbers and IP addresses.

Each is replaced by a placeholder (``[EMAIL]``, ``[PHONE]``, ``[IP]``), kept, or makes the document a reject, by
config; the count per document is recorded either way. Patterns are deliberately narrow: a phone number needs a
leading ``+`` or a separator layout of a real number and at least nine digits, so that years, prices, ISBNs and
dates are not taken for one; an IPv4 address must have four octets of at most 255.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cleaner.document import Document, Reject
from cleaner.steps import Step

# A phone number stays on one line (INLINE_SPACE: whitespace other than a line break): "306" above "04/2021" is a
# page number and a date, and joining them would also make the result depend on which lines were removed before.
INLINE_SPACE = r"[^\S\n]"
PHONE = re.compile(
    rf"(?=[+(\d])(?<![\w+.-])(?:\+\d{{1,3}}(?:{INLINE_SPACE}|[.-])?)?(?:\(\d{{1,5}}\)(?:{INLINE_SPACE}|[.-])?)?"
    rf"\d{{2,5}}(?:(?:{INLINE_SPACE}?[/.-]{INLINE_SPACE}?|{INLINE_SPACE})\d{{2,5}}){{1,4}}(?![\w-]|\.\d)"
)
# The leading lookaheads restate how a match must begin. They change no match, but Python's regex engine uses
# them to skip ahead to candidate positions instead of trying the whole pattern at every character: about 5x
# faster on ordinary prose, where these patterns ran longer than every other step but boilerplate.
IPV4 = re.compile(r"(?=[0-9])(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.]|\.\d)")
IPV6 = re.compile(r"(?=[0-9a-fA-F]{1,4}:)(?<![\w:])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])")
PLACEHOLDERS = {"email": "[EMAIL]", "phone": "[PHONE]", "ip": "[IP]"}


@lru_cache(maxsize=1)
def _words() -> tuple[str, str]:
    """The words for "@" and "." as regex alternations."""
    words = tomllib.loads((resources.files("cleaner") / "data" / "pii.toml").read_text(encoding="utf-8"))
    return "|".join(map(re.escape, words["at_words"])), "|".join(map(re.escape, words["dot_words"]))


@lru_cache(maxsize=1)
def _obfuscated_at() -> re.Pattern[str]:
    """A bracketed "at" ("[at]", "(arroba)"): the cheap test that an address without "@" may be in the text,
    before the full e-mail pattern runs (it is slow on long texts, and most texts have no address at all)."""
    at, _ = _words()
    return re.compile(rf"[\[(\{{]\s*(?:{at})\s*[\])\}}]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _email() -> re.Pattern[str]:
    at, dot = _words()
    at_token = rf"(?:@|\s*[\[(\{{]\s*(?:@|{at})\s*[\])\}}]\s*)"
    dot_token = rf"(?:\.|\s*[\[(\{{]\s*(?:\.|{dot})\s*[\])\}}]\s*)"
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    return re.compile(
        rf"(?<![\w.+-])[A-Za-z0-9._%+-]+{at_token}{label}(?:{dot_token}{label})*{dot_token}[A-Za-z]{{2,24}}(?![\w-])",
        re.IGNORECASE,
    )


@dataclass
class PiiConfig:
    action: str = "redact"  # "redact" (placeholders), "keep" (count only) or "reject"
    emails: bool = True
    phones: bool = True
    ips: bool = True
    # A phone number has at least this many digits (shorter digit groups are years, prices, page numbers).
    min_phone_digits: int = 9


class Pii(Step):
    name = "pii"
    Config = PiiConfig
    counters = ("email", "phone", "ip")

    def __init__(self, config: PiiConfig | None = None) -> None:
        super().__init__(config)
        if self.config.action not in ("redact", "keep", "reject"):
            raise ValueError("steps.pii.action must be 'redact', 'keep' or 'reject'")

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, kind)`` of every match, left to right, without overlaps."""
        found: list[tuple[int, int, str]] = []
        if self.config.emails and ("@" in text or _obfuscated_at().search(text)):
            found += [(m.start(), m.end(), "email") for m in _email().finditer(text)]
        if self.config.ips and "." in text:
            found += [(m.start(), m.end(), "ip") for m in IPV4.finditer(text)]
            found += [(m.start(), m.end(), "ip") for m in IPV6.finditer(text)]
        if self.config.phones:
            for m in PHONE.finditer(text):
                digits = sum(c.isdigit() for c in m.group())
                if digits >= self.config.min_phone_digits and not _looks_like_date(m.group()):
                    found.append((m.start(), m.end(), "phone"))
        found.sort()
        result: list[tuple[int, int, str]] = []
        for span in found:
            if not result or span[0] >= result[-1][1]:
                result.append(span)
        return result

    def apply(self, doc: Document) -> Document | Reject:
        text = doc.text
        if "@" not in text and not any(c.isdigit() for c in text) and "[" not in text and "(" not in text:
            return doc
        spans = self.find(text)
        if not spans:
            return doc
        for _, _, kind in spans:
            doc.count(self.name, kind)
        doc.metadata["pii_count"] = len(spans)
        if self.config.action == "reject":
            kinds = sorted({kind for _, _, kind in spans})
            return self.reject(doc, "found", f"{len(spans)} personal data item(s): {', '.join(kinds)}")
        if self.config.action == "redact":
            pieces, last = [], 0
            for start, end, kind in spans:
                pieces += [text[last:start], PLACEHOLDERS[kind]]
                last = end
            doc.text = "".join([*pieces, text[last:]])
        return doc


def _looks_like_date(candidate: str) -> bool:
    """``2021-05-04``, ``04.05.2021 12 30``: digit groups that read as a date, not a number to call."""
    return bool(re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}.*|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}.*", candidate.strip()))
