"""Unicode folding: the same name typed on different keyboards becomes the same string."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.normalize.text import ascii_digits, fold_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("  Irfan\t Sheikh\n", "Irfan Sheikh", id="white space and controls"),
        pytest.param("मोहम्\u200dमद", "मोहम्मद", id="zero-width joiner from an Indic keyboard"),
        pytest.param("क\u093c", "क़", id="nukta as two code points becomes one"),
        pytest.param("१२ साल", "12 साल", id="Devanagari digits"),
        pytest.param("১২", "12", id="Bengali digits"),
        pytest.param("\ufeffRaju", "Raju", id="byte-order mark inside a cell"),
        pytest.param("ﬁroz", "firoz", id="compatibility ligature"),
        pytest.param("", "", id="empty"),
    ],
)
def test_fold_text(text: str, expected: str) -> None:
    assert fold_text(text) == expected


def test_ascii_digits() -> None:
    assert ascii_digits("९८७६५४३२१०") == "9876543210"


def _slow_reference(text: str) -> str:
    """The obviously correct definition, one character at a time."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        if ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f":
            continue
        if unicodedata.category(ch).startswith("C") and unicodedata.category(ch) != "Cn":
            out.append(" ")
        elif unicodedata.category(ch) == "Nd":
            out.append(str(unicodedata.digit(ch)))
        else:
            out.append(ch)
    return " ".join("".join(out).split())


@given(st.text())
def test_fold_text_agrees_with_the_slow_reference(text: str) -> None:
    assert fold_text(text) == _slow_reference(text)


@given(st.text())
def test_fold_text_is_idempotent(text: str) -> None:
    assert fold_text(fold_text(text)) == fold_text(text)
