"""The growth curve behind the height comparison."""

from __future__ import annotations

from itertools import pairwise

import pytest

from matcher.records import Sex
from matcher.scoring.growth import expected_growth_cm, median_height_cm


def test_median_height_interpolates_between_whole_years() -> None:
    assert median_height_cm(8, Sex.MALE) == pytest.approx(127.3)
    assert median_height_cm(8.5, Sex.MALE) == pytest.approx((127.3 + 132.6) / 2)


def test_unknown_sex_takes_the_middle_of_both_curves() -> None:
    boy, girl = median_height_cm(14, Sex.MALE), median_height_cm(14, Sex.FEMALE)
    assert median_height_cm(14) == pytest.approx((boy + girl) / 2)
    assert median_height_cm(14, Sex.OTHER) == pytest.approx((boy + girl) / 2)


def test_growth_follows_the_curve_and_stops_with_adulthood() -> None:
    # Girls' growth spurt comes earlier: they outgrow boys at 11-12 and stop sooner.
    assert expected_growth_cm(10, 2, Sex.FEMALE) > expected_growth_cm(10, 2, Sex.MALE)
    assert expected_growth_cm(14, 3, Sex.MALE) > 3 * expected_growth_cm(14, 3, Sex.FEMALE)
    assert expected_growth_cm(19, 5, Sex.MALE) == 0.0
    assert expected_growth_cm(25, 2) == 0.0


def test_no_growth_backwards_in_time() -> None:
    """A found date before the missing date (an error, or a re-found child) adds nothing."""
    assert expected_growth_cm(8, -1.5) == 0.0
    assert expected_growth_cm(8, 0) == 0.0


def test_curve_is_increasing_through_childhood() -> None:
    for sex in (Sex.MALE, Sex.FEMALE, None):
        heights = [median_height_cm(age / 2, sex) for age in range(0, 38)]
        assert all(a < b for a, b in pairwise(heights))
