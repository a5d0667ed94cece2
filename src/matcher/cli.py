"""The ``matcher`` command line.

Subcommands are thin: they read files, call the library and write files.
Each imports what it needs when it runs, so ``matcher --help`` stays fast.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from matcher.decide import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_THRESHOLD
from matcher.errors import MatcherError

log = logging.getLogger("matcher")


def _load_people(path: Path, kind_name: str):  # type: ignore[no-untyped-def]
    """Read and normalize a file of one kind; bad rows are reported on stderr by row and field."""
    from matcher.exchange import load_records
    from matcher.normalize.places import load_gazetteer
    from matcher.pipeline import gc_paused, normalize_all
    from matcher.records import RecordKind

    kind = RecordKind(kind_name)
    with gc_paused():
        result = load_records(path, kind)
        persons = normalize_all(result.records, load_gazetteer())
        # Both live until the command ends and hold no reference cycles: out of
        # the collector's sight before it is back on, or its first collections
        # walk every record made here (3-4 s at 500,000 reports).
        gc.freeze()
    for error in result.errors[:20]:
        print(f"skipped: {error}", file=sys.stderr)
    if len(result.errors) > 20:
        print(f"skipped: ... and {len(result.errors) - 20} more bad rows", file=sys.stderr)
    return persons, result


def _model(path: Path | None):  # type: ignore[no-untyped-def]
    from matcher.scoring.model import MatchModel, default_model

    return MatchModel.load(path) if path else default_model()


def cmd_normalize(args: argparse.Namespace) -> int:
    from matcher.exchange import write_csv
    from matcher.normalize.view import NORMALIZED_COLUMNS, normalized_row

    persons, result = _load_people(args.file, args.kind)
    out = args.out or args.file.with_name(args.file.stem + ".normalized.csv")
    write_csv(out, (normalized_row(p) for p in persons), NORMALIZED_COLUMNS)
    problems = sum(1 for p in persons if p.problems)
    print(
        f"{len(persons)} records normalized to {out}; {len(result.errors)} rows skipped; "
        f"{problems} records with fields that could not be read"
    )
    if args.problems:
        from matcher.exchange import write_csv as write

        rows = [
            {"id": p.id, "field": prob.field, "reason": prob.reason}
            for p in persons
            for prob in p.problems
        ] + [
            {"id": e.record_id or "", "field": e.field or "", "reason": f"row {e.row}: {e.reason}"}
            for e in result.errors
        ]
        write(args.problems, rows, ["id", "field", "reason"])
        print(f"problems written to {args.problems}")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from matcher.decide import Thresholds
    from matcher.exchange import write_csv
    from matcher.pipeline import link

    started = time.perf_counter()
    missing, _ = _load_people(args.missing, "missing")
    found, _ = _load_people(args.found, "found")
    model = _model(args.model)
    thresholds = Thresholds(args.review_threshold, args.match_threshold)
    with tqdm(total=len(found), unit="child", disable=not sys.stderr.isatty() or args.quiet) as bar:
        links = link(found, missing, model, thresholds, workers=args.workers, progress=bar.update)
    rows = (
        {
            "found_id": link_.pair.found_id,
            "missing_id": link_.pair.missing_id,
            "score": f"{link_.pair.match_probability:.6f}",
            "decision": link_.decision.value if link_.decision else "",
        }
        for link_ in links
    )
    count = write_csv(args.out, rows, ["found_id", "missing_id", "score", "decision"])
    elapsed = time.perf_counter() - started
    print(
        f"{count} pairs written to {args.out} ({len(found)} found against {len(missing)} missing "
        f"in {elapsed:.1f} s, model {model.version})"
    )
    return 0


def cmd_dedupe(args: argparse.Namespace) -> int:
    from matcher.decide import Thresholds
    from matcher.exchange import write_csv
    from matcher.pipeline import dedupe

    missing, _ = _load_people(args.missing, "missing")
    pairs = dedupe(
        missing, _model(args.model), Thresholds(args.review_threshold, args.match_threshold)
    )
    rows = (
        {
            "missing_id": p.found_id,
            "other_missing_id": p.missing_id,
            "score": f"{p.match_probability:.6f}",
        }
        for p in pairs
    )
    count = write_csv(args.out, rows, ["missing_id", "other_missing_id", "score"])
    print(f"{count} likely duplicate pairs written to {args.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from matcher.scoring.train import train

    missing, _ = _load_people(args.missing, "missing")
    found, _ = _load_people(args.found, "found")
    model = train(
        found,
        missing,
        reported_share=args.reported_share,
        seed=args.seed,
        version=args.version,
        description=args.description,
    )
    model.save(args.out)
    print(f"model {model.version} written to {args.out}")
    for session in model.training.get("sessions", []):
        print(
            f"  EM on {session['block']}: {session['pairs']} pairs, "
            f"{session['iterations']} iterations"
        )
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from matcher.synth import write_dataset

    started = time.perf_counter()
    paths = write_dataset(args.out, args.missing, args.found, args.seed)
    elapsed = time.perf_counter() - started
    print(f"wrote {', '.join(str(p) for p in paths.values())} in {elapsed:.1f} s")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from matcher.evaluate import (
        evaluate,
        format_report,
        read_found_ids,
        read_links,
        read_truth,
        write_plots,
    )

    found_ids = read_found_ids(args.found) if args.found else None
    evaluation = evaluate(read_links(args.links), read_truth(args.truth), found_ids=found_ids)
    print(format_report(evaluation))
    if args.plots:
        for path in write_plots(evaluation, args.plots):
            print(f"plot: {path}")
    return 0


DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "demo"


def cmd_demo(args: argparse.Namespace) -> int:
    """Link the demo data, show one found child's candidates with the explanation, score the run."""
    from matcher.decide import Thresholds
    from matcher.evaluate import Link as EvalLink
    from matcher.evaluate import LinkDecision, evaluate, format_report, read_found_ids, read_truth
    from matcher.pipeline import link
    from matcher.scoring.explain import explain

    demo = args.data
    missing, _ = _load_people(demo / "missing.csv", "missing")
    found, _ = _load_people(demo / "found.csv", "found")
    model = _model(None)
    thresholds = Thresholds()
    started = time.perf_counter()
    links = link(found, missing, model, thresholds, workers=1)
    elapsed = time.perf_counter() - started
    print(
        f"linked {len(found)} found children against {len(missing)} missing reports "
        f"in {elapsed:.1f} s: {len(links)} pairs for review (model {model.version})\n"
    )
    by_child: dict[str, list] = {}  # type: ignore[type-arg]
    for item in links:
        by_child.setdefault(item.pair.found_id, []).append(item)
    shown = 0
    for child, items in by_child.items():
        if len(items) >= 2 and items[0].decision is not None and shown < 1:
            print(f"found child {child}: {len(items)} candidates")
            for item in items[:3]:
                print(explain(item.pair))
                print(f"  decision: {item.decision.value if item.decision else '-'}\n")
            shown += 1
    truth_path = demo / "truth.csv"
    if truth_path.exists():
        evaluation = evaluate(
            [
                EvalLink(
                    item.pair.found_id,
                    item.pair.missing_id,
                    item.pair.match_probability,
                    LinkDecision(item.decision.value if item.decision else "review"),
                )
                for item in links
            ],
            read_truth(truth_path),
            found_ids=read_found_ids(demo / "found.csv"),
        )
        print(format_report(evaluation))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP service with uvicorn (demo mode seeds an empty database and prints keys)."""
    import os

    import uvicorn

    from matcher.settings import get_settings
    from matcher.storage.migrate import upgrade

    if args.demo:
        if args.workers > 1:
            print(
                "matcher: --demo seeds the database from one worker; use --workers 1",
                file=sys.stderr,
            )
            return 2
        os.environ["MATCHER_DEMO"] = "1"
    os.environ["MATCHER_HOST"] = args.host
    os.environ["MATCHER_PORT"] = str(args.port)
    get_settings.cache_clear()
    settings = get_settings()
    # Migrate once here, before several workers would all try at the same moment.
    upgrade(settings.database_url)
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
    )
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from matcher.settings import get_settings
    from matcher.storage.engine import normalize_database_url
    from matcher.storage.migrate import upgrade

    url = args.database_url or get_settings().database_url
    upgrade(url)
    print(f"database at {normalize_database_url(url).render_as_string()} is up to date")
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    """Create an API key and print its secret once (it is stored only as a hash)."""
    from matcher.settings import get_settings
    from matcher.storage import repository as repo
    from matcher.storage.engine import make_engine, make_session_factory
    from matcher.storage.migrate import upgrade

    url = args.database_url or get_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            key, secret = repo.create_api_key(
                session,
                args.name,
                repo.Role(args.role),
                args.state or (),
                args.district or (),
                actor=repo.Actor.system("cli"),
            )
            session.commit()
    finally:
        engine.dispose()
    print(f"created {key.role} key {key.id} ({key.name}); it is shown only this once:")
    print(secret)
    return 0


def cmd_refit(args: argparse.Namespace) -> int:
    """Refit m from the confirmed review decisions in the store; write the model to a file."""
    from matcher.normalize.places import load_gazetteer
    from matcher.refit import confirmed_pairs, m_changes, refit
    from matcher.settings import get_settings
    from matcher.storage.engine import make_engine, make_session_factory
    from matcher.storage.migrate import check_current

    settings = get_settings()
    url = args.database_url or settings.database_url
    model = _model(args.model or settings.model_path)
    if args.out.is_dir() or not args.out.parent.is_dir():
        raise MatcherError(f"cannot write the model to {args.out}: not a file in a folder")
    check_current(url)  # a read: never creates or migrates a database
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            decisions = confirmed_pairs(session, load_gazetteer())
    finally:
        engine.dispose()
    print(
        f"{decisions.confirmed_decisions} confirmed decisions, "
        f"{len(decisions.confirmed)} distinct pairs used "
        f"({decisions.records_gone} left out: a record was deleted); "
        f"{decisions.rejected_decisions} rejected decisions not used (u stays with random pairs)"
    )
    if not decisions.confirmed:
        print("matcher: no confirmed pairs to refit from; no model written", file=sys.stderr)
        return 1
    refitted = refit(model, decisions, prior_strength=args.prior_strength)
    refitted.save(args.out)
    print(f"model {refitted.version} (from {model.version}) written to {args.out}")
    for field, level, before, after in m_changes(model, refitted)[: args.show]:
        print(f"  {field:10} {level:18} m {before:.3f} -> {after:.3f}")
    return 0


def _positive(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matcher",
        description="Match found children against missing-children reports.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("normalize", help="write the normalized view of a record file as CSV")
    p.add_argument("file", type=Path)
    p.add_argument("--kind", choices=["found", "missing"], required=True)
    p.add_argument("--out", type=Path, help="default: FILE.normalized.csv beside the input")
    p.add_argument("--problems", type=Path, help="also write every unreadable field and row here")
    p.set_defaults(func=cmd_normalize)

    def thresholds(p: argparse.ArgumentParser) -> None:
        p.add_argument("--review-threshold", type=float, default=DEFAULT_REVIEW_THRESHOLD)
        p.add_argument("--match-threshold", type=float, default=DEFAULT_MATCH_THRESHOLD)
        p.add_argument("--model", type=Path, help="a model JSON file (default: the shipped model)")

    p = sub.add_parser("link", help="link found children to missing reports (batch)")
    p.add_argument("--missing", type=Path, required=True)
    p.add_argument("--found", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--workers", type=int, default=None, help="processes (default: CPU count)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    thresholds(p)
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("dedupe", help="find missing reports that describe the same child")
    p.add_argument("--missing", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    thresholds(p)
    p.set_defaults(func=cmd_dedupe)

    p = sub.add_parser("train", help="train a model without labels (u by sampling, m by EM)")
    p.add_argument("--missing", type=Path, required=True)
    p.add_argument("--found", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--reported-share", type=float, default=0.6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--version", default=None)
    p.add_argument("--description", default="")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "refit", help="refit the model's m from confirmed review decisions in the database"
    )
    p.add_argument("--out", type=Path, required=True, help="where to write the refitted model")
    p.add_argument(
        "--model", type=Path, default=None, help="default: MATCHER_MODEL_PATH or shipped"
    )
    p.add_argument("--database-url", default=None, help="default: MATCHER_DATABASE_URL")
    p.add_argument(
        "--prior-strength",
        type=_positive,
        default=50.0,
        help="how many confirmed pairs the current m counts as (default 50)",
    )
    p.add_argument("--show", type=int, default=10, help="levels whose m moved most to print")
    p.set_defaults(func=cmd_refit)

    p = sub.add_parser("synth", help="generate realistic records with ground truth")
    p.add_argument("--missing", type=int, default=50_000)
    p.add_argument("--found", type=int, default=5_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("evaluate", help="precision, recall, top-1 of a link file against the truth")
    p.add_argument("--links", type=Path, required=True)
    p.add_argument("--truth", type=Path, required=True)
    p.add_argument(
        "--found", type=Path, help="the found file, to count children that were never reported"
    )
    p.add_argument("--plots", type=Path, help="folder for the PR curve and score histogram PNGs")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("demo", help="link the demo data and explain one child's candidates")
    p.add_argument("--data", type=Path, default=DEMO_DIR, help="folder with the demo CSV files")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the HTTP service (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed an empty database with the demo data and print demo keys",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("db", help="database maintenance")
    db_sub = p.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    q = db_sub.add_parser("upgrade", help="apply the migrations (MATCHER_DATABASE_URL)")
    q.add_argument("--database-url", default=None, help="default: MATCHER_DATABASE_URL")
    q.set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("keys", help="API keys")
    keys_sub = p.add_subparsers(dest="keys_command", required=True, metavar="KEYS_COMMAND")
    q = keys_sub.add_parser("create", help="create a key and print it once")
    q.add_argument("--name", required=True)
    q.add_argument("--role", choices=["integrator", "caseworker", "admin"], required=True)
    q.add_argument("--state", action="append", help="state code a caseworker sees (repeatable)")
    q.add_argument(
        "--district", action="append", help="district code a caseworker sees (repeatable)"
    )
    q.add_argument("--database-url", default=None, help="default: MATCHER_DATABASE_URL")
    q.set_defaults(func=cmd_keys_create)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except MatcherError as exc:
        print(f"matcher: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`matcher evaluate ... | head`): not an error.
        # Point stdout at devnull so that flushing it at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
