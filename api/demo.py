"""Demo mode: seed an empty database with the demo records and print demo keys.

``matcher serve --demo`` (or ``MATCHER_DEMO=1``) runs this at start-up. The
records are imported through the same code as ``POST /v1/imports``, so the
demo pairs land in the review queue exactly as in production. Demo keys are
made afresh at every demo start (the old demo keys are revoked), because a
key's secret is shown once and a demo must always print working keys.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from fastapi import FastAPI

import matcher
from api.matching import MatchingState
from api.service import prepare, write_records
from matcher.exchange import read_records
from matcher.records import RawRecord, RecordKind
from matcher.settings import Settings
from matcher.storage import repository as repo

log = logging.getLogger(__name__)

DEMO_DIR = Path(matcher.__file__).resolve().parents[2] / "data" / "fixtures" / "demo"
DEMO_ACTOR = repo.Actor.system("demo")
DEMO_KEY_NAMES = ("demo-admin", "demo-caseworker")


def seed_demo(app: FastAPI, settings: Settings, data: Path = DEMO_DIR) -> dict[str, str]:
    """Import the demo files into an empty database, make demo keys, print them; the secrets."""
    state: MatchingState = app.state.matching
    with app.state.session_factory() as session:
        if repo.count_records(session, include_deleted=True) == 0:
            # Missing reports first: each found child is then matched against all of them.
            for kind in (RecordKind.MISSING, RecordKind.FOUND):
                raws = [
                    r for r in read_records(data / f"{kind}.csv", kind) if isinstance(r, RawRecord)
                ]
                write_records(
                    session, state, [], DEMO_ACTOR, prepared=[prepare(state, r) for r in raws]
                )
                session.commit()
                state.catch_up()
            log.info("demo data imported from %s", data)
        pending, _ = repo.list_review_items(session, limit=10_000)
        places = Counter(i.jurisdiction.found_state for i in pending if i.jurisdiction.found_state)
        demo_state = places.most_common(1)[0][0] if places else None
        for existing in repo.list_api_keys(session, include_revoked=False):
            if existing.name in DEMO_KEY_NAMES:
                repo.revoke_api_key(session, existing.id, actor=DEMO_ACTOR)
        _, admin = repo.create_api_key(session, "demo-admin", repo.Role.ADMIN, actor=DEMO_ACTOR)
        _, caseworker = repo.create_api_key(
            session,
            "demo-caseworker",
            repo.Role.CASEWORKER,
            [demo_state] if demo_state else [],
            actor=DEMO_ACTOR,
        )
        session.commit()
        total = repo.count_records(session)
    base = f"http://{settings.host}:{settings.port}"
    url = f"{base}/docs"
    print(
        "\n".join(
            [
                "",
                f"matcher demo: {total} records, {len(pending)} pairs waiting for review",
                f"  open {url} and press 'Authorize' with one of these keys:",
                f"  admin key:      {admin}",
                f"  caseworker key: {caseworker}"
                + (f"  (sees state {demo_state})" if demo_state else ""),
                f"  caseworkers' review pages: {base}/review (sign in with the caseworker key)",
                "  (new demo keys are made at every demo start; the old ones stop working)",
                "",
            ]
        ),
        flush=True,
    )
    return {"admin": admin, "caseworker": caseworker}
