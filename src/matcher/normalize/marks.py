"""Identifying marks as a set of telling English words.

Officers write marks freely: "mole on left cheek", "Mole, L cheek", "til on
chin", "बाएं गाल पर तिल", "chot ka nishan mathe par". The comparison counts the
words two descriptions share, so the words must mean one thing each: words
in Hindi (Latin or Devanagari) or Bengali are read as their English word
(til: mole, gaal: cheek, baayan: left), and words that only say "a mark on"
(mark, nishan, ka, par) are dropped. Without that, a child whose shelter
wrote "til on chin" shared one word with the report's "mole on chin" and the
pair weighed as if the marks disagreed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from matcher.normalize.romanize import romanize_word
from matcher.normalize.text import fold_text

#: English word -> the same word in Hindi and Bengali, in Latin letters or in the
#: language's script (romanized before the lookup).
_ENGLISH: Final[dict[str, tuple[str, ...]]] = {
    "mole": ("til", "tilla", "तिल", "তিল"),
    "wart": ("massa", "masa", "मस्सा", "আঁচিল"),
    "burn": ("jala", "jalne", "jalna", "jale", "जला", "जले", "जलने", "পোড়া"),
    "wound": ("chot", "ghav", "ghaav", "zakhm", "zakham", "चोट", "घाव", "জখম"),
    "scar": ("daag", "dag", "दाग", "দাগ"),
    "birthmark": ("lahsun", "lehsun", "lahsan", "लहसुन", "जन्मचिह्न"),
    "tattoo": ("godna", "gudna", "गोदना", "উল্কি"),
    "left": (
        "l", "lt", "baayan", "bayan", "bayen", "baye", "baen", "bain",
        "बायां", "बाएं", "बाएँ", "बाये", "বাম", "বাঁ",
    ),
    "right": (
        "r", "rt", "dayan", "dayen", "daye", "daen", "dain", "dahina", "dahine",
        "दायां", "दाएं", "दाएँ", "दाये", "ডান",
    ),
    "cheek": ("gaal", "gal", "गाल", "গাল", "গালে"),
    "forehead": ("matha", "maatha", "mathe", "maathe", "kapal", "माथा", "माथे", "কপাল", "কপালে"),
    "hand": ("haath", "hath", "हाथ", "হাত", "হাতে"),
    # Not "pair", the Latin spelling of पैर: "a pair of moles" is English.
    "leg": ("paer", "pao", "paon", "taang", "tang", "पैर", "टांग", "পা", "পায়ে"),
    "eye": ("aankh", "ankh", "aakh", "आंख", "आँख", "চোখ"),
    "eyebrow": ("bhau", "bhaun", "bhon", "भौं", "भौंह", "ভুরু"),
    "nose": ("naak", "nak", "नाक", "নাক"),
    "ear": ("kaan", "kan", "कान", "কান"),
    "lip": ("honth", "hoth", "होंठ", "ঠোঁট"),
    "chin": ("thodi", "thuddi", "ठोड़ी", "ठुड्डी", "থুতনি"),
    "neck": ("gardan", "गर्दन", "গলা"),
    "back": ("peeth", "pith", "पीठ", "পিঠ", "পিঠে"),
    "stomach": ("pet", "belly", "abdomen", "पेट", "পেট"),
    "chest": ("chhati", "chati", "छाती", "বুক", "বুকে"),
    "finger": ("ungli", "ungali", "उंगली", "আঙুল"),
    "shoulder": ("kandha", "kandhe", "कंधा", "कंधे", "কাঁধ"),
    "arm": ("baanh", "banh", "bazu", "baju", "बांह", "বাহু"),
    "head": ("sir", "sar", "सिर", "মাথা"),
    "knee": ("ghutna", "ghutne", "घुटना", "घुटने", "হাঁটু"),
    "tooth": ("daant", "dant", "दांत", "দাঁত"),
    "black": ("kala", "kaala", "काला", "কালো"),
    "white": ("safed", "safaid", "सफेद", "সাদা"),
}  # fmt: skip

#: Words that say where or how a mark is described, not what it is.
_FILLERS: Final = frozenset(
    {
        # English
        "a", "an", "the", "on", "of", "in", "at", "near", "and", "with", "has", "have", "is",
        "small", "big", "large", "old", "mark", "marks", "sign", "side",
        # Hindi and Bengali, romanized: "a mark of", "on", "in"
        "nishan", "nishaan", "chinh", "ka", "ki", "ke", "par", "pe", "per", "mein", "me",
        "hai", "ek", "chhota", "bada", "er", "e", "upar",
    }
)  # fmt: skip
_WORDS: Final = re.compile(r"[^\W\d_]+")


def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    """Words in Latin letters, and words in an Indic script as written, to English.

    Native words are looked up as written, not romanized: पैर romanizes to
    "pair", which in an English description is "a pair of moles".
    """
    latin: dict[str, str] = {}
    native: dict[str, str] = {}
    for english, words in _ENGLISH.items():
        for word in words:
            key = fold_text(word).lower()
            (latin if key.isascii() else native)[key] = english
    return latin, native


_LATIN_TO_ENGLISH, _NATIVE_TO_ENGLISH = _lookup()


@lru_cache(maxsize=16384)
def parse_marks(text: str) -> frozenset[str]:
    """The telling words of a marks field, in English ("बाएं गाल पर तिल" -> left, cheek, mole).

    Cached on the text: a few thousand descriptions recur.
    """
    words: list[str] = []
    for part in fold_text(text).lower().split():
        if part.isascii():
            words.extend(_LATIN_TO_ENGLISH.get(w, w) for w in _WORDS.findall(part))
        elif part in _NATIVE_TO_ENGLISH:
            words.append(_NATIVE_TO_ENGLISH[part])
        else:
            words.extend(_LATIN_TO_ENGLISH.get(w, w) for w in _WORDS.findall(romanize_word(part)))
    return frozenset(w for w in words if len(w) > 1 and w not in _FILLERS)
