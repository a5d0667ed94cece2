"""Splink 4 (DuckDB backend) as the peer system in the side-by-side benchmark.

Configured the way Splink's documentation recommends and a competent user
would for these columns, with **no** South Asia specific rules: generic
cleaning only (see ``benchmarks/_generic.py``), out-of-the-box comparisons
with term-frequency adjustments, u from random sampling, the prior from
deterministic rules with an assumed recall, and m by expectation
maximisation over three different training blocking rules.

It is a ``link_only`` job between the found and the missing table; the output
is a link file in the exchange format (``found_id, missing_id, score,
decision``) with the same thresholds as matcher's defaults.

Usage::

    python -m benchmarks.peer_splink link --missing M --found F --out links.csv
    python -m benchmarks.peer_splink blocking-report --missing M --found F --truth T
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb
import pandas as pd
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import cumulative_comparisons_to_be_scored_from_blocking_rules_data

from benchmarks._generic import (
    approx_birth_year,
    clean_text,
    first_phone_digits,
    first_token,
    last_token_if_several,
    parse_sex,
)
from matcher.decide import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_THRESHOLD

log = logging.getLogger("peer_splink")

FOUND = "found"
MISSING = "missing"

#: Columns Splink sees, after generic cleaning.
MODEL_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "first_name",
    "last_name",
    "full_name",
    "father_name",
    "father_first_name",
    "mother_name",
    "birth_year",
    "sex",
    "district",
    "state",
    "phone",
)


@dataclass(frozen=True, slots=True)
class SplinkOptions:
    """Knobs of the peer run; defaults are the benchmark's settings.

    ``match_threshold`` / ``review_threshold`` equal matcher's defaults so the
    comparison is fair. ``prior_recall`` is the recall assumed for the
    deterministic rules that estimate the prior, from profiling the data
    without labels: a phone is present on only a few found records, the
    district on about two thirds, and estimated ages put the birth year in the
    same calendar year for a minority of true pairs; so the rules (same phone;
    same full name, birth year and district) are assumed to catch about one
    true pair in five.
    """

    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD
    u_max_pairs: float = 5e6
    prior_recall: float = 0.2
    seed: int = 11
    max_comparisons: int = 200_000_000


def read_records(path: Path) -> pd.DataFrame:
    """An exchange-format CSV as text columns, empty cells as ``""``."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def prepare(records: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Generic cleaning into the columns Splink compares; empty values become nulls.

    ``birth_year`` is the year of ``birth_date`` if it parses, else the year of
    the report date (``missing_date`` / ``found_date``) minus the age, so a
    difference of birth years is a difference of ages after the elapsed time.
    """

    def col(name: str) -> pd.Series:
        if name in records.columns:
            return records[name].astype(str)
        return pd.Series([""] * len(records), index=records.index, dtype=str)

    reference = col("missing_date" if kind == MISSING else "found_date")
    name = col("name").map(clean_text)
    father = col("father_name").map(clean_text)
    years = [
        approx_birth_year(born, age, ref)
        for born, age, ref in zip(col("birth_date"), col("age"), reference, strict=True)
    ]
    out = pd.DataFrame(
        {
            "unique_id": col("id"),
            "first_name": name.map(first_token),
            "last_name": name.map(last_token_if_several),
            "full_name": name,
            "father_name": father,
            "father_first_name": father.map(first_token),
            "mother_name": col("mother_name").map(clean_text),
            "birth_year": pd.array(
                [None if y is None else int(y // 1) for y in years], dtype="Int64"
            ),
            "sex": col("sex").map(parse_sex),
            "district": col("district").map(clean_text),
            "state": col("state").map(clean_text),
            "phone": col("guardian_phone").map(first_phone_digits),
        }
    )
    text_columns = [c for c in MODEL_COLUMNS if c not in ("unique_id", "birth_year")]
    out[text_columns] = out[text_columns].replace("", None)
    return out


def birth_year_comparison() -> cl.CustomComparison:
    """Approximate birth year: exact, within 1, 2 and 3 years, else.

    Ages of found children are estimates, so the within-n levels carry most
    true pairs; EM learns how much each level is worth.
    """
    return cl.CustomComparison(
        output_column_name="birth_year",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1),
            cll.AbsoluteDifferenceLevel("birth_year", 2),
            cll.AbsoluteDifferenceLevel("birth_year", 3),
            cll.ElseLevel(),
        ],
        comparison_description="Approximate birth year",
    )


def comparisons() -> list[Any]:
    """The comparisons: Splink's out-of-the-box name comparison with tf, exact for the rest."""
    return [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("father_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("mother_name").configure(term_frequency_adjustments=True),
        birth_year_comparison(),
        cl.ExactMatch("sex"),
        cl.ExactMatch("district").configure(term_frequency_adjustments=True),
        cl.ExactMatch("state"),
        cl.ExactMatch("phone"),
    ]


def prediction_rules() -> list[Any]:
    """Blocking rules that generate the pairs to score (a pair is compared if any rule holds).

    One rule per independent route to a true pair, so that an error in one
    field does not hide the pair: same first name; same district and sex;
    same father's first name and sex; same phone; same mother's name. Sex is
    added where the key alone is coarse (a district, a common father's name)
    because it roughly halves the pairs and is almost always right. Checked
    with Splink's cumulative comparisons helper (see ``blocking_report``):
    about 0.1% of the cartesian product.
    """
    return [
        block_on("first_name"),
        block_on("district", "sex"),
        block_on("father_first_name", "sex"),
        block_on("phone"),
        block_on("mother_name"),
    ]


def training_rules() -> list[Any]:
    """EM training blocks, each strict enough that a good share of its pairs are matches.

    With 50 found children per missing report, a looser first block (first
    name and district only) lets EM settle on "same region" rather than "same
    child" and the name m probabilities drift towards u; adding the birth
    year keeps the block mostly matches (checked on the development seed).

    Every comparison is estimated in at least one session; a comparison is
    never estimated in a session that blocks on its own column (Splink skips
    those), and no session blocks on a column *derived* from a compared one
    (that would inflate its m).
    """
    return [
        block_on("first_name", "district", "birth_year"),  # parents, surname, sex, state, phone
        block_on("phone"),  # every comparison but phone
        block_on("mother_name", "district"),  # names, birth year, sex, state, phone
    ]


def deterministic_rules() -> list[Any]:
    """Rules with few false positives, for the prior (probability two random records match)."""
    return [
        block_on("phone"),
        block_on("full_name", "birth_year", "district"),
    ]


def build_settings() -> SettingsCreator:
    """The Splink model settings: link_only between the found and the missing table."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=prediction_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def count_comparisons(
    found: pd.DataFrame, missing: pd.DataFrame, options: SplinkOptions
) -> list[dict[str, Any]]:
    """Pairs each prediction rule adds (Splink's cumulative comparisons helper).

    Raises ``ValueError`` when the total exceeds ``options.max_comparisons``:
    the rules must then be tightened before scoring.
    """
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=[found, missing],
        blocking_rules=prediction_rules(),
        link_type="link_only",
        db_api=DuckDBAPI(),
        unique_id_column_name="unique_id",
        max_rows_limit=options.max_comparisons,
    )
    rows = [
        {
            "blocking_rule": str(rule),
            "row_count": int(added),
            "cumulative_rows": int(cumulative),
            "cartesian": int(cartesian),
        }
        for rule, added, cumulative, cartesian in zip(
            counts["blocking_rule"],
            counts["row_count"],
            counts["cumulative_rows"],
            counts["cartesian"],
            strict=True,
        )
    ]
    total = int(counts["cumulative_rows"].iloc[-1]) if len(counts) else 0
    if total > options.max_comparisons:
        raise ValueError(
            f"the prediction rules make {total:,} comparisons, more than "
            f"{options.max_comparisons:,}; tighten the rules in prediction_rules()"
        )
    return rows


def train(linker: Linker, options: SplinkOptions) -> None:
    """Prior from deterministic rules, u by random sampling, m by EM over three blocks."""
    linker.training.estimate_probability_two_random_records_match(
        deterministic_rules(), recall=options.prior_recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs, seed=options.seed
    )
    for rule in training_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(rule)


def to_links(predictions: pd.DataFrame, options: SplinkOptions) -> pd.DataFrame:
    """Splink's pairwise predictions as exchange-format links, best first per found child."""
    left_is_found = predictions["source_dataset_l"] == FOUND
    found_id = predictions["unique_id_l"].where(left_is_found, predictions["unique_id_r"])
    missing_id = predictions["unique_id_r"].where(left_is_found, predictions["unique_id_l"])
    score = predictions["match_probability"].astype(float)
    links = pd.DataFrame(
        {
            "found_id": found_id.astype(str),
            "missing_id": missing_id.astype(str),
            "score": score.round(6),
            "decision": ["match" if s >= options.match_threshold else "review" for s in score],
        }
    )
    links = links[links["score"] >= options.review_threshold]
    return links.sort_values(["found_id", "score"], ascending=[True, False], kind="stable")


def link(
    found_path: Path, missing_path: Path, out_path: Path, options: SplinkOptions
) -> dict[str, Any]:
    """Run the whole Splink job and write the link file; return statistics for the report."""
    stats: dict[str, Any] = {"options": asdict(options), "splink": splink.__version__}
    stage = time.perf_counter()
    found = prepare(read_records(found_path), FOUND)
    missing = prepare(read_records(missing_path), MISSING)
    stats["seconds_prepare"] = round(time.perf_counter() - stage, 2)

    linker = Linker(
        [found, missing],  # type: ignore[list-item]  # annotated as table names; frames work
        build_settings(),
        db_api=DuckDBAPI(),
        input_table_aliases=[FOUND, MISSING],
    )
    stage = time.perf_counter()
    train(linker, options)
    stats["seconds_train"] = round(time.perf_counter() - stage, 2)
    stats["probability_two_random_records_match"] = (
        linker._settings_obj._probability_two_random_records_match  # no public getter in 4.0
    )

    stage = time.perf_counter()
    scored = linker.inference.predict(threshold_match_probability=options.review_threshold)
    predictions: pd.DataFrame = scored.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    stats["seconds_predict"] = round(time.perf_counter() - stage, 2)

    links = to_links(predictions, options)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    links.to_csv(out_path, index=False)
    stats["links"] = len(links)
    stats["model"] = linker.misc.save_model_to_json()
    return stats


def rule_sql(rule: Any) -> str:
    """The SQL condition of a blocking rule, as Splink generates it for DuckDB."""
    return str(rule.get_blocking_rule("duckdb").blocking_rule_sql)


def blocking_report(
    found_path: Path, missing_path: Path, truth_path: Path, options: SplinkOptions
) -> dict[str, Any]:
    """How many pairs the prediction rules make, and the share of true pairs among them.

    Run outside the timed link job (a user checks this once while building
    the model, not on every run). The comparison counts come from Splink's
    cumulative comparisons helper. Pairs completeness evaluates exactly the
    SQL conditions Splink uses for blocking on the true (found, missing) pairs
    only; a true pair no rule admits is never scored. All rules are symmetric
    equalities, so which side is ``l`` does not matter.
    """
    found = prepare(read_records(found_path), FOUND)
    missing = prepare(read_records(missing_path), MISSING)
    truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    rules = prediction_rules()
    con = duckdb.connect()
    con.register("found_t", found)
    con.register("missing_t", missing)
    con.register("truth_t", truth)
    hits = ", ".join(f"coalesce(({rule_sql(r)}), false) as rule_{i}" for i, r in enumerate(rules))
    joined = f"""
        select {hits}
        from truth_t t
        join found_t l on l.unique_id = t.found_id
        join missing_t r on r.unique_id = t.missing_id
    """
    any_rule = " or ".join(f"rule_{i}" for i in range(len(rules)))
    sums = ", ".join(f"sum(rule_{i}::int)" for i in range(len(rules)))
    row = con.execute(f"select count(*), sum(({any_rule})::int), {sums} from ({joined})").fetchone()
    assert row is not None
    total, covered, *per_rule = (int(v or 0) for v in row)
    return {
        "comparisons": count_comparisons(found, missing, options),
        "true_pairs": len(truth),
        "true_pairs_with_both_records": total,
        "true_pairs_blocked": covered,
        "pairs_completeness": covered / len(truth) if len(truth) else 0.0,
        "true_pairs_never_compared_share": 1 - covered / len(truth) if len(truth) else 0.0,
        "per_rule": {rule_sql(r): n for r, n in zip(rules, per_rule, strict=True)},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``link`` writes links (and stats), ``blocking-recall`` prints JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("link", help="train Splink and write a link file")
    run.add_argument("--missing", type=Path, required=True)
    run.add_argument("--found", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--stats", type=Path, help="write run statistics and the model as JSON")
    defaults = SplinkOptions()
    run.add_argument("--match-threshold", type=float, default=defaults.match_threshold)
    run.add_argument("--review-threshold", type=float, default=defaults.review_threshold)
    run.add_argument("--u-max-pairs", type=float, default=defaults.u_max_pairs)
    run.add_argument("--prior-recall", type=float, default=defaults.prior_recall)
    run.add_argument("--seed", type=int, default=defaults.seed)
    recall = sub.add_parser(
        "blocking-report", help="comparisons made by blocking and the share of true pairs in them"
    )
    recall.add_argument("--missing", type=Path, required=True)
    recall.add_argument("--found", type=Path, required=True)
    recall.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.command == "blocking-report":
        report = blocking_report(args.found, args.missing, args.truth, SplinkOptions())
        print(json.dumps(report, indent=2))
        return 0
    options = SplinkOptions(
        match_threshold=args.match_threshold,
        review_threshold=args.review_threshold,
        u_max_pairs=args.u_max_pairs,
        prior_recall=args.prior_recall,
        seed=args.seed,
    )
    stats = link(args.found, args.missing, args.out, options)
    if args.stats:
        args.stats.parent.mkdir(parents=True, exist_ok=True)
        args.stats.write_text(json.dumps(stats, indent=2, default=str), encoding="utf-8")
    log.info("wrote %d links to %s", stats["links"], args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
