"""The district gazetteer and resolver: renames, same-named districts, noise, scripts, borders."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.normalize import places
from matcher.normalize.places import (
    District,
    Gazetteer,
    PlaceMatch,
    Resolution,
    load_gazetteer,
    normalize_place_text,
)
from matcher.normalize.text import fold_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "data" / "fixtures" / "gazetteer"
PACKAGE_DATA = ROOT / "src" / "matcher" / "normalize" / "data"
BUILT_FILES = ("gazetteer_states.csv", "gazetteer_districts.csv", "gazetteer_aliases.csv")

EXACT, ALIAS, FUZZY = Resolution.EXACT, Resolution.ALIAS, Resolution.FUZZY
AMBIGUOUS, UNRESOLVED, EMPTY = Resolution.AMBIGUOUS, Resolution.UNRESOLVED, Resolution.EMPTY


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def ids(cases: Sequence[tuple[object, ...]]) -> list[str]:
    return [str(case[-1]) for case in cases]


# ---------------------------------------------------------------------------------------
# Renamed districts resolve to the current name, with full confidence.

RENAMED = [
    # (district, state, code, current name, resolution, description)
    ("Gurgaon", "Haryana", "IN-62", "Gurugram", ALIAS, "Gurgaon renamed Gurugram 2016"),
    ("Gurgaon", "", "IN-62", "Gurugram", ALIAS, "old name without a state"),
    ("Gurugram", "", "IN-62", "Gurugram", EXACT, "current name"),
    ("Mewat", "HR", "IN-604", "Nuh", ALIAS, "Mewat renamed Nuh 2016"),
    ("Allahabad", "UP", "IN-120", "Prayagraj", ALIAS, "Allahabad renamed Prayagraj 2018"),
    ("Prayagraj", "Uttar Pradesh", "IN-120", "Prayagraj", EXACT, "current name"),
    ("Faizabad", "", "IN-140", "Ayodhya", ALIAS, "Faizabad renamed Ayodhya 2018"),
    ("Hoshangabad", "M.P.", "IN-409", "Narmadapuram", ALIAS, "renamed 2022, after LGD 2021"),
    ("Narmadapuram", "MP", "IN-409", "Narmadapuram", EXACT, "name newer than the LGD export"),
    ("Osmanabad", "Maharashtra", "IN-488", "Dharashiv", ALIAS, "renamed Dharashiv 2023"),
    ("Dharashiv", "", "IN-488", "Dharashiv", EXACT, "current name"),
    ("Ahmednagar", "MH", "IN-466", "Ahilyanagar", ALIAS, "renamed Ahilyanagar 2024"),
    ("Karimganj", "Assam", "IN-293", "Sribhumi", ALIAS, "renamed Sribhumi 2024"),
    ("Ramanagara", "Karnataka", "IN-631", "Bengaluru South", ALIAS, "renamed 2025"),
    ("East District", "Sikkim", "IN-225", "Gangtok", ALIAS, "Sikkim districts renamed 2021"),
    ("Palamau", "Jharkhand", "IN-338", "Palamu", ALIAS, "old spelling Palamau"),
    ("Palamu", "", "IN-338", "Palamu", EXACT, "current spelling"),
    ("Pondicherry", "", "IN-600", "Puducherry", ALIAS, "district renamed with the UT"),
    ("Tuticorin", "TN", "IN-594", "Thoothukudi", ALIAS, "LGD 2021 still had Tuticorin"),
    ("Calcutta", "W.B.", "IN-315", "Kolkata", ALIAS, "renamed 2001"),
    ("Bangalore", "", "IN-525", "Bengaluru Urban", ALIAS, "Karnataka renames of 2014"),
    ("Warangal Urban", "Telangana", "IN-686", "Hanumakonda", ALIAS, "renamed 2021"),
    ("Nowgong", "Assam", "IN-297", "Nagaon", ALIAS, "old English spelling"),
    ("Leh Ladakh", "Ladakh", "IN-9", "Leh", ALIAS, "the LGD 2021 name"),
]


@pytest.mark.parametrize(("district", "state", "code", "name", "resolution", "why"), RENAMED,
                         ids=ids(RENAMED))  # fmt: skip
def test_renamed_districts_resolve_to_current_name(
    gazetteer: Gazetteer,
    district: str,
    state: str,
    code: str,
    name: str,
    resolution: Resolution,
    why: str,
) -> None:
    match = gazetteer.resolve(district, state)
    assert match.district is not None
    assert (match.district.code, match.district.name) == (code, name)
    assert match.resolution is resolution
    assert match.confidence == 1.0
    assert match.state == match.district.state
    assert match.alternatives == ()


# ---------------------------------------------------------------------------------------
# Same-named districts: the state chooses; without one, the result says it is ambiguous.

SAME_NAMED = [
    # (district, {state text: code}, description)
    ("Aurangabad", {"Bihar": "IN-189", "Maharashtra": "IN-469"}, "Aurangabad (renamed in MH)"),
    ("Bilaspur", {"HP": "IN-15", "Chhattisgarh": "IN-375"}, "Bilaspur"),
    ("Hamirpur", {"H.P.": "IN-17", "U.P.": "IN-149"}, "Hamirpur"),
    ("Pratapgarh", {"Rajasthan": "IN-629", "UP": "IN-174"}, "Pratapgarh"),
    ("Balrampur", {"CG": "IN-649", "Uttar Pradesh": "IN-127"}, "Balrampur"),
    ("Bijapur", {"Chhattisgarh": "IN-636", "Karnataka": "IN-530"}, "Bijapur, old name in KA"),
    ("Raigarh", {"Chhattisgarh": "IN-386", "Maharashtra": "IN-491"}, "Raigarh, Census 2011 MH"),
    ("Lakhimpur", {"Assam": "IN-295", "UP": "IN-159"}, "Lakhimpur, short for Lakhimpur Kheri"),
    ("East", {"Delhi": "IN-78", "Sikkim": "IN-225"}, "East (Delhi) and East District"),
]


@pytest.mark.parametrize(("district", "by_state", "why"), SAME_NAMED, ids=ids(SAME_NAMED))
def test_same_named_districts_are_chosen_by_state(
    gazetteer: Gazetteer, district: str, by_state: dict[str, str], why: str
) -> None:
    for state, code in by_state.items():
        match = gazetteer.resolve(district, state)
        assert match.district is not None and match.district.code == code, state
        assert match.confidence == 1.0
        assert match.resolution in (EXACT, ALIAS)


@pytest.mark.parametrize(("district", "by_state", "why"), SAME_NAMED, ids=ids(SAME_NAMED))
def test_same_named_districts_without_state_are_ambiguous(
    gazetteer: Gazetteer, district: str, by_state: dict[str, str], why: str
) -> None:
    match = gazetteer.resolve(district)
    assert match.resolution is AMBIGUOUS
    assert match.district is None
    assert match.confidence == 0.0
    assert {d.code for d in match.alternatives} == set(by_state.values())


def test_same_named_districts_in_one_state_keep_the_state(gazetteer: Gazetteer) -> None:
    match = gazetteer.resolve("24 Parganas")
    assert match.resolution is AMBIGUOUS
    assert {d.code for d in match.alternatives} == {"IN-303", "IN-304"}
    assert match.state is not None and match.state.code == "IN-19"


# ---------------------------------------------------------------------------------------
# States as names, abbreviations, old names and codes.

STATES = [
    # (text, code or None, description)
    ("U.P.", "IN-9", "dotted abbreviation"),
    ("UP", "IN-9", "abbreviation"),
    ("up", "IN-9", "lower-case abbreviation"),
    ("Uttar Pradesh", "IN-9", "name"),
    ("UTTAR PRADESH", "IN-9", "upper case"),
    ("Uttar Pardesh", "IN-9", "common misspelling"),
    ("उत्तर प्रदेश", "IN-9", "Devanagari"),
    ("09", "IN-9", "LGD/Census 2011 state code"),
    ("IN-UP", "IN-9", "ISO 3166-2 code"),
    ("IN-9", "IN-9", "the gazetteer's own code"),
    ("W.B.", "IN-19", "West Bengal abbreviation"),
    ("West Bengal", "IN-19", "name"),
    ("पश्चिम बंगाल", "IN-19", "Devanagari West Bengal"),
    ("Orissa", "IN-21", "old name of Odisha"),
    ("Odisha", "IN-21", "current name"),
    ("Uttaranchal", "IN-5", "old name of Uttarakhand"),
    ("J&K", "IN-1", "J&K"),
    ("J & K", "IN-1", "J & K with spaces"),
    ("HP", "IN-2", "Himachal Pradesh"),
    ("H.P.", "IN-2", "dotted HP"),
    ("MP", "IN-23", "Madhya Pradesh"),
    ("TN", "IN-33", "Tamil Nadu"),
    ("Tamilnadu", "IN-33", "one word"),
    ("AP", "IN-28", "Andhra Pradesh"),
    ("Pondicherry", "IN-34", "old name of Puducherry"),
    ("NCT of Delhi", "IN-7", "official short title"),
    ("Maharastra", "IN-27", "misspelling, fuzzy"),
    ("Jharkand", "IN-20", "misspelling, fuzzy"),
    ("Bihar State", "IN-10", "'state' noise"),
    ("Dadra and Nagar Haveli", "IN-38", "UT merged in 2020"),
    ("Koshi", "NP-P1", "Nepal province short name"),
    ("Province No. 1", "NP-P1", "Nepal province's former name"),
    ("कोशी प्रदेश", "NP-P1", "Nepali name"),
    ("Far Western", "NP-P7", "English name of Sudurpashchim"),
    ("Chittagong Division", "BD-1", "old spelling of Chattogram division"),
    ("Barisal", "BD-4", "old spelling of Barishal division"),
    ("ঢাকা", "BD-6", "Bengali"),
    ("", None, "empty"),
    ("xyz", None, "not a state"),
    ("Atlantis", None, "not a state"),
]


@pytest.mark.parametrize(("text", "code", "why"), STATES, ids=ids(STATES))
def test_resolve_state(gazetteer: Gazetteer, text: str, code: str | None, why: str) -> None:
    state = gazetteer.resolve_state(text)
    assert (state.code if state else None) == code


# ---------------------------------------------------------------------------------------
# Noise around the name, spellings and abbreviations of district names.

SPELLINGS = [
    # (district, state, code, resolution, description)
    ("Distt. Gaya", "", "IN-196", EXACT, "Distt. prefix"),
    ("Gaya district", "", "IN-196", EXACT, "district suffix"),
    ("Zila Gaya", "", "IN-196", EXACT, "Zila prefix"),
    ("Dist: Patna", "", "IN-212", EXACT, "Dist: prefix"),
    ("Janpad Mathura", "", "IN-167", EXACT, "UP 'janpad'"),
    ("Gaya (Bihar)", "", "IN-196", EXACT, "state in brackets"),
    ("GAYA, BIHAR", "", "IN-196", EXACT, "state after a comma"),
    ("Gaya, Bihar, India", "", "IN-196", EXACT, "state and country"),
    ("Aurangabad (Bihar)", "", "IN-189", EXACT, "the state in the text chooses"),
    ("Bilaspur HP", "", "IN-15", EXACT, "state abbreviation after the name"),
    ("24 Parganas (N)", "WB", "IN-303", EXACT, "24 Parganas (N)"),
    ("North 24 Parganas", "", "IN-303", EXACT, "usual name"),
    ("24 Pgs North", "", "IN-303", EXACT, "24 Pgs North"),
    ("N. 24 Pgs", "", "IN-303", EXACT, "N. 24 Pgs"),
    ("24 PARAGANAS NORTH", "", "IN-303", EXACT, "LGD 2021: same words as the name"),
    ("North Twenty Four Parganas", "", "IN-303", EXACT, "Census 2011 spelling"),
    ("24 PGS (S)", "", "IN-304", EXACT, "south, abbreviated"),
    ("Dinajpur Uttar", "", "IN-311", EXACT, "LGD word order"),
    ("North Dinajpur", "", "IN-311", EXACT, "English direction word"),
    ("West Midnapore", "", "IN-318", EXACT, "old spelling with English direction"),
    ("East Champaran", "", "IN-213", EXACT, "English form of Purbi Champaran"),
    ("Lahaul & Spiti", "HP", "IN-21", EXACT, "ampersand"),
    ("Cooch Behar", "", "IN-308", EXACT, "two words"),
    ("Coochbehar", "", "IN-308", EXACT, "LGD 2021 writes one word"),
    ("Kamrup Metropolitan", "Assam", "IN-618", EXACT, "metropolitan/metro"),
    ("Uttarkashi", "", "IN-57", EXACT, "joined words"),
    ("Mohali", "Punjab", "IN-608", ALIAS, "colloquial name of S.A.S Nagar"),
    ("Kutch", "Gujarat", "IN-449", ALIAS, "common English spelling"),
    ("Mujaffarpur", "", "IN-208", FUZZY, "j for z"),
    ("Muzzafarpur", "Bihar", "IN-208", FUZZY, "doubled z"),
    ("Darbanga", "", "IN-195", FUZZY, "dropped h"),
    ("Bulandshahar", "UP", "IN-134", FUZZY, "extra vowel"),
    ("Chikballapur", "Karnataka", "IN-630", FUZZY, "short spelling"),
    ("Begusaray", "", "IN-191", FUZZY, "y for i"),
    ("Vishakhapatnam", "", "IN-520", FUZZY, "sh for s"),
    ("Sitamadhi", "Bihar", "IN-221", FUZZY, "misspelling found within the state"),
    ("Sitamadhi, Bihar", "", "IN-221", FUZZY, "misspelling, the state in the text"),
    ("Kathmandoo", "", "NP-306", FUZZY, "oo for u, Nepal"),
    ("गया", "", "IN-196", FUZZY, "Devanagari, romanized"),
    ("जिला गया", "", "IN-196", FUZZY, "Devanagari with 'zila'"),
    ("मुजफ्फरपुर", "", "IN-208", FUZZY, "Devanagari Muzaffarpur"),
    ("दरभंगा", "बिहार", "IN-195", FUZZY, "Devanagari district and state"),
    ("মুর্শিদাবাদ", "", "IN-319", FUZZY, "Bengali script, West Bengal"),
]


@pytest.mark.parametrize(("district", "state", "code", "resolution", "why"), SPELLINGS,
                         ids=ids(SPELLINGS))  # fmt: skip
def test_spellings_noise_and_scripts(
    gazetteer: Gazetteer,
    district: str,
    state: str,
    code: str,
    resolution: Resolution,
    why: str,
) -> None:
    match = gazetteer.resolve(district, state)
    assert match.district is not None and match.district.code == code
    assert match.resolution is resolution
    if resolution is FUZZY:
        assert 0.5 < match.confidence < 1.0
    else:
        assert match.confidence == 1.0
    assert match.text == fold_text(district)


def test_town_alias_has_lower_confidence(gazetteer: Gazetteer) -> None:
    town = gazetteer.resolve("Motihari")
    assert town.district == gazetteer.district("IN-213")
    assert town.resolution is ALIAS
    assert town.confidence < gazetteer.resolve("East Champaran").confidence


TOWNS = [
    ("Chhapra", "IN-218", "a district HQ town (Saran)"),
    ("Secunderabad", "IN-507", "Hyderabad's twin city"),
    ("Dehri", "IN-215", "Dehri-on-Sone, not Tehri Garhwal"),
    ("Bhiwandi", "IN-497", "a town of Thane, not Bhiwani in Haryana"),
    ("Siliguri", "IN-309", "the Darjeeling side of Siliguri"),
    ("Asansol", "IN-704", "Paschim Bardhaman"),
    ("Birgunj", "NP-208", "a Nepal border town (Parsa)"),
]


@pytest.mark.parametrize(("town", "code"), [t[:2] for t in TOWNS], ids=[t[2] for t in TOWNS])
def test_towns_children_name_are_their_districts(
    gazetteer: Gazetteer, town: str, code: str
) -> None:
    """A rescued child names the town, the report the district: both are one place."""
    match = gazetteer.resolve(town)
    assert match.district == gazetteer.district(code)
    assert match.resolution is ALIAS


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Azamgadh", "Azamgarh"),
        ("Sitamadhi", "Sitamarhi"),
        ("Tikamgadh", "Tikamgarh"),
        ("Madubani", "Madhubani"),  # the plain skeleton still forgives a dropped h
        ("Jonpur", "Jaunpur"),  # "au" said "o"
        ("Khagadiya", "Khagaria"),  # "d" for ड़ without the h
        ("Pakud", "Pakur"),
    ],
)
def test_spellings_by_ear(gazetteer: Gazetteer, text: str, name: str) -> None:
    """ड़ is written "dh" as often as "rh" or "r": Azamgadh is Azamgarh; Jonpur is Jaunpur."""
    match = gazetteer.resolve(text)
    assert match.district is not None and match.district.name == name


ADDRESSES = [
    ("Vill- Rampur, PS- Kotwali, Dist- Gaya, Bihar", "", "IN-196", "a whole address"),
    ("Rampur, Gaya", "", "IN-196", "village, district"),
    ("Sonpur, Saran, Bihar", "", "IN-218", "village, district, state"),
    ("Rampur, Aurangabad, Bihar", "", "IN-189", "the state part chooses the Aurangabad"),
    ("Vill Rampur, Dist Muzzafarpur", "", "IN-208", "a part marked as the district, misspelt"),
    ("Gaya Bihar 823001", "", "IN-196", "a postal code"),
    ("Rampur, Pratapgarh", "", None, "Pratapgarh is in two states: not Rampur"),
    ("Sonpur, Rampur, Bihar", "", None, "Rampur is a district of another state"),
    ("Ward 4, Rampur Khas", "", None, "no part names a district"),
    ("ग्राम रामपुर, जिला गया", "", "IN-196", "Devanagari, the part marked जिला"),
]


@pytest.mark.parametrize(
    ("text", "state", "code"), [a[:3] for a in ADDRESSES], ids=[a[3] for a in ADDRESSES]
)
def test_an_address_in_the_district_field_names_its_district(
    gazetteer: Gazetteer, text: str, state: str, code: str | None
) -> None:
    match = gazetteer.resolve(text, state)
    assert match.district == (gazetteer.district(code) if code else None)


# ---------------------------------------------------------------------------------------
# Across borders: same names and near-misses in India, Nepal and Bangladesh.

CROSS_BORDER = [
    # (district, state, chosen code or None, alternatives, resolution, description)
    ("Bhojpur", "", "IN-193", {"NP-106"}, AMBIGUOUS, "India preferred, Nepal named"),
    ("Bhojpur", "Bihar", "IN-193", set(), EXACT, "Bihar chooses India"),
    ("Bhojpur", "Koshi", "NP-106", set(), EXACT, "Koshi chooses Nepal"),
    ("Bhojpur", "Nepal", "NP-106", set(), EXACT, "a country as the state"),
    ("भोजपुर", "", "IN-193", {"NP-106"}, AMBIGUOUS, "Nepali name, still both Bhojpurs"),
    ("Gopalganj", "", "IN-197", {"BD-51"}, AMBIGUOUS, "India preferred, Bangladesh named"),
    ("Gopalganj", "Dhaka", "BD-51", set(), EXACT, "Dhaka division chooses Bangladesh"),
    ("Dang", "", "IN-444", {"NP-510"}, AMBIGUOUS, "Dang(s), Gujarat, and Dang, Nepal"),
    ("Dang", "Lumbini", "NP-510", set(), EXACT, "Lumbini chooses Nepal"),
    ("Lalitpur", "", "IN-161", {"NP-308"}, AMBIGUOUS, "Lalitpur UP and Nepal"),
    ("Lalitpur", "Bagmati", "NP-308", set(), EXACT, "Bagmati chooses Nepal"),
    ("Nagaon", "", "IN-297", set(), EXACT, "Nagaon, Assam"),
    ("Naogaon", "", "BD-19", {"IN-297"}, AMBIGUOUS, "Naogaon exact, but Nagaon is near"),
    ("Naogaon", "Assam", None, {"IN-297", "BD-19"}, AMBIGUOUS, "near-miss in the state"),
    ("Kishanganj", "", "IN-203", set(), EXACT, "Kishanganj, Bihar"),
    ("Kishoreganj", "", "BD-45", set(), EXACT, "Kishoreganj, Bangladesh, not merged"),
    ("Chandrapur", "", "IN-473", set(), EXACT, "Chandrapur, Maharashtra"),
    ("Chandpur", "", "BD-6", {"IN-473"}, AMBIGUOUS, "Chandpur exact, Chandrapur near"),
    ("Chandpur", "Maharashtra", None, {"IN-473", "BD-6"}, AMBIGUOUS, "near-miss in state"),
    ("Chandapur", "", None, {"IN-473", "BD-6"}, AMBIGUOUS, "a typo between the two"),
    # Hajipur (Vaishali) is two letters away too.
    (
        "Gazipur",
        "",
        "BD-41",
        {"IN-146", "IN-224"},
        AMBIGUOUS,
        "Gazipur BD, a spelling of Ghazipur UP",
    ),
]


@pytest.mark.parametrize(("district", "state", "code", "alternatives", "resolution", "why"),
                         CROSS_BORDER, ids=ids(CROSS_BORDER))  # fmt: skip
def test_cross_border_names(
    gazetteer: Gazetteer,
    district: str,
    state: str,
    code: str | None,
    alternatives: set[str],
    resolution: Resolution,
    why: str,
) -> None:
    match = gazetteer.resolve(district, state)
    assert (match.district.code if match.district else None) == code
    assert {d.code for d in match.alternatives} == alternatives
    assert match.resolution is resolution
    if resolution is AMBIGUOUS:
        assert match.confidence <= places.PREFERRED_OF_SEVERAL
    else:
        assert match.confidence == 1.0


@pytest.mark.parametrize(
    ("near", "other"),
    [("Naogaon", "Nagaon"), ("Kishoreganj", "Kishanganj"), ("Chandpur", "Chandrapur")],
    ids=["Naogaon/Nagaon", "Kishoreganj/Kishanganj", "Chandpur/Chandrapur"],
)
def test_near_misses_are_never_merged_silently(gazetteer: Gazetteer, near: str, other: str) -> None:
    for state in ("", "Assam", "Bihar", "Maharashtra", "Dhaka", "Rajshahi", "Chattogram"):
        for text, wrong in ((near, other), (other, near)):
            match = gazetteer.resolve(text, state)
            if match.district is not None and match.district.name == wrong:
                assert match.resolution is AMBIGUOUS or match.confidence < 1.0, (text, state)
                assert match.resolution is not FUZZY or match.confidence < 0.9, (text, state)


# ---------------------------------------------------------------------------------------
# Nepal and Bangladesh.

NEPAL_BANGLADESH = [
    # (district, state, code, resolution, description)
    ("Kathmandu", "", "NP-306", EXACT, "Kathmandu"),
    ("काठमाडौँ", "", "NP-306", ALIAS, "Nepali name"),
    ("Kavre", "Bagmati", "NP-309", ALIAS, "short name of Kavrepalanchok"),
    ("Chitawan", "", "NP-313", ALIAS, "spelling of Chitwan"),
    ("Rukum East", "", "NP-501", EXACT, "split district"),
    ("Eastern Rukum", "", "NP-501", EXACT, "English word order"),
    ("Nawalpur", "", "NP-408", ALIAS, "usual name of Nawalparasi East"),
    ("Kailali", "Sudurpashchim", "NP-708", EXACT, "Kailali"),
    ("Chittagong", "", "BD-8", ALIAS, "pre-2018 spelling of Chattogram"),
    ("Chattogram", "", "BD-8", EXACT, "2018 spelling"),
    ("Comilla", "", "BD-1", ALIAS, "pre-2018 spelling of Cumilla"),
    ("Cumilla", "", "BD-1", EXACT, "2018 spelling"),
    ("Barisal", "", "BD-33", ALIAS, "pre-2018 spelling of Barishal"),
    ("Jessore", "", "BD-20", ALIAS, "pre-2018 spelling of Jashore"),
    ("Bogra", "", "BD-14", ALIAS, "pre-2018 spelling of Bogura"),
    ("Coxsbazar", "", "BD-9", EXACT, "the package's spelling, one word"),
    ("Cox's Bazar", "", "BD-9", EXACT, "with apostrophe"),
    ("Sylhet", "Bangladesh", "BD-36", EXACT, "country as the state"),
    ("সিলেট", "", "BD-36", ALIAS, "Bengali name"),
    ("ঢাকা", "", "BD-47", ALIAS, "Bengali name of Dhaka district, not division"),
]


@pytest.mark.parametrize(("district", "state", "code", "resolution", "why"), NEPAL_BANGLADESH,
                         ids=ids(NEPAL_BANGLADESH))  # fmt: skip
def test_nepal_and_bangladesh(
    gazetteer: Gazetteer,
    district: str,
    state: str,
    code: str,
    resolution: Resolution,
    why: str,
) -> None:
    match = gazetteer.resolve(district, state)
    assert match.district is not None and match.district.code == code
    assert match.resolution is resolution
    assert match.confidence == 1.0


def test_undivided_nepal_districts_are_ambiguous(gazetteer: Gazetteer) -> None:
    for name, codes in (("Nawalparasi", {"NP-408", "NP-507"}), ("Rukum", {"NP-501", "NP-608"})):
        match = gazetteer.resolve(name)
        assert match.resolution is AMBIGUOUS
        assert {d.code for d in match.alternatives} == codes


# ---------------------------------------------------------------------------------------
# Districts created after the LGD 2021 export (supplement).

NEW_DISTRICTS = [
    # (district, state, code, resolution, confidence, description)
    ("Anakapalli", "AP", "NEW-AP-ANAKAPALLI", EXACT, 1.0, "AP 2022"),
    ("NTR", "Andhra Pradesh", "NEW-AP-NTR", EXACT, 1.0, "AP 2022, abbreviation as name"),
    ("Konaseema", "", "NEW-AP-KONASEEMA", ALIAS, 1.0, "AP 2022, name at creation"),
    ("Vijayawada", "", "NEW-AP-NTR", ALIAS, 0.9, "HQ town of NTR"),
    ("Balotra", "Rajasthan", "NEW-RJ-BALOTRA", EXACT, 1.0, "Rajasthan 2023, kept"),
    ("Kekri", "Rajasthan", "IN-86", ALIAS, 0.9, "Rajasthan 2023, abolished 2024: Ajmer"),
    ("Maihar", "MP", "NEW-MP-MAIHAR", EXACT, 1.0, "MP 2023"),
    ("Sakti", "CG", "NEW-CG-SAKTI", EXACT, 1.0, "Chhattisgarh 2022"),
    ("Pakyong", "Sikkim", "NEW-SK-PAKYONG", EXACT, 1.0, "Sikkim 2021"),
    ("Chumoukedima", "Nagaland", "NEW-NL-CHUMOUKEDIMA", EXACT, 1.0, "without the umlaut"),
    ("Eastern West Khasi Hills", "", "NEW-ML-EASTERN-WEST-KHASI-HILLS", EXACT, 1.0, "ML 2021"),
    ("Tamulpur", "Assam", "NEW-AS-TAMULPUR", EXACT, 1.0, "Assam 2022"),
    ("Keyi Panyor", "Arunachal", "NEW-AR-KEYI-PANYOR", EXACT, 1.0, "Arunachal 2024"),
    ("Vav-Tharad", "Gujarat", "NEW-GJ-VAV-THARAD", EXACT, 1.0, "Gujarat 2025"),
]


@pytest.mark.parametrize(("district", "state", "code", "resolution", "confidence", "why"),
                         NEW_DISTRICTS, ids=ids(NEW_DISTRICTS))  # fmt: skip
def test_districts_created_after_the_lgd_export(
    gazetteer: Gazetteer,
    district: str,
    state: str,
    code: str,
    resolution: Resolution,
    confidence: float,
    why: str,
) -> None:
    match = gazetteer.resolve(district, state)
    assert match.district is not None and match.district.code == code
    assert match.resolution is resolution
    assert match.confidence == confidence


# ---------------------------------------------------------------------------------------
# What cannot be resolved is left as text; the state is kept when known.

LEFT_AS_TEXT = [
    # (district, state, resolution, state code or None, description)
    ("Xyzabad", "", UNRESOLVED, None, "unknown place"),
    ("Atlantis", "Bihar", UNRESOLVED, "IN-10", "unknown place, known state"),
    ("Rampur Khas Ward 4", "UP", UNRESOLVED, "IN-9", "a village, not a district"),
    ("Bihar", "", UNRESOLVED, "IN-10", "a state written in the district field"),
    ("", "Bihar", EMPTY, "IN-10", "no district"),
    ("Distt.", "", EMPTY, None, "only noise"),
    ("   ", "", EMPTY, None, "white space"),
    ("Imphal Est", "", AMBIGUOUS, "IN-14", "East or West: a typo in the direction word"),
]


@pytest.mark.parametrize(("district", "state", "resolution", "state_code", "why"), LEFT_AS_TEXT,
                         ids=ids(LEFT_AS_TEXT))  # fmt: skip
def test_unresolved_text_is_kept(
    gazetteer: Gazetteer,
    district: str,
    state: str,
    resolution: Resolution,
    state_code: str | None,
    why: str,
) -> None:
    match = gazetteer.resolve(district, state)
    assert match.district is None
    assert match.confidence == 0.0
    assert match.resolution is resolution
    assert (match.state.code if match.state else None) == state_code
    assert match.text == fold_text(district)


def test_state_conflict_lowers_confidence(gazetteer: Gazetteer) -> None:
    """Gaya exists only in Bihar: with state UP it is still Gaya, but doubtful."""
    match = gazetteer.resolve("Gaya", "UP")
    assert match.district is not None and match.district.code == "IN-196"
    assert match.state is not None and match.state.code == "IN-10"
    assert match.confidence == places.STATE_CONFLICT


def test_a_state_in_the_district_text_that_disagrees_with_the_state_field(
    gazetteer: Gazetteer,
) -> None:
    """Two states for one name: say so when they choose different districts."""
    split = gazetteer.resolve("Hamirpur, Uttar Pradesh", "HP")
    assert split.resolution is AMBIGUOUS and split.district is None
    assert {d.code for d in split.alternatives} == {"IN-17", "IN-149"}
    # Patna exists only in Bihar, and the text says Bihar: the state field is the slip.
    vouched = gazetteer.resolve("Patna, Bihar", "UP")
    assert vouched.district == gazetteer.district("IN-212")
    assert vouched.confidence == 1.0


def test_direction_words_never_fuzzy_match_the_sibling(gazetteer: Gazetteer) -> None:
    """A typo in "East X" never resolves to "West X" (and so on), with or without a state."""
    directions = {"north", "south", "east", "west"}
    checked = 0
    for district in gazetteer.districts:
        words = district.name.split()
        longest = max(words, key=len)
        if not directions & {w.lower() for w in words} or longest.lower() in directions:
            continue
        typo = district.name.replace(longest, longest[:2] + longest[3:], 1)
        for state in ("", district.state.name):
            match = gazetteer.resolve(typo, state)
            if match.district is not None:
                assert match.district == district, (typo, state, match.district.name)
        checked += 1
    assert checked >= 25  # the gazetteer has about 30 such names


# ---------------------------------------------------------------------------------------
# Romanization: the lead's romanizer when present, the local fallback otherwise.

TRANSLITERATIONS = [
    ("पटना", "patna", "final schwa dropped"),
    ("गया", "gaya", "long vowel kept as a"),
    ("दरभंगा", "darbhanga", "medial schwa dropped, anusvara"),
    ("मुर्शिदाबाद", "murshidabad", "conjunct with virama"),
    ("गोपालगंज", "gopalganj", "schwa before a nasal cluster"),
    ("चंपारण", "champaran", "anusvara before p is m"),
    ("सीतामढ़ी", "sitamrhi", "nukta letter"),
    ("বর্ধমান", "bardhaman", "Bengali"),
]


@pytest.mark.parametrize(("text", "latin", "why"), TRANSLITERATIONS, ids=ids(TRANSLITERATIONS))
def test_fallback_transliteration(text: str, latin: str, why: str) -> None:
    assert places._transliterate_indic(text) == latin


def test_devanagari_resolves_without_the_lead_romanizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places, "_romanizers", lambda: (places._transliterate_indic,))
    fresh = load_gazetteer.__wrapped__()
    match = fresh.resolve("मुजफ्फरपुर", "बिहार")
    assert match.district is not None and match.district.code == "IN-208"
    assert match.resolution is FUZZY


def test_a_failing_romanizer_does_not_break_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("half-written")

    monkeypatch.setattr(places, "_romanizers", lambda: (broken, places._transliterate_indic))
    fresh = load_gazetteer.__wrapped__()
    assert fresh.resolve("पटना").district == fresh.district("IN-212")


# ---------------------------------------------------------------------------------------
# The data: every LGD district, every name and alias, codes, and the build.


def _lgd_rows() -> list[dict[str, str]]:
    lines = (FIXTURES / "lgd_districts_2021.csv").read_text(encoding="utf-8").split("\n")[2:]
    return list(csv.DictReader(lines))


def test_every_lgd_district_is_in_the_built_data(gazetteer: Gazetteer) -> None:
    rows = _lgd_rows()
    assert len(rows) == 739
    for row in rows:
        district = gazetteer.district(f"IN-{int(row['District Code'])}")
        assert district.state.code == f"IN-{int(row['State Code'])}"
        match = gazetteer.resolve(row["District Name(In English)"], row["State Name (In English)"])
        assert match.district == district, row
        assert match.resolution in (EXACT, ALIAS)
        assert match.confidence == 1.0


def test_every_district_name_resolves_to_itself_in_its_state(gazetteer: Gazetteer) -> None:
    for district in gazetteer.districts:
        match = gazetteer.resolve(district.name, district.state.name)
        assert match.district == district, district
        assert match.resolution is EXACT
        assert match.confidence == 1.0


def test_every_alias_resolves_to_its_target_in_its_state(gazetteer: Gazetteer) -> None:
    with (PACKAGE_DATA / "gazetteer_aliases.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["scope"] == "state":
            assert gazetteer.resolve_state(row["alias"]) == gazetteer.resolve_state(row["target"])
            continue
        target = gazetteer.district(row["target"])
        match = gazetteer.resolve(row["alias"], target.state.name)
        # An alias shared by two districts of one state (Imphal, Champaran) is ambiguous.
        assert match.district == target or target in match.alternatives, row


def test_district_counts_follow_the_sources(gazetteer: Gazetteer) -> None:
    with (FIXTURES / "supplement.csv").open(encoding="utf-8") as f:
        new = [row for row in csv.DictReader(f) if row["kind"] == "district"]
    by_country = {
        c: [d for d in gazetteer.districts if d.state.country == c] for c in ("IN", "NP", "BD")
    }
    assert len(by_country["IN"]) == 739 + len(new)
    assert len(by_country["NP"]) == 77
    assert len(by_country["BD"]) == 64
    assert len({d.code for d in gazetteer.districts}) == len(gazetteer.districts)
    assert len({s.code for s in gazetteer.states}) == 36 + 7 + 8


def test_new_district_codes_are_synthetic_and_every_supplement_row_has_a_note() -> None:
    with (FIXTURES / "supplement.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert row["note"].strip(), row
        if row["kind"] == "district":
            assert re.fullmatch(r"NEW-[A-Z]{2}(-[A-Z0-9]+)+", row["code"]), row
            assert not re.search(r"\d", row["code"]), "never an official-looking number"


def test_district_lookup_by_code(gazetteer: Gazetteer) -> None:
    assert gazetteer.district("IN-62").name == "Gurugram"
    assert gazetteer.district("IN-62").state.name == "Haryana"
    with pytest.raises(KeyError):
        gazetteer.district("IN-999999")


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_committed_data_is_what_the_build_script_produces(tmp_path: Path) -> None:
    _build_module().build(FIXTURES, tmp_path)
    for name in BUILT_FILES:
        assert (tmp_path / name).read_bytes() == (PACKAGE_DATA / name).read_bytes(), name


def test_build_rejects_a_supplement_alias_to_an_unknown_district(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for path in FIXTURES.glob("*.csv"):
        (source / path.name).write_bytes(path.read_bytes())
    with (source / "supplement.csv").open("a", encoding="utf-8") as f:
        f.write("alias,IN-999999,,Nowhere,variant,test row\n")
    module = _build_module()
    with pytest.raises(module.BuildError, match="IN-999999"):
        module.build(source, tmp_path / "out")


# ---------------------------------------------------------------------------------------
# Properties.

NAMES = sorted({d.name for d in load_gazetteer().districts})
SCRIPT_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0x900, max_codepoint=0x9FF),
        st.characters(),
    ),
    max_size=40,
)
PLACE_TEXT = st.one_of(
    SCRIPT_TEXT,
    st.sampled_from(NAMES),
    st.builds(lambda n, i, c: n[:i] + c + n[i + 1 :], st.sampled_from(NAMES), st.integers(0, 12),
              st.sampled_from("aeiouhyz -.")),
)  # fmt: skip


def _check_invariants(match: PlaceMatch, district: str) -> None:
    assert 0.0 <= match.confidence <= 1.0
    assert match.text == fold_text(district)
    if match.resolution in (UNRESOLVED, EMPTY):
        assert match.district is None and match.alternatives == ()
    if match.resolution in (EXACT, ALIAS, FUZZY):
        assert match.district is not None and match.alternatives == ()
    if match.resolution is AMBIGUOUS:
        assert match.alternatives and match.district not in match.alternatives
    if match.district is None:
        assert match.confidence == 0.0
    else:
        assert match.state == match.district.state
        assert isinstance(match.district, District)


@settings(max_examples=300, deadline=None)
@given(
    district=PLACE_TEXT,
    state=st.one_of(st.just(""), SCRIPT_TEXT, st.sampled_from(["UP", "Bihar", "Nepal", "Dhaka"])),
)
def test_resolve_never_raises_and_keeps_its_invariants(district: str, state: str) -> None:
    gazetteer = load_gazetteer()
    match = gazetteer.resolve(district, state)
    _check_invariants(match, district)
    assert gazetteer.resolve(district, state) == match


@settings(max_examples=300, deadline=None)
@given(SCRIPT_TEXT)
def test_normalize_place_text_is_idempotent(text: str) -> None:
    once = normalize_place_text(text)
    assert normalize_place_text(once) == once
    assert once == once.strip() and "  " not in once


@settings(max_examples=200, deadline=None)
@given(SCRIPT_TEXT)
def test_resolve_state_never_raises(text: str) -> None:
    load_gazetteer().resolve_state(text)
