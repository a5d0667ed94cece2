"""Village names: address words dropped, spellings folded."""

from __future__ import annotations

import pytest

from matcher.normalize.village import village_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("vill- narayanabad", "narayanabad"),
        ("village narayanabad", "gram narayanabad"),
        ("at/po narayanabad", "v.p.o. narayanabad"),
        ("ward no. 11, gopalbari", "gopalbari"),
        ("w.no 3, sitapur", "sitapur ward 4"),
        ("mouza rampur", "rampoor"),
    ],
)
def test_spellings_of_one_village_have_one_key(a: str, b: str) -> None:
    assert village_key(a) == village_key(b) != ""


@pytest.mark.parametrize(("a", "b"), [("rampur", "sitapur"), ("pokhara", "atarra")])
def test_other_villages_keep_other_keys(a: str, b: str) -> None:
    assert village_key(a) != village_key(b)


@pytest.mark.parametrize("word", ["atarra", "postapur", "gaonpur", "tolapur", "pokhara"])
def test_a_name_starting_like_an_address_word_is_kept_whole(word: str) -> None:
    """'At', 'Post', 'Gaon', 'Tol' and 'PO' are address words only as whole words."""
    assert len(village_key(word)) >= len(word) - 3


@pytest.mark.parametrize("text", ["village", "gram", "ward 4", "h.no. 12", ""])
def test_address_words_alone_name_no_village(text: str) -> None:
    assert village_key(text) == ""


@pytest.mark.parametrize(
    ("native", "latin"),
    [("ग्राम रामपुर", "vill. rampur"), ("गाँव सीतापुर", "sitapur"), ("গ্রাম রামপুর", "rampur")],
)
def test_a_village_in_native_script_meets_its_latin_spelling(native: str, latin: str) -> None:
    assert village_key(native) == village_key(latin) != ""
