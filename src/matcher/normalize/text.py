"""Unicode folding shared by every normalizer.

Officers type on phones and old desktops in many scripts; the same name can
arrive composed or decomposed, with zero-width joiners from Indic keyboards,
with nukta letters written as one code point or two, and with digits in
Devanagari, Bengali or Arabic-Indic forms. ``fold_text`` makes those the same
string without deleting anything meaningful (vowel signs are kept: a "letters
only" regex would delete them and ruin Indic names).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and formatting characters that keyboards insert but that carry
# no meaning for matching: ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, LRM/RLM.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)
_SPACES = re.compile(r"\s+")


def _digit_table() -> dict[int, str]:
    """Map every Unicode decimal digit outside ASCII (Devanagari ०, Bengali ০, ...) to 0-9."""
    table: dict[int, str] = {}
    for code in range(0x80, 0x1FBFA):
        ch = chr(code)
        if unicodedata.category(ch) == "Nd":
            table[code] = str(unicodedata.digit(ch))
    return table


_DIGITS = _digit_table()


def ascii_digits(text: str) -> str:
    """Replace Indic and other Unicode decimal digits by ASCII digits (``"१२"`` -> ``"12"``)."""
    return text.translate(_DIGITS)


def _control_table() -> dict[int, str | None]:
    """Control, format, surrogate and private-use characters become spaces (invisibles vanish)."""
    table: dict[int, str | None] = {}
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Co"):
            table[code] = " "
    table.update(_INVISIBLE)
    return table


_CONTROLS = _control_table()
_INDIC_DIGITS_OR_CONTROLS = {**_DIGITS, **_CONTROLS}


def fold_text(text: str) -> str:
    """NFKC-fold, drop invisible joiners, make digits ASCII and collapse white space.

    Control characters become spaces so that a pasted tab or newline never
    glues two words together. Case is kept; callers lower-case where they need to.
    Printable ASCII, most of what arrives, takes a fast path with the same result.
    """
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    text = unicodedata.normalize("NFKC", text).translate(_INDIC_DIGITS_OR_CONTROLS)
    return _SPACES.sub(" ", text).strip()
