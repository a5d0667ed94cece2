"""Jurisdiction rules: which records and review items a key may see.

Admins and integrators are not limited by place (integrators send records
for their whole system). A caseworker sees a record whose state or district
code is assigned to them, and a review item touching any of their states or
districts (where the child was found, the home it named, the missing
report's home). A caseworker with no assignment sees nothing. Whatever a
caseworker may not see answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.normalize.places import Gazetteer
from matcher.storage import repository as repo


def limited(key: repo.ApiKey) -> bool:
    """Whether the key's reads are limited to its jurisdiction."""
    return key.role is repo.Role.CASEWORKER


def sees_record(key: repo.ApiKey, record: repo.StoredRecord) -> bool:
    if not limited(key):
        return True
    return (record.state_code is not None and record.state_code in key.states) or (
        record.district_code is not None and record.district_code in key.districts
    )


def sees_item(key: repo.ApiKey, item: repo.ReviewItem) -> bool:
    if not limited(key):
        return True
    j = item.jurisdiction
    states = {j.found_state, j.found_home_state, j.missing_state} - {None}
    districts = {j.found_district, j.found_home_district, j.missing_district} - {None}
    return bool(states & set(key.states)) or bool(districts & set(key.districts))


@dataclass(frozen=True, slots=True)
class Scope:
    """Place filters for a listing; ``None`` = no restriction, empty = nothing."""

    state_codes: frozenset[str] | None
    district_codes: frozenset[str] | None

    @property
    def empty(self) -> bool:
        return self.state_codes == frozenset() and self.district_codes in (None, frozenset())


NOTHING = Scope(frozenset(), frozenset())


def _state_of(gazetteer: Gazetteer, district: str) -> str | None:
    try:
        return gazetteer.district(district).state.code
    except KeyError:
        return None


def scope(key: repo.ApiKey, gazetteer: Gazetteer, state: str | None, district: str | None) -> Scope:
    """The place filter for a listing: the caller's own filter within the key's jurisdiction.

    The repository filters with one "any of these codes" condition, so the
    two are combined here into a filter that never reaches outside the
    jurisdiction: a district filter is allowed if the district, or its
    state, is assigned; a state filter is allowed as such if the state is
    assigned, and otherwise narrows to the assigned districts in that state.
    """
    if not limited(key):
        return Scope(
            None if state is None else frozenset({state}),
            None if district is None else frozenset({district}),
        )
    states, districts = frozenset(key.states), frozenset(key.districts)
    if district is not None:
        if state is not None and _state_of(gazetteer, district) not in (state, None):
            return NOTHING
        allowed = district in districts or _state_of(gazetteer, district) in states
        return Scope(None, frozenset({district})) if allowed else NOTHING
    if state is not None:
        if state in states:
            return Scope(frozenset({state}), None)
        inside = frozenset(d for d in districts if _state_of(gazetteer, d) == state)
        return Scope(None, inside) if inside else NOTHING
    if not states and not districts:
        return NOTHING
    return Scope(states, districts)
