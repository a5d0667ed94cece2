"""Identifying marks: the telling words, in English, whatever language they were written in."""

from __future__ import annotations

import pytest

from matcher.normalize.marks import parse_marks

SAME_MARK = [
    ("mole on left cheek", "Mole, L cheek", "an abbreviated side"),
    ("mole on chin", "til on chin", "til is a mole"),
    ("mole on left cheek", "बाएं गाल पर तिल", "in Devanagari"),
    ("mole on left cheek", "বাম গালে তিল", "in Bengali, with a locative"),
    ("burn on right hand", "jalne ka nishan dayen haath par", "in Hindi written in Latin"),
    ("wound on forehead", "chot ka nishan mathe par", "'a mark of' dropped"),
    ("burn mark on right hand", "R hand burn", "word order and 'mark' do not matter"),
]


@pytest.mark.parametrize(
    ("one", "other"), [c[:2] for c in SAME_MARK], ids=[c[2] for c in SAME_MARK]
)
def test_one_mark_written_two_ways_reads_the_same(one: str, other: str) -> None:
    assert parse_marks(one) == parse_marks(other)


def test_words_that_only_say_a_mark_is_there_are_dropped() -> None:
    """Two different marks share no word because both are a "mark on" something."""
    assert not parse_marks("cut mark on forehead") & parse_marks("burn mark on left arm")
    assert parse_marks("a small mark") == frozenset()


def test_unknown_words_are_kept_as_written() -> None:
    assert parse_marks("Tattoo of Om on left hand") == {"tattoo", "om", "left", "hand"}


def test_an_english_word_is_not_read_as_a_romanized_hindi_one() -> None:
    """पैर (leg) is "pair" in Latin letters; "a pair of moles" is English."""
    assert "leg" not in parse_marks("a pair of moles")
    assert parse_marks("पैर पर तिल") == {"leg", "mole"}
