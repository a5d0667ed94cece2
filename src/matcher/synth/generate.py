"""Generate missing reports, found records and the truth that links them.

``generate(n_missing, n_found, seed)`` draws a population of reported children
(families with siblings, a few children reported twice), picks the found ones
(about 60% of found children were reported; the rest never were), and writes
every record with the noise of its writer.  Same arguments, same bytes.

Rows are shuffled and ids are drawn at random, so neither file order nor id
order says anything about which records belong together.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gc
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from matcher.synth.config import SynthConfig
from matcher.synth.population import Child, Family, Population, PopulationSampler
from matcher.synth.render import FOUND_FIELDS, MISSING_FIELDS, Renderer
from matcher.synth.tables import load_tables

#: Bump when the same seed would produce different data.
GENERATOR_VERSION = 1


@dataclass(frozen=True, slots=True)
class SynthData:
    """A generated data set: exchange-format tables and the true pairs.

    ``missing`` and ``found`` have exactly the spec's columns, as text (``""``
    when empty).  ``truth`` lists ``(found_id, missing_id)`` for every true pair:
    a child reported twice has two pairs; a never-reported child has none.
    """

    missing: pd.DataFrame
    found: pd.DataFrame
    truth: list[tuple[str, str]]
    seed: int
    config: SynthConfig


Sink = Callable[[list[str]], object]


def generate(
    n_missing: int, n_found: int, seed: int, config: SynthConfig | None = None
) -> SynthData:
    """Generate ``n_missing`` missing reports and ``n_found`` found records.

    About ``1 - config.never_reported_share`` of the found children have a true
    missing report (fewer if there are not enough reported children).
    """
    config = config or SynthConfig()
    missing: list[list[str]] = []
    found: list[list[str]] = []
    truth = _generate_rows(n_missing, n_found, seed, config, missing.append, found.append)
    return SynthData(
        missing=pd.DataFrame(missing, columns=list(MISSING_FIELDS), dtype=object),
        found=pd.DataFrame(found, columns=list(FOUND_FIELDS), dtype=object),
        truth=truth,
        seed=seed,
        config=config,
    )


def write_dataset(
    out_dir: Path,
    n_missing: int,
    n_found: int,
    seed: int,
    config: SynthConfig | None = None,
) -> dict[str, Path]:
    """Generate and write ``missing.csv``, ``found.csv``, ``truth.csv`` and ``synth.json``.

    CSV files are UTF-8 with ``\\n`` line ends, headers in the spec's field
    order; ``synth.json`` records the arguments and the config so a data set
    can be regenerated.  Returns the paths by name (``missing``, ``found``,
    ``truth``, ``meta``).
    """
    config = config or SynthConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "missing": out_dir / "missing.csv",
        "found": out_dir / "found.csv",
        "truth": out_dir / "truth.csv",
        "meta": out_dir / "synth.json",
    }
    # Rows go straight to the files: a million records never sit in memory as text.
    with (
        paths["missing"].open("w", encoding="utf-8", newline="") as missing_file,
        paths["found"].open("w", encoding="utf-8", newline="") as found_file,
    ):
        missing = csv.writer(missing_file, lineterminator="\n")
        found = csv.writer(found_file, lineterminator="\n")
        missing.writerow(MISSING_FIELDS)
        found.writerow(FOUND_FIELDS)
        truth = _generate_rows(n_missing, n_found, seed, config, missing.writerow, found.writerow)
    with paths["truth"].open("w", encoding="utf-8", newline="") as truth_file:
        writer = csv.writer(truth_file, lineterminator="\n")
        writer.writerow(("found_id", "missing_id"))
        writer.writerows(truth)
    meta = {
        "generator": "matcher.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "n_missing": n_missing,
        "n_found": n_found,
        "n_true_pairs": len(truth),
        "config": dataclasses.asdict(config),
    }
    paths["meta"].write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return paths


def _generate_rows(
    n_missing: int, n_found: int, seed: int, config: SynthConfig, on_missing: Sink, on_found: Sink
) -> list[tuple[str, str]]:
    """Generate rows into the two sinks, in file order; return the sorted true pairs."""
    if n_missing < 0 or n_found < 0:
        raise ValueError("n_missing and n_found must not be negative")
    # Generation allocates millions of small acyclic objects while a large
    # population stays alive: the cyclic garbage collector would rescan that
    # population again and again (half the run time at 500,000 records).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate_rows_unguarded(n_missing, n_found, seed, config, on_missing, on_found)
    finally:
        if enabled:
            gc.enable()


def _generate_rows_unguarded(
    n_missing: int, n_found: int, seed: int, config: SynthConfig, on_missing: Sink, on_found: Sink
) -> list[tuple[str, str]]:
    tables = load_tables()
    rnd = random.Random(seed)
    sampler = PopulationSampler(tables, config, rnd)
    renderer = Renderer(tables, config, rnd, sampler)
    export_day = dt.date.fromisoformat(config.export_date).toordinal()

    # Reported children; a share of them reported twice.
    share = config.second_report_share
    n_second = round(n_missing * share / (1 + share))
    n_children = n_missing - n_second
    reported = sampler.population(n_children)
    twice = sorted(rnd.sample(range(n_children), min(n_second, n_children)))

    # Found children: reported ones (with siblings found together), then never-reported.
    n_true = min(round(n_found * (1 - config.never_reported_share)), n_children)
    found_reported = _pick_found(reported, n_true, config, rnd)
    never = sampler.population(n_found - len(found_reported))

    # Missing reports, in random order with random ids.
    reports: list[tuple[int, bool]] = [(i, False) for i in range(n_children)]
    reports += [(i, True) for i in twice]
    rnd.shuffle(reports)
    seqs = _sequence_numbers(len(reports), rnd)
    report_ids: dict[int, list[str]] = {}
    for (child_index, second), seq in zip(reports, seqs, strict=True):
        child = reported.children[child_index]
        family = reported.families[child.family]
        day, filing = child.missing_day, family.state
        if second:
            day = min(export_day, day + rnd.randrange(0, 45))
            if rnd.random() < config.second_report_other_state:
                filing = renderer.destinations.index(rnd)
        record_id = _missing_id(tables.states[filing].code, day, seq, renderer, family, rnd)
        report_ids.setdefault(child_index, []).append(record_id)
        on_missing(
            renderer.missing_row(
                child, family, record_id, second=second, missing_day=day, filing_state=filing
            )
        )

    # Found records, in random order with random ids.
    found_children: list[tuple[Child, Family, int | None]] = [
        (reported.children[i], reported.families[reported.children[i].family], i)
        for i in found_reported
    ]
    found_children += [(c, never.families[c.family], None) for c in never.children]
    rnd.shuffle(found_children)
    seqs = _sequence_numbers(len(found_children), rnd)
    truth: list[tuple[str, str]] = []
    for (child, family, reported_index), seq in zip(found_children, seqs, strict=True):
        found_day = _found_day(child.missing_day, export_day, config, rnd)
        place = renderer.found_place(family)
        record_id = _found_id(
            tables.states[place.state].code, found_day, seq, renderer, place.district, rnd
        )
        on_found(renderer.found_row(child, family, record_id, found_day=found_day, place=place))
        if reported_index is not None:
            truth.extend((record_id, missing_id) for missing_id in report_ids[reported_index])
    truth.sort()
    return truth


def _pick_found(
    population: Population, n_true: int, config: SynthConfig, rnd: random.Random
) -> list[int]:
    """Indexes of reported children who were found; siblings often come together."""
    siblings: dict[int, list[int]] = {}
    for i, child in enumerate(population.children):
        siblings.setdefault(child.family, []).append(i)
    order = list(range(len(population.children)))
    rnd.shuffle(order)
    chosen: dict[int, None] = {}
    for i in order:
        if len(chosen) >= n_true:
            break
        if i in chosen:
            continue
        chosen[i] = None
        group = siblings[population.children[i].family]
        if len(group) > 1 and rnd.random() < config.siblings_found_together:
            for j in group:
                if len(chosen) < n_true:
                    chosen[j] = None
    return list(chosen)


def _found_day(missing_day: int, export_day: int, config: SynthConfig, rnd: random.Random) -> int:
    """The day a child is found: a delay after going missing, never after the export."""
    for _ in range(5):
        day = missing_day + _found_delay_days(config, rnd)
        if day <= export_day:
            return day
    return rnd.randrange(missing_day, export_day + 1) if missing_day < export_day else export_day


def _found_delay_days(config: SynthConfig, rnd: random.Random) -> int:
    """Days from the report to the finding: many within weeks, a long tail over years."""
    longest = int(config.max_found_delay_years * 365.2425)
    roll = rnd.random()
    if roll < 0.35:
        days = rnd.expovariate(1 / 12)
    elif roll < 0.70:
        days = rnd.uniform(30, 365)
    else:
        days = 365 + rnd.expovariate(1 / 400)
    return min(longest, int(days))


def _sequence_numbers(n: int, rnd: random.Random) -> list[int]:
    return rnd.sample(range(1, max(10 * n, 1000)), n)


_NOT_LETTERS = re.compile(r"[^A-Za-z]")


def _district_code(name: str) -> str:
    return (_NOT_LETTERS.sub("", name)[:3] or "XXX").upper()


def _missing_id(
    state_code: str, day: int, seq: int, renderer: Renderer, family: Family, rnd: random.Random
) -> str:
    """Ids of source systems (``MP-UP-2023-004512``, ``UP/LUC/2023/117``, ``GD-2021-000318``)."""
    year = dt.date.fromordinal(day).year
    roll = rnd.random()
    if roll < 0.6:
        return f"MP-{state_code}-{year}-{seq:06d}"
    if roll < 0.85:
        code = _district_code(renderer.tables.districts[family.district].name)
        return f"{state_code}/{code}/{year}/{seq}"
    return f"GD-{year}-{seq:06d}"


def _found_id(
    state_code: str, day: int, seq: int, renderer: Renderer, district: int, rnd: random.Random
) -> str:
    """Ids of care systems (``R/2023/117``, ``FC-DL-2024-000123``, ``CWC/NEW/2022/88``)."""
    year = dt.date.fromordinal(day).year
    roll = rnd.random()
    if roll < 0.4:
        return f"R/{year}/{seq}"
    if roll < 0.8:
        return f"FC-{state_code}-{year}-{seq:06d}"
    code = _district_code(renderer.tables.districts[district].name)
    return f"CWC/{code}/{year}/{seq}"
