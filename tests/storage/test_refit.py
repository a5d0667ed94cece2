"""Refitting m from the confirmed decisions in the store (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from matcher import refit as refit_module
from matcher.cli import main
from matcher.normalize.places import load_gazetteer
from matcher.records import RecordKind
from matcher.refit import confirmed_pairs, m_changes, refit
from matcher.scoring.model import MatchModel, default_model
from matcher.storage.repository import (
    Actor,
    LinkDecision,
    ReviewStatus,
    decide,
    delete_record,
    propose_pair,
    upsert_records,
)
from tests.conftest_db import found_input, missing_input

IMPORT = Actor.system("test-import")
ASHA = Actor(label="key:11", key_id=11, role="caseworker")


def _propose(session: Session, found_id: str, missing_id: str) -> Any:
    result = propose_pair(
        session,
        found_id,
        missing_id,
        score=0.8,
        match_weight=2.0,
        decision=LinkDecision.REVIEW,
        explanation={},
        model_version="test",
    )
    assert result.item is not None
    return result.item


def _queue(session: Session) -> None:
    """Two confirmed pairs (exact names), one rejected, one pending."""
    upsert_records(
        session,
        [
            found_input("F1", name="Irfan", age="12", sex="M", district="Patna"),
            found_input("F2", name="Lakshmi", age="9", sex="F", district="Gaya"),
            found_input("F3", name="Raju", age="10", sex="M"),
            missing_input("M1", name="Irfan", age="11", sex="M", district="Patna"),
            missing_input("M2", name="Lakshmi", age="9", sex="F", district="Gaya"),
            missing_input("M3", name="Raju Kumar", age="10", sex="M"),
            missing_input("M4", name="Raju", age="16", sex="M"),
        ],
        actor=IMPORT,
    )
    for found_id, missing_id, status in (
        ("F1", "M1", ReviewStatus.CONFIRMED),
        ("F2", "M2", ReviewStatus.CONFIRMED),
        ("F3", "M4", ReviewStatus.REJECTED),
    ):
        item = _propose(session, found_id, missing_id)
        decide(session, item.id, status, ASHA, None, item.version)
    _propose(session, "F3", "M3")
    session.commit()


def test_confirmed_pairs_are_gathered_page_by_page(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _queue(session)
    monkeypatch.setattr(refit_module, "PAGE", 1)  # every item on its own page
    decisions = confirmed_pairs(session, load_gazetteer())
    assert sorted((f.id, m.id) for f, m in decisions.confirmed) == [("F1", "M1"), ("F2", "M2")]
    assert decisions.confirmed_decisions == 2
    assert decisions.rejected_decisions == 1
    assert decisions.records_gone == 0


def test_a_deleted_record_leaves_its_pair_out(session: Session) -> None:
    _queue(session)
    delete_record(session, RecordKind.MISSING, "M2", actor=IMPORT)
    session.commit()
    decisions = confirmed_pairs(session, load_gazetteer())
    assert [(f.id, m.id) for f, m in decisions.confirmed] == [("F1", "M1")]
    assert decisions.records_gone == 1


def test_refit_moves_m_towards_the_confirmed_levels(session: Session) -> None:
    _queue(session)
    model = default_model()
    refitted = refit(model, confirmed_pairs(session, load_gazetteer()), prior_strength=2.0)
    before = model.comparison("name").level("exact").m_probability
    after = refitted.comparison("name").level("exact").m_probability
    assert after > before  # both confirmed pairs agree exactly on the name
    assert ("name", "exact") in {
        (field, level) for field, level, _, _ in m_changes(model, refitted)
    }
    # u is a property of strangers: decisions leave it alone.
    for comparison in model.comparisons:
        new_levels = refitted.comparison(comparison.field).levels
        for old, new in zip(comparison.levels, new_levels, strict=True):
            assert (old.u_probability, old.u_same_state) == (new.u_probability, new.u_same_state)


def test_the_refit_command_writes_a_model_an_operator_can_deploy(
    database_url: str, session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refitted.json"
    assert main(["refit", "--database-url", database_url, "--out", str(out)]) == 1
    assert not out.exists()  # nothing confirmed yet: no model
    _queue(session)
    assert main(["refit", "--database-url", database_url, "--out", str(out)]) == 0
    model = MatchModel.load(out)
    assert model.version.startswith("refit-")
    assert model.training["refit"]["confirmed_pairs"] == 2
    printed = capsys.readouterr().out
    assert "2 confirmed decisions, 2 distinct pairs used" in printed
    assert "1 rejected decisions not used" in printed
    # No child's name or record id in what the command prints.
    for secret in ("Irfan", "Lakshmi", "F1", "M2"):
        assert secret not in printed
