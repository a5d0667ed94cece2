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
``nx:`` ``ns:`` ``nd:`` a name sound with the sex, the home state or the home district
``sy:`` ``fs:`` the home state with a birth year or the father's name sound
``fd:`` ``md:`` the father's or the mother's name sound with the home district

The index weighs each key by how rare it is, so a shared "Raju" counts for
little and a shared phone for a lot; see :mod:`matcher.blocking.index`.
"""

from __future__ import annotations

from matcher.normalize.names import GIVEN_KINDS, ParsedName, calling_name
from matcher.normalize.person import Person
from matcher.normalize.phonetic import loose_key
from matcher.normalize.village import village_key

#: Which kind of evidence each key prefix is; the index counts each kind once.
KEY_FAMILIES: dict[str, str] = {
    "n": "name",
    "n3": "name",
    "nx": "name",
    # A name with the state or district says where the child is from: counted
    # with the place keys, it is not lost under the name family's rarest key
    # ("Pinki, born 2008" and "Pinki from West Bengal" are two facts). On
    # development data (seed 1, 500,000 reports) 0.925 -> 0.930 of true pairs
    # among the best 150; seed 2 0.920 -> 0.926.
    "ns": "place",
    "nd": "place",
    "f": "father",
    "fs": "father",
    "fd": "father",
    "m": "mother",
    "md": "mother",
    "p": "phone",
    "ph": "phone",
    "pt": "phone",
    "d": "place",
    "sy": "place",
    "v": "village",
}


def key_family(key: str) -> str:
    """The family of a blocking key: ``"nx:rhl:m"`` is a ``name`` key."""
    return KEY_FAMILIES[key.partition(":")[0]]


def _name_sounds(person: Person) -> set[str]:
    """Loose sounds of the given names and nicknames in the name and every alias,
    and of the name an Abdul name is called by (Abdul Rahim: Rahim)."""
    sounds: set[str] = set()
    for name in (person.name, *person.aliases):
        for token in name.tokens:
            if token.kind in GIVEN_KINDS and token.loose:
                sounds.add(token.loose)
                called = calling_name(token.text)
                if called:
                    sounds.add(loose_key(called))
    return sounds


def _parent_sounds(name: ParsedName) -> list[str]:
    """The first word's sound and, for "Ram Prasad", the two first words' joined sound."""
    tokens = name.given_tokens
    if not tokens:
        return []
    sounds = [tokens[0].loose] if tokens[0].loose else []
    if len(tokens) >= 2:
        # "Ram Prasad" and "Ramprasad": index the joined sound too.
        sounds.append(loose_key(tokens[0].text + tokens[1].text))
    return sounds


def birth_years(person: Person, margin: int = 0) -> range:
    """Calendar years the person's birth interval spans, widened by ``margin`` years."""
    if person.birth is None:
        return range(0)
    return range(person.birth.earliest.year - margin, person.birth.latest.year + margin + 1)


def blocking_keys(person: Person, *, query: bool = False) -> frozenset[str]:
    """Every blocking key of a record.

    With ``query=True`` the year keys span one more year on each side,
    because the searching side's age is often a guess. Built from lists of
    sounds rather than by filtering the key set: this runs for every record
    indexed (a fifth of an import's time).
    """
    keys: set[str] = set()
    add = keys.add
    sounds = _name_sounds(person)
    for sound in sounds:
        add("n:" + sound)
        if len(sound) >= 4:
            add("n3:" + sound[:3])
    father = _parent_sounds(person.father)
    for sound in father:
        add("f:" + sound)
    mother = _parent_sounds(person.mother)
    for sound in mother:
        add("m:" + sound)
    for phone in person.phones:
        digits = phone[-10:]
        add("p:" + digits)
        if len(digits) == 10:
            # Interleaved halves: one wrong digit leaves one of them whole, and
            # unlike the first and last five digits (the first five name an
            # operator's series, shared by thousands) both stay specific.
            add("ph:" + digits[0::2])
            add("pt:" + digits[1::2])
    # A village named on both sides is strong evidence (a child who knows no
    # district often knows the village), and nothing else may be shared.
    village = village_key(person.village) if person.village else ""
    if village:
        add("v:" + village)
    years = birth_years(person, margin=1 if query else 0)
    if len(years) > 12:
        years = range(0)  # an unknown age spans everything and is no key at all
    district = person.home.district
    state = person.home.state
    district_code = district.code if district is not None else None
    state_code = state.code if state is not None else None
    # Conjunctions rank candidates within a common name's block: "Rahul" alone
    # is shared by hundreds, "Rahul, boy, from Bihar" by a few.
    sex = person.sex.value[0] if person.sex is not None else None
    # No name-with-birth-year key: it ranked strangers of the same name and birth
    # year above a true pair whose ages were guessed a few years apart (the rank
    # penalties already weigh the years). Without it, development seeds 1 and 2 kept
    # 0.946 -> 0.953 and 0.942 -> 0.950 of true pairs among the best 150 at 500,000.
    if sex:
        for sound in sounds:
            add(f"nx:{sound}:{sex}")
    if district_code is not None:
        keys.update([f"d:{district_code}:{year}" for year in years])
        # Names with the district and no year: the ages of the two sides are
        # often guesses years apart, and then no "d:" key is shared while
        # "Ankita from Ghazipur" still is.
        keys.update([f"nd:{sound}:{district_code}" for sound in sounds])
        keys.update([f"fd:{sound}:{district_code}" for sound in father])
        keys.update([f"md:{sound}:{district_code}" for sound in mother])
    if state_code is not None:
        keys.update([f"ns:{sound}:{state_code}" for sound in sounds])
        keys.update([f"sy:{state_code}:{year}" for year in years])
        keys.update([f"fs:{sound}:{state_code}" for sound in father])
    return frozenset(keys)
