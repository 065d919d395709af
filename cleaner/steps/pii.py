"""Personal data: e-mail addresses (also obfuscated ones), phone numbers, IP addresses and bank accounts (IBAN).

Each is replaced by a placeholder (``[EMAIL]``, ``[PHONE]``, ``[IP]``, ``[IBAN]``), kept, or makes the document a
reject, by config; the count per document is recorded either way. Patterns are deliberately narrow: a phone number
needs a leading ``+`` or a separator layout of a real number and at least nine digits, and must not continue a
number written with spaces between its thousands, so that years, prices, large amounts, ISBNs and dates are not
taken for one; an IPv4 address must have four octets of at most 255, and a public one (a router's ``192.168.1.1``
in a setup guide points at nobody), not after a word such as "version"; an IBAN must pass its checksum.
"""

from __future__ import annotations

import ipaddress
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cleaner.document import Document, Reject
from cleaner.steps import Step

# A phone number stays on one line and out of tables (INLINE_SPACE: whitespace other than a line break or a tab):
# "306" above "04/2021" is a page number and a date, and joining them would also make the result depend on which
# lines were removed before; "10<tab>11<tab>12" is a row of figures.
INLINE_SPACE = r"[^\S\n\t]"
# After a country code the area code may be one digit ("+33 1 23 45 67 89"); a subscriber number may run to eight
# digits ("030 12345678", "+49 30 1234567").
SEP = rf"(?:{INLINE_SPACE}|[.-])"
PHONE = re.compile(
    rf"(?=[+(\d])(?<![\w+.-])"
    rf"(?:\+\d{{1,3}}{SEP}?(?:\(\d{{1,5}}\){SEP}?)?\d{{1,5}}|(?:\(\d{{1,5}}\){SEP}?)?\d{{2,5}})"
    rf"(?:(?:{INLINE_SPACE}?[/.-]{INLINE_SPACE}?|{INLINE_SPACE})\d{{2,8}}){{1,4}}(?![\w-]|\.\d)"
)
# Digits and a space just before a match: the match is the tail of a number written with spaces between its
# thousands ("2 500 000 000 euros" in French, Polish, Swedish …) or of an account number, not a phone number.
NUMBER_BEFORE = re.compile(rf"\d{INLINE_SPACE}$")
# A number written with its thousands apart: one to three digits, then groups of exactly three after single spaces.
THOUSANDS = re.compile(r"[1-9]\d{0,2}(?: \d{3})+")
# The leading lookaheads restate how a match must begin. They change no match, but Python's regex engine uses
# them to skip ahead to candidate positions instead of trying the whole pattern at every character: about 5x
# faster on ordinary prose, where these patterns ran longer than every other step but boilerplate.
IPV4 = re.compile(r"(?=[0-9])(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.]|\.\d)")
IPV6 = re.compile(r"(?=[0-9a-fA-F]{1,4}:)(?<![\w:])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])")
# An IBAN: country, check digits, then the account in groups of four (spaces optional); confirmed by its checksum.
# The match starts at the check digits, with the country code in a lookbehind: scanning for digits skips far more
# of a text than scanning for capitals (half the time). The country code is added back in find(). The pattern
# opens with the first check digit itself, the lookbehind after it: a pattern that starts with a character class
# lets the engine skip along to the next digit in one tight loop (half the time of a leading lookahead).
IBAN = re.compile(r"[0-9](?<=(?<![\w-])[A-Z]{2}[0-9])[0-9](?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w-])")
PLACEHOLDERS = {"email": "[EMAIL]", "phone": "[PHONE]", "ip": "[IP]", "iban": "[IBAN]"}
# What every IPv4 match holds (the end of one octet, a whole one, the start of the next), from its first dot: the
# engine finds a pattern's leading literal with a fast search, where a leading digit class made it try every digit
# (a tenth of the time). The pattern is tried only within an octet's reach of a hint (see _ipv4_addresses). An IPv6
# match holds seven colons, and a group between two of them (a scan for a colon, far quicker than the pattern's);
# its scan starts where the first hint can be in one (in an address's first five characters).
IPV4_HINT = re.compile(r"\.(?<=\d\.)\d{1,3}\.\d")
# Past this many hints in one text (a table of version numbers, "1.1.1.1…"), one scan of the rest is cheaper than a
# Python step per hint.
IPV4_HINTS_STEPPED = 64
IPV6_COLONS = 7
IPV6_HINT = re.compile(r":[0-9a-fA-F]{1,4}:")


@lru_cache(maxsize=1)
def _any_digit() -> re.Pattern[str]:
    """A character for which ``str.isdigit`` is true: ``\\d`` (decimal digits) and the other digits (superscripts,
    circled digits …). One regex scan instead of a Python test per character of a text without digits."""
    others = (chr(c) for c in range(sys.maxunicode + 1) if chr(c).isdigit() and not chr(c).isdecimal())
    return re.compile(rf"[\d{''.join(map(re.escape, others))}]")


@lru_cache(maxsize=1)
def _number_gap() -> str:
    """What may stand between two digits of a phone number, as a regex class body: :data:`INLINE_SPACE` (the
    characters ``\\s`` matches, that is ``str.isspace``, but a line break or a tab) and the signs ``/.()-``."""
    spaces = (chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c) not in "\n\t")
    return "".join(map(re.escape, [*spaces, *"/.()-"]))


@lru_cache(maxsize=1)
def _data() -> dict[str, list[str]]:
    return tomllib.loads((resources.files("cleaner") / "data" / "pii.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _phone_words() -> re.Pattern[str]:
    """A phone word shortly before a candidate ("Tel.: ", "Zadzwoń pod numer ")."""
    words = "|".join(map(re.escape, _data()["phone_words"]))
    return re.compile(rf"\b(?:{words})\b[^\d\n]{{0,20}}$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _version_words() -> re.Pattern[str]:
    """A word that makes four dotted numbers a version ("Version 2.0.0.16", "v1.2.3.4"), right before them."""
    words = "|".join(map(re.escape, _data()["version_words"]))
    return re.compile(rf"\b(?:{words})\.?[^\S\n]?\Z", re.IGNORECASE)


@lru_cache(maxsize=1)
def _words() -> tuple[str, str]:
    """The words for "@" and "." as regex alternations."""
    words = _data()
    return "|".join(map(re.escape, words["at_words"])), "|".join(map(re.escape, words["dot_words"]))


@lru_cache(maxsize=1)
def _obfuscated_at() -> re.Pattern[str]:
    """A bracketed "at" ("[at]", "(arroba)"): the cheap test that an address without "@" may be in the text,
    before the full e-mail pattern runs (it is slow on long texts, and most texts have no address at all)."""
    at, _ = _words()
    return re.compile(rf"[\[(\{{]\s*(?:{at})\s*[\])\}}]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _email() -> re.Pattern[str]:
    """An address, plain or obfuscated; its top-level domain may run into digits ("news@site.fr4 rue …": the
    next block of the page glued to it), never into letters."""
    at, dot = _words()
    at_token = rf"(?:@|\s*[\[(\{{]\s*(?:@|{at})\s*[\])\}}]\s*)"
    dot_token = rf"(?:\.|\s*[\[(\{{]\s*(?:\.|{dot})\s*[\])\}}]\s*)"
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    return re.compile(
        rf"(?<![\w.+-])[A-Za-z0-9._%+-]+{at_token}{label}(?:{dot_token}{label})*{dot_token}[A-Za-z]{{2,24}}(?![A-Za-z_-])",
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _at_anchor() -> re.Pattern[str]:
    """Where an address's "@" stands: a plain "@", or a bracketed one or its word ("[at]", "(@)")."""
    at, _ = _words()
    return re.compile(rf"@|[\[(\{{]\s*(?:@|{at})\s*[\])\}}]", re.IGNORECASE)


# A character of an address's local part, as the e-mail pattern reads it (case-insensitively: "K", the Kelvin sign,
# is a "k" to it).
LOCAL_CHARACTER = re.compile(r"[A-Za-z0-9._%+-]", re.IGNORECASE)
# What the e-mail pattern's lookbehind refuses before an address.
NOT_AN_ADDRESS_START = re.compile(r"[\w.+-]")


def find_emails(text: str) -> list[re.Match[str]]:
    """The matches of the e-mail pattern in ``text``, exactly as its ``finditer`` gives them, found by trying it only
    where an address may start: at the local part before each "@" (plain or bracketed).

    The pattern tried at every word of a text cost a quarter of this step; a text holds few "@". A match starts
    where the run of local-part characters before its "@" (and the spaces before a bracket) starts, or after a
    "%" inside it (the only such character its lookbehind allows an address to follow); nowhere else, so trying
    those positions, left to right and from the end of the last match on, finds what ``finditer`` finds."""
    email = _email()
    found: list[re.Match[str]] = []
    position = 0
    for anchor in _at_anchor().finditer(text):
        end = anchor.start()
        if end < position:
            continue
        start = end
        while start > position and text[start - 1].isspace():
            start -= 1
        end = start
        while start > position and LOCAL_CHARACTER.match(text, start - 1):
            start -= 1
        for candidate in range(start, end):
            if candidate > start and NOT_AN_ADDRESS_START.match(text, candidate - 1):
                continue
            if match := email.match(text, candidate):
                found.append(match)
                position = match.end()
                break
    return found


def find_addresses(text: str) -> list[re.Match[str]]:
    """The matches of :data:`IPV4`, then of :data:`IPV6`, in ``text``, as their ``finditer`` over the whole text
    gives them: IPv4's tried only at the one to three characters that may start an address before each hint, IPv6's
    scan started where the first hint of its kind may be inside an address (the patterns' lookbehinds still see what
    stands before)."""
    addresses: list[re.Match[str]] = []
    if "." in text:  # IPv6 too, as it always was (what is an address also decides what is no phone number)
        addresses += _ipv4_addresses(text)
        if text.count(":") >= IPV6_COLONS and (hint := IPV6_HINT.search(text)):
            addresses += IPV6.finditer(text, max(0, hint.start() - 4))
    return addresses


def _ipv4_addresses(text: str) -> list[re.Match[str]]:
    """``IPV4.finditer(text)``, tried only where an address may start: an address's first octet ends at the digit
    before a hint's dot, so it starts up to two characters before that digit. Hints left to right, each from where
    the last try ended, find what the full scan finds (a match starts at no other place); past
    :data:`IPV4_HINTS_STEPPED` hints the full scan goes on from there."""
    found: list[re.Match[str]] = []
    position = 0  # where the full scan would go on: every start before it is tried or inside a match
    for _ in range(IPV4_HINTS_STEPPED):
        if (hint := IPV4_HINT.search(text, position + 1)) is None:
            return found
        digit = hint.start() - 1  # the first octet's last digit
        for start in range(max(position, digit - 2), digit + 1):
            if match := IPV4.match(text, start):
                found.append(match)
                position = match.end()
                break
        else:
            position = digit + 1
    return found + list(IPV4.finditer(text, position))


@dataclass
class PiiConfig:
    action: str = "redact"  # "redact" (placeholders), "keep" (count only) or "reject"
    emails: bool = True
    phones: bool = True
    ips: bool = True
    ibans: bool = True
    # A phone number has at least this many digits (shorter digit groups are years, prices, page numbers).
    min_phone_digits: int = 9
    # Also private, loopback and reserved IP addresses (192.168.x.x, 10.x.x.x, 127.0.0.1): they identify no one
    # outside a local network, and in a how-to they are the instructions.
    private_ips: bool = False


class Pii(Step):
    name = "pii"
    Config = PiiConfig
    counters = ("email", "phone", "ip", "iban")

    def __init__(self, config: PiiConfig | None = None) -> None:
        super().__init__(config)
        if self.config.action not in ("redact", "keep", "reject"):
            raise ValueError("steps.pii.action must be 'redact', 'keep' or 'reject'")
        # What every phone number of enough digits holds: that many digits, at most three characters apart, the
        # spaces and signs a number's groups are written with. Only a text that has it is scanned for numbers (a
        # simpler scan than PHONE's: it spares half its cost on the four texts in five that have none).
        # The gap is one class, taken possessively (it holds no digit, so giving a character back never lets the
        # next digit match): a third less time than the alternation of INLINE_SPACE and the signs.
        gaps = self.config.min_phone_digits - 1
        self._phone_digits = re.compile(rf"\d(?:[{_number_gap()}]{{0,3}}+\d){{{gaps}}}") if gaps > 0 else None

    def prepare(self) -> None:
        for pattern in (_any_digit, _email, _at_anchor, _obfuscated_at, _phone_words, _version_words):
            pattern()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, kind)`` of every match, left to right, without overlaps."""
        found: list[tuple[int, int, str]] = []
        if self.config.emails and ("@" in text or _obfuscated_at().search(text)):
            found += [(m.start(), m.end(), "email") for m in find_emails(text)]
        # Every IP-shaped span, redacted or not: dotted numbers shaped like an address are never a phone number.
        addresses = find_addresses(text)
        if self.config.ips:
            found += [(m.start(), m.end(), "ip") for m in addresses if self._personal_ip(text, m)]
        if self.config.ibans:
            ibans = [(m.start() - 2, m.end()) for m in IBAN.finditer(text)]
            found += [(start, end, "iban") for start, end in ibans if _iban_checksum_ok(text[start:end])]
        if self.config.phones and (self._phone_digits is None or self._phone_digits.search(text)):
            for m in PHONE.finditer(text):
                digits = sum(c.isdigit() for c in m.group())
                if digits < self.config.min_phone_digits or _looks_like_date(m.group()):
                    continue
                if _part_of_a_number(text, m) or any(a.start() < m.end() and m.start() < a.end() for a in addresses):
                    continue
                found.append((m.start(), m.end(), "phone"))
        found.sort()
        result: list[tuple[int, int, str]] = []
        for span in found:
            if not result or span[0] >= result[-1][1]:
                result.append(span)
        return result

    def apply(self, doc: Document) -> Document | Reject:
        text = doc.text
        if "@" not in text and "[" not in text and "(" not in text and not _any_digit().search(text):
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

    def _personal_ip(self, text: str, match: re.Match[str]) -> bool:
        """An address that may point at someone's connection: public (unless ``private_ips``), and not a version
        number."""
        if not (self.config.private_ips or ipaddress.ip_address(match.group()).is_global):
            return False
        return not _version_words().search(text, max(0, match.start() - 20), match.start())


def _part_of_a_number(text: str, match: re.Match[str]) -> bool:
    """True when a phone-shaped match is an amount: the tail of a longer number ("2 500 000 000": digits and a space
    before it), or a number written with its thousands apart ("100 000 000 euros") without a phone word before it
    ("tel. 601 234 567" stays a phone number)."""
    start = match.start()
    if match.group()[0] in "+(":  # an international or bracketed number starts here, whatever stands before
        return False
    if NUMBER_BEFORE.search(text, max(0, start - 2), start):
        return True
    return bool(THOUSANDS.fullmatch(match.group())) and not _phone_words().search(text, max(0, start - 40), start)


def _iban_checksum_ok(candidate: str) -> bool:
    """ISO 13616's check: the account with the country and check digits moved to the end, letters as 10–35, is 1
    modulo 97. A random string of this shape passes once in 97 times."""
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _looks_like_date(candidate: str) -> bool:
    """``2021-05-04``, ``04.05.2021 12 30``: digit groups that read as a date, not a number to call."""
    return bool(re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}.*|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}.*", candidate.strip()))
