"""Refitting m from the confirmed decisions in the store (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

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
    get_record,
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


def test_confirmed_pairs_are_gathered_with_what_was_left_out(session: Session) -> None:
    _queue(session)
    decisions = confirmed_pairs(session, load_gazetteer())
    assert sorted((f.id, m.id) for f, m in decisions.confirmed) == [("F1", "M1"), ("F2", "M2")]
    assert decisions.confirmed_decisions == 2
    assert decisions.rejected_decisions == 1
    assert decisions.records_gone == 0


def test_a_refit_learns_from_the_records_as_they_were_decided(session: Session) -> None:
    """Confirming closes the records, and a record corrected after the reunification
    would teach that the old disagreement was agreement."""
    _queue(session)
    upsert_records(
        session, [found_input("F1", name="Mohd Irfan Sheikh", age="12", sex="M")], actor=IMPORT
    )
    session.commit()
    assert get_record(session, RecordKind.FOUND, "F1").fields["name"] == "Mohd Irfan Sheikh"
    decisions = confirmed_pairs(session, load_gazetteer())
    child = next(f for f, m in decisions.confirmed if f.id == "F1")
    assert child.name.original == "Irfan"
    assert child.home.district is not None and child.home.district.name == "Patna"


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


def test_refitting_a_refitted_model_does_not_count_the_decisions_twice(session: Session) -> None:
    _queue(session)
    decisions = confirmed_pairs(session, load_gazetteer())
    once = refit(default_model(), decisions, prior_strength=2.0)
    twice = refit(once, decisions, prior_strength=2.0)
    assert twice.weight_table() == once.weight_table()
    assert twice.training["refit"]["from_version"] == default_model().version


def test_refit_reads_levels_by_comparison_name_whatever_the_file_order(session: Session) -> None:
    _queue(session)
    data = default_model().to_dict()
    data["comparisons"] = data["comparisons"][::-1]
    shuffled = MatchModel.from_dict(data)
    decisions = confirmed_pairs(session, load_gazetteer())
    assert (
        refit(shuffled, decisions).weight_table()
        == refit(default_model(), decisions).weight_table()
    )


@pytest.mark.parametrize("strength", [0.0, -5.0, float("nan")])
def test_a_prior_strength_that_is_no_positive_number_is_refused(
    session: Session, strength: float
) -> None:
    _queue(session)
    with pytest.raises(ValueError, match="prior_strength"):
        refit(default_model(), confirmed_pairs(session, load_gazetteer()), prior_strength=strength)
    with pytest.raises(SystemExit):
        main(["refit", "--out", "x.json", "--prior-strength", str(strength)])


def test_the_refit_command_reads_only_a_current_matcher_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only command: a mistyped path is not created, an old schema is not migrated."""
    out = tmp_path / "model.json"
    typo = tmp_path / "typo.db"
    assert main(["refit", "--database-url", f"sqlite:///{typo}", "--out", str(out)]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not typo.exists() and not out.exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert main(["refit", "--database-url", f"sqlite:///{empty}", "--out", str(out)]) == 2
    assert "matcher db upgrade" in capsys.readouterr().err
    assert main(["refit", "--database-url", "not a url", "--out", str(out)]) == 2
    assert "cannot be parsed" in capsys.readouterr().err


def test_the_refit_command_checks_where_it_will_write_first(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_folder = tmp_path / "no" / "model.json"
    assert main(["refit", "--database-url", database_url, "--out", str(missing_folder)]) == 2
    assert "cannot write the model" in capsys.readouterr().err
