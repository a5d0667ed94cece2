"""Side-by-side benchmark: matcher against Splink and two naive baselines.

For each size (``N_MISSINGxN_FOUND``) the runner generates a synthetic data set
with ``matcher.synth`` (cached in ``benchmarks/out/``, git-ignored), runs each
system in its own child process, measuring wall time and peak RSS (see
``benchmarks/_measure.py``: ``os.wait4`` per child, no polling), scores each
link file with ``matcher.evaluate`` against the truth, and writes one table as
markdown and JSON.

A system whose command fails is recorded as such, never faked; for
``matcher`` a failing ``matcher link`` is recorded as "not available" (the
engine may not exist yet).

Usage::

    python benchmarks/compare.py --sizes 5000x50000 10000x500000 --seed 11 \\
        --out benchmarks/results/
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._measure import Measurement, run_measured
from matcher.decide import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
SYSTEMS: tuple[str, ...] = ("exact-name", "fuzzy-name-age-sex", "splink", "matcher")
RESULTS_STEM = "side_by_side"


@dataclass(frozen=True, slots=True)
class Size:
    """A data set size: how many missing reports and found children."""

    n_missing: int
    n_found: int

    @property
    def label(self) -> str:
        return f"{self.n_missing}x{self.n_found}"


def parse_size(text: str) -> Size:
    """``"5000x50000"`` -> 5,000 missing reports and 50,000 found children."""
    try:
        n_missing, n_found = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"size {text!r} must look like 5000x50000 (missing x found)"
        ) from None
    if n_missing <= 0 or n_found <= 0:
        raise argparse.ArgumentTypeError(f"size {text!r} must have positive counts")
    return Size(n_missing, n_found)


@dataclass(frozen=True, slots=True)
class Dataset:
    """Paths of one generated data set."""

    missing: Path
    found: Path
    truth: Path
    generate_seconds: float | None  # None when it came from the cache


def ensure_dataset(cache: Path, size: Size, seed: int) -> Dataset:
    """The data set for ``size`` and ``seed``, generated once and then reused.

    A ``done.json`` marker is written last, so an interrupted generation is
    never mistaken for a complete one.
    """
    folder = cache / "data" / f"{size.label}-seed{seed}"
    marker = folder / "done.json"
    if not marker.exists():
        from matcher.synth import write_dataset  # the generator is heavy; import when needed

        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        paths = write_dataset(folder, n_missing=size.n_missing, n_found=size.n_found, seed=seed)
        seconds = round(time.perf_counter() - start, 1)
        marker.write_text(
            json.dumps({"paths": {k: str(v) for k, v in paths.items()}, "seconds": seconds}),
            encoding="utf-8",
        )
        generated: float | None = seconds
    else:
        generated = None
    paths = {k: Path(v) for k, v in json.loads(marker.read_text("utf-8"))["paths"].items()}
    return Dataset(
        missing=_pick(paths, folder, "missing"),
        found=_pick(paths, folder, "found"),
        truth=_pick(paths, folder, "truth"),
        generate_seconds=generated,
    )


def _pick(paths: dict[str, Path], folder: Path, name: str) -> Path:
    """The generator's path for ``name``, falling back to ``<folder>/<name>.csv``."""
    for key, path in paths.items():
        if key == name or key.startswith(name) or Path(path).stem == name:
            return Path(path)
    return folder / f"{name}.csv"


def system_command(system: str, data: Dataset, links: Path, stats: Path, seed: int) -> list[str]:
    """The command line that runs ``system`` on ``data`` and writes ``links``."""
    inputs = ["--missing", str(data.missing), "--found", str(data.found), "--out", str(links)]
    python = sys.executable
    if system in ("exact-name", "fuzzy-name-age-sex"):
        return [python, "-m", "benchmarks.baselines", system, *inputs]
    if system == "splink":
        return [
            python,
            *("-m", "benchmarks.peer_splink", "link", *inputs),
            *("--stats", str(stats), "--seed", str(seed)),
        ]
    if system == "matcher":
        return [str(Path(python).parent / "matcher"), "link", *inputs]
    raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")


def display(command: Sequence[str]) -> str:
    """A command as a shell line with paths relative to the repository root."""
    parts = []
    for part in command:
        path = Path(part)
        if path.is_absolute() and path.is_relative_to(ROOT):
            part = str(path.relative_to(ROOT))
        elif path.is_absolute() and path == Path(sys.executable):
            part = "python"
        parts.append(part)
    return shlex.join(parts)


def evaluate_links(links: Path, data: Dataset) -> dict[str, Any]:
    """Score a link file against the truth with ``matcher.evaluate``.

    The found ids are passed so that wrong ``match`` links of never-reported
    children are counted too.
    """
    from matcher.evaluate import evaluate, read_found_ids, read_links, read_truth

    evaluation = evaluate(
        read_links(links), read_truth(data.truth), found_ids=read_found_ids(data.found)
    )
    result: dict[str, Any] = evaluation.as_dict()
    # The F1 the system would reach at its best threshold, chosen with the
    # truth: an upper bound that no threshold setting can beat, shown so that
    # the comparison does not hinge on each system's default thresholds.
    result["best_f1"] = max((p.f1 for p in evaluation.pr_curve), default=0.0)
    return result


def _failure_note(path: Path) -> str:
    """The last non-empty line of a child's stderr (the exception, for a Python crash).

    Paths under the repository are shown relative to it. Only the final line
    is kept so that no record content from earlier log lines reaches the
    committed results.
    """
    if not path.exists():
        return ""
    lines = [line.strip() for line in path.read_text("utf-8", errors="replace").splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    return last.replace(f"{ROOT}/", "")[:300]


def run_system(
    system: str, size: Size, seed: int, data: Dataset, work: Path, timeout: float
) -> dict[str, Any]:
    """Run one system on one data set: measure it, then evaluate its links."""
    links = work / f"{system}.links.csv"
    stats = work / f"{system}.stats.json"
    links.unlink(missing_ok=True)
    command = system_command(system, data, links, stats, seed)
    row: dict[str, Any] = {
        "size": size.label,
        "n_missing": size.n_missing,
        "n_found": size.n_found,
        "seed": seed,
        "system": system,
        "command": display(command),
    }
    print(f"[{size.label}] {system}: {display(command)}", flush=True)
    try:
        measured: Measurement | None = run_measured(
            command,
            cwd=ROOT,
            stdout_path=work / f"{system}.stdout.log",
            stderr_path=work / f"{system}.stderr.log",
            timeout_seconds=timeout,
        )
    except FileNotFoundError as error:  # the matcher entry point is not installed
        measured = None
        row.update(status="not available", note=f"cannot start: {error}")
    if measured is not None:
        row.update(
            wall_seconds=measured.wall_seconds,
            peak_rss_mb=measured.peak_rss_mb,
            peak_tree_rss_mb=measured.peak_tree_rss_mb,
        )
        if measured.timed_out:
            row.update(status="timed out", note=f"killed after {timeout:.0f} s")
        elif not measured.ok or not links.exists():
            status = "not available" if system == "matcher" else "failed"
            note = (
                _failure_note(work / f"{system}.stderr.log") or f"exit code {measured.returncode}"
            )
            row.update(status=status, note=note)
        else:
            row["status"] = "ok"
            row["metrics"] = evaluate_links(links, data)
            with links.open(encoding="utf-8") as handle:
                row["links"] = sum(1 for _ in handle) - 1
    if system == "splink" and stats.exists():
        splink_stats = json.loads(stats.read_text("utf-8"))
        row["splink"] = {k: v for k, v in splink_stats.items() if k != "model"}
        model_path = work / "splink_model.json"
        model_path.write_text(json.dumps(splink_stats.get("model"), indent=2), encoding="utf-8")
    print(
        f"[{size.label}] {system}: {row.get('status')} {row.get('wall_seconds', '')} s", flush=True
    )
    return row


def splink_blocking_report(data: Dataset, work: Path) -> dict[str, Any]:
    """Splink's comparison counts and pairs completeness (untimed, separate process)."""
    out = work / "splink.blocking.json"
    command = [
        sys.executable,
        *("-m", "benchmarks.peer_splink", "blocking-report"),
        *("--missing", str(data.missing), "--found", str(data.found), "--truth", str(data.truth)),
    ]
    measured = run_measured(
        command, cwd=ROOT, stdout_path=out, stderr_path=work / "splink.blocking.stderr.log"
    )
    if not measured.ok:
        return {"error": _failure_note(work / "splink.blocking.stderr.log")}
    report: dict[str, Any] = json.loads(out.read_text("utf-8"))
    report["command"] = display(command)
    return report


def fuzzy_blocking_recall(data: Dataset) -> float:
    """Share of true pairs whose names share the fuzzy baseline's block key."""
    import pandas as pd

    from benchmarks.baselines import block_key, read_records, sort_tokens

    def keys(path: Path) -> dict[str, str]:
        records = read_records(path)
        return dict(
            zip(
                records["id"], records["name"].map(lambda n: block_key(sort_tokens(n))), strict=True
            )
        )

    found, missing = keys(data.found), keys(data.missing)
    truth = pd.read_csv(data.truth, dtype=str, keep_default_na=False)
    hits = sum(
        1
        for f, m in zip(truth["found_id"], truth["missing_id"], strict=True)
        if found.get(f, "") and found.get(f, "") == missing.get(m, "")
    )
    return hits / len(truth) if len(truth) else 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model and the versions that matter for the figures."""
    memory_gb = None
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:  # not Linux: keep what platform reports
        pass
    return {
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gb": memory_gb,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            p: _version(p) for p in ("splink", "duckdb", "rapidfuzz", "pandas", "numpy", "matcher")
        },
    }


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


#: Table columns: header and the key in a result row's ``metrics`` (or the row itself).
METRIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("match P", "precision"),
    ("match R", "recall"),
    ("match F1", "f1"),
    ("best F1", "best_f1"),
    ("match+review R", "pair_recall_any"),
    ("queue R per child", "child_recall_any"),
    ("top-1", "top1_accuracy"),
    ("R@5", "recall_at_5"),
)


def metric(row: dict[str, Any], key: str) -> Any:
    """A metric of a result row, by our column key (see ``METRIC_COLUMNS``)."""
    return row.get("metrics", {}).get(key)


_RUN_KEYS: tuple[str, ...] = ("wall_seconds", "peak_rss_mb", "peak_tree_rss_mb")


def render_markdown(document: dict[str, Any]) -> str:
    """The results document as one markdown table plus the context needed to read it."""
    headers = [
        "size (missing x found)",
        "system",
        *(h for h, _ in METRIC_COLUMNS),
        "links",
        "blocking recall",
        "wall s",
        "peak RSS MB, largest process",
        "peak RSS MB, all processes",
    ]
    lines = [
        "# Side-by-side benchmark: matcher, Splink and naive baselines",
        "",
        "Generated by `benchmarks/compare.py`; do not edit by hand. Synthetic data from",
        "`matcher.synth`; scores from `matcher.evaluate`. `match` = links decided `match`",
        f"(match probability >= {DEFAULT_MATCH_THRESHOLD}, matcher's default, for both matcher",
        "and Splink); `match+review R` = pair recall of every link written (probability >=",
        f"{DEFAULT_REVIEW_THRESHOLD}); `queue R",
        "per child` = share of reported found children with a true pair among them; `best F1`",
        "= the F1 at the best threshold on the score, chosen with the truth (an upper bound).",
        "Wall time and memory are of the system's own process and its children; data generation",
        "and evaluation are not included. Peak RSS of the largest process is exact (`os.wait4`);",
        "peak RSS of all processes is the sum over the process tree sampled every 0.25 s with",
        "psutil (an upper bound: pages shared by forked workers count once per process).",
        "Other jobs shared the machine during the runs, so times are indicative only.",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    for row in document["rows"]:
        ok = row.get("status") == "ok"
        cells = [f"{row['size']} (seed {row['seed']})", row["system"]]
        if ok:
            cells += [_fmt(metric(row, key)) for _, key in METRIC_COLUMNS]
            cells.append(_fmt(row.get("links")))
        else:
            cells += [f"*{row.get('status')}*"] + ["–"] * len(METRIC_COLUMNS)
        cells.append(_fmt(row.get("blocking_recall")))
        if ok:  # the time and memory of a failed run (kept in the JSON) would mislead here
            cells += [_fmt(row.get(k), 1 if k == "wall_seconds" else 0) for k in _RUN_KEYS]
        else:
            cells += ["–"] * len(_RUN_KEYS)
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Notes", ""]
    for row in document["rows"]:
        if row.get("status") != "ok":
            lines.append(f"- {row['size']} {row['system']}: {row.get('status')}: {row.get('note')}")
    lines += [
        "- blocking recall: share of true pairs the system's blocking ever compares",
        "  (Splink: its prediction blocking rules, evaluated on the true pairs; fuzzy baseline:",
        "  same first letter of the token-sorted name).",
    ]
    for run in document["runs"]:
        machine = run["machine"]
        lines += [
            "",
            f"## Run of {run['started']}",
            "",
            f"- machine: {machine['cores']} cores ({machine['cpu']}), "
            f"{machine['memory_gb']} GB RAM, {machine['platform']}",
            f"- python {machine['python']}; "
            + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()),
            f"- command: `{run['command']}`",
        ]
        for row in document["rows"]:
            if row.get("run") == run["started"]:
                lines.append(f"- {row['size']} {row['system']}: `{row['command']}`")
    return "\n".join(lines) + "\n"


def load_document(path: Path) -> dict[str, Any]:
    if path.exists():
        document: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return document
    return {"rows": [], "runs": []}


def reevaluate(document: dict[str, Any], cache: Path, json_path: Path, out: Path) -> int:
    """Score every recorded run's link file again; timings and memory stay as measured."""
    for row in document["rows"]:
        links = cache / "runs" / f"{row['size']}-seed{row['seed']}" / f"{row['system']}.links.csv"
        if row.get("status") != "ok" or not links.exists():
            continue
        data = ensure_dataset(cache, parse_size(row["size"]), row["seed"])
        row["metrics"] = evaluate_links(links, data)
    json_path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    (out / f"{RESULTS_STEM}.md").write_text(render_markdown(document), encoding="utf-8")
    print(render_markdown(document), flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per system run")
    parser.add_argument(
        "--reevaluate",
        action="store_true",
        help="score the link files of the recorded runs again (after a change to the "
        "metrics) and rewrite the tables, without running any system",
    )
    args = parser.parse_args(argv)
    if not args.sizes and not args.reevaluate:
        parser.error("--sizes is required (or --reevaluate)")
    if args.seed == 99:
        parser.error("seed 99 is the held-out evaluation seed; do not benchmark on it")

    started = datetime.now(UTC).isoformat(timespec="seconds")
    json_path = args.out / f"{RESULTS_STEM}.json"
    document = load_document(json_path)
    if args.reevaluate:
        return reevaluate(document, args.cache, json_path, args.out)
    run = {
        "started": started,
        "command": display(
            [sys.executable, "benchmarks/compare.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": machine_info(),
    }
    for size in args.sizes:
        data = ensure_dataset(args.cache, size, args.seed)
        work = args.cache / "runs" / f"{size.label}-seed{args.seed}"
        work.mkdir(parents=True, exist_ok=True)
        rows = []
        for system in args.systems:
            row = run_system(system, size, args.seed, data, work, args.timeout)
            if system == "splink":
                report = splink_blocking_report(data, work)
                row["splink_blocking"] = report
                row["blocking_recall"] = report.get("pairs_completeness")
            if system == "fuzzy-name-age-sex":
                row["blocking_recall"] = round(fuzzy_blocking_recall(data), 4)
            row["run"] = started
            row["generate_seconds"] = data.generate_seconds
            rows.append(row)
        # Replace earlier results for the same size, seed and systems; keep the rest.
        done = {(r["size"], r["seed"], r["system"]) for r in rows}
        document["rows"] = [
            r for r in document["rows"] if (r["size"], r["seed"], r["system"]) not in done
        ] + rows
        document["rows"].sort(
            key=lambda r: (r["n_missing"], r["n_found"], r["seed"], SYSTEMS.index(r["system"]))
        )
        runs_in_use = {r["run"] for r in document["rows"]}
        document["runs"] = [r for r in document["runs"] if r["started"] in runs_in_use]
        if run not in document["runs"]:
            document["runs"].append(run)
        args.out.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
        (args.out / f"{RESULTS_STEM}.md").write_text(render_markdown(document), encoding="utf-8")
        print(render_markdown(document), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
