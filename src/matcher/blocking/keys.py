"""Blocking keys: the cheap facts two records must share to be compared at all.

Several independent families of keys are unioned, so a child known only by a
nickname, with no district, is still reachable through a parent's name or a
phone number. Keys are strings with a family prefix:

``n:`` loose sound of a given name or nickname (name and aliases)
``n3:`` first three consonants of that sound (catches a consonant typo at the end)
``f:`` loose sound of the father's first name (and of his name written as one word)
``m:`` loose sound of the mother's first name
``p:`` a phone number's last ten digits; ``ph:`` ``pt:`` its digits at even and at odd
places (one wrong digit leaves one half intact)
``d:`` home district and a birth year (one key per year the birth interval spans)
``v:`` the village's name, address words and spelling aside (see ``village_key``)
``nx:`` ``ny:`` ``ns:`` a name sound with the sex, a birth year or the home state
``sy:`` ``fs:`` the home state with a birth year or the father's name sound

The index weighs each key by how rare it is, so a shared "Raju" counts for
little and a shared phone for a lot; see :mod:`matcher.blocking.index`.
"""

from __future__ import annotations

from matcher.normalize.names import ParsedName
from matcher.normalize.person import Person
from matcher.normalize.phonetic import loose_key
from matcher.normalize.village import village_key

#: Which kind of evidence each key prefix is; the index counts each kind once.
KEY_FAMILIES: dict[str, str] = {
    "n": "name",
    "n3": "name",
    "nx": "name",
    "ny": "name",
    "ns": "name",
    "f": "father",
    "fs": "father",
    "m": "mother",
    "p": "phone",
    "ph": "phone",
    "pt": "phone",
    "d": "place",
    "sy": "place",
    "v": "village",
}


def key_family(key: str) -> str:
    """The family of a blocking key: ``"ny:rhl:2010"`` is a ``name`` key."""
    return KEY_FAMILIES[key.partition(":")[0]]


def _name_keys(name: ParsedName, keys: set[str]) -> None:
    for token in name.given_tokens:
        if token.loose:
            keys.add("n:" + token.loose)
            if len(token.loose) >= 4:
                keys.add("n3:" + token.loose[:3])


def _parent_keys(prefix: str, name: ParsedName, keys: set[str]) -> None:
    tokens = name.given_tokens
    if not tokens:
        return
    if tokens[0].loose:
        keys.add(prefix + tokens[0].loose)
    if len(tokens) >= 2:
        # "Ram Prasad" and "Ramprasad": index the joined sound too.
        keys.add(prefix + loose_key(tokens[0].text + tokens[1].text))


def birth_years(person: Person, margin: int = 0) -> range:
    """Calendar years the person's birth interval spans, widened by ``margin`` years."""
    if person.birth is None:
        return range(0)
    return range(person.birth.earliest.year - margin, person.birth.latest.year + margin + 1)


def blocking_keys(person: Person, *, query: bool = False) -> frozenset[str]:
    """Every blocking key of a record.

    With ``query=True`` the year keys span one more year on each side,
    because the searching side's age is often a guess.
    """
    keys: set[str] = set()
    for name in person.all_names:
        _name_keys(name, keys)
    _parent_keys("f:", person.father, keys)
    _parent_keys("m:", person.mother, keys)
    for phone in person.phones:
        digits = phone[-10:]
        keys.add("p:" + digits)
        if len(digits) == 10:
            # Interleaved halves: one wrong digit leaves one of them whole, and
            # unlike the first and last five digits (the first five name an
            # operator's series, shared by thousands) both stay specific.
            keys.add("ph:" + digits[0::2])
            keys.add("pt:" + digits[1::2])
    # A village named on both sides is strong evidence (a child who knows no
    # district often knows the village), and nothing else may be shared.
    village = village_key(person.village) if person.village else ""
    if village:
        keys.add("v:" + village)
    years = birth_years(person, margin=1 if query else 0)
    if len(years) > 12:
        years = range(0)  # an unknown age spans everything and is no key at all
    district = person.home.district
    state = person.home.state
    if district is not None:
        keys.update(f"d:{district.code}:{year}" for year in years)
    # Conjunctions rank candidates within a common name's block: "Rahul" alone
    # is shared by hundreds, "Rahul, boy, born 2008, from Bihar" by a few.
    sounds = {k[2:] for k in keys if k.startswith("n:")}
    sex = person.sex.value[0] if person.sex is not None else None
    for sound in sounds:
        if sex:
            keys.add(f"nx:{sound}:{sex}")
        keys.update(f"ny:{sound}:{year}" for year in years)
        if state is not None:
            keys.add(f"ns:{sound}:{state.code}")
    if state is not None:
        keys.update(f"sy:{state.code}:{year}" for year in years)
        father = {k[2:] for k in keys if k.startswith("f:")}
        keys.update(f"fs:{sound}:{state.code}" for sound in father)
    return frozenset(keys)
