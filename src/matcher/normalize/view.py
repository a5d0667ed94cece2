"""The normalized view of a record as a flat row, for ``matcher normalize`` and for people.

It shows what matcher understood of each field, beside nothing of what it
did not: problems are listed in their own column, by field.
"""

from __future__ import annotations

from matcher.normalize.names import ParsedName
from matcher.normalize.person import Person
from matcher.normalize.places import PlaceMatch

NORMALIZED_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "name_latin",
    "name_script",
    "name_tokens",
    "nickname_only",
    "aliases_latin",
    "sex",
    "birth_earliest",
    "birth_latest",
    "birth_source",
    "record_date",
    "father_latin",
    "mother_latin",
    "guardian_latin",
    "phones",
    "village",
    "district_code",
    "district",
    "state",
    "district_confidence",
    "district_resolution",
    "found_district_code",
    "found_district",
    "languages",
    "marks",
    "height_cm",
    "problems",
)


def _tokens(name: ParsedName) -> str:
    return " ".join(f"{t.text}/{t.kind.value}" for t in name.tokens)


def _place(place: PlaceMatch | None) -> tuple[str, str, str, str, str]:
    if place is None:
        return "", "", "", "", ""
    return (
        place.district.code if place.district else "",
        place.district.name if place.district else place.text,
        place.state.name if place.state else "",
        f"{place.confidence:.2f}",
        place.resolution.value,
    )


def normalized_row(person: Person) -> dict[str, str]:
    """One flat row of what matcher understood of a record."""
    code, district, state, confidence, resolution = _place(person.home)
    found_code, found_district, _, _, _ = _place(person.found_place)
    birth = person.birth
    return {
        "id": person.id,
        "kind": person.kind.value,
        "name_latin": person.name.latin,
        "name_script": person.name.script or "",
        "name_tokens": _tokens(person.name),
        "nickname_only": "yes" if person.name.is_nickname_only else "",
        "aliases_latin": ";".join(a.latin for a in person.aliases),
        "sex": person.sex.value if person.sex else "",
        "birth_earliest": birth.earliest.isoformat() if birth else "",
        "birth_latest": birth.latest.isoformat() if birth else "",
        "birth_source": birth.source if birth else "",
        "record_date": person.record_date.isoformat() if person.record_date else "",
        "father_latin": person.father.latin,
        "mother_latin": person.mother.latin,
        "guardian_latin": person.guardian.latin,
        "phones": ";".join(person.phones),
        "village": person.village,
        "district_code": code,
        "district": district,
        "state": state,
        "district_confidence": confidence,
        "district_resolution": resolution,
        "found_district_code": found_code,
        "found_district": found_district,
        "languages": ";".join(sorted(person.languages)),
        "marks": " ".join(sorted(person.marks)),
        "height_cm": f"{person.height_cm:g}" if person.height_cm is not None else "",
        "problems": "; ".join(f"{p.field}: {p.reason}" for p in person.problems),
    }
