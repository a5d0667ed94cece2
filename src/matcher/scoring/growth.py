"""How much a child grows between two dates: the height comparison's expectation.

A report gives the child's height when they went missing; the shelter
measures the child when found, often years later. Comparing the two numbers
directly would call every child who grew a stranger, so the comparison first
adds the growth a child of that age and sex makes in the time between.

Only the *increments* of the curve are used, never its level: whether a
population is shorter or taller than the reference shifts both heights alike.
The medians are rounded from the WHO growth references (Child Growth
Standards to 5 years, 2007 reference for 5-19 years); the exact curve matters
little next to the slack the comparison allows for a family's estimate.
"""

from __future__ import annotations

from bisect import bisect_right

from matcher.records import Sex

#: Whole years of age at which the medians below are given.
_AGES = tuple(range(20))
#: Median height in cm at each age in ``_AGES``.
_BOYS = (
    49.9, 75.7, 87.1, 96.1, 103.3, 110.0, 116.0, 121.7, 127.3, 132.6,
    137.8, 143.1, 149.1, 156.0, 163.2, 169.0, 172.9, 175.2, 176.1, 176.5,
)  # fmt: skip
_GIRLS = (
    49.1, 74.0, 85.7, 95.1, 102.7, 109.4, 115.1, 120.8, 126.6, 132.5,
    138.6, 144.8, 151.2, 156.4, 159.8, 161.7, 162.5, 162.9, 163.1, 163.2,
)  # fmt: skip
_EITHER = tuple((b + g) / 2 for b, g in zip(_BOYS, _GIRLS, strict=True))


def median_height_cm(age_years: float, sex: Sex | None = None) -> float:
    """The reference median height at an age (linear between whole years; flat past 19)."""
    table = _BOYS if sex is Sex.MALE else _GIRLS if sex is Sex.FEMALE else _EITHER
    age = min(max(age_years, 0.0), float(_AGES[-1]))
    i = min(bisect_right(_AGES, age) - 1, len(_AGES) - 2)
    share = age - _AGES[i]
    return table[i] + share * (table[i + 1] - table[i])


def expected_growth_cm(age_years: float, years_later: float, sex: Sex | None = None) -> float:
    """Centimetres a child of ``age_years`` typically grows in the next ``years_later`` years."""
    later = max(years_later, 0.0)
    return median_height_cm(age_years + later, sex) - median_height_cm(age_years, sex)
