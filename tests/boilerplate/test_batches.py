"""A batch of documents gives each document what it gets alone: in the boilerplate analysis (no neighbourhood,
feature or count crosses a page's edge) and in the pipeline's batch path (``Pipeline.process_batch``)."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.boilerplate.segments import Segments
from cleaner.document import Document, Reject
from cleaner.pipeline import Pipeline
from cleaner.steps import Step
from cleaner.steps.boilerplate import Boilerplate, BoilerplateConfig
from cleaner.survey import line_key

PROSE = [
    "The city council approved the new budget on Tuesday after a long debate about how much money the schools "
    "should receive, and the vote was closer than many of its members had expected.",
    "Council members said the plan would add two hundred teachers over the next three years, while keeping "
    "property taxes flat for most of the households in the city and its suburbs.",
    "Critics argued that the budget relies on optimistic revenue forecasts and leaves the transit authority "
    "without the money it needs to replace its ageing buses before the winter.",
    "Der Stadtrat hat am Dienstag nach einer langen Debatte über die Finanzierung der Schulen den neuen Haushalt "
    "beschlossen, und die Abstimmung fiel knapper aus, als es viele Mitglieder erwartet hatten.",
    "El ayuntamiento aprobó el martes el nuevo presupuesto después de un largo debate sobre la financiación de "
    "las escuelas, y la votación fue más ajustada de lo que muchos de sus miembros habían previsto.",
    "and the mayor, who had promised a balanced budget, said that she would sign it before the end of the week.",
]
FURNITURE = [
    "Home", "News", "Sport", "Weather", "Sign in", "Share", "Facebook", "Twitter", "Related", "Read More »",
    "Mayor opens new library", "Storm closes harbour", "Subscribe to our newsletter", "Privacy and cookies",
    "© 2024 City News. All rights reserved.", "Budget details", "Council passes budget", "Kontakt", "Impressum",
    "😀 Top stories 🎉", "𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠 𝐧𝐞𝐰𝐬", "ΚΕΝΤΡΙΚΗ ΣΕΛΙΔΑ", "", "",
]  # fmt: skip
ARTICLE = [
    "Home", "News", "Sport", "Weather", "Sign in", "Council passes budget", "Share", "Facebook", "Twitter",
    PROSE[0], "", PROSE[1], "", "Budget details", "", PROSE[2],
    "Related", "Mayor opens new library", "Storm closes harbour", "Read More »",
    "Subscribe to our newsletter today", "Privacy and cookies",
]  # fmt: skip

# A page whose analysis removes something in each of its first three passes.
FOUR_PASSES = [
    "", "Mayor opens new library", "© 2024 City News. All rights reserved.", "😀 Top stories 🎉", "Weather",
    PROSE[1], PROSE[0], "Facebook",
]  # fmt: skip

# Documents of every shape a batch may hold side by side.
EDGE_CASES = {
    "article": ARTICLE,
    "empty": [""],
    "blank lines only": ["", "", " ", "\t", ""],
    "one line": ["Home"],
    "menus only (all go in one pass)": ["Share", "Facebook", "Twitter", "Read More »"],
    "prose only (keep_all_prose)": [PROSE[3], "", PROSE[4], "", PROSE[5]],
    "beyond the BMP": ["😀 Top stories 🎉", "𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠 𝐧𝐞𝐰𝐬", PROSE[0], "Share", PROSE[1], "Related 🎉"],
    "german": ["Kontakt", "Impressum", PROSE[3], "Teilen", "Facebook", PROSE[3][:80], "Impressum"],
    "repeated furniture": ["Read More »", "Mayor opens new library", PROSE[0], "Mayor opens new library", PROSE[2]],
    "settles in three passes": ["Weather", PROSE[0], "Impressum", "ΚΕΝΤΡΙΚΗ ΣΕΛΙΔΑ", "Related"],
    "settles in four passes": FOUR_PASSES,
    "no word of four letters": ["0", "a b", "12:30"],
}
CONFIGS = {
    "default": {},
    "keep_all_prose off": {"keep_all_prose": False},
    "regions": {"decision": "regions"},
    "one pass": {"max_passes": 1},
    "two passes": {"max_passes": 2},
    "valve rejects": {"on_excess": "reject", "valve_min_prose_words": 0, "max_removed_share": 0.5},
}


def passes(step: Boilerplate, pages: list[list[str]], structural: bool = True, groups: list[str] | None = None):
    """The analysis' verdicts (removals by line, settled) of ``pages`` analysed together."""
    return step.analysis.passes(step.read(pages, groups or [""] * len(pages)), structural)


def each_alone(step: Boilerplate, pages: list[list[str]], structural: bool = True, groups: list[str] | None = None):
    """The same, each page analysed on its own."""
    groups = groups or [""] * len(pages)
    found = [passes(step, [page], structural, [group]) for page, group in zip(pages, groups, strict=True)]
    return [reasons[0] for reasons, _ in found], [settled[0] for _, settled in found]


def outcome(result: Document | Reject) -> tuple:
    if isinstance(result, Reject):
        return ("reject", result.reason, result.detail)
    removed = [dataclasses.astuple(line) for line in result.removed]
    edits = [dataclasses.astuple(edit) for edit in result.edits]
    return (result.text, removed, edits, result.stats, repr(sorted(result.metadata.items())))


@functools.cache
def step_with(**options) -> Boilerplate:
    """One step per configuration: a new step compiles its rules (~0.4 s), and judging pages keeps no state in it."""
    return Boilerplate(BoilerplateConfig(**options))


def document(number: int, lines: list[str], **metadata) -> Document:
    return Document(id=str(number), text="\n".join(lines), source=f"{number}.txt", metadata=dict(metadata))


@pytest.mark.parametrize("options", CONFIGS.values(), ids=CONFIGS.keys())
def test_every_kind_of_page_in_a_batch_is_judged_as_alone(options):
    step = Boilerplate(BoilerplateConfig(**options))
    pages = list(EDGE_CASES.values()) * 2  # and each kind after every other kind
    assert passes(step, pages) == each_alone(step, pages)
    assert passes(step, pages, structural=False) == each_alone(step, pages, structural=False)

    def documents():  # every third one extracted from HTML (the rules alone), the others text dumps
        return [document(n, page, **({"format": "html"} if n % 3 == 1 else {})) for n, page in enumerate(pages)]

    together = step.apply_batch(documents())
    assert [outcome(r) for r in together] == [outcome(step.apply(doc)) for doc in documents()]
    assert any(isinstance(r, Reject) or r.removed or r.metadata.get("flags") for r in together)  # it judged


def test_the_survey_judges_each_page_by_its_own_site():
    step = Boilerplate()
    step.use_survey(frozenset({line_key("Mayor opens new library", "a"), line_key("Storm closes harbour", "b")}))
    pages = [ARTICLE, ARTICLE, EDGE_CASES["german"] + ["Mayor opens  new library"]]
    groups = ["a", "b", "a"]
    found = passes(step, pages, groups=groups)
    assert found == each_alone(step, pages, groups=groups)
    assert step.read(pages, groups).recurring.tolist().count(True) == 3  # the survey did speak


def test_pages_that_settle_at_different_passes_in_one_batch():
    def settled_after(page: list[str]) -> int:
        return next(n for n in range(1, 13) if passes(step_with(max_passes=n), [page])[1][0])

    pages = list(EDGE_CASES.values())
    rounds = [settled_after(page) for page in pages]
    assert set(rounds) == {1, 2, 3, 4}  # pages of one to four passes side by side
    for limit in range(1, max(rounds) + 1):
        step = step_with(max_passes=limit)
        reasons, settled = passes(step, pages)
        assert (reasons, settled) == each_alone(step, pages)
        assert settled == [count <= limit for count in rounds]


def test_a_page_whose_every_line_goes_in_the_first_pass_settles_in_the_second():
    menus = EDGE_CASES["menus only (all go in one pass)"]
    for limit, settled in ((1, False), (2, True)):
        reasons, found = passes(step_with(max_passes=limit), [ARTICLE, menus, [""]])
        assert sorted(reasons[1]) == [0, 1, 2, 3]
        assert found[1:] == [settled, True]


LINES = st.sampled_from(PROSE + FURNITURE)
PAGES = st.lists(st.lists(LINES, min_size=1, max_size=30), min_size=1, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pages=PAGES,
    max_passes=st.integers(1, 4),
    keep_all_prose=st.booleans(),
    decision=st.sampled_from(["model", "regions"]),
)
def test_any_batch_of_pages_is_judged_page_by_page(pages, max_passes, keep_all_prose, decision):
    step = step_with(max_passes=max_passes, keep_all_prose=keep_all_prose, decision=decision)
    assert passes(step, pages) == each_alone(step, pages)


def model_rows(step: Boilerplate, pages: list[list[str]]) -> list[np.ndarray]:
    """The line model's input of each page in the first pass over ``pages`` analysed together."""
    read = step.read(pages, [""] * len(pages))
    found = step.analysis.signals(read, np.arange(len(read)), Segments.of(np.diff(read.offsets)), True)
    index, matrix, _ = step.analysis.model_input(found, found.decided)
    page = np.searchsorted(read.offsets, index, side="right") - 1
    return [matrix[page == k] for k in range(len(pages))]


def test_the_line_models_input_of_a_page_does_not_depend_on_its_batch():
    step = Boilerplate(BoilerplateConfig(keep_all_prose=False))
    pages = list(EDGE_CASES.values())
    together = model_rows(step, pages)
    for page, rows in zip(pages, together, strict=True):
        assert np.array_equal(rows, model_rows(step, [page])[0])


# "İ" lower-cases to two code points ("i̇"): the furniture vocabulary is looked for in the lower-cased text of all
# the batch's lines joined, and each hit placed by the lengths of the lines as written.
DOTTED = "İ" * 370


def test_a_page_after_one_full_of_dotted_capital_is_judged_as_alone():
    step = Boilerplate()
    assert model_rows(step, [[DOTTED], ARTICLE])[1].tolist() == model_rows(step, [ARTICLE])[0].tolist()
    alone = step.apply(document(1, ARTICLE))
    together = step.apply_batch([document(0, [DOTTED]), document(1, ARTICLE)])[1]
    assert outcome(together) == outcome(alone)


def test_a_furniture_word_after_a_dotted_capital_counts_on_its_own_line():
    step = Boilerplate(BoilerplateConfig(keep_all_prose=False))
    plain = model_rows(step, [["İstanbul", "Subscribe to our newsletter"]])[0]
    assert plain[1, 39] > 0  # "furniture_words" of the second line
    dotted = model_rows(step, [["İ" * 40 + " İstanbul", "a newsletter", "Home", "News"]])[0]
    assert dotted[1, 39] > 0


def test_a_lines_keep_probability_does_not_depend_on_the_other_lines_of_the_batch():
    model = Boilerplate().model
    matrix = np.random.default_rng(2).normal(size=(400, 46)) * 50
    whole = model.keep_probabilities(matrix)
    for start in range(64):
        assert np.array_equal(model.keep_probabilities(matrix[start : start + 7]), whole[start : start + 7])


PIPELINE = ["repair", "whitespace", "pii", "boilerplate", "language", "spacing", "metadata", "quality", "length"]


def test_the_pipelines_batch_path_gives_each_document_what_it_gets_alone():
    from cleaner import config as config_module
    from cleaner.pipeline import build_steps

    pipeline = Pipeline(build_steps(config_module.parse({"pipeline": PIPELINE})))
    glued = [*ARTICLE[:9], PROSE[0].replace("the new budget", "thenew budget"), "", *ARTICLE[11:]]
    pages = [*EDGE_CASES.values(), glued, ["Write to jane.doe@example.com about the café: Ã©tÃ© 2024.", *ARTICLE]]

    def documents():
        return [document(n, page, **({"format": "html"} if n == 0 else {})) for n, page in enumerate(pages)]

    alone = [outcome(pipeline.process(doc)) for doc in documents()]
    assert [outcome(r) for r in pipeline.process_batch(documents())] == alone
    # spacing split a glued word after the judgement (the page is judged again), repair fixed mojibake
    assert {edit[0] for row in alone if row[0] != "reject" for edit in row[2]} == {"spacing", "repair"}


def test_a_document_the_step_fails_on_is_rejected_and_the_rest_of_its_batch_cleaned_as_alone():
    pipeline = Pipeline([Boilerplate()])  # no repair step: a lone surrogate reaches the line model's features
    pages = [ARTICLE, ["Home", "a lone \ud800 surrogate", *ARTICLE], EDGE_CASES["german"]]
    alone = [outcome(pipeline.process(document(n, page))) for n, page in enumerate(pages)]
    together = [outcome(r) for r in pipeline.process_batch([document(n, page) for n, page in enumerate(pages)])]
    assert together == alone
    assert together[1][:2] == ("reject", "boilerplate.error") and together[0][1]  # the others cleaned


class Marks(Step):
    """A step without a batch path that cannot handle one document: it marks every other one."""

    name = "marks"
    counters = ("marked",)

    def apply(self, doc: Document) -> Document:
        if "boom" in doc.text:
            raise ValueError("cannot handle boom")
        doc.count(self.name, "marked")
        doc.text += " [marked]"
        return doc


def test_a_step_that_fails_on_one_document_of_a_batch_is_applied_once_to_the_others():
    pipeline = Pipeline([Marks()])
    alone = [outcome(pipeline.process(document(n, [text]))) for n, text in enumerate(["first", "boom", "third"])]
    together = pipeline.process_batch([document(n, [text]) for n, text in enumerate(["first", "boom", "third"])])
    assert together[1].reason == "marks.error"
    assert [outcome(r) for r in together] == alone


def test_the_survey_keys_of_normal_lines_are_the_surveys_own():
    # The step hashes a line's normal text without line_key's normalisation: it must be the key the survey counted.
    lines = ["Mayor  Opens\tthe LIBRARY", "ΟΔΟΣ ΣΙΓΜΑΣ", "İstanbul\u00a0Haber", "Bür\u00adger\u00admeister", "ǅemal Ǉ"]
    step = Boilerplate()
    step.use_survey(frozenset(line_key(line, "site") for line in lines))
    assert step.read([lines], ["site"]).recurring.tolist() == [True] * len(lines)
    assert step.read([lines], ["other"]).recurring.tolist() == [False] * len(lines)
