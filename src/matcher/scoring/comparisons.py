"""One comparison function per field family: found child against missing report.

Each ``compare_*`` returns a :class:`Comparison`: the level the pair reaches
(the model gives every level an ``m`` and a ``u`` probability) and a detail
sentence a caseworker can read. The docstring of each function is the
explanation of the comparison shown beside its weight.

Family evidence (father, mother, guardian, phone) is one comparison on
purpose: siblings share all of it, so counting each piece as independent
evidence would score a brother as the missing child himself. Only the
child's own name, sex and age tell siblings apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple, Protocol, TypeAlias

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from matcher.normalize.ages import BirthInterval
from matcher.normalize.names import NameToken, ParsedName, calling_name, is_also_given_name
from matcher.normalize.person import Person, own_name
from matcher.normalize.phones import ten_digit_number
from matcher.normalize.phonetic import loose_key, strict_key
from matcher.normalize.places import PlaceMatch
from matcher.normalize.village import village_key
from matcher.records import Sex
from matcher.scoring.growth import expected_growth_cm

#: Level given when a field is empty on either side: it carries no weight.
NULL = "null"

Level: TypeAlias = tuple[str, tuple[str, ...]]
"""A comparison's level and its term-frequency keys, without the explanation."""

_NULL_LEVEL: Level = (NULL, ())


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing one field family of a pair."""

    field: str
    level: str
    detail: str
    tf_keys: tuple[str, ...] = ()
    """Term-frequency adjusted levels: the agreeing values; the rarest says how telling it is."""


class ComparisonFunction(Protocol):
    def __call__(self, found: Person, missing: Person, *, explain: bool = True) -> Comparison: ...


LevelFunction = Callable[[Person, Person], Level]


@dataclass(frozen=True, slots=True)
class ComparisonSpec:
    """A comparison's name, its levels from strongest to weakest agreement, and its function."""

    field: str
    levels: tuple[str, ...]
    compare: ComparisonFunction
    level_of: LevelFunction
    """The level alone: the same as ``compare(...).level`` (and its tf_keys), for ranking."""
    description: str
    tf_levels: frozenset[str] = frozenset()
    u_given: tuple[str, frozenset[str]] | None = None
    """Learn u only from random pairs at these levels of another comparison.

    Height depends on age: random pairs mostly differ in age, so their
    heights differ too, and a u from them would count the age's agreement a
    second time. Measured among strangers of a compatible age (the pairs that
    compete for a child), height says what age does not.
    """
    u_by_place: bool = False
    """Weigh with the u of the pair's place context (:data:`PLACE_CONTEXT_OF` its district level).

    Set for what is regional (names, parents' names, villages, languages):
    strangers from one state share these far more often than strangers
    anywhere, and the district comparison has already counted the shared
    state. Sex, age, height, dates and marks are not regional.
    """


# --- names -----------------------------------------------------------------

_JW_STRONG = 0.92
_JW_FUZZY = 0.86


@lru_cache(maxsize=1 << 18)
def token_similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two Latin name tokens (cached: names repeat a lot)."""
    return JaroWinkler.normalized_similarity(a, b)


# A parsed name is a function of its original text, and a token's phonetic
# keys are functions of its text, so caches keyed on the text are exact. Names
# repeat a great deal (Raju, Pooja), so they hit often. Ranking a child's
# candidates spends most of its time here; the caches are what keep a query
# against half a million reports within milliseconds.
_SHAPE_CACHE: dict[str, _Shape] = {}
_AGREEMENT_CACHE: dict[tuple[_ShapeKey, _ShapeKey], NameAgreement] = {}
_TOKEN_MATCH_CACHE: dict[tuple[str, str], int] = {}
_CACHE_LIMIT = 1 << 18

# What name agreement depends on: the informative tokens' texts and whether
# the name is a nickname only. Many written names share one shape ("Pooja
# Kumari", "Pooja Devi"), so agreements cached by shape hit far more often
# than by the written text.
_ShapeKey = tuple[tuple[str, ...], bool]
# The informative tokens, the agreement cache's key, and the name's words written as
# one ("Ram Prasad" -> "ramprasad"; see ``agree_names``) with how many words they were.
_Shape = tuple[tuple[NameToken, ...], _ShapeKey, str, int]
_JOINED_KINDS = frozenset({"given", "nickname", "low_weight"})


def _shape(name: ParsedName) -> _Shape:
    cached = _SHAPE_CACHE.get(name.original)
    if cached is not None:
        return cached
    tokens = name.given_tokens or tuple(t for t in name.tokens if t.kind != "initial")
    words = [t.text for t in name.tokens if t.kind in _JOINED_KINDS]
    shape = (
        tokens,
        (tuple(t.text for t in tokens), name.is_nickname_only),
        "".join(words),
        len(words),
    )
    if len(_SHAPE_CACHE) >= _CACHE_LIMIT:
        _SHAPE_CACHE.clear()
    _SHAPE_CACHE[name.original] = shape
    return shape


def _informative(name: ParsedName) -> tuple[NameToken, ...]:
    """Given names and nicknames; failing those, any tokens but initials (e.g. only 'Mohammad')."""
    return _shape(name)[0]


def _token_match(a: NameToken, b: NameToken) -> int:
    """3 = same sound (strict key), 2 = close spelling or loose key, 1 = near, 0 = different."""
    key = (a.text, b.text)
    score = _TOKEN_MATCH_CACHE.get(key)
    if score is None:
        score = _token_match_uncached(a, b)
        if len(_TOKEN_MATCH_CACHE) >= _CACHE_LIMIT:
            _TOKEN_MATCH_CACHE.clear()
        _TOKEN_MATCH_CACHE[key] = score
    return score


def _token_match_uncached(a: NameToken, b: NameToken) -> int:
    if a.strict and a.strict == b.strict:
        return 3
    called_a, called_b = calling_name(a.text), calling_name(b.text)
    if called_a and called_b:
        # Abdul Rahim and Abdul Karim: the shared "Abdul" says nothing.
        return _spelling_match(_called_token(a, called_a), _called_token(b, called_b))
    return _spelling_match(a, b)


def _as_called(
    a: tuple[NameToken, ...], b: tuple[NameToken, ...]
) -> tuple[tuple[NameToken, ...], tuple[NameToken, ...]]:
    """The names with a first word "Abdul Rahim" read as "Rahim" where the other name's
    first word is Rahim (see ``calling_name``).

    Only first words: "Abdur Rahman" is not "Mizanur Rahman", nor "Abdul Ali"
    "Sabir Ali", though Rahman and Ali end both.
    """
    if not a or not b:
        return a, b
    first_a, first_b = _called_or_same(a[0]), _called_or_same(b[0])
    if (first_a is a[0]) == (first_b is b[0]):
        return a, b  # neither, or both (compared on what follows Abdul in _token_match)
    if first_a is not a[0] and _spelling_match(first_a, b[0]) >= 2:
        return (first_a, *a[1:]), b
    if first_b is not b[0] and _spelling_match(a[0], first_b) >= 2:
        return a, (first_b, *b[1:])
    return a, b


def _called_token(token: NameToken, called: str) -> NameToken:
    return NameToken(called, token.kind, strict_key(called), loose_key(called))


def _spelling_match(a: NameToken, b: NameToken) -> int:
    if a.strict and a.strict == b.strict:
        return 3
    if a.loose and a.loose == b.loose:
        sim = token_similarity(a.text, b.text)
        return 2 if sim >= _JW_FUZZY else 1
    sim = token_similarity(a.text, b.text)
    if sim >= _JW_STRONG:
        return 2
    if sim >= _JW_FUZZY:
        return 1
    return 0


def _joined_match(short: Sequence[NameToken], long: Sequence[NameToken]) -> bool:
    """One side wrote two tokens as one word: 'Ramprasad' against 'Ram Prasad'."""
    if len(short) != 1 or len(long) < 2:
        return False
    joined = "".join(t.text for t in long)
    return token_similarity(short[0].text, joined) >= _JW_STRONG


class NameAgreement(NamedTuple):
    """How two parsed names agree, token by token.

    A named tuple, not a frozen dataclass: ranking makes a hundred thousand of
    them per second, and a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``.
    """

    level: str
    keys: tuple[str, ...]  # strict keys of the tokens that agree in sound (for term frequencies)
    matched: int
    shorter: int
    longer: int


_NAME_RANK = {
    "exact": 7,
    "phonetic": 6,
    "phonetic_subset": 5,
    "fuzzy": 4,
    "partial": 3,
    "nickname_only": 2,
    "different": 1,
    NULL: 0,
}
_PHONETIC_RANK = _NAME_RANK["phonetic"]


def agree_names(found: ParsedName, missing: ParsedName) -> NameAgreement:
    """Align the informative tokens of two names, order-free (no surname-last assumption).

    Names written split on one side and joined on the other ("Ram Prasad" and
    "Ramprasad", "Sai Kumar" and "Saikumar", "Nizam Uddin" and "Nizamuddin")
    sound the same when their words are run together: that is "phonetic", not
    the "fuzzy" or "different" that aligning the words gives. No term frequency
    is known for the joined form, so it gets none.
    """
    found_shape, missing_shape = _shape(found), _shape(missing)
    found_key, missing_key = found_shape[1], missing_shape[1]
    key = (found_key, missing_key)
    agreement = _AGREEMENT_CACHE.get(key)
    if agreement is None:
        agreement = _agree_tokens(found_shape[0], missing_shape[0], found_key[1] or missing_key[1])
        if len(_AGREEMENT_CACHE) >= _CACHE_LIMIT:
            _AGREEMENT_CACHE.clear()
        _AGREEMENT_CACHE[key] = agreement
    if agreement.level == "phonetic" and found.latin == missing.latin:
        # Same sounds, and written the same way.
        return _as_level(agreement, "exact")
    if (
        found_shape[3] != missing_shape[3]  # split on one side only: cheap, checked first
        and agreement.level != NULL
        and _NAME_RANK[agreement.level] < _PHONETIC_RANK
        and _same_joined(found_shape[2], missing_shape[2])
    ):
        shorter, longer = sorted((len(found_shape[0]), len(missing_shape[0])))
        return NameAgreement("phonetic", (), shorter, shorter, longer)
    return agreement


def _same_joined(one: str, other: str) -> bool:
    """Two names' words, run together, sound the same: "ramprasad" and "ramaprasad"
    (the same first letter and lengths within a few letters are checked first)."""
    if not one or not other or one[0] != other[0] or abs(len(one) - len(other)) > 3:
        return False
    return one == other or strict_key(one) == strict_key(other)


def _agree_tokens(
    a: tuple[NameToken, ...], b: tuple[NameToken, ...], nickname_only: bool
) -> NameAgreement:
    """Agreement of two names' informative tokens ("phonetic" covers "exact": see agree_names)."""
    if not a or not b:
        return NameAgreement(NULL, (), 0, 0, 0)
    called_a, called_b = _as_called(a, b)
    if called_a is not a or called_b is not b:
        return _aligned(called_a, called_b, nickname_only)
    plain = _aligned(a, b, nickname_only)
    return _called_anywhere(a, b, nickname_only, plain) or plain


def _called_anywhere(
    a: tuple[NameToken, ...], b: tuple[NameToken, ...], nickname_only: bool, plain: NameAgreement
) -> NameAgreement | None:
    """ "Rahim" against "Ansari Abdul Rahim", "Rahim Khan" against "Khan Abdul Rahim": the
    Abdul words of one name read as their calling names, when then every word of the
    other name agrees (so "Abdur Rahman" is still not "Mizanur Rahman")."""
    called_a = tuple(_called_or_same(t) for t in a)
    called_b = tuple(_called_or_same(t) for t in b)
    a_has, b_has = called_a != a, called_b != b
    if a_has == b_has:
        return None  # no Abdul word, or on both sides (compared in _token_match)
    other = b if a_has else a
    agreement = _aligned(called_a, called_b, nickname_only)
    if _NAME_RANK[agreement.level] > _NAME_RANK[plain.level] and agreement.matched == len(other):
        return agreement
    return None


def _called_or_same(token: NameToken) -> NameToken:
    called = calling_name(token.text)
    return _called_token(token, called) if called else token


def _aligned(
    a: tuple[NameToken, ...], b: tuple[NameToken, ...], nickname_only: bool
) -> NameAgreement:
    """Align the tokens of two names, order-free, each token at most once."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    best_total = 0
    matched = 0
    keys: list[str] = []
    used = [False] * len(long)
    weakest = 3
    scores = _TOKEN_MATCH_CACHE
    for tok in short:
        best, best_j = 0, -1
        text = tok.text
        for j, other in enumerate(long):
            if used[j]:
                continue
            score = scores.get((text, other.text))
            if score is None:
                score = _token_match(tok, other)
            if score > best:
                best, best_j = score, j
                if score == 3:
                    break
        if best:
            used[best_j] = True
            matched += 1
            best_total += best
            weakest = min(weakest, best)
            if best == 3:
                keys.append(tok.strict)
        else:
            weakest = 0
    agreed = tuple(keys)
    if matched == len(short):
        if weakest == 3:
            if len(short) == len(long):
                return NameAgreement("phonetic", agreed, matched, len(short), len(long))
            return NameAgreement("phonetic_subset", agreed, matched, len(short), len(long))
        if weakest >= 2 and keys:
            # "Dasaru Padma" / "Dasari Padma": Padma agrees in sound and the
            # other part in spelling. That says more than "Padma" alone
            # against "Dasari Padma" (phonetic_subset), so it is not less.
            return NameAgreement("phonetic_subset", agreed, matched, len(short), len(long))
        if weakest >= 1:
            return NameAgreement("fuzzy", agreed, matched, len(short), len(long))
    if _joined_match(short, long):
        return NameAgreement("fuzzy", (), 1, len(short), len(long))
    if matched:
        return NameAgreement("partial", agreed, matched, len(short), len(long))
    if nickname_only:
        return NameAgreement("nickname_only", (), 0, len(short), len(long))
    return NameAgreement("different", (), 0, len(short), len(long))


def _shown(name: ParsedName) -> str:
    return name.latin or "(none)"


def _name_detail(level: str, agreement: NameAgreement, fn: ParsedName, mn: ParsedName) -> str:
    """The sentence a caseworker reads for a name level (built only for the level reached)."""
    f, m = _shown(fn), _shown(mn)
    if level == "exact":
        return f"same name: {f}"
    if level == "phonetic":
        return f"same name in another spelling: {f} ~ {m}"
    if level == "phonetic_subset":
        if agreement.shorter == agreement.longer:
            return f"same in part, the rest close in spelling: {f} ~ {m}"
        if agreement.shorter == len(_informative(fn)):
            return f"{f} is part of {m}"
        return f"{m} is part of {f}"
    if level == "fuzzy":
        return f"close spellings: {f} ~ {m}"
    if level == "partial":
        return f"{agreement.matched} of {agreement.shorter} name parts agree: {f} / {m}"
    if level == "nickname_only":
        return f"only a nickname on one side: {f} / {m}"
    return f"different names: {f} / {m}"


def _best_name_agreement(
    found: Person, missing: Person
) -> tuple[NameAgreement, tuple[ParsedName, ParsedName], bool]:
    """The best agreement between the two records' names, the names it is between, and
    whether an alias (rather than the main name) gave it."""
    best = _own_name_agreement(found, missing)
    best_pair = (found.name, missing.name)
    via_alias = False
    if _NAME_RANK[best.level] < _PHONETIC_RANK and (found.aliases or missing.aliases):
        # Two given names that disagree, sharing only a pet name (Munni, Sonu,
        # Pappu: given to thousands), are two children more often than one.
        conflict = best.level in ("partial", "different")
        for i, fn in enumerate(found.all_names):
            for j, mn in enumerate(missing.all_names):
                if not (i or j):
                    continue
                agreement = agree_names(fn, mn)
                if conflict and i and j and _NAME_RANK[agreement.level] > _NAME_RANK["partial"]:
                    agreement = _as_level(agreement, "partial")
                if _NAME_RANK[agreement.level] > _NAME_RANK[best.level]:
                    best, best_pair, via_alias = agreement, (fn, mn), True
    return best, best_pair, via_alias


def _own_name_agreement(found: Person, missing: Person) -> NameAgreement:
    """Agreement of the child's own names: without the parts that repeat a father's name.

    Siblings share those parts (see Person.own_name). Each record's name is
    stripped of its own father's name and, here, of the other record's
    father's name too: "Sakshi Chavan" (father unknown) against "Sakshi Raju
    Chavan" (father Raju Chavan) is "Sakshi" against "Sakshi". A name that
    agrees only as a part of the other is checked against the full names: if
    those conflict ("Ranjit Bhowmik" / "Ranjit Banerjee", the surname dropped
    as the father's), the parts agree, not the names.
    """
    found_own = _without(found.own_name, missing.father)
    missing_own = _without(missing.own_name, found.father)
    agreement = agree_names(found_own, missing_own)
    if agreement.level == "phonetic_subset" and agree_names(found.name, missing.name).level in (
        "partial",
        "different",
    ):
        return _as_level(agreement, "partial")
    return agreement


_SOUNDS_CACHE: dict[str, frozenset[str]] = {}


def _without(name: ParsedName, father: ParsedName) -> ParsedName:
    """``name`` without the parts that sound like a part of ``father`` (usually none)."""
    if not father.tokens or not name.tokens:
        return name
    sounds = _SOUNDS_CACHE.get(father.original)
    if sounds is None:
        sounds = frozenset(t.strict for t in father.tokens if t.strict)
        if len(_SOUNDS_CACHE) >= _CACHE_LIMIT:
            _SOUNDS_CACHE.clear()
        _SOUNDS_CACHE[father.original] = sounds
    if any(t.strict in sounds for t in name.tokens):
        return own_name(name, father)
    return name


def _as_level(agreement: NameAgreement, level: str) -> NameAgreement:
    return NameAgreement(
        level, agreement.keys, agreement.matched, agreement.shorter, agreement.longer
    )


def name_level(found: Person, missing: Person) -> Level:
    best = _best_name_agreement(found, missing)[0]
    return best.level, best.keys


def compare_name(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The child's name, nicknames and aliases agree: same sound, close spelling, or some parts."""
    best, best_pair, via_alias = _best_name_agreement(found, missing)
    if best.level == NULL:
        side = "found child" if not any(n.tokens for n in found.all_names) else "missing report"
        return Comparison("name", NULL, f"no name on the {side}")
    if not explain:
        return Comparison("name", best.level, "", best.keys)
    detail = _name_detail(best.level, best, *best_pair)
    if via_alias:
        detail += " (through an alias or nickname)"
    return Comparison("name", best.level, detail, best.keys)


# --- sex -------------------------------------------------------------------


def sex_level(found: Person, missing: Person) -> Level:
    if found.sex is None or missing.sex is None:
        return _NULL_LEVEL
    return ("same", ()) if found.sex == missing.sex else ("different", ())


def compare_sex(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Boy or girl, from the sex field or from name parts such as Kumari or Khatun."""
    level, _ = sex_level(found, missing)
    if level == NULL:
        return Comparison("sex", NULL, "sex not known on one side")
    if level == "same":
        return Comparison("sex", "same", f"both {_value(found.sex)}")
    return Comparison("sex", "different", f"{_value(found.sex)} / {_value(missing.sex)}")


def _value(sex: Sex | None) -> str:
    return sex.value if sex is not None else "unknown"


# --- age -------------------------------------------------------------------

_DAYS_PER_YEAR = 365.25


def _age_text(person: Person) -> str:
    if person.birth is None:
        return "unknown"
    year_lo, year_hi = person.birth.earliest.year, person.birth.latest.year
    born = f"born {year_lo}" if year_lo == year_hi else f"born {year_lo}-{year_hi}"
    return born


def _age_gaps(found: BirthInterval, missing: BirthInterval) -> tuple[float, float]:
    """Years between the two birth intervals (0 when they overlap), and between their middles."""
    gap_days = -found.overlap_days(missing)
    mid_gap = abs((found.midpoint - missing.midpoint).days) / _DAYS_PER_YEAR
    return max(gap_days, 0) / _DAYS_PER_YEAR, mid_gap


def _age_level(gap: float, mid_gap: float) -> str:
    """The age level from the gap between birth intervals and between their midpoints (years)."""
    if gap == 0 and mid_gap <= 1.5:
        return "fits"
    if gap <= 1.0:
        return "close"
    if gap <= 3.0:
        return "loose"
    return "differs"


def age_level(found: Person, missing: Person) -> Level:
    if found.birth is None or missing.birth is None:
        return _NULL_LEVEL
    return _age_level(*_age_gaps(found.birth, missing.birth)), ()


def compare_age(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The found child's estimated age fits the age when missing, given the time since."""
    if found.birth is None or missing.birth is None:
        return Comparison("age", NULL, "age not known on one side")
    gap, mid_gap = _age_gaps(found.birth, missing.birth)
    level = _age_level(gap, mid_gap)
    if not explain:
        return Comparison("age", level, "")
    detail = f"found: {_age_text(found)}; missing: {_age_text(missing)}"
    if level == "close":
        detail += " (within a year)"
    elif level == "loose":
        detail += f" ({gap:.1f} years apart)"
    elif level == "differs":
        detail += f" ({gap:.0f} years apart)"
    return Comparison("age", level, detail)


# --- family ----------------------------------------------------------------


def _parent_level(found: ParsedName, missing: ParsedName) -> str:
    """Agreement of one parent's name: full, first, fuzzy, initial, different or null."""
    if not found.tokens or not missing.tokens:
        return NULL
    a, b = _informative(found), _informative(missing)
    if not a or not b:
        return NULL
    agreement = agree_names(found, missing)
    level = agreement.level
    if level in ("exact", "phonetic"):
        return "full"
    if level == "phonetic_subset":
        return "first"  # "Ramesh" against "Ramesh Kumar": the first name only
    if level == "fuzzy":
        # A typo in the surname is no weaker than a missing surname.
        return "first" if _token_match(a[0], b[0]) == 3 else "fuzzy"
    if level == "partial":
        # One part agrees and another conflicts ("Jagnath Naik" / "Jagannath
        # Sahoo"; in Telugu names the shared first part is often the surname).
        return "fuzzy"
    if level == "nickname_only" and _pet_name_against_name(found, missing):
        # A child knows the father as "Pappu" or "Munna", the report names him
        # Rajesh Kumar: a pet name says nothing against a formal name. (Raju and
        # Sonu are given names of grown men too: against Suresh they conflict.)
        return NULL
    if any(t.kind == "initial" for t in found.tokens) or any(
        t.kind == "initial" for t in missing.tokens
    ):
        initials_a = {t.text[0] for t in found.tokens if t.text}
        if any(t.text and t.text[0] in initials_a for t in missing.tokens):
            return "initial"
    return "different"


def _pet_name_against_name(found: ParsedName, missing: ParsedName) -> bool:
    """A pet name on one side and a name that is not a nickname on the other (whether
    they agree is the caller's question: ``agree_names`` says "nickname_only")."""
    return (_pet_name_only(found) and not missing.is_nickname_only) or (
        _pet_name_only(missing) and not found.is_nickname_only
    )


def _pet_name_only(name: ParsedName) -> bool:
    """Only pet names that are never formal names ("Pappu", "Munna"; not "Raju")."""
    return name.is_nickname_only and not any(
        is_also_given_name(t.text) for t in name.tokens if t.kind == "nickname"
    )


def _phone_level(found: Sequence[str], missing: Sequence[str]) -> str:
    """E.164 numbers, equal or with the same ten-digit national number: a Bangladeshi
    or Nepali mobile written without its country code reads as an Indian number.
    "one_digit" is one typo apart (:func:`_one_typo_apart`) on those ten digits,
    so a landline abroad never comes near an Indian mobile by its last digits."""
    if not found or not missing:
        return NULL
    # Ten national digits where a number has them, else the E.164 string (which
    # starts with "+", so it never equals ten digits).
    found_digits = {ten_digit_number(a) or a for a in found}
    missing_digits = {ten_digit_number(b) or b for b in missing}
    if found_digits & missing_digits:
        return "same"
    for db in missing_digits:
        if any(_one_typo_apart(da, db) for da in found_digits):
            return "one_digit"
    return "different"


def _one_typo_apart(a: str, b: str) -> bool:
    """One digit changed, or two neighbours swapped: how a number is misremembered.

    ``a`` and ``b`` are ten national digits or, for other numbers, whole E.164
    strings; a number of another country or length is never one typo away.
    """
    if len(a) != len(b):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return True
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


_PARENT_STRENGTH = {"full": 3, "first": 2, "fuzzy": 1, "initial": 1, "different": -1, NULL: 0}


def _family_parts(found: Person, missing: Person) -> tuple[str, str, str, str]:
    """The father's, mother's, guardian's and phone's levels."""
    return (
        _parent_level(found.father, missing.father),
        _parent_level(found.mother, missing.mother),
        _parent_level(found.guardian, missing.guardian),
        _phone_level(found.phones, missing.phones),
    )


def family_level(found: Person, missing: Person) -> Level:
    return _family_level(found, *_family_parts(found, missing))


def compare_family(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Parents' names and the family's phone: evidence of the same family, not of the same child."""
    father, mother, guardian, phone = _family_parts(found, missing)
    level, tf_keys = _family_level(found, father, mother, guardian, phone)
    if not explain:
        return Comparison("family", level, "", tf_keys)
    parts = []
    for role, level_of_parent, ours, theirs in (
        ("father", father, found.father, missing.father),
        ("mother", mother, found.mother, missing.mother),
    ):
        if level_of_parent != NULL:
            parts.append(f"{role} {_shown(ours)} / {_shown(theirs)}: {level_of_parent}")
        elif (
            _pet_name_against_name(ours, theirs)
            and agree_names(ours, theirs).level == "nickname_only"
        ):
            parts.append(f"{role} {_shown(ours)} / {_shown(theirs)}: a pet name, not compared")
    if guardian != NULL:
        parts.append(f"guardian: {guardian}")
    if phone != NULL:
        parts.append(f"phone: {phone.replace('_', ' ')}")
    detail = "; ".join(parts) or "no parent's name or phone on one side"
    return Comparison("family", level, detail, tf_keys)


def _family_level(found: Person, father: str, mother: str, guardian: str, phone: str) -> Level:
    """Combine the parents' and the phone's agreement into one family level."""
    strong = [lvl for lvl in (father, mother) if _PARENT_STRENGTH[lvl] >= 2]
    fuzzy = [lvl for lvl in (father, mother, guardian) if _PARENT_STRENGTH[lvl] == 1]
    conflict = [lvl for lvl in (father, mother) if lvl == "different"]
    tf_keys = (_informative(found.father)[0].strict,) if father in ("full", "first") else ()
    if phone == "same" and (strong or fuzzy):
        return "phone_and_parent", ()
    if phone in ("same", "one_digit") and not conflict:
        return "phone", ()
    if len(strong) == 2:
        return "both_parents", tf_keys
    if father == "full" and not conflict:
        return "father_full", tf_keys
    if strong and not conflict:
        return "one_parent", tf_keys
    if (strong or fuzzy) and not conflict:
        return "parent_close", ()
    if conflict or phone == "different":
        return ("mixed" if strong or fuzzy else "different"), ()
    if guardian == "different":
        return "different", ()
    return _NULL_LEVEL


# --- place -----------------------------------------------------------------


def _place_text(place: PlaceMatch) -> str:
    if place.district is not None:
        return place.district.name
    if place.state is not None:
        return f"{place.text or '?'} ({place.state.name})" if place.text else place.state.name
    return place.text or "unknown"


_NO_HOME = "the child did not name a home district"
_NO_REPORT_PLACE = "no district on the report"


def _district_level(f: PlaceMatch, m: PlaceMatch) -> tuple[str, str]:
    """The level and, for the explanation, how it was reached (or why a side has no place)."""
    if f.district is None and f.state is None and not f.text:
        return NULL, _NO_HOME
    if m.district is None and m.state is None and not m.text:
        return NULL, _NO_REPORT_PLACE
    if f.district is not None and m.district is not None:
        if f.district.code == m.district.code:
            return "same_district", ""
        if f.district.state.code == m.district.state.code:
            return "same_state", ""
        return "different_state", ""
    # Unresolved text on one side: compare the text, then fall back to the state.
    # States known to differ outrank a matching text: "Aurangabad, Bihar" is not
    # an Aurangabad the report places in Kerala.
    if f.state is not None and m.state is not None and f.state.code != m.state.code:
        return "different_state", ""
    if f.text and m.text and token_set_ratio(f.text, m.text) >= 90:
        return "same_district", " (same text)"
    if f.state is not None and m.state is not None:
        return "same_state", ""
    return NULL, " (cannot be placed)"


def district_level(found: Person, missing: Person) -> Level:
    return _district_level(found.home, missing.home)[0], ()


#: The place context of each district level (see ``ComparisonSpec.u_by_place``).
PLACE_CONTEXT_OF: dict[str, str | None] = {
    "same_district": "same_state",
    "same_state": "same_state",
    "different_state": "other_state",
    NULL: None,
}


def compare_district(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The home district the child named is the district of the report (old names resolved)."""
    level, note = _district_level(found.home, missing.home)
    if note in (_NO_HOME, _NO_REPORT_PLACE):
        return Comparison("district", NULL, note)
    return Comparison(
        "district", level, f"{_place_text(found.home)} / {_place_text(missing.home)}{note}"
    )


def village_level(found: Person, missing: Person) -> Level:
    if not found.village or not missing.village:
        return _NULL_LEVEL
    a, b = village_key(found.village), village_key(missing.village)
    if not a or not b:
        return _NULL_LEVEL  # only address words ("Gram", "Ward 4"): no village named
    return ("same" if a == b or token_set_ratio(a, b) >= 88 else "different"), ()


def compare_village(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The village or locality the child named is the one in the report (address words and
    spelling aside: "Vill- Rampoor" is "Gram Rampur")."""
    level, _ = village_level(found, missing)
    if level == NULL:
        return Comparison("village", NULL, "village not known on one side")
    return Comparison("village", level, f"{found.village} / {missing.village}")


# Languages the Census of India counts under Hindi (Bhojpuri, Awadhi, Magahi,
# Bundeli, Marwari and the rest of the Hindi belt), with Maithili, counted
# under it until 2003, and Urdu, the same spoken language: a child who says
# "Bhojpuri" is the child whose parents reported "Hindi".
_HINDI_BELT = frozenset(
    {
        "hindi", "urdu", "hindustani", "awadhi", "bagheli", "bagri", "banjari", "bhojpuri",
        "braj", "brajbhasha", "bundeli", "chhattisgarhi", "dhundhari", "garhwali", "gojri",
        "harauti", "haryanvi", "kangri", "khortha", "kumaoni", "kumauni", "lambadi", "magahi",
        "magadhi", "maithili", "malvi", "marwari", "mewari", "mewati", "nagpuri", "nimadi",
        "pahari", "rajasthani", "sadri", "surjapuri",
    }
)  # fmt: skip
_LANGUAGE_CACHE: dict[frozenset[str], frozenset[str]] = {}


def _spoken(languages: frozenset[str]) -> frozenset[str]:
    """The languages, with "hindi" added for a language of the Hindi belt."""
    spoken = _LANGUAGE_CACHE.get(languages)
    if spoken is None:
        spoken = languages | {"hindi"} if languages & _HINDI_BELT else languages
        _LANGUAGE_CACHE[languages] = spoken
    return spoken


def languages_level(found: Person, missing: Person) -> Level:
    if not found.languages or not missing.languages:
        return _NULL_LEVEL
    return (
        "shared" if _spoken(found.languages) & _spoken(missing.languages) else "none_shared"
    ), ()


def compare_languages(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The child speaks a language the report names."""
    level, _ = languages_level(found, missing)
    if level == NULL:
        return Comparison("languages", NULL, "languages not known on one side")
    if level == "shared":
        shared = found.languages & missing.languages
        if shared:
            return Comparison("languages", "shared", "both: " + ", ".join(sorted(shared)))
        return Comparison(
            "languages",
            "shared",
            f"{', '.join(sorted(found.languages))} / {', '.join(sorted(missing.languages))}"
            " (languages of the Hindi belt)",
        )
    return Comparison(
        "languages",
        "none_shared",
        f"{', '.join(sorted(found.languages))} / {', '.join(sorted(missing.languages))}",
    )


def marks_level(found: Person, missing: Person) -> Level:
    if not found.marks or not missing.marks:
        return _NULL_LEVEL
    shared = len(found.marks & missing.marks)
    return ("agree" if shared >= 2 else "some" if shared else "differ"), ()


def compare_marks(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Identifying marks (moles, scars) described with the same words."""
    level, _ = marks_level(found, missing)
    if level == NULL:
        return Comparison("marks", NULL, "no identifying marks on one side")
    shared = found.marks & missing.marks
    if level == "agree":
        return Comparison("marks", "agree", "shared words: " + ", ".join(sorted(shared)))
    if level == "some":
        return Comparison("marks", "some", "shared word: " + ", ".join(sorted(shared)))
    return Comparison("marks", "differ", "no word in common")


# --- height -----------------------------------------------------------------

#: Centimetres a height may be off from the expected one and still fit: a
#: family's figure is an estimate, often rounded to 5 cm, the shelter's is measured.
HEIGHT_SLACK_CM = 5.0
#: Further slack per year between the two dates: children grow at their own pace.
HEIGHT_SLACK_PER_YEAR_CM = 1.5


@dataclass(frozen=True, slots=True)
class _HeightGap:
    expected: float
    """The height the found child would have now, from the report's height and growth."""
    off: float
    """Measured minus expected height (cm)."""
    slack: float
    years: float


def _height_gap(found: Person, missing: Person) -> _HeightGap | None:
    """How far the found child's height is from the report's plus the growth since.

    Needs both heights, both dates (for the time grown) and an age on either
    side (for how fast a child of that age grows); the report's age is
    preferred, since a family knows it and a shelter guesses it.
    """
    if found.height_cm is None or missing.height_cm is None:
        return None
    days = _days_after_missing(found, missing)
    birth = missing.birth or found.birth
    if days is None or birth is None or missing.record_date is None:
        return None
    years = max(days, 0) / _DAYS_PER_YEAR
    age = (missing.record_date - birth.midpoint).days / _DAYS_PER_YEAR
    expected = missing.height_cm + expected_growth_cm(age, years, missing.sex or found.sex)
    slack = HEIGHT_SLACK_CM + HEIGHT_SLACK_PER_YEAR_CM * years
    return _HeightGap(expected, found.height_cm - expected, slack, years)


def _height_level(gap: _HeightGap) -> str:
    if abs(gap.off) <= gap.slack:
        return "fits"
    if abs(gap.off) <= 2 * gap.slack:
        return "near"
    return "differs"


def height_level(found: Person, missing: Person) -> Level:
    gap = _height_gap(found, missing)
    return _NULL_LEVEL if gap is None else (_height_level(gap), ())


def compare_height(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The found child's height against the height when missing plus the growth since:
    strangers of the same age often differ by 10 cm or more."""
    gap = _height_gap(found, missing)
    if gap is None:
        if found.height_cm is None or missing.height_cm is None:
            return Comparison("height", NULL, "height not known on one side")
        return Comparison("height", NULL, "no dates or age to allow for growth")
    level = _height_level(gap)
    if not explain:
        return Comparison("height", level, "")
    detail = (
        f"found: {found.height_cm:g} cm; missing: {missing.height_cm:g} cm, "
        f"about {gap.expected:.0f} cm expected {gap.years:.1f} years later "
        f"({abs(gap.off):.0f} cm {'taller' if gap.off > 0 else 'shorter'})"
    )
    return Comparison("height", level, detail)


# --- dates ------------------------------------------------------------------

#: A child found up to this many days before the date given as missing still
#: counts as found after it: dates are written from memory, and a report may
#: carry the day it was filed.
DATE_SLACK_DAYS = 30
#: What a dates level says, for pairs with a month or a year where a day would be.
_DATES_SAY = {
    "found_first": "found before going missing",
    "within_a_year": "found within a year",
    "one_to_four_years": "found one to four years later",
    "over_four_years": "found over four years later",
}
#: Years missing before being found that separate the levels.
_SOON_YEARS = 1.0
_LONG_YEARS = 4.0


def _days_after_missing(found: Person, missing: Person) -> int | None:
    """Days from going missing to being found (negative: found first), when both are known."""
    if found.record_date is None or missing.record_date is None:
        return None
    return (found.record_date - missing.record_date).days


def _span(person: Person) -> tuple[date, date] | None:
    """The record's date as the days it may be: one day, or a month or year written alone."""
    if person.record_date is not None:
        return person.record_date, person.record_date
    period = person.record_period
    return None if period is None else (period.first, period.last)


def _period_dates_level(found: Person, missing: Person) -> str:
    """The dates level when a side gives only a month or a year: the level every
    day of it would give, or null when the days straddle two levels."""
    found_span, missing_span = _span(found), _span(missing)
    if found_span is None or missing_span is None:
        return NULL
    fewest = _dates_level((found_span[0] - missing_span[1]).days)
    most = _dates_level((found_span[1] - missing_span[0]).days)
    return fewest if fewest == most else NULL


def _date_text(person: Person) -> str:
    """The record's date as written down to the day, the month or the year."""
    if person.record_date is not None:
        return str(person.record_date)  # ISO
    period = person.record_period
    if period is None:
        return "unknown"
    return str(period.first.year) if period.whole_year else f"{period.first:%B %Y}"


def _dates_level(days: int) -> str:
    if days < -DATE_SLACK_DAYS:
        return "found_first"
    years = days / _DAYS_PER_YEAR
    if years <= _SOON_YEARS:
        return "within_a_year"
    if years <= _LONG_YEARS:
        return "one_to_four_years"
    return "over_four_years"


def dates_level(found: Person, missing: Person) -> Level:
    days = _days_after_missing(found, missing)
    if days is None:
        level = _period_dates_level(found, missing)
        return _NULL_LEVEL if level == NULL else (level, ())
    return _dates_level(days), ()


def compare_dates(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Found after going missing, and how long after: a child found before the report's
    missing date is another child, unless a date is wrong."""
    days = _days_after_missing(found, missing)
    if days is None:
        level = _period_dates_level(found, missing)
        if level == NULL:
            if _span(found) is None or _span(missing) is None:
                return Comparison("dates", NULL, "a date not known on one side")
            coarse = f"missing {_date_text(missing)}, found {_date_text(found)}"
            return Comparison("dates", NULL, f"{coarse}: too coarse to tell how long after")
        if not explain:
            return Comparison("dates", level, "")
        missing_in, found_in = _date_text(missing), _date_text(found)
        return Comparison(
            "dates", level, f"missing {missing_in}, found {found_in}: {_DATES_SAY[level]}"
        )
    level = _dates_level(days)
    if not explain:
        return Comparison("dates", level, "")
    missing_on, found_on = str(missing.record_date), str(found.record_date)  # ISO dates
    if level == "found_first":
        detail = f"found {found_on}, {-days} days before going missing ({missing_on})"
    else:
        later = max(days, 0) / _DAYS_PER_YEAR
        detail = f"missing {missing_on}, found {found_on} ({later:.1f} years later)"
    return Comparison("dates", level, detail)


COMPARISONS: tuple[ComparisonSpec, ...] = (
    ComparisonSpec(
        "name",
        ("exact", "phonetic", "phonetic_subset", "fuzzy", "partial", "nickname_only", "different"),
        compare_name,
        name_level,
        compare_name.__doc__ or "",
        frozenset({"exact", "phonetic", "phonetic_subset"}),
        u_by_place=True,
    ),
    ComparisonSpec("sex", ("same", "different"), compare_sex, sex_level, compare_sex.__doc__ or ""),
    ComparisonSpec(
        "age",
        ("fits", "close", "loose", "differs"),
        compare_age,
        age_level,
        compare_age.__doc__ or "",
    ),
    ComparisonSpec(
        "family",
        (
            "phone_and_parent",
            "phone",
            "both_parents",
            "father_full",
            "one_parent",
            "parent_close",
            "mixed",
            "different",
        ),
        compare_family,
        family_level,
        compare_family.__doc__ or "",
        frozenset({"both_parents", "father_full", "one_parent"}),
        u_by_place=True,
    ),
    ComparisonSpec(
        "district",
        ("same_district", "same_state", "different_state"),
        compare_district,
        district_level,
        compare_district.__doc__ or "",
    ),
    ComparisonSpec(
        "village",
        ("same", "different"),
        compare_village,
        village_level,
        compare_village.__doc__ or "",
        u_by_place=True,
    ),
    ComparisonSpec(
        "languages",
        ("shared", "none_shared"),
        compare_languages,
        languages_level,
        compare_languages.__doc__ or "",
        u_by_place=True,
    ),
    ComparisonSpec(
        "marks",
        ("agree", "some", "differ"),
        compare_marks,
        marks_level,
        compare_marks.__doc__ or "",
    ),
    ComparisonSpec(
        "height",
        ("fits", "near", "differs"),
        compare_height,
        height_level,
        compare_height.__doc__ or "",
        u_given=("age", frozenset({"fits", "close"})),
    ),
    ComparisonSpec(
        "dates",
        ("within_a_year", "one_to_four_years", "over_four_years", "found_first"),
        compare_dates,
        dates_level,
        compare_dates.__doc__ or "",
    ),
)


def compare_all(found: Person, missing: Person, *, explain: bool = True) -> tuple[Comparison, ...]:
    """Every comparison of a pair, in the order of :data:`COMPARISONS`.

    With ``explain=False`` the detail sentences are left empty: the levels are
    the same, and ranking a hundred candidates needs no prose.
    """
    return tuple(spec.compare(found, missing, explain=explain) for spec in COMPARISONS)
