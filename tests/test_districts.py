"""The place names the bot recognises: aliases, misspellings, and names that contain another place."""
from __future__ import annotations

import pytest
import spacy

from bot.knowledge import load_knowledge
from nlu.components.district_extractor import DistrictMatcher
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def find():
    nlp = spacy.blank("en")
    matcher = DistrictMatcher(load_knowledge(KNOWLEDGE), nlp.vocab)
    return lambda text: [(district, matched) for district, _, _, matched in matcher.find(nlp.make_doc(text))]


@pytest.mark.parametrize("text, expected", [
    ("i live in new malden", [("outside_essex", "new malden")]),     # not Maldon, though it contains "malden"
    ("im in malden", [("maldon", "malden")]),
    ("I moved to New Malden from Maldon", [("outside_essex", "New Malden"), ("maldon", "Maldon")]),
    ("council tax in colchster", [("colchester", "colchster")]),
    ("my ending was sad", []),
])
def test_places_are_found_longest_first(find, text, expected):
    assert find(text) == expected
