"""Alembic migrations create exactly the schema the ORM models describe, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, inspect

from matcher.storage.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    compare_options,
    current_revision,
    downgrade,
    upgrade,
)
from matcher.storage.tables import Base


def schema_diff(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts=compare_options(connection.dialect.name)
        )
        return list(compare_metadata(context, metadata))


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()
    assert head() == "0001"


def test_migrated_schema_equals_the_models(database_url: str, engine: Engine) -> None:
    assert current_revision(database_url) == head()
    assert schema_diff(engine, Base.metadata) == []


def test_schema_comparison_sees_a_difference(engine: Engine) -> None:
    """The check above can fail: a model column the migrations lack is reported."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["records"].append_column(Column("nickname", String(50), nullable=True))
    diff = schema_diff(engine, changed)
    assert [d[0] for d in diff] == ["add_column"]
    assert diff[0][3].name == "nickname"


def test_upgrade_twice_is_a_no_op(database_url: str, engine: Engine) -> None:
    upgrade(database_url)
    assert current_revision(database_url) == head()
    assert schema_diff(engine, Base.metadata) == []


def test_downgrade_to_base_and_back(database_url: str, engine: Engine) -> None:
    downgrade(database_url, "base")
    tables = set(inspect(engine).get_table_names())
    assert tables <= {"alembic_version"}
    upgrade(database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    assert schema_diff(engine, Base.metadata) == []


def test_fresh_sqlite_file(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head()
