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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from matcher.normalize.names import NameToken, ParsedName
from matcher.normalize.person import Person
from matcher.normalize.places import PlaceMatch

#: Level given when a field is empty on either side: it carries no weight.
NULL = "null"


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


@dataclass(frozen=True, slots=True)
class ComparisonSpec:
    """A comparison's name, its levels from strongest to weakest agreement, and its function."""

    field: str
    levels: tuple[str, ...]
    compare: ComparisonFunction
    description: str
    tf_levels: frozenset[str] = frozenset()


# --- names -----------------------------------------------------------------

_JW_STRONG = 0.92
_JW_FUZZY = 0.86


@lru_cache(maxsize=1 << 18)
def token_similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two Latin name tokens (cached: names repeat a lot)."""
    return JaroWinkler.normalized_similarity(a, b)


# A parsed name is a function of its original text, so caches keyed on the
# original are exact. Names repeat a great deal (Raju, Pooja), so they hit often.
_INFORMATIVE_CACHE: dict[str, tuple[NameToken, ...]] = {}
_AGREEMENT_CACHE: dict[tuple[str, str], NameAgreement] = {}
_CACHE_LIMIT = 1 << 18


def _informative(name: ParsedName) -> tuple[NameToken, ...]:
    """Given names and nicknames; failing those, any tokens but initials (e.g. only 'Mohammad')."""
    cached = _INFORMATIVE_CACHE.get(name.original)
    if cached is not None:
        return cached
    tokens = name.given_tokens or tuple(t for t in name.tokens if t.kind != "initial")
    if len(_INFORMATIVE_CACHE) >= _CACHE_LIMIT:
        _INFORMATIVE_CACHE.clear()
    _INFORMATIVE_CACHE[name.original] = tokens
    return tokens


def _token_match(a: NameToken, b: NameToken) -> int:
    """3 = same sound (strict key), 2 = close spelling or loose key, 1 = near, 0 = different."""
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


@dataclass(frozen=True, slots=True)
class NameAgreement:
    """How two parsed names agree, token by token."""

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


def agree_names(found: ParsedName, missing: ParsedName) -> NameAgreement:
    """Align the informative tokens of two names, order-free (no surname-last assumption)."""
    key = (found.original, missing.original)
    cached = _AGREEMENT_CACHE.get(key)
    if cached is None:
        cached = _agree_names(found, missing)
        if len(_AGREEMENT_CACHE) >= _CACHE_LIMIT:
            _AGREEMENT_CACHE.clear()
        _AGREEMENT_CACHE[key] = cached
    return cached


def _agree_names(found: ParsedName, missing: ParsedName) -> NameAgreement:
    a, b = _informative(found), _informative(missing)
    if not a or not b:
        return NameAgreement(NULL, (), 0, 0, 0)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    best_total = 0
    matched = 0
    keys: list[str] = []
    used: set[int] = set()
    weakest = 3
    for tok in short:
        best, best_j = 0, -1
        for j, other in enumerate(long):
            if j in used:
                continue
            score = _token_match(tok, other)
            if score > best:
                best, best_j = score, j
                if score == 3:
                    break
        if best:
            used.add(best_j)
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
                exact = found.latin == missing.latin
                return NameAgreement(
                    "exact" if exact else "phonetic", agreed, matched, len(short), len(long)
                )
            return NameAgreement("phonetic_subset", agreed, matched, len(short), len(long))
        if weakest >= 1:
            return NameAgreement("fuzzy", agreed, matched, len(short), len(long))
    if _joined_match(short, long):
        return NameAgreement("fuzzy", (), 1, len(short), len(long))
    if matched:
        return NameAgreement("partial", agreed, matched, len(short), len(long))
    if found.is_nickname_only or missing.is_nickname_only:
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


def compare_name(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The child's name, nicknames and aliases agree: same sound, close spelling, or some parts."""
    # The child's own name: without the parts that repeat the father's name
    # (see Person.own_name), which siblings share.
    best = agree_names(found.own_name, missing.own_name)
    best_pair = (found.name, missing.name)
    via_alias = False
    if _NAME_RANK[best.level] < _NAME_RANK["phonetic"] and (found.aliases or missing.aliases):
        for i, fn in enumerate(found.all_names):
            for j, mn in enumerate(missing.all_names):
                if not (i or j):
                    continue
                agreement = agree_names(fn, mn)
                if _NAME_RANK[agreement.level] > _NAME_RANK[best.level]:
                    best, best_pair, via_alias = agreement, (fn, mn), True
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


def compare_sex(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Boy or girl, from the sex field or from name parts such as Kumari or Khatun."""
    if found.sex is None or missing.sex is None:
        return Comparison("sex", NULL, "sex not known on one side")
    if found.sex == missing.sex:
        return Comparison("sex", "same", f"both {found.sex.value}")
    return Comparison("sex", "different", f"{found.sex.value} / {missing.sex.value}")


# --- age -------------------------------------------------------------------

_DAYS_PER_YEAR = 365.25


def _age_text(person: Person) -> str:
    if person.birth is None:
        return "unknown"
    year_lo, year_hi = person.birth.earliest.year, person.birth.latest.year
    born = f"born {year_lo}" if year_lo == year_hi else f"born {year_lo}-{year_hi}"
    return born


def _age_level(gap: float, mid_gap: float) -> str:
    """The age level from the gap between birth intervals and between their midpoints (years)."""
    if gap == 0 and mid_gap <= 1.5:
        return "fits"
    if gap <= 1.0:
        return "close"
    if gap <= 3.0:
        return "loose"
    return "differs"


def compare_age(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The found child's estimated age fits the age when missing, given the time since."""
    if found.birth is None or missing.birth is None:
        return Comparison("age", NULL, "age not known on one side")
    gap_days = -found.birth.overlap_days(missing.birth)
    mid_gap = abs((found.birth.midpoint - missing.birth.midpoint).days) / _DAYS_PER_YEAR
    gap = max(gap_days, 0) / _DAYS_PER_YEAR
    if not explain:
        return Comparison("age", _age_level(gap, mid_gap), "")
    detail = f"found: {_age_text(found)}; missing: {_age_text(missing)}"
    level = _age_level(gap, mid_gap)
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
    if agreement.level in ("exact", "phonetic"):
        return "full"
    if agreement.level in ("phonetic_subset", "fuzzy"):
        return "first" if agreement.level == "phonetic_subset" else "fuzzy"
    if agreement.level == "partial":
        # The first informative token agreeing is what "father's first name only" gives.
        return "first" if _token_match(a[0], b[0]) == 3 else "fuzzy"
    initials_a = {t.text[0] for t in found.tokens if t.text}
    initials_b = {t.text[0] for t in missing.tokens if t.text}
    if any(t.kind == "initial" for t in (*found.tokens, *missing.tokens)) and (
        initials_a & initials_b
    ):
        return "initial"
    return "different"


def _phone_level(found: Sequence[str], missing: Sequence[str]) -> str:
    if not found or not missing:
        return NULL
    if set(found) & set(missing):
        return "same"
    for a in found:
        for b in missing:
            da, db = a[-10:], b[-10:]
            if len(da) == len(db) and sum(x != y for x, y in zip(da, db, strict=True)) == 1:
                return "one_digit"
    return "different"


_PARENT_STRENGTH = {"full": 3, "first": 2, "fuzzy": 1, "initial": 1, "different": -1, NULL: 0}


def compare_family(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Parents' names and the family's phone: evidence of the same family, not of the same child."""
    father = _parent_level(found.father, missing.father)
    mother = _parent_level(found.mother, missing.mother)
    guardian = _parent_level(found.guardian, missing.guardian)
    phone = _phone_level(found.phones, missing.phones)
    level, tf_keys = _family_level(found, father, mother, guardian, phone)
    if not explain:
        return Comparison("family", level, "", tf_keys)
    parts = []
    if father != NULL:
        parts.append(f"father {_shown(found.father)} / {_shown(missing.father)}: {father}")
    if mother != NULL:
        parts.append(f"mother {_shown(found.mother)} / {_shown(missing.mother)}: {mother}")
    if guardian != NULL:
        parts.append(f"guardian: {guardian}")
    if phone != NULL:
        parts.append(f"phone: {phone.replace('_', ' ')}")
    detail = "; ".join(parts) or "no parent's name or phone on one side"
    return Comparison("family", level, detail, tf_keys)


def _family_level(
    found: Person, father: str, mother: str, guardian: str, phone: str
) -> tuple[str, tuple[str, ...]]:
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
    return NULL, ()


# --- place -----------------------------------------------------------------


def _place_text(place: PlaceMatch) -> str:
    if place.district is not None:
        return place.district.name
    if place.state is not None:
        return f"{place.text or '?'} ({place.state.name})" if place.text else place.state.name
    return place.text or "unknown"


def compare_district(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The home district the child named is the district of the report (old names resolved)."""
    f, m = found.home, missing.home
    if f.district is None and f.state is None and not f.text:
        return Comparison("district", NULL, "the child did not name a home district")
    if m.district is None and m.state is None and not m.text:
        return Comparison("district", NULL, "no district on the report")
    detail = f"{_place_text(f)} / {_place_text(m)}"
    if f.district is not None and m.district is not None:
        if f.district.code == m.district.code:
            return Comparison("district", "same_district", detail)
        if f.district.state.code == m.district.state.code:
            return Comparison("district", "same_state", detail)
        return Comparison("district", "different_state", detail)
    # Unresolved text on one side: compare the text, then fall back to the state.
    if f.text and m.text and token_set_ratio(f.text, m.text) >= 90:
        return Comparison("district", "same_district", detail + " (same text)")
    if f.state is not None and m.state is not None:
        level = "same_state" if f.state.code == m.state.code else "different_state"
        return Comparison("district", level, detail)
    return Comparison("district", NULL, detail + " (cannot be placed)")


def compare_village(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The village or locality the child named is the one in the report."""
    if not found.village or not missing.village:
        return Comparison("village", NULL, "village not known on one side")
    score = token_set_ratio(found.village, missing.village)
    if score >= 88:
        return Comparison("village", "same", f"{found.village} / {missing.village}")
    return Comparison("village", "different", f"{found.village} / {missing.village}")


def compare_languages(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """The child speaks a language the report names."""
    if not found.languages or not missing.languages:
        return Comparison("languages", NULL, "languages not known on one side")
    shared = found.languages & missing.languages
    if shared:
        return Comparison("languages", "shared", "both: " + ", ".join(sorted(shared)))
    return Comparison(
        "languages",
        "none_shared",
        f"{', '.join(sorted(found.languages))} / {', '.join(sorted(missing.languages))}",
    )


def compare_marks(found: Person, missing: Person, *, explain: bool = True) -> Comparison:
    """Identifying marks (moles, scars) described with the same words."""
    if not found.marks or not missing.marks:
        return Comparison("marks", NULL, "no identifying marks on one side")
    shared = found.marks & missing.marks
    if len(shared) >= 2:
        return Comparison("marks", "agree", "shared words: " + ", ".join(sorted(shared)))
    if shared:
        return Comparison("marks", "some", "shared word: " + ", ".join(sorted(shared)))
    return Comparison("marks", "differ", "no word in common")


def elapsed_years(found: Person, missing: Person) -> float | None:
    """Years between the report and the finding, when both dates are known."""
    if found.record_date is None or missing.record_date is None:
        return None
    return (found.record_date - missing.record_date).days / _DAYS_PER_YEAR


def years_text(start: date | None, end: date | None) -> str:
    if start is None or end is None:
        return "unknown"
    return f"{(end - start).days / _DAYS_PER_YEAR:.1f} years"


COMPARISONS: tuple[ComparisonSpec, ...] = (
    ComparisonSpec(
        "name",
        ("exact", "phonetic", "phonetic_subset", "fuzzy", "partial", "nickname_only", "different"),
        compare_name,
        compare_name.__doc__ or "",
        frozenset({"exact", "phonetic", "phonetic_subset"}),
    ),
    ComparisonSpec("sex", ("same", "different"), compare_sex, compare_sex.__doc__ or ""),
    ComparisonSpec(
        "age", ("fits", "close", "loose", "differs"), compare_age, compare_age.__doc__ or ""
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
        compare_family.__doc__ or "",
        frozenset({"both_parents", "father_full", "one_parent"}),
    ),
    ComparisonSpec(
        "district",
        ("same_district", "same_state", "different_state"),
        compare_district,
        compare_district.__doc__ or "",
    ),
    ComparisonSpec(
        "village", ("same", "different"), compare_village, compare_village.__doc__ or ""
    ),
    ComparisonSpec(
        "languages", ("shared", "none_shared"), compare_languages, compare_languages.__doc__ or ""
    ),
    ComparisonSpec(
        "marks", ("agree", "some", "differ"), compare_marks, compare_marks.__doc__ or ""
    ),
)


def compare_all(found: Person, missing: Person, *, explain: bool = True) -> tuple[Comparison, ...]:
    """Every comparison of a pair, in the order of :data:`COMPARISONS`.

    With ``explain=False`` the detail sentences are left empty: the levels are
    the same, and ranking a hundred candidates needs no prose.
    """
    return tuple(spec.compare(found, missing, explain=explain) for spec in COMPARISONS)
