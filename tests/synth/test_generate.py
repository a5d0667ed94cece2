"""Tests of the synthetic data generator: format, determinism, population shape, noise."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from matcher.records import RecordKind, fields_of
from matcher.synth import SynthConfig, SynthData, generate, write_dataset
from matcher.synth.spelling import native_typo, respell, rule_variants, typo
from matcher.synth.tables import COMMUNITIES, SCRIPTS, load_tables

MISSING = list(fields_of(RecordKind.MISSING))
FOUND = list(fields_of(RecordKind.FOUND))


@pytest.fixture(scope="module")
def data() -> SynthData:
    return generate(6000, 1500, seed=11)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- format ---------------------------------------------------------------------


def test_columns_are_the_spec_fields_in_order(data: SynthData) -> None:
    assert list(data.missing.columns) == MISSING
    assert list(data.found.columns) == FOUND
    assert len(data.missing) == 6000
    assert len(data.found) == 1500
    assert all(isinstance(v, str) for v in data.found.to_numpy().ravel())


def test_ids_unique_and_truth_refers_to_existing_records(data: SynthData) -> None:
    assert data.missing["id"].is_unique
    assert data.found["id"].is_unique
    missing_ids, found_ids = set(data.missing["id"]), set(data.found["id"])
    assert data.truth == sorted(set(data.truth))
    assert all(f in found_ids and m in missing_ids for f, m in data.truth)


def test_written_files_match_the_generated_data(tmp_path: Path) -> None:
    paths = write_dataset(tmp_path, 300, 60, seed=5)
    assert set(paths) == {"missing", "found", "truth", "meta"}
    missing = pd.read_csv(paths["missing"], dtype=str, keep_default_na=False)
    found = pd.read_csv(paths["found"], dtype=str, keep_default_na=False)
    truth = pd.read_csv(paths["truth"], dtype=str)
    again = generate(300, 60, seed=5)
    assert missing.equals(again.missing.astype(str))
    assert found.equals(again.found.astype(str))
    assert list(truth.columns) == ["found_id", "missing_id"]
    assert list(zip(truth["found_id"], truth["missing_id"], strict=True)) == again.truth
    meta = json.loads(paths["meta"].read_text())
    assert (meta["seed"], meta["n_missing"], meta["n_found"]) == (5, 300, 60)
    assert meta["n_true_pairs"] == len(again.truth)
    with paths["missing"].open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == MISSING


# --- determinism ----------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = write_dataset(tmp_path / "a", 400, 80, seed=3)
    b = write_dataset(tmp_path / "b", 400, 80, seed=3)
    c = write_dataset(tmp_path / "c", 400, 80, seed=4)
    for name in ("missing", "found", "truth", "meta"):
        assert a[name].read_bytes() == b[name].read_bytes()
    assert a["missing"].read_bytes() != c["missing"].read_bytes()


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from matcher.synth import write_dataset; "
        "write_dataset(Path(sys.argv[1]), 300, 60, seed=9)"
    )
    for hash_seed, out in (("1", "x"), ("2", "y")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / out)], check=True, env=env)
    for name in ("missing.csv", "found.csv", "truth.csv"):
        assert (tmp_path / "x" / name).read_bytes() == (tmp_path / "y" / name).read_bytes()


def test_generator_does_not_import_the_normalizers() -> None:
    script = (
        "import sys; from matcher.synth import generate; generate(50, 10, 1); "
        "print(sorted(m for m in sys.modules if m.startswith('matcher.normalize')))"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


# --- population shape -----------------------------------------------------------


def test_shares_of_never_reported_and_second_reports(data: SynthData) -> None:
    by_found = Counter(f for f, _ in data.truth)
    never_share = 1 - len(by_found) / len(data.found)
    assert 0.37 <= never_share <= 0.43
    # Children reported twice show up as found children with two true pairs.
    twice = sum(1 for n in by_found.values() if n == 2)
    assert 0.02 <= twice / len(by_found) <= 0.09
    assert max(by_found.values()) == 2


def test_sibling_groups_share_family_fields(data: SynthData) -> None:
    # Siblings reported together: same phone and father, different given names.
    groups: dict[tuple[str, str], set[str]] = {}
    m = data.missing
    for name, father_name, phones in zip(
        m["name"], m["father_name"], m["guardian_phone"], strict=True
    ):
        phone = digits(phones)[-10:]
        if len(phone) == 10 and father_name:
            father = father_name.lower().split(" ")[-1]
            groups.setdefault((phone, father), set()).add(name.lower())
    with_siblings = [g for g in groups.values() if len(g) >= 2]
    assert len(with_siblings) >= 50


def test_common_names_recur_across_children(data: SynthData) -> None:
    first = Counter(n.split(" ")[0].lower() for n in data.missing["name"] if n)
    top = [name for name, _ in first.most_common(10)]
    assert first.most_common(1)[0][1] >= 60
    assert {"pooja", "rahul", "mohammad", "priya", "raju", "sonu"} & set(top)


def test_more_found_than_reported_children() -> None:
    d = generate(10, 40, seed=2)
    assert len(d.found) == 40
    assert len({f for f, _ in d.truth}) <= 10


@pytest.mark.parametrize(
    ("n_missing", "n_found"),
    [
        pytest.param(0, 0, id="nothing"),
        pytest.param(25, 0, id="no-found"),
        pytest.param(0, 25, id="no-missing-all-never-reported"),
        pytest.param(1, 1, id="one-each"),
    ],
)
def test_edge_sizes(n_missing: int, n_found: int) -> None:
    d = generate(n_missing, n_found, seed=1)
    assert (len(d.missing), len(d.found)) == (n_missing, n_found)
    assert list(d.missing.columns) == MISSING
    if n_missing == 0 or n_found == 0:
        assert d.truth == []


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"found_typo": 1.5}, id="rate-above-one"),
        pytest.param({"never_reported_share": -0.1}, id="negative-share"),
        pytest.param({"found_age_sd_years": -1.0}, id="negative-sd"),
        pytest.param({"export_date": "2020-01-01"}, id="export-before-last-missing"),
        pytest.param({"first_missing_date": "2016-13-01"}, id="bad-date"),
    ],
)
def test_config_refuses_impossible_values(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SynthConfig(**changes)  # type: ignore[arg-type]


def test_negative_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate(-1, 5, seed=1)


def test_row_order_says_nothing_about_pairs(data: SynthData) -> None:
    missing_pos = {m: i for i, m in enumerate(data.missing["id"])}
    found_pos = {f: i for i, f in enumerate(data.found["id"])}
    pairs = pd.DataFrame(
        [(found_pos[f], missing_pos[m]) for f, m in data.truth], columns=["f", "m"]
    )
    # Positions are ranks already, so Pearson on them is Spearman.
    assert abs(pairs["f"].corr(pairs["m"])) < 0.1


# --- noise ----------------------------------------------------------------------


def test_found_records_are_written_like_a_child_told_them(data: SynthData) -> None:
    found = data.found
    names = [n for n in found["name"] if n]
    native = [n for n in names if not n.isascii()]
    single = [n for n in names if len(n.split()) == 1]
    assert 0.03 <= len(native) / len(names) <= 0.2
    assert len(single) / len(names) >= 0.5
    assert (found["mother_name"] == "").mean() >= 0.55
    assert (found["guardian_phone"] != "").mean() <= 0.15
    assert found["age"].str.contains("-").mean() >= 0.05
    assert found["age"].str.contains("about|approx|around|abt").mean() >= 0.1
    assert (found["district"] == "").mean() >= 0.2


def test_missing_records_are_written_like_a_register(data: SynthData) -> None:
    missing = data.missing
    phones = missing["guardian_phone"]
    assert phones.str.startswith("+91").mean() >= 0.1
    assert phones.str.match(r"^0\d{10}").mean() >= 0.05
    assert phones.str.contains(" ").mean() >= 0.1
    assert missing["father_name"].str.contains("Late|Shri|S/o|D/o|Sh\\.", case=False).mean() > 0.03
    assert (missing["birth_date"] != "").mean() >= 0.15
    dates = missing["missing_date"]
    assert dates.str.match(r"^\d{4}-\d\d-\d\d$").mean() >= 0.2
    assert dates.str.match(r"^\d\d/\d\d/\d{4}$").mean() >= 0.1
    assert dates.str.contains("[A-Za-z]").mean() >= 0.05


def test_renamed_districts_appear_under_both_names() -> None:
    d = generate(20000, 2000, seed=4)
    districts = set(d.missing["district"].str.lower()) | set(d.found["district"].str.lower())
    for old, new in (("gurgaon", "gurugram"), ("allahabad", "prayagraj"), ("calcutta", "kolkata")):
        assert old in districts
        assert new in districts


def _given_in(found_name: str, missing_name: str) -> bool:
    tokens = missing_name.lower().split()
    return bool(found_name) and found_name.lower().split()[0] in tokens


def test_scaled_config_controls_difficulty() -> None:
    """With every corruption rate at zero, found names are the report's names; by default not."""

    def share_given_found(d: SynthData) -> float:
        names_m = dict(zip(d.missing["id"], d.missing["name"], strict=True))
        names_f = dict(zip(d.found["id"], d.found["name"], strict=True))
        hits = [_given_in(names_f[f], names_m[m]) for f, m in d.truth]
        return sum(hits) / len(hits)

    easy = generate(3000, 600, seed=8, config=SynthConfig().scaled(0.0))
    hard = generate(3000, 600, seed=8)
    assert share_given_found(easy) >= 0.9
    assert share_given_found(hard) <= 0.6
    assert SynthConfig().scaled(0.0).never_reported_share == 0.40
    assert SynthConfig().scaled(10.0).found_typo == 1.0
    assert SynthConfig().scaled(1.0) == SynthConfig()
    assert SynthConfig().scaled(2.0).found_age_sd_years == 3.0


# --- tables ---------------------------------------------------------------------

_BLOCKS = {
    "Deva": (0x900, 0x97F),
    "Beng": (0x980, 0x9FF),
    "Taml": (0xB80, 0xBFF),
    "Guru": (0xA00, 0xA7F),
}


def test_tables_are_complete_and_consistent() -> None:
    t = load_tables()
    for community in COMMUNITIES:
        for sex in ("m", "f"):
            assert len(t.given[(community, sex, "child")]) >= 10
            assert len(t.given[(community, sex, "adult")]) >= 10
    assert {s.script for s in t.states} <= {*SCRIPTS, "Latn"}
    assert all(t.districts_by_state.get(i) for i in range(len(t.states)))
    assert sum(len(d.aliases) > 0 for d in t.districts) >= 100
    for name, variants in t.variants.items():
        assert name not in variants
    assert len({name for (_, name) in t.native}) >= 300


def test_native_forms_are_in_their_script() -> None:
    for (script, name), forms in load_tables().native.items():
        for form in forms:
            assert form == unicodedata.normalize("NFC", form), name
            letters = [ch for ch in form if ch not in " ."]
            if script in _BLOCKS:
                low, high = _BLOCKS[script]
                assert all(low <= ord(ch) <= high for ch in letters), (name, form)
            else:
                assert all(unicodedata.bidirectional(ch) in ("AL", "NSM") for ch in letters), name


# --- spelling noise ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        pytest.param("Preeti", "Priti", id="ee-to-i"),
        pytest.param("Pooja", "Puja", id="oo-to-u"),
        pytest.param("Laxmi", "Lakshmi", id="x-to-ksh"),
        pytest.param("Vikas", "Bikas", id="v-to-b-bengali"),
        pytest.param("Shabnam", "Sabnam", id="sh-to-s"),
        pytest.param("Pappu", "Papu", id="double-to-single"),
        pytest.param("Santhosh", "Santosh", id="th-to-t"),
        pytest.param("Sanjay", "Sanjai", id="ay-to-ai"),
    ],
)
def test_rule_variants_include_known_respellings(word: str, expected: str) -> None:
    assert expected in rule_variants(word)


def test_respell_prefers_table_variants() -> None:
    rnd = random.Random(0)
    seen = {respell("Mohammad", rnd, load_tables()) for _ in range(200)}
    assert {"Md", "Mohd", "Mohammed"} <= seen


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.integers(0, 2**32))
def test_typo_is_one_slip_and_never_raises(text: str, seed: int) -> None:
    out = typo(text, random.Random(seed))
    assert Levenshtein.distance(text, out) <= 2
    if out != text:
        assert out[:1] == text[:1]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.integers(0, 2**32))
def test_native_typo_changes_at_most_one_sign(text: str, seed: int) -> None:
    out = native_typo(text, random.Random(seed))
    assert Levenshtein.distance(text, out) <= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_rule_variants_never_return_the_word(word: str) -> None:
    variants = rule_variants(word)
    assert word not in variants
    assert all(v.isascii() and len(v) >= 2 for v in variants)
