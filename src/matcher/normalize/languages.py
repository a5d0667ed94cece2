"""Languages as registers write them, one name per language.

The same language arrives under several names: "Bengali" and "Bangla",
"Oriya" and "Odia", "Santhali" and "Santali", "Gujrati", "Telgu", "বাংলা" or
"हिंदी" in its own script. Compared as written, a child who says "Bangla"
and a report that wrote "Bengali" shared no language, which weighs against
the pair as much as a different district does. Each part of a languages field
is read as the canonical English name of its language: through the table of
names below, then, for a Latin spelling the table does not know, the one
canonical name or variant within a small spelling distance (``Malyalam``).
A name that matches nothing is kept as written, lower-cased.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import extract

from matcher.normalize.romanize import romanize_word
from matcher.normalize.text import fold_text

#: canonical name -> other names and spellings (Latin, lower case; or in the language's
#: own script, romanized by :func:`romanize_word` before the lookup).
_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "hindi": ("hindee", "hindhi", "हिंदी", "हिन्दी"),
    "urdu": ("اردو", "उर्दू"),
    "bengali": ("bangla", "bangali", "bengoli", "bengli", "bangala", "বাংলা", "बंगाली", "बांग्ला"),
    "odia": ("oriya", "odiya", "oriyaa", "ଓଡ଼ିଆ", "उड़िया", "ओड़िया"),
    "assamese": ("asamiya", "axomiya", "assami", "অসমীয়া"),
    "nepali": ("nepalese", "gorkhali", "gurkhali", "khas kura", "नेपाली"),
    "santali": ("santhali", "santhal", "santal", "संथाली", "সাঁওতালি"),
    "punjabi": ("panjabi", "ਪੰਜਾਬੀ", "पंजाबी"),
    "gujarati": ("gujrati", "gujerati", "ગુજરાતી", "गुजराती"),
    "marathi": ("marati", "मराठी"),
    "tamil": ("tamizh", "thamizh", "thamil", "தமிழ்", "तमिल"),
    "telugu": ("telgu", "telegu", "tellugu", "తెలుగు", "तेलुगु"),
    "kannada": ("kanarese", "kanada", "kannad", "ಕನ್ನಡ", "कन्नड़"),
    "malayalam": ("malyalam", "malayali", "malayalm", "മലയാളം", "मलयालम"),
    "maithili": ("mithila", "मैथिली"),
    "bhojpuri": ("bhojpure", "भोजपुरी"),
    "magahi": ("magadhi", "magahi", "मगही"),
    "awadhi": ("avadhi", "अवधी"),
    "bundeli": ("बुंदेली",),
    "chhattisgarhi": ("chattisgarhi", "chhatisgarhi", "छत्तीसगढ़ी"),
    "rajasthani": ("राजस्थानी",),
    "marwari": ("marvari", "मारवाड़ी"),
    "haryanvi": ("hariyanvi", "haryani", "हरियाणवी"),
    "garhwali": ("गढ़वाली",),
    "kumaoni": ("kumauni", "कुमाऊँनी"),
    "nagpuri": ("sadri", "sadani", "nagpuria"),
    "kurukh": ("kurux", "oraon"),
    "mundari": ("munda",),
    "meitei": ("manipuri", "meiteilon", "meetei"),
    "mizo": ("lushai",),
    "konkani": ("कोंकणी",),
    "kashmiri": ("koshur", "کٲشُر"),
    "sindhi": ("سنڌي", "सिंधी"),
    "english": ("angrezi", "angreji", "अंग्रेज़ी", "अंग्रेजी"),
    "newari": ("nepal bhasa", "newar"),
    "sylheti": ("siloti", "sylhoti"),
}  # fmt: skip

#: Words around a language's name that are not a language: "Hindi language", "Bangla bhasha".
_FILLERS: Final = frozenset({"language", "languages", "bhasha", "bhasa", "boli", "only", "little"})
#: Separators between languages: "Hindi, Bhojpuri", "Hindi and Bengali", "Hindi & Urdu",
#: "Hindi-Bhojpuri", "Hindi (little)".
_SPLIT: Final = re.compile(r"\s*(?:[;,/|&+()\[\]-]|\band\b|\baur\b|\bor\b)\s*")
#: Punctuation around a name ("Bangla.", "'Hindi'"), dropped before the lookup.
_PUNCTUATION: Final = re.compile(r"[.:!?'\"`*_~]+")
#: Jaro-Winkler similarity from which an unknown Latin spelling is read as a known
#: name ("malyalam" 0.98, "telgu" 0.95); "hindi" against "sindhi" is 0.82.
_SPELLING: Final = 0.92
_MIN_FUZZY_LENGTH: Final = 5


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, names in _NAMES.items():
        table[canonical] = canonical
        for name in names:
            table[_key(name)] = canonical
    return table


def _key(name: str) -> str:
    """A name as looked up: folded, Latin (romanized if written in an Indic script), lower case."""
    folded = fold_text(name).lower()
    if folded.isascii():
        return folded
    latin = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in latin if not unicodedata.combining(c))
    if stripped.isascii():
        return stripped  # "oriyā"
    return " ".join(romanize_word(word) for word in folded.split())


_LOOKUP: Final = _lookup()
_LATIN_NAMES: Final = tuple(name for name in _LOOKUP if name.isascii())


def canonical_language(text: str) -> str:
    """The canonical name of one language as written ("Bangla" -> "bengali"), or the
    text itself, lower-cased, when it names no language known here."""
    written = " ".join(_key(_PUNCTUATION.sub(" ", text)).split())
    known = _LOOKUP.get(written)  # "Nepal Bhasa" before its "bhasa" is dropped
    if known is not None:
        return known
    key = " ".join(w for w in written.split() if w not in _FILLERS)
    if not key:
        return ""
    known = _LOOKUP.get(key)
    if known is not None:
        return known
    if len(key) >= _MIN_FUZZY_LENGTH and key.isalpha():
        near = extract(
            key, _LATIN_NAMES, scorer=JaroWinkler.similarity, score_cutoff=_SPELLING, limit=None
        )
        canonicals = {_LOOKUP[name] for name, _, _ in near}
        if len(canonicals) == 1:
            return canonicals.pop()
    return key


@lru_cache(maxsize=4096)
def parse_languages(text: str) -> frozenset[str]:
    """The languages a field names, canonical ("Hindi & Bangla" -> hindi, bengali).

    Cached on the text: a register repeats a few dozen language lists.
    """
    parts = _SPLIT.split(fold_text(text).lower())
    return frozenset(name for name in map(canonical_language, parts) if name)
