import numpy as np

from cleaner.boilerplate.lines import longest_lines, stopwords
from cleaner.boilerplate.page import read_pages
from cleaner.boilerplate.segments import Segments
from cleaner.boilerplate.structure import item_mark, repeated

FIRST = ["Home", "", "The council met on Tuesday to discuss the budget.", "Share", "Share"]
SECOND = ["Kontakt", "Der Rat hat den Haushalt beschlossen.", "Share"]


def pages(recurring=None):
    rules = {"Share": "share"}
    return read_pages([FIRST, SECOND], rules.get, repeated_max_words=20, recurring=recurring or [None, None])


def test_facts_of_the_lines_of_every_page_end_to_end():
    found = pages()
    assert found.count == 2
    assert list(found.lines(1)) == [5, 6, 7]
    assert found.words.tolist() == [1, 0, 9, 1, 1, 1, 6, 1]
    assert found.terminal.tolist() == [False, False, True, False, False, False, True, False]
    assert found.rules.tolist() == [None, None, None, "share", "share", None, None, "share"]
    assert found.heading.tolist() == [True, False, False, False, False, True, False, False]
    assert found.marks.tolist() == [0, -1, 0, 0, 0, 0, 0, 0]  # a blank line has no word


def test_repetition_is_counted_within_a_page_only():
    codes = pages().repeat_codes
    assert codes[3] == codes[4]  # "Share" twice on the first page
    assert codes[7] != codes[3]  # and once on the second: another page's line
    assert codes[1] == -1  # a blank line is never repeated


def test_the_survey_is_asked_of_normalised_lines_that_match_no_rule():
    asked = []
    found = pages(recurring=[lambda lines: asked.extend(lines) or [line == "home" for line in lines], None])
    assert found.recurring.tolist() == [True] + [False] * 7
    assert "share" not in asked and "" not in asked


def test_the_longest_lines_and_stop_word_densities_are_those_of_the_texts():
    found = pages()
    rows = np.arange(5)
    assert found.longest(rows, 60) == longest_lines(FIRST, 60)
    english = stopwords().lists["English"]
    density = found.stop_density(0, english)
    assert density[2] == sum(word in english for word in found.tokens[2]) / 9
    assert density[1] == 0.0


def test_stop_words_are_counted_by_each_page_s_list_as_it_changes():
    found = pages()
    lists = stopwords().lists
    english, german = lists["English"], lists["German"]

    def by_line(page_lists):
        return [
            sum(word in page_lists[found.page_of[i]] for word in found.tokens[i]) / max(1, found.words[i])
            for i in range(len(found))
        ]

    rows, kept = np.arange(len(found)), {}
    for chosen in ({0: english, 1: german}, {0: german, 1: german}, {0: english}, {1: english}):
        running = found.stop_running(chosen)
        kept |= chosen  # a page not named keeps its list
        assert found.stop_densities(rows, running).tolist() == by_line(kept)
    assert by_line({0: english, 1: german})[6] > 0  # "der", "den" on the German page


def test_samples_remembered_as_lines_go_are_those_made_afresh():
    rng = np.random.default_rng(7)
    words = ["a", "bb", "ccc", "Der Rat", "The council met", "x" * 40, "y" * 40, "", "  "]
    documents = [[str(rng.choice(words)) + " " * int(rng.integers(2)) for _ in range(int(rng.integers(0, 30)))]
                 for _ in range(12)]  # fmt: skip
    found = read_pages(documents, {}.get, 20, [None] * len(documents))
    fresh = read_pages(documents, {}.get, 20, [None] * len(documents))
    for chars in (60, 60, 25, 60):  # the same budget again, another one, then back
        rows = np.arange(len(found))
        while len(rows):
            segments = Segments.of(np.bincount(found.page_of[rows], minlength=found.count))
            expected = [found.longest(rows[segments.page == page], chars) for page in range(found.count)]
            assert found.samples(rows, segments, chars) == expected
            assert fresh.samples(rows, segments, chars) == expected  # a memory of its own, each time
            fresh._samples = None
            rows = rows[rng.random(len(rows)) < 0.8]
    rows = np.arange(len(found))  # the lines come back: asked afresh
    segments = Segments.of(np.bincount(found.page_of[rows], minlength=found.count))
    assert found.samples(rows, segments, 60) == [found.longest(np.asarray(list(found.lines(k))), 60)
                                                 for k in range(found.count)]  # fmt: skip


def test_a_batch_without_content_words_has_none():
    found = read_pages([["0", "a b"], [""]], {}.get, repeated_max_words=20, recurring=[None, None])
    lines, words, sizes = found.content_words()
    assert len(lines) == len(words) == 0 and sizes.tolist() == [0, 0, 0]


INGREDIENTS = ["1 large chicken", "2 tablespoons oil", "", "250 g minced lamb"]


def test_a_list_shown_twice_keeps_its_first_copy():
    page = ["INGREDIENTS", *INGREDIENTS, "Like recipe? Add it to your basket.", "INGREDIENTS", *INGREDIENTS]
    found = read_pages([page, ["Home", *INGREDIENTS]], {}.get, repeated_max_words=20, recurring=[None, None])
    no_rule = np.zeros(len(found), dtype=bool)
    repeated_lines = np.flatnonzero(repeated(found.repeat_codes, no_rule)).tolist()
    # the heading and the second copy go, the first copy stays; the other page's list is no copy of it
    assert repeated_lines == [0, 6, 7, 8, 10]


def test_numbered_steps_shown_twice_keep_their_first_copy():
    steps = ["1. Preheat the oven to 180 C.", "2. Brown the lamb in the oil.", "3. Add the chicken and stir well."]
    found = read_pages([[*steps, "Print", *steps]], {}.get, repeated_max_words=20, recurring=[None])
    repeated_lines = np.flatnonzero(repeated(found.repeat_codes, np.zeros(len(found), dtype=bool))).tolist()
    assert repeated_lines == [4, 5, 6]


def test_only_whole_lists_of_quantities_shown_twice_are_kept_once():
    for page in (
        [*INGREDIENTS, "Share", *INGREDIENTS[:2]],  # the second copy is shorter: no list shown again
        ["Home", "News", "Sport", "Home", "News", "Sport"],  # a menu shown twice: no quantities
        [*(ranked := ["1. Mayor opens library", "2. Budget approved", "3) Storm warning"]), "Share", *ranked],  # ranks
    ):
        found = read_pages([page], {}.get, repeated_max_words=20, recurring=[None])
        assert (found.repeat_codes >= -1).all()


def test_item_marks_are_those_of_item_mark_line_by_line():
    """The marks read from the batch's first characters and letter pairs are item_mark's, whatever the line."""
    lines = ["1. Step", "1.", "2)", "12", "- item", "• Punkt", "▪ x", "Home", "a", "²x", "½ cup", "Ⅻ Chapter",
             "ab", "a1b", "_x_", "𝟏 mathematical", "𝐀𝐁", "١٢ Arabic", "  3) indented", "", "  ", "2024-01-01",
             "x y"]  # fmt: skip
    pages = read_pages([lines, lines[::-1]], lambda line: None, 20, [None, None])
    assert pages.marks.tolist() == [item_mark(line.strip()) for line in lines + lines[::-1]]
