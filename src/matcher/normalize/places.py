"""Districts and states of India, Nepal and Bangladesh, resolved from the text records carry.

A child's home district is the strongest place clue a report has, and the messiest: the
same district arrives as ``Gurgaon`` and ``Gurugram``, ``24 Parganas (N)`` and ``North 24
Parganas``, ``Distt. Gaya`` and ``GAYA, BIHAR``, ``Mujaffarpur`` and ``मुजफ्फरपुर``. A
district is therefore identified by a code (the LGD code for India), never by its name:
Aurangabad, Bilaspur, Hamirpur, Pratapgarh and Balrampur each name districts in two Indian
states, Bhojpur, Dang and Lalitpur exist in India and Nepal, and Gopalganj in India and
Bangladesh, where children are trafficked across the border.

``Gazetteer.resolve`` tries, in order, and stops at the first tier that finds anything:

1. exact keys: the current name and every recorded alias (LGD 2021 and Census 2011
   spellings, Wikidata labels, renames, abbreviations, native-script names), compared
   after ``normalize_place_text`` and with word order, ``North``/``Uttar``/``N`` and
   ``Pgs``/``Parganas`` made equal;
2. a phonetic skeleton of those keys (z/j, v/w, ph/f, aspirated h, doubled letters:
   ``Muzzafarpur``, ``Darbanga``), reported as ``FUZZY``;
3. the same two with a state written inside the district text (``Gaya (Bihar)``);
4. rapidfuzz over the skeletons, within the given state first, nationwide only when the
   best candidate beats the next by a clear margin;
5. for text in an Indian script or Urdu: the Nepali and Bengali names of Nepal's and
   Bangladesh's districts directly, else the tiers above after romanizing the text
   (``matcher.normalize.romanize`` when importable, a small local fallback otherwise).

The state, when given, chooses between same-named districts. When the name fits a
district outside the given state, or several districts and nothing chooses, the result
says so (``AMBIGUOUS`` with the candidates, or a lowered confidence); what cannot be
resolved comes back ``UNRESOLVED`` with its text. Nothing is guessed silently.

The data is built by ``scripts/build_gazetteer.py`` from public sources named in
``data/GAZETTEER_SOURCES.md`` and shipped inside the package.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources

from rapidfuzz import fuzz, process

from matcher.normalize.text import fold_text

__all__ = [
    "District",
    "Gazetteer",
    "PlaceMatch",
    "Resolution",
    "State",
    "load_gazetteer",
    "normalize_place_text",
]

COUNTRY_ORDER = ("IN", "NP", "BD")

# Confidence levels. Exact names score 1; the rest are lowered so that a reviewer can
# sort by them and so that a scorer can weigh a place agreement less when it is unsure.
CONF_EXACT = 1.0
CONF_SKELETON = 0.9  # same letters up to z/j, v/w, ph/f, aspiration and doubling
FUZZY_SCALE = 0.9  # fuzzy confidence is 0.9 x (ratio / 100)
NATIONWIDE_FUZZY = 0.9  # no state given: a fuzzy match anywhere is less certain
STATE_CONFLICT = 0.6  # the name fits only a district outside the given state
PREFERRED_OF_SEVERAL = 0.6  # same name elsewhere too; India (or exact) preferred
TRANSLITERATED = 0.85  # found only after romanizing Devanagari/Bengali text
WEAK_KIND_WEIGHT = {"town": 0.9, "abolished": 0.9, "area": 0.9}

FUZZY_CUTOFF_IN_SCOPE = 80.0
FUZZY_CUTOFF_NATIONWIDE = 88.0
FUZZY_CUTOFF_SHORT = 90.0  # for 4-5 letter skeletons, where one edit is 20%
FUZZY_MIN_LENGTH = 4
FUZZY_MARGIN = 6.0  # the best fuzzy candidate must beat the next by this much
NEAR_MISS_CUTOFF = 85.0  # an Indian district this close to a foreign exact match

_CACHE_SIZE = 1 << 16


@dataclass(frozen=True, slots=True)
class State:
    """A state or union territory of India, a province of Nepal or a division of Bangladesh.

    ``code`` is ``IN-<LGD state code>`` (``IN-9`` is Uttar Pradesh), ``NP-P1``..``NP-P7``
    or ``BD-<division id>``.
    """

    code: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class District:
    """A district with a stable code: ``IN-<LGD district code>``, ``NP-<id>``, ``BD-<id>``.

    Districts created after the LGD 2021 export have a synthetic code such as
    ``NEW-AP-ANAKAPALLI`` until their LGD code is added to the supplement.
    """

    code: str
    name: str
    state: State


class Resolution(StrEnum):
    """How a district text was resolved."""

    EXACT = "exact"  # the current official name (up to case, word order, spacing, N/North)
    ALIAS = "alias"  # an old name, another spelling, an abbreviation, a town in it
    FUZZY = "fuzzy"  # a misspelling, a phonetic variant or a romanized native name
    AMBIGUOUS = "ambiguous"  # several districts fit; see alternatives
    UNRESOLVED = "unresolved"  # nothing fits well enough; the text is kept
    EMPTY = "empty"  # no district text (after noise such as "Distt." is removed)


#: Resolutions that name a district for certain (no guess among several, no misspelling).
_NAMED = frozenset({Resolution.EXACT, Resolution.ALIAS})


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """The result of resolving a district text (and optionally a state text).

    ``district`` is None unless one district is chosen, and ``state`` is then that
    district's state (otherwise the state named, if any); ``alternatives`` lists the other
    candidates when the result is ambiguous (both Aurangabads; or, for Gopalganj without
    a state, the Bangladeshi one while the Indian one is chosen with lower confidence).
    """

    text: str
    district: District | None
    state: State | None
    confidence: float
    resolution: Resolution
    alternatives: tuple[District, ...]


# ---------------------------------------------------------------------------
# Text normalization and keys

# Words officers add around a district name: "Distt. Gaya", "Gaya district", "Zila Gaya",
# "Janpad Gaya" (UP usage), and the same in Hindi, Nepali, Marathi and Bengali.
_NOISE_WORDS = frozenset(
    unicodedata.normalize("NFKC", word)
    for word in (
        "distt",
        "dist",
        "dst",
        "dt",
        "district",
        "districts",
        "zila",
        "zilla",
        "zillah",
        "jila",
        "jilla",
        "jilha",
        "janpad",
        "जिला",
        "ज़िला",
        "जिल्ला",
        "जिल्हा",
        "जनपद",
        "জেলা",
        "জিলা",
        # A postal code's label; the six-digit code itself is dropped too ("Gaya 823001").
        "pin",
        "pincode",
    )
)
#: An address part that says it is the district: "Dist- Gaya", "Distt. Gaya", "Zila Gaya".
#: (Not ``\b``: जिला and জেলা end in a vowel sign, which ``re`` does not count as a word
#: character, so no word boundary follows them.)
_DISTRICT_MARK = re.compile(
    r"(?:distt?|dst|district|zil+a|jil+a|जिला|জেলা)(?![^\W_])", re.IGNORECASE
)
# Words that say "this is a state" and can be dropped before a second state lookup.
_STATE_NOISE = frozenset({"state", "division", "div", "bibhag", "राज्य", "বিভাগ"})
_COUNTRY_WORDS = {
    "india": "IN",
    "bharat": "IN",
    "hindustan": "IN",
    "भारत": "IN",
    "ভারত": "IN",
    "nepal": "NP",
    "नेपाल": "NP",
    "bangladesh": "BD",
    "বাংলাদেশ": "BD",
}
# Tokens that mean the same in district names. Direction words come in English, Hindi and
# Bengali forms and in either position ("Dinajpur Uttar", "North Dinajpur", "24 Pgs (N)").
_TOKEN_SYNONYMS = {
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "northern": "north",
    "southern": "south",
    "eastern": "east",
    "western": "west",
    "uttar": "north",
    "uttari": "north",
    "dakshin": "south",
    "dakshini": "south",
    "purba": "east",
    "purbi": "east",
    "purb": "east",
    "purv": "east",
    "purva": "east",
    "poorvi": "east",
    "paschim": "west",
    "pashchim": "west",
    "paschimi": "west",
    "pashchimi": "west",
    "pgs": "parganas",
    "pgns": "parganas",
    "pargana": "parganas",
    "paraganas": "parganas",
    "metropolitan": "metro",
    "midnapore": "medinipur",
    "midnapur": "medinipur",
    "burdwan": "bardhaman",
    "barddhaman": "bardhaman",
}
_DROPPED_TOKENS = frozenset({"and", "the", "of"})
_DIRECTIONS = frozenset({"north", "south", "east", "west", "central"})

_ASCII_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018`\u00b4"), None)
_LATIN_MARKS = re.compile("[\u0300-\u036f]")
# Devanagari/Bengali nukta and chandrabindu vary between writers; keys ignore them.
_INDIC_KEY_FOLD = {0x093C: None, 0x09BC: None, 0x0901: "\u0902", 0x0981: "\u0982"}
_INDIC = re.compile("[\u0600-\u06ff\u0900-\u0dff]")  # Indic blocks and Arabic (Urdu)


def normalize_place_text(text: str) -> str:
    """Lower-case a place text and strip punctuation and "Distt."/"district"/"Zila" noise.

    Latin diacritics are dropped (``Chümoukedima`` -> ``chumoukedima``), ``&`` becomes
    ``and``, apostrophes vanish (``Cox's`` -> ``coxs``) and every other non-letter,
    non-digit becomes a space. Indic letters and vowel signs are kept as they are.
    """
    folded = fold_text(text)
    if not folded:
        return ""
    lowered = folded.casefold().translate(_APOSTROPHES).replace("&", " and ")
    if lowered.isascii():
        spaced = _ASCII_NON_WORD.sub(" ", lowered)
    else:
        decomposed = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", lowered))
        recomposed = unicodedata.normalize("NFKC", decomposed).casefold()
        spaced = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in recomposed)
    return " ".join(
        token
        for token in spaced.split()
        if token not in _NOISE_WORDS and not (len(token) == 6 and token.isdigit())
    )


def _tokens(words: Sequence[str]) -> list[str]:
    """Key tokens of a normalized text: synonyms unified, "and"/"the"/"of" dropped."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "twenty" and i + 1 < len(words) and words[i + 1] == "four":
            out.append("24")  # "North Twenty Four Parganas" (Census 2011)
            i += 2
            continue
        if word not in _DROPPED_TOKENS:
            out.append(_TOKEN_SYNONYMS.get(word, word))
        i += 1
    return out


def _keys(norm: str) -> tuple[str, ...]:
    """Exact-lookup keys of a normalized text: as written, word-sorted and without spaces."""
    if not norm.isascii():
        norm = norm.translate(_INDIC_KEY_FOLD)
    words = norm.split()
    tokens = _tokens(words)
    if not tokens:
        return ()
    keys = (" ".join(tokens), " ".join(sorted(tokens)), "".join(words), "".join(tokens))
    return tuple(dict.fromkeys(keys))


_ASPIRATED = re.compile(r"([bcdfgjklmnpqrstvwxz])h")
_DOUBLED = re.compile(r"(.)\1+")


def _skeleton(compact: str) -> str:
    """A phonetic skeleton of a space-free Latin key for spelling-tolerant matching.

    Indian place names are spelt by ear: z/j (Muzaffarpur/Mujaffarpur), v/w, ph/f, ee/i,
    oo/u, y/i, a dropped aspiration h (Darbhanga/Darbanga, Singhbhum/Singhbum), doubled
    letters (Muzzafarpur), and t/d, which Tamil and Malayalam writing does not tell apart
    (மதுரை is romanized "mathurai" but spelt Madurai). Vowels are otherwise kept, so
    Naogaon/Nagaon and Chandpur/Chandrapur stay apart.
    """
    s = compact.replace("ph", "f").replace("ck", "k").replace("q", "k")
    s = s.replace("z", "j").replace("v", "w").replace("ee", "i").replace("oo", "u")
    s = _ASPIRATED.sub(r"\1", s.replace("y", "i")).replace("t", "d")
    return _DOUBLED.sub(r"\1", s)


#: Spellings by ear that a name is also indexed and looked up under: "dh" or "d"
#: after a vowel for ड़/ढ़, written "r" or "rh" officially (Azamgadh/Azamgarh,
#: Sitamadhi/Sitamarhi, Khagadiya/Khagaria, Pakud/Pakur); "au" said "o"
#: (Jonpur/Jaunpur); "eo" said "ev" (Devghar/Deoghar).
_SPOKEN_VARIANTS = (
    (re.compile(r"(?<=[aeiou])dh"), "rh"),
    (re.compile(r"(?<=[aeiou])d(?=[aeiouy]|$)"), "r"),  # Khagadiya, Pakud
    (re.compile(r"au"), "o"),
    (re.compile(r"eo"), "ev"),
)


def _skeletons(norm: str) -> tuple[str, ...]:
    """Skeletons of the space-free forms of a Latin text (none for other scripts).

    A form with one of ``_SPOKEN_VARIANTS`` also gets the skeleton of its other
    reading, on both the gazetteer's side and the query's: "Azamgadh" meets
    Azamgarh, while "Madubani" (a dropped h) still meets Madhubani through the
    plain skeleton. Adding them joined no two districts that were apart.
    """
    if not norm.isascii():
        return ()
    words = norm.split()
    tokens = _tokens(words)
    if not tokens:
        return ()
    forms = ("".join(tokens), "".join(words))
    spoken = tuple(
        variant
        for form in forms
        for pattern, replacement in _SPOKEN_VARIANTS
        if (variant := pattern.sub(replacement, form)) != form
    )
    return tuple(dict.fromkeys(_skeleton(form) for form in (*forms, *spoken)))


# ---------------------------------------------------------------------------
# Romanization of Devanagari and Bengali district names

_DEVANAGARI_CONSONANTS = {
    "क": "k",
    "ख": "kh",
    "ग": "g",
    "घ": "gh",
    "ङ": "n",
    "च": "ch",
    "छ": "chh",
    "ज": "j",
    "झ": "jh",
    "ञ": "n",
    "ट": "t",
    "ठ": "th",
    "ड": "d",
    "ढ": "dh",
    "ण": "n",
    "त": "t",
    "थ": "th",
    "द": "d",
    "ध": "dh",
    "न": "n",
    "ऩ": "n",
    "प": "p",
    "फ": "ph",
    "ब": "b",
    "भ": "bh",
    "म": "m",
    "य": "y",
    "र": "r",
    "ऱ": "r",
    "ल": "l",
    "ळ": "l",
    "ऴ": "l",
    "व": "v",
    "श": "sh",
    "ष": "sh",
    "स": "s",
    "ह": "h",
}
_BENGALI_CONSONANTS = {
    "ক": "k",
    "খ": "kh",
    "গ": "g",
    "ঘ": "gh",
    "ঙ": "ng",
    "চ": "ch",
    "ছ": "chh",
    "জ": "j",
    "ঝ": "jh",
    "ঞ": "n",
    "ট": "t",
    "ঠ": "th",
    "ড": "d",
    "ঢ": "dh",
    "ণ": "n",
    "ত": "t",
    "থ": "th",
    "দ": "d",
    "ধ": "dh",
    "ন": "n",
    "প": "p",
    "ফ": "ph",
    "ব": "b",
    "ভ": "bh",
    "ম": "m",
    "য": "j",
    "র": "r",
    "ল": "l",
    "শ": "sh",
    "ষ": "sh",
    "স": "s",
    "হ": "h",
}
_CONSONANTS = _DEVANAGARI_CONSONANTS | _BENGALI_CONSONANTS
_NUKTA_FORMS = {"k": "k", "kh": "kh", "g": "g", "j": "z", "d": "r", "dh": "rh", "ph": "f", "y": "y"}
_VOWELS = {
    "अ": "a",
    "आ": "a",
    "इ": "i",
    "ई": "i",
    "उ": "u",
    "ऊ": "u",
    "ऋ": "ri",
    "ऌ": "li",
    "ऍ": "e",
    "ऎ": "e",
    "ए": "e",
    "ऐ": "ai",
    "ऑ": "o",
    "ऒ": "o",
    "ओ": "o",
    "औ": "au",
    "অ": "a",
    "আ": "a",
    "ই": "i",
    "ঈ": "i",
    "উ": "u",
    "ঊ": "u",
    "ঋ": "ri",
    "এ": "e",
    "ঐ": "oi",
    "ও": "o",
    "ঔ": "ou",
}
_VOWEL_SIGNS = {
    "ा": "a",
    "ि": "i",
    "ी": "i",
    "ु": "u",
    "ू": "u",
    "ृ": "ri",
    "ॅ": "e",
    "ॆ": "e",
    "े": "e",
    "ै": "ai",
    "ॉ": "o",
    "ॊ": "o",
    "ो": "o",
    "ौ": "au",
    "া": "a",
    "ি": "i",
    "ী": "i",
    "ু": "u",
    "ূ": "u",
    "ৃ": "ri",
    "ে": "e",
    "ৈ": "oi",
    "ো": "o",
    "ৌ": "ou",
}
_VIRAMAS = frozenset("\u094d\u09cd")
_NASALS = {"\u0902": "n", "\u0901": "n", "\u0982": "ng", "\u0981": "n"}
_VISARGAS = frozenset("\u0903\u0983")
_NUKTAS = frozenset("\u093c\u09bc")
_INHERENT = "\x00"  # marks the inherent vowel, which schwa deletion may drop


def _transliterate_indic(text: str) -> str:
    """Romanize Devanagari or Bengali text the way district names are spelt in English.

    A small fallback for when ``matcher.normalize.romanize`` is not available: consonants
    carry an inherent ``a`` that is dropped at the end of a word and between a vowel-
    consonant and a consonant-vowel, as Hindi speakers do (पटना -> patna,
    मुजफ्फरपुर -> mujaphpharpur, whose skeleton equals Muzaffarpur's).
    """
    return " ".join(_transliterate_word(word) for word in text.split())


def _transliterate_word(word: str) -> str:
    units: list[list[str]] = []  # [consonant, vowel, nasal/visarga suffix]
    for ch in word:
        if ch in _CONSONANTS:
            units.append([_CONSONANTS[ch], _INHERENT, ""])
        elif ch == "\u09ce":  # Bengali khanda ta: a t without a vowel
            units.append(["t", "", ""])
        elif ch in _NUKTAS:
            if units and units[-1][0] in _NUKTA_FORMS:
                units[-1][0] = _NUKTA_FORMS[units[-1][0]]
        elif ch in _VOWEL_SIGNS:
            if units and units[-1][1] == _INHERENT:
                units[-1][1] = _VOWEL_SIGNS[ch]
            else:
                units.append(["", _VOWEL_SIGNS[ch], ""])
        elif ch in _VIRAMAS:
            if units:
                units[-1][1] = ""
        elif ch in _NASALS or ch in _VISARGAS:
            if units:
                if units[-1][1] == _INHERENT:
                    units[-1][1] = "a"  # a nasalised or aspirated vowel is never dropped
                units[-1][2] += _NASALS.get(ch, "h")
        elif ch in _VOWELS:
            units.append(["", _VOWELS[ch], ""])
        else:
            units.append([ch, "", ""])
    _delete_schwas(units)
    out: list[str] = []
    for i, (consonant, vowel, suffix) in enumerate(units):
        nxt = units[i + 1][0] if i + 1 < len(units) else ""
        if suffix == "n" and nxt[:1] in ("p", "b", "m"):
            suffix = "m"  # anusvara before a labial: चंपारण -> champaran
        out.append(consonant + ("a" if vowel == _INHERENT else vowel) + suffix)
    return "".join(out)


def _delete_schwas(units: list[list[str]]) -> None:
    """Drop inherent vowels at the end of a word and in V C _a_ C V positions."""
    n = len(units)
    if n > 1 and units[-1][0] and units[-1][1] == _INHERENT and units[-2][1] != "":
        units[-1][1] = ""
    for i in range(n - 2, 0, -1):
        unit, before, after = units[i], units[i - 1], units[i + 1]
        if unit[1] == _INHERENT and unit[0] and before[1] != "" and after[0] and after[1] != "":
            unit[1] = ""


@functools.cache
def _romanizers() -> tuple[Callable[[str], str], ...]:
    """The lead's romanizer when it can be imported, then the local fallback."""
    found: list[Callable[[str], str]] = []
    try:
        from matcher.normalize.romanize import romanize
    except Exception:  # a missing or half-written optional module must not break places
        pass
    else:
        found.append(romanize)
    found.append(_transliterate_indic)
    return tuple(found)


def _romanized(norm: str) -> list[str]:
    """Latin forms of a normalized Indic text, one per romanizer, each re-normalized."""
    forms: list[str] = []
    for romanize in _romanizers():
        try:
            latin = normalize_place_text(romanize(norm))
        except Exception:  # another module's bug must not make resolve() raise
            continue
        if latin and latin.isascii() and latin not in forms:
            forms.append(latin)
    return forms


# ---------------------------------------------------------------------------
# The gazetteer


@dataclass(frozen=True, slots=True)
class _Entry:
    """One way of naming a district: its current name (kind "name") or an alias."""

    district: District
    kind: str


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where the district must lie: a state, a country, or anywhere."""

    state: State | None = None
    country: str | None = None

    @property
    def given(self) -> bool:
        return self.country is not None

    def contains(self, district: District) -> bool:
        if self.state is not None:
            return district.state == self.state
        return self.country is None or district.state.country == self.country


_ANYWHERE = _Scope()


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A resolution without the input text, so that it can be cached on normalized text."""

    district: District | None
    state: State | None
    confidence: float
    resolution: Resolution
    alternatives: tuple[District, ...] = ()


@dataclass(frozen=True, slots=True)
class _Candidate:
    district: District
    weight: float
    is_name: bool


def _sort_key(district: District) -> tuple[int, str, str]:
    return (COUNTRY_ORDER.index(district.state.country), district.state.code, district.name)


class _FuzzyIndex:
    """Skeleton strings, the districts behind each and their direction words, for one scope."""

    __slots__ = ("choices", "directions", "targets")

    def __init__(self) -> None:
        self.choices: list[str] = []
        self.targets: list[list[District]] = []
        self.directions: list[frozenset[str]] = []


def _directions(norm: str) -> frozenset[str]:
    """The direction words of a text: East and West Karbi Anglong must never fuzzy-match."""
    return frozenset(t for t in _tokens(norm.split()) if t in _DIRECTIONS)


class Gazetteer:
    """States and districts with their aliases, and a resolver over them.

    Build one with ``load_gazetteer()`` (the shipped data) and pass it around as a value.
    ``aliases`` rows are ``(scope, target code, alias text, kind)`` with scope
    ``"district"`` or ``"state"``.
    """

    __slots__ = (
        "_by_code",
        "_districts",
        "_exact",
        "_fuzzy",
        "_resolve_cached",
        "_resolve_norm_cached",
        "_skeleton",
        "_state_by_code",
        "_state_cached",
        "_state_fuzzy_choices",
        "_state_fuzzy_targets",
        "_state_index",
        "_states",
    )

    def __init__(
        self,
        states: Iterable[State],
        districts: Iterable[District],
        aliases: Iterable[tuple[str, str, str, str]],
    ) -> None:
        self._states = tuple(states)
        self._districts = tuple(districts)
        self._state_by_code = {state.code: state for state in self._states}
        self._by_code = {district.code: district for district in self._districts}
        entries: list[tuple[str, _Entry]] = [(d.name, _Entry(d, "name")) for d in self._districts]
        state_names: list[tuple[str, State, str]] = [(s.name, s, "name") for s in self._states]
        for scope, target, alias, kind in aliases:
            if scope == "district":
                entries.append((alias, _Entry(self._by_code[target], kind)))
            elif scope == "state":
                state_names.append((alias, self._state_by_code[target], kind))
            else:
                raise ValueError(f"unknown alias scope {scope!r} for {target}")
        self._exact: dict[str, tuple[_Entry, ...]] = {}
        self._skeleton: dict[str, tuple[_Entry, ...]] = {}
        self._fuzzy: dict[str | None, _FuzzyIndex] = {}
        self._index_districts(entries)
        self._state_index: dict[str, State] = {}
        self._state_fuzzy_choices: list[str] = []
        self._state_fuzzy_targets: list[State] = []
        self._index_states(state_names)
        self._resolve_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(self._resolve_raw)
        self._resolve_norm_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(self._resolve_norm)
        self._state_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(self._state_from_norm)

    # -- construction ------------------------------------------------------------------

    def _index_districts(self, entries: Iterable[tuple[str, _Entry]]) -> None:
        exact: dict[str, dict[_Entry, None]] = {}
        skeleton: dict[str, dict[_Entry, None]] = {}
        fuzzy: dict[str, dict[District, None]] = {}
        directions: dict[str, frozenset[str]] = {}
        for text, entry in entries:
            norm = normalize_place_text(text)
            for key in _keys(norm):
                exact.setdefault(key, {})[entry] = None
            for skel in _skeletons(norm):
                skeleton.setdefault(skel, {})[entry] = None
                if entry.kind != "abbreviation":
                    fuzzy.setdefault(skel, {})[entry.district] = None
                    directions[skel] = directions.get(skel, frozenset()) | _directions(norm)
        self._exact = {key: tuple(found) for key, found in exact.items()}
        self._skeleton = {key: tuple(found) for key, found in skeleton.items()}
        for skel, found in sorted(fuzzy.items()):
            districts = list(found)
            scopes: set[str | None] = {None}
            for district in districts:
                scopes.update((district.state.code, district.state.country))
            for scope in scopes:
                index = self._fuzzy.setdefault(scope, _FuzzyIndex())
                index.choices.append(skel)
                index.targets.append(districts)
                index.directions.append(directions[skel])

    def _index_states(self, names: Iterable[tuple[str, State, str]]) -> None:
        for text, state, kind in names:
            norm = normalize_place_text(text)
            for key in _keys(norm):
                other = self._state_index.setdefault(key, state)
                if other != state:
                    raise ValueError(f"state alias {text!r} names {other.code} and {state.code}")
            if kind not in ("abbreviation", "code") and norm.isascii():
                for skel in _skeletons(norm):
                    if len(skel) >= 5:
                        self._state_fuzzy_choices.append(skel)
                        self._state_fuzzy_targets.append(state)

    # -- public API ---------------------------------------------------------------------

    @property
    def districts(self) -> tuple[District, ...]:
        """Every district, India first, then Nepal and Bangladesh."""
        return self._districts

    @property
    def states(self) -> tuple[State, ...]:
        """Every state, union territory, province and division."""
        return self._states

    def district(self, code: str) -> District:
        """The district with this code; KeyError if there is none."""
        return self._by_code[code]

    def resolve_state(self, text: str) -> State | None:
        """The state named by a name, abbreviation or code ("U.P.", "Orissa", "IN-UP", "09")."""
        return self._state_cached(normalize_place_text(text))

    def resolve(self, district: str, state: str = "") -> PlaceMatch:
        """Resolve a district text, using the state text (if any) to choose and to check.

        Never raises on a string. See the module docstring for the tiers and
        ``Resolution`` for what each outcome means.
        """
        return self._resolve_cached(district, state)

    # -- resolution -------------------------------------------------------------------

    def _resolve_raw(self, district: str, state: str) -> PlaceMatch:
        outcome = self._resolve_norm_cached(
            normalize_place_text(district), normalize_place_text(state)
        )
        if outcome.resolution is Resolution.UNRESOLVED and "," in district:
            outcome = self._resolve_address(district, state) or outcome
        return PlaceMatch(
            text=fold_text(district),
            district=outcome.district,
            state=outcome.state,
            confidence=outcome.confidence,
            resolution=outcome.resolution,
            alternatives=outcome.alternatives,
        )

    def _resolve_address(self, district: str, state: str) -> _Outcome | None:
        """The district named in an address: "Vill- Rampur, PS- Kotwali, Dist- Gaya, Bihar".

        Officers copy the whole address into the district field. A part marked
        "Dist"/"Zila" is tried first, misspelt or not; then the parts from the
        last (addresses run from the village to the state), and a state among
        them scopes the parts before it. The first part that names a district
        decides, and only if it names it exactly or by a known alias: villages
        and police stations are often a letter or two from some district's name,
        or are one ("Rampur, Pratapgarh": Pratapgarh is in two states, and the
        answer is not Rampur).
        """
        parts = [part.strip() for part in district.split(",") if part.strip()]
        snorm = normalize_place_text(state)
        for part in parts:
            if _DISTRICT_MARK.match(part):
                outcome = self._resolve_norm_cached(normalize_place_text(part), snorm)
                if outcome.district is not None:
                    return outcome
        named_state = self.resolve_state(state) if state else None
        for part in reversed(parts):
            outcome = self._resolve_norm_cached(normalize_place_text(part), snorm)
            if outcome.district is not None:
                named = outcome.resolution in _NAMED
                inside = named_state is None or outcome.district.state == named_state
                return outcome if named and inside else None
            if outcome.resolution is Resolution.AMBIGUOUS:
                return outcome
            if named_state is None and outcome.state is not None:
                named_state = outcome.state
                snorm = normalize_place_text(outcome.state.name)
        return None

    def _resolve_norm(self, dnorm: str, snorm: str) -> _Outcome:
        scope = self._scope(snorm, fuzzy=True)
        if not dnorm:
            return _Outcome(None, scope.state, 0.0, Resolution.EMPTY)
        if _INDIC.search(dnorm):
            outcome = self._resolve_native(dnorm, scope)
        else:
            outcome = self._resolve_in(dnorm, scope)
        if outcome is not None:
            return outcome
        # The district field sometimes holds only a state ("Bihar"): keep that much, but
        # only when it is a state's name or alias exactly, never a fuzzy guess.
        named_state = scope.state or self._state_lookup(dnorm, fuzzy=False)
        return _Outcome(None, named_state, 0.0, Resolution.UNRESOLVED)

    def _resolve_native(self, dnorm: str, scope: _Scope) -> _Outcome | None:
        """Devanagari or Bengali text: a known native name, else a romanized form.

        A native name is resolved through the district's English name, so that भोजपुर
        meets both Bhojpurs (Bihar and Nepal) as "Bhojpur" does, and the state decides.
        """
        found = self._lookup(dnorm)
        if found is not None:
            names = {normalize_place_text(entry.district.name) for entry in found[0]}
            if len(names) == 1:
                outcome = self._resolve_in(names.pop(), scope)
                if outcome is not None:
                    if outcome.resolution is Resolution.EXACT:
                        return replace(outcome, resolution=Resolution.ALIAS)
                    return outcome
            return self._decide(found[0], scope, dnorm, tier=found[1])
        for latin in _romanized(dnorm):
            outcome = self._resolve_in(latin, scope)
            if outcome is not None:
                return _transliterated(outcome)
        return None

    def _resolve_in(self, text: str, scope: _Scope) -> _Outcome | None:
        found = self._lookup(text)
        if found:
            return self._decide(found[0], scope, text, tier=found[1])
        splits = list(self._hint_splits(text))
        for head, hint in splits:
            found = self._lookup(head)
            if not found:
                continue
            outcome = self._decide(found[0], scope if scope.given else hint, head, tier=found[1])
            if scope.given and hint != scope:
                # "Hamirpur (U.P.)" with state "HP": the two states disagree. If they pick
                # the same district, the text's own state vouches for it; if not, say so.
                other = self._decide(found[0], hint, head, tier=found[1])
                if other.district is None or outcome.district is None:
                    return outcome if outcome.district is not None else other
                if other.district != outcome.district:
                    return _ambiguous([outcome.district, other.district], scope)
                return max(outcome, other, key=lambda o: o.confidence)
            return outcome
        fuzzy = self._fuzzy_decide(text, scope)
        if fuzzy is not None:
            return fuzzy
        for head, hint in splits:
            fuzzy = self._fuzzy_decide(head, scope if scope.given else hint)
            if fuzzy is not None:
                return fuzzy
        return None

    def _lookup(self, text: str) -> tuple[list[_Entry], float] | None:
        """Entries whose keys equal the text's, else whose skeletons do (with that tier)."""
        found: dict[_Entry, None] = {}
        for key in _keys(text):
            found.update(dict.fromkeys(self._exact.get(key, ())))
        if found:
            return list(found), CONF_EXACT
        for skel in _skeletons(text):
            found.update(dict.fromkeys(self._skeleton.get(skel, ())))
        if found:
            return list(found), CONF_SKELETON
        return None

    def _decide(
        self, entries: Sequence[_Entry], scope: _Scope, text: str, *, tier: float
    ) -> _Outcome:
        """Choose among districts whose names or aliases equal the text."""
        best: dict[str, _Candidate] = {}
        for entry in entries:
            weight = WEAK_KIND_WEIGHT.get(entry.kind, 1.0)
            old = best.get(entry.district.code)
            if old is None or (weight, entry.kind == "name") > (old.weight, old.is_name):
                best[entry.district.code] = _Candidate(entry.district, weight, entry.kind == "name")
        candidates = sorted(best.values(), key=lambda c: _sort_key(c.district))
        fuzzy_tier = tier < CONF_EXACT

        def single(c: _Candidate, factor: float = 1.0) -> _Outcome:
            if fuzzy_tier:
                resolution = Resolution.FUZZY
            else:
                resolution = Resolution.EXACT if c.is_name else Resolution.ALIAS
            return _Outcome(
                c.district, c.district.state, _conf(tier * c.weight * factor), resolution
            )

        def preferred(c: _Candidate, others: Iterable[District], factor: float) -> _Outcome:
            alternatives = tuple(sorted((d for d in others if d != c.district), key=_sort_key))
            confidence = _conf(tier * c.weight * factor * PREFERRED_OF_SEVERAL)
            return _Outcome(
                c.district, c.district.state, confidence, Resolution.AMBIGUOUS, alternatives
            )

        if scope.given:
            inside = [c for c in candidates if scope.contains(c.district)]
            if len(inside) == 1:
                return single(inside[0])
            if inside:
                return _ambiguous([c.district for c in inside], scope)
            # The name fits only outside the given state. A district of that state with a
            # similar name makes it a near-miss (Naogaon, Assam: Nagaon or Bangladesh?).
            near = self._fuzzy_scored(text, scope, FUZZY_CUTOFF_IN_SCOPE)
            if near:
                return _ambiguous([near[0][0], *(c.district for c in candidates)], scope)
            if len(candidates) == 1:
                return single(candidates[0], STATE_CONFLICT)
            same_country = [c for c in candidates if c.district.state.country == scope.country]
            if len(same_country) == 1:
                others = [c.district for c in candidates]
                return preferred(same_country[0], others, STATE_CONFLICT)
            return _ambiguous([c.district for c in candidates], scope)
        if len(candidates) == 1:
            only = candidates[0]
            if only.district.state.country != "IN":
                # India is the default country: an Indian district with a near name makes
                # a foreign exact match doubtful (Naogaon in Bangladesh, Nagaon in Assam).
                near = self._fuzzy_scored(text, _Scope(country="IN"), NEAR_MISS_CUTOFF)
                if near:
                    return preferred(only, (d for d, _ in near), 1.0)
            return single(only)
        indian = [c for c in candidates if c.district.state.country == "IN"]
        if len(indian) == 1:
            return preferred(indian[0], (c.district for c in candidates), 1.0)
        return _ambiguous([c.district for c in candidates], scope)

    def _fuzzy_decide(self, text: str, scope: _Scope) -> _Outcome | None:
        """Fuzzy match within the scope first, then nationwide with a stricter cutoff."""
        if scope.given:
            scored = self._fuzzy_scored(text, scope, FUZZY_CUTOFF_IN_SCOPE)
            if scored:
                return _from_scored(scored, scope, 1.0)
            scored = self._fuzzy_scored(text, _ANYWHERE, FUZZY_CUTOFF_NATIONWIDE)
            return _from_scored(scored, scope, STATE_CONFLICT) if scored else None
        scored = self._fuzzy_scored(text, _ANYWHERE, FUZZY_CUTOFF_NATIONWIDE)
        return _from_scored(scored, scope, NATIONWIDE_FUZZY) if scored else None

    def _fuzzy_scored(
        self, text: str, scope: _Scope, cutoff: float
    ) -> list[tuple[District, float]]:
        """Districts in scope whose skeletons are within the cutoff, best first."""
        if not text.isascii():
            return []
        query = _skeleton("".join(_tokens(text.split())))
        if len(query) < FUZZY_MIN_LENGTH:
            return []
        if len(query) <= 5:
            cutoff = max(cutoff, FUZZY_CUTOFF_SHORT)
        key = scope.state.code if scope.state is not None else scope.country
        index = self._fuzzy.get(key)
        if index is None:
            return []
        wanted = _directions(text)
        best: dict[District, float] = {}
        for _, score, i in process.extract(
            query, index.choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            if wanted - index.directions[i] and index.directions[i] - wanted:
                continue  # East X against West X; "Eastern West X" may still meet "West X"
            for district in index.targets[i]:
                if scope.contains(district) and score > best.get(district, -1.0):
                    best[district] = score
        return sorted(best.items(), key=lambda item: (-item[1], _sort_key(item[0])))

    def _hint_splits(self, text: str) -> Iterator[tuple[str, _Scope]]:
        """(rest, scope) for a state or country written before or after the district."""
        words = text.split()
        for k in (3, 2, 1):
            if len(words) <= k:
                continue
            for hint, rest in ((words[-k:], words[:-k]), (words[:k], words[k:])):
                hint_text = " ".join(hint)
                if hint_text.isdigit():
                    continue  # "Ward 9" is not state code 9
                scope = self._scope(hint_text, fuzzy=False)
                if scope.given:
                    yield " ".join(rest), scope

    def _scope(self, snorm: str, *, fuzzy: bool) -> _Scope:
        """The scope a state text gives: a state, a country, or none."""
        if not snorm:
            return _ANYWHERE
        if snorm in _COUNTRY_WORDS:
            return _Scope(country=_COUNTRY_WORDS[snorm])
        words = snorm.split()
        if len(words) > 1 and words[-1] in _COUNTRY_WORDS:
            snorm = " ".join(words[:-1])  # "Bihar, India"
        state = self._state_cached(snorm) if fuzzy else self._state_lookup(snorm, fuzzy=False)
        return _Scope(state, state.country) if state is not None else _ANYWHERE

    def _state_from_norm(self, norm: str) -> State | None:
        return self._state_lookup(norm, fuzzy=True)

    def _state_lookup(self, norm: str, *, fuzzy: bool) -> State | None:
        if not norm:
            return None
        forms = [norm]
        stripped = " ".join(w for w in norm.split() if w not in _STATE_NOISE)
        if stripped and stripped != norm:
            forms.append(stripped)
        if _INDIC.search(norm):
            forms.extend(latin for form in list(forms) for latin in _romanized(form))
        for form in forms:
            for key in _keys(form):
                state = self._state_index.get(key)
                if state is not None:
                    return state
        if not fuzzy:
            return None
        for form in forms:
            if not form.isascii():
                continue
            query = _skeleton("".join(_tokens(form.split())))
            if len(query) < 5:
                continue
            found: dict[State, float] = {}
            for _, score, i in process.extract(
                query, self._state_fuzzy_choices, scorer=fuzz.ratio, score_cutoff=85, limit=None
            ):
                state = self._state_fuzzy_targets[i]
                found[state] = max(score, found.get(state, 0.0))
            ranked = sorted(found.values(), reverse=True)
            if ranked and (len(ranked) == 1 or ranked[0] - ranked[1] >= FUZZY_MARGIN):
                return max(found, key=lambda s: found[s])
        return None


def _conf(value: float) -> float:
    return round(min(max(value, 0.0), 1.0), 3)


def _ambiguous(districts: Iterable[District], scope: _Scope) -> _Outcome:
    """Several districts fit and nothing chooses between them: name them all."""
    alternatives = tuple(sorted(dict.fromkeys(districts), key=_sort_key))
    states = {d.state for d in alternatives}
    state = next(iter(states)) if len(states) == 1 else scope.state
    return _Outcome(None, state, 0.0, Resolution.AMBIGUOUS, alternatives)


def _from_scored(scored: list[tuple[District, float]], scope: _Scope, factor: float) -> _Outcome:
    """A fuzzy outcome: the best candidate if it clearly beats the next, else ambiguous."""
    best, score = scored[0]
    if len(scored) > 1 and score - scored[1][1] < FUZZY_MARGIN:
        close = [d for d, s in scored if score - s < FUZZY_MARGIN][:5]
        return _ambiguous(close, scope)
    confidence = _conf(FUZZY_SCALE * score / 100.0 * factor)
    return _Outcome(best, best.state, confidence, Resolution.FUZZY)


def _transliterated(outcome: _Outcome) -> _Outcome:
    """Lower an outcome found through romanization; an exact name becomes FUZZY."""
    resolution = outcome.resolution
    if resolution in (Resolution.EXACT, Resolution.ALIAS):
        resolution = Resolution.FUZZY
    return _Outcome(
        outcome.district,
        outcome.state,
        _conf(outcome.confidence * TRANSLITERATED),
        resolution,
        outcome.alternatives,
    )


# ---------------------------------------------------------------------------
# Loading the shipped data


def _read_rows(name: str) -> list[dict[str, str]]:
    data = resources.files("matcher.normalize").joinpath("data", name)
    return list(csv.DictReader(io.StringIO(data.read_text(encoding="utf-8"))))


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped with the package (built by ``scripts/build_gazetteer.py``)."""
    states = {
        row["code"]: State(row["code"], row["name"], row["country"])
        for row in _read_rows("gazetteer_states.csv")
    }
    districts = [
        District(row["code"], row["name"], states[row["state_code"]])
        for row in _read_rows("gazetteer_districts.csv")
    ]
    aliases = [
        (row["scope"], row["target"], row["alias"], row["kind"])
        for row in _read_rows("gazetteer_aliases.csv")
    ]
    return Gazetteer(states.values(), districts, aliases)
