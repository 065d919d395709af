from __future__ import annotations

import re

import pytest

from cleaner.boilerplate.patterns import lower_pattern, required_literals, split_alternatives


def test_alternatives_are_split_at_the_top_level_only():
    assert split_alternatives("share|teilen") == ["share", "teilen"]
    # Bars inside a group, a class or escaped belong to their alternative.
    assert split_alternatives(r"a(?:b|c)|[|x]|d\|e") == ["a(?:b|c)", "[|x]", r"d\|e"]
    assert split_alternatives("") == [""]


def test_lower_pattern_lowers_letters_but_not_escapes():
    assert lower_pattern(r"Share \S+ ON \W") == r"share \S+ on \W"
    assert lower_pattern(r"\\Share") == r"\\share"  # an escaped backslash escapes nothing after it
    assert re.fullmatch(lower_pattern(r"Abo \S+"), "abo jetzt")


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"(?:contains|may contain|includes) affiliate links", (" affiliate links",)),
        (r"(?:^|[\s(|/])(?:getty images|shutterstock)(?:$|\s)", ("getty images", "shutterstock")),
        (r"cookies? (?:akzeptieren|zulassen)", ("akzeptieren", "zulassen")),
        (r"(?:wordpress )?theme:? \S+ by \S", ("theme",)),  # an optional word is not needed
        (r"(?-i:Abo)nnieren jetzt", ("nnieren jetzt",)),  # nor is a group under other flags
        (r"^\s*\w+\s*=", None),  # nothing literal: searched on every line
    ],
)
def test_required_literals_are_what_every_match_contains(pattern: str, literals: tuple[str, ...] | None):
    assert required_literals(pattern) == literals
