"""Missing spaces: words glued together where markup stood between them.

Two kinds of damage, two rules:

- after closing punctuation (``concessions.The``, ``versions,or``, ``games”is``, ``out)as``): a space goes in when
  both sides are words of at least two letters, so ``U.S.``, ``e.g.``, ``3.5``, URLs, e-mail addresses and file
  names (no capital after the dot, or single letters, or digits) are left alone, and so is a mark before a common
  word of another language on a line written in it (a German comment's "reconnected?Dann" on an English page);
- inside a token (``thegreen``, ``pleathat``, ``Afghanistana``, ``greenVolvo``): split only when the token is not
  a common word of the document's language (word frequencies from wordfreq), nor a form of a known one
  (``dumbfounds``), does not occur elsewhere in the document, and splits into two frequent words, a piece of two or
  three letters only when it is a function word (``isno``, not ``dw oz``). A capitalised token is taken for a name
  and split only into a function word and a word of four letters or more (``Afghanistan`` + ``a``), and, unless a
  capital marks the cut (``ByAlex``), never before another capitalised word (``Hadan Holligan``), so
  ``Khalilzad`` or ``Waziristan`` stay whole; a token in capitals (``ISKP``) is never split, nor cut right after a
  capital (``Akismet`` is not ``A kismet``). Hashtags, domains and file names (``elempleo.com``) and pieces of a
  word cut by soft hyphens are no tokens. A token that is a common word of another language is left alone too (a
  German page taken for English must not lose ``hielt`` to ``hi elt``), and so is a cut after a prefix of the
  language (``intercoréens`` is not ``inter coréens``) unless what follows is a function word (``overthe``).

A false split is worse than a missed one, so every threshold leans towards leaving text alone, and only the
languages described in ``data/spacing.toml`` are touched at all. Compounding languages such as German are not
listed (two frequent words glued together are a word there), and neither are, for now, the languages whose pages
were not measured: on the development pages in German and Polish, the punctuation rule's hits were the author's own
typing ("können.Bei", "Filme,Musik") and names ("FRITZ!Box"), which a repair must leave as written. A language
can be given the punctuation rule alone (``split_glued = false`` in its entry), or glued words split only where a
capital marks the cut (``glued_at_capitals_only``: the languages whose lowercase splits were not measured).

Extraction damage is systematic, a writer's slip isolated: a sentence end glued to a name ("harbour.Dolphin Bay",
which may also be a name written with a dot) is repaired only on a page that lost the space after another sentence
too. Code quoted in prose is no glue: a camel-case identifier after the mark (``types.MappingProxyType``), anything
in backticks or brackets, a call (``requests.Request(url``), a list written without spaces (``fr,it,tr``), a name in
asterisks or before its parenthesis (``*hashable*``, ``aclose()``), an address's query (``?logo=x&labelColor=y``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress

from cleaner.document import Document
from cleaner.steps import Step
from cleaner.steps.glued_words import LanguageRules, language_rules, splitter
from cleaner.wordfreqs import zipf as word_zipf
from cleaner.wordfreqs import zipf_table

# The leading lookahead names the characters a match starts with; it changes no match, but lets the regex engine
# skip to them instead of trying the lookbehind at every character (about 5x faster on ordinary text).
PUNCT_GLUE = re.compile(
    r'(?=[.!?;:,)”»"’])(?:'
    # (a word after a comma or a closing mark: two letters, or a letter and a hyphen, "”T-shirt", ",e-mail")
    r"(?<=[^\W\d_]{2})(?:[.!?;:](?=[A-ZÀ-ÖØ-Þ][^\W\d_])|[,)”»\"](?=[^\W\d_]{2}|[^\W\d_]-[^\W\d_]))"
    # a plural possessive before a word ("victims’interest"), but not a contraction ("you’re", "we’ll")
    r"|(?<=[^\W\d_]s)’(?=(?!(?:re|ve|ll|d|m|s|t)\b)[^\W\d_]{2})"
    r")"
)
# A token: a run of letters that is not part of a hashtag ("#virtualmachine"), a domain or a file name
# ("elempleo.com", "pyproject.toml": a dot and a letter or digit follow), an address, a hyphenated word, or a word
# cut by soft hyphens ("Kiess\u00adling": each piece is part of a word, not a word), nor code: a name in backticks
# or asterisks (markup for code and terms: "`setuptools`", "*hashable*"), a function before its parenthesis
# ("aclose()"), a name or value of an address's query ("?logo=python&labelColor=blue").
TOKEN = re.compile(r"(?<![\w@/.\-’'#\u00ad`*=&])([^\W\d_]{4,})(?![\w@/\-’'\u00ad`*(=]|\.\w)")
# Tokens that are code, addresses or file names: never split inside them. (A call, "f(x)" or "requests.Request(url",
# has a word before its parenthesis; "(blender)make" is a parenthesis glued to the next word.) Backticks and square
# brackets are code's ("`typing.Union`", "datasets[torch,jax]"), and so is a list with two commas and no space
# ("fr,it,tr", "warc-type,warc-target-uri,content-length").
CODE_HINTS = re.compile(r"[/@=<>{}\\_`\[\]]|www\.|https?:|\w\(|\..*\.|\.[a-z0-9]{2,4}\W*$|,.*,")
# A word with a part in parentheses: "(nord)östlichen", "(ponad)pokoleniowym" (when the whole is a known word).
OPTIONAL_PART = re.compile(r"\((\w+)\)(\w+)")
# Names written with punctuation inside: a domain or an acronym after the dot ("FAZ.NET", "CNET.DE", "aus.OK"), a
# product after a capitalised word's "!" ("FRITZ!Box"), a camel-case brand ("DoSchu.Com").
BRAND = re.compile(r"(?:^|\W)(?:\w*[.!?:;,][A-Z]{2,}\b|[A-Z]{2,}[!?]\w|[A-Za-z]+[a-z][A-Z]\w*[.!?:;,]\w)")
LETTERS = re.compile(r"[^\W\d_]+")
WORDS = re.compile(r"[^\W\d_]{4,}")
# A word with a capital inside it and small letters: an identifier or a brand ("MappingProxyType", "SSLContext").
CAMEL_CASE = re.compile(r"(?=.*[a-zß-öø-ÿ]).+[A-ZÀ-ÖØ-Þ]")
# The marks that end a sentence: glued to a capitalised word, the next sentence lost its space.
SENTENCE_ENDS = frozenset(".!?")
# A capitalised word next (after one space), or before it (a word or an initial, "J. Orwant", "Orwant, J."): the
# token is part of a run of names.
NEXT_CAPITALISED = re.compile(r" [A-ZÀ-ÖØ-Þ][^\W\d_]")
PREVIOUS_CAPITALISED = re.compile(r"(?:^|\s)[A-ZÀ-ÖØ-Þ][^\s.]*\.?,? $")
# Scripts written without spaces between words: punctuation there is never followed by one.
NO_SPACES = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"  # CJK, kana, full-width forms
)


@dataclass
class SpacingConfig:
    split_punctuation: bool = True
    split_glued_words: bool = True
    # Frequencies on wordfreq's Zipf scale (log10 per billion words; 3 is once per million words).
    # Each part of a split must be at least this frequent.
    min_part_zipf: float = 2.2
    # The two parts as separate words must be 10^margin times likelier than the glued token.
    split_margin: float = 1.5
    # A token more frequent than this is a word, never split (glued pairs found on real pages are rarer than
    # 3.0: "todo" 2.96, "youcan" 1.82; "tome" 3.21 is a word).
    max_glued_zipf: float = 3.0
    # A capitalised token at least this frequent is a known name, never split.
    known_word_zipf: float = 1.5
    # A capitalised token is split only when one part is this frequent (function words: a, the, of …), and the
    # other a word of four letters or more at least this frequent ("Afghanistan" + "a", not "Dodo" + "o", "Do" +
    # "doo", "Ker" + "al").
    function_word_zipf: float = 6.5
    name_part_zipf: float = 3.0
    # A part of two or three letters must be this frequent: short pieces are where abbreviations, slang and code
    # match the word lists by chance ("eG leaner", "dw oz", "py make", "rub ito"); a glued short word is a function
    # word ("isno", "outof", "ouruse").
    two_letter_part_zipf: float = 5.5
    three_letter_part_zipf: float = 3.5
    # An unknown token one edit away from a word this frequent is a misspelling, not split unless the two words it
    # splits into are, as a pair of independent words (Zipf zl + zr - 9), likelier than that word: "detailled" is
    # "detailed" (4.6) rather than "detail led" (-0.4), "newbest" is left alone ("newest" 4.0, "new best" 3.1),
    # "whoare" is "who are" (4.1) rather than a misspelling of a word of Zipf 3.9.
    misspelling_zipf: float = 3.5
    # A token at least this frequent in one of these languages is a word of the text (a quotation, or a page
    # whose language was misjudged), never split. Looked up only for tokens a split was found for.
    foreign_word_zipf: float = 3.0
    foreign_languages: list[str] = field(default_factory=lambda: ["en", "de", "fr", "es", "it", "pt", "nl", "pl"])
    # A capitalised word after a sentence's end that is rarer than this as a word of the language (Zipf 4: once
    # per 100,000 words; "dolphin" 3.7, "nvidia" 3.3, while "the", "whether", "naturally" are 4.5 and more) is taken
    # for a name: "work.Dolphin Cay" may be a writer's slip, or a name written with a dot, and it is repaired only
    # on a page that lost another sentence's space too. (4.5 would also keep "Xamarin.Android", "android" 4.4, but
    # take sentence adverbs such as "Naturally" for names.)
    sentence_word_zipf: float = 4.0
    # Language when the document has none yet (the language step usually runs first).
    default_language: str = "en"


class Spacing(Step):
    name = "spacing"
    Config = SpacingConfig
    counters = ("punctuation", "glued")

    def __init__(self, config: SpacingConfig | None = None) -> None:
        super().__init__(config)
        self._splits: dict[str, dict[str, tuple[str, str] | None]] = {}  # language -> token -> best split

    def prepare(self) -> None:
        """The word tables of the languages it edits (wordfreq's full lists) and of the languages it recognises
        foreign words by (the small ones), read before the workers fork: each worker read them again at its first
        pages (~1 s of CPU), and each kept its own copy (~200 MB); read once, they are shared."""
        for language in language_rules():
            zipf_table(language)
        for language in self.config.foreign_languages:
            zipf_table(language, "small")

    def apply(self, doc: Document) -> Document:
        text = doc.text
        language = doc.metadata.get("language") or self.config.default_language
        rules = language_rules().get(language)
        if rules is None:
            return doc
        if self.config.split_punctuation:
            text = self._punctuation(doc, text, language)
        if self.config.split_glued_words and rules.split_glued:
            text = self._glued(doc, text, language, rules)
        doc.text = text
        return doc

    def _punctuation(self, doc: Document, text: str, language: str) -> str:
        # Each glue the rule would repair, and whether it ends a sentence before a name ("work.Dolphin Cay").
        glues = [
            (match, match.group() in SENTENCE_ENDS and self._name_follows(text, match.end(), language))
            for match in PUNCT_GLUE.finditer(text)
            if self._is_glue(match, text, language)
        ]
        # Extraction damage is systematic (a page that lost the space between its sentences lost it many times), a
        # writer's slip is isolated: a sentence glued to a name, which may as well be a name written with a dot or
        # that slip, is repaired only when the page lost another sentence's space.
        sentences = sum(match.group() in SENTENCE_ENDS for match, _ in glues)
        repaired = [match for match, before_name in glues if not before_name or sentences > 1]
        if not repaired:
            return text
        parts, last = [], 0
        for match in repaired:
            parts += [text[last : match.end()], " "]
            last = match.end()
        spaced = "".join(parts) + text[last:]
        doc.count(self.name, "punctuation", len(repaired))
        doc.record_text_edits(self.name, "punctuation", text, spaced)
        return spaced

    def _is_glue(self, match: re.Match[str], text: str, language: str) -> bool:
        """Whether the mark ``match`` found glued to the next word lost its space (see the module's docstring)."""
        start = text.rfind(" ", 0, match.start()) + 1
        end = text.find(" ", match.end())
        token = text[start : end if end != -1 else len(text)]
        if CODE_HINTS.search(token) or BRAND.search(token) or NO_SPACES.match(text, match.end()):
            return False
        optional = OPTIONAL_PART.search(token) if match.group() == ")" else None
        if optional and word_zipf((optional[1] + optional[2]).lower(), language) > 0:
            return False  # "(nord)östlichen", "(re)start": a word with an optional part, no glue
        if match.group() == '"' and text.count('"', text.rfind("\n", 0, start) + 1, match.start()) % 2 == 0:
            return False  # a straight quote that opens ('said"Yes'), as its line's count of quotes shows
        after = LETTERS.match(text, match.end())
        if after and CAMEL_CASE.match(after.group()):
            return False  # "types.MappingProxyType", "sts:AssumeRole": an identifier, no sentence
        # "reconnected?Dann" on a German line of an English page: that writer's typing
        return not (after and self._foreign_word(after.group().lower(), _line_at(text, match.start()), language))

    def _name_follows(self, text: str, position: int, language: str) -> bool:
        """Whether the capitalised word at ``position`` is a name rather than a word capitalised because a sentence
        starts with it: it is rarer than ``sentence_word_zipf`` as a word of the language ("Dolphin", "Nvidia"; not
        "The", "Whether", "Naturally")."""
        word = LETTERS.match(text, position)
        return word is not None and word_zipf(word.group().lower(), language) < self.config.sentence_word_zipf

    def _glued(self, doc: Document, text: str, language: str, rules: LanguageRules) -> str:
        # A token that recurs in the document, as a token or in code ("init" of "init()"), is a word of this text (a
        # name, a term), not an accident of markup.
        tokens = TOKEN.findall(text)
        lowered = list(map(str.lower, tokens))
        occurrences = Counter(lowered)  # counted in every form below, once a token may split
        count = 0
        remembered_split, zipf = splitter(language, rules, self.config, self._splits.setdefault(language, {}))

        def split(match: re.Match[str]) -> str:
            nonlocal count
            token = match.group(1)
            if occurrences[token.lower()] > 1:
                return token
            found = remembered_split(token)
            if found is None or self._foreign_word(token.lower(), _line_at(text, match.start()), language):
                return token
            if token[0].isupper() and found[1][0].islower() and _in_a_run_of_names(text, match, found):
                return token  # "Hadan Holligan", "Florian Bruhin": a name beside another, not "Had an", "Bruh in"
            if any(self._foreign_part(part.lower(), language, zipf(part)) for part in found):
                return token
            count += 1
            return f"{found[0]} {found[1]}"

        # Most pages have no glued word: the tokens are judged first, and only a page with a candidate is rewritten.
        # (The tokens met once picked out in C: the test runs on every token of every such page.)
        once = compress(tokens, map((1).__eq__, map(occurrences.__getitem__, lowered)))
        if not any(remembered_split(t) is not None for t in once):
            return text
        occurrences = Counter(word.lower() for word in WORDS.findall(text))  # tokens are words: never fewer
        spaced = TOKEN.sub(split, text)
        if count:
            doc.count(self.name, "glued", count)
            doc.record_text_edits(self.name, "glued", text, spaced)
        return spaced

    def _foreign_part(self, part: str, language: str, own: float) -> bool:
        """Whether a part of a split is a word of another language rather than of the document's: "Soona" in a
        French text is a name, not the English "soon" glued to the French "a"."""
        if len(part) < 2:
            return False
        margin = self.config.split_margin
        return any(
            word_zipf(part, other, "small") > own + margin
            for other in self.config.foreign_languages
            if other != language
        )

    def _foreign_word(self, token: str, line: str, language: str) -> str | None:
        """The other language ``token`` is a common word of (wordfreq's small lists: Zipf 3 and more), when the line
        around it holds more common words of that language than of the document's: a German sentence on a page
        taken for English keeps "hielt", an English line keeps its glued "todo" for the split ("to do")."""
        threshold = self.config.foreign_word_zipf
        words = [word.lower() for word in TOKEN.findall(line)]
        for other in self.config.foreign_languages:
            if other == language or word_zipf(token, other, "small") < threshold:
                continue
            theirs = sum(word_zipf(word, other, "small") >= threshold for word in words)
            ours = sum(word_zipf(word, language, "small") >= threshold for word in words)
            if theirs > ours:
                return other
        return None


def _in_a_run_of_names(text: str, match: re.Match[str], split: tuple[str, str]) -> bool:
    """Whether the capitalised token ``match`` stands in a run of names: a capitalised word follows it ("Hadan
    Holligan"), or one precedes it (a word or an initial: "Florian Bruhin", "Orwant, J.") and the split would cut off
    a function word of at most three letters, where names begin and end by chance ("Bruh in", "Or want"; a menu's
    "Privacy Policythis" is glue)."""
    if NEXT_CAPITALISED.match(text, match.end()):
        return True
    short = min(len(split[0]), len(split[1])) <= 3
    return short and PREVIOUS_CAPITALISED.search(text, max(0, match.start() - 40), match.start()) is not None


def _line_at(text: str, position: int) -> str:
    """The line of ``text`` that holds ``position``."""
    end = text.find("\n", position)
    return text[text.rfind("\n", 0, position) + 1 : end if end != -1 else len(text)]
