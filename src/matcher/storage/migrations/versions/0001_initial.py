"""Initial schema: records and their history, change sequence, review queue, audit, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Written against the generic types, not ``matcher.storage.tables``, so this
file keeps describing revision 0001 whatever the models become later.
Timestamps are ``DateTime(timezone=True)`` here; the models wrap it in
``UtcDateTime``, which changes only what Python sees.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# BIGINT identity on PostgreSQL; INTEGER PRIMARY KEY (the auto-incrementing rowid) on SQLite.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CURRENT_ITEM = sa.text("superseded_at IS NULL")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("states", sa.JSON(), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.Column("last_used_at", _utc(), nullable=True),
        sa.CheckConstraint(
            "role IN ('integrator', 'caseworker', 'admin')", name=op.f("ck_api_keys_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_index(op.f("ix_api_keys_prefix"), "api_keys", ["prefix"])

    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.String(length=200), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(
        op.f("ix_audit_log_target_kind_target_id"), "audit_log", ["target_kind", "target_id"]
    )

    op.create_table(
        "changes",
        sa.Column("seq", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.CheckConstraint("op IN ('create', 'update', 'delete')", name=op.f("ck_changes_op")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "records",
        sa.Column("pk", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("state_code", sa.String(length=32), nullable=True),
        sa.Column("district_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("deleted_at", _utc(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'missing' AND status IN ('open', 'traced'))"
            " OR (kind = 'found' AND status IN ('open', 'reunited'))",
            name=op.f("ck_records_status"),
        ),
        sa.CheckConstraint("kind IN ('found', 'missing')", name=op.f("ck_records_kind")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_records")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_records_kind_record_id")),
    )
    op.create_index(op.f("ix_records_kind_district_code"), "records", ["kind", "district_code"])
    op.create_index(op.f("ix_records_kind_state_code"), "records", ["kind", "state_code"])

    op.create_table(
        "record_versions",
        sa.Column("record_pk", BIG_ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("state_code", sa.String(length=32), nullable=True),
        sa.Column("district_code", sa.String(length=32), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'status')",
            name=op.f("ck_record_versions_action"),
        ),
        sa.ForeignKeyConstraint(
            ["record_pk"],
            ["records.pk"],
            name=op.f("fk_record_versions_record_pk"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("record_pk", "version", name=op.f("pk_record_versions")),
    )

    op.create_table(
        "review_items",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("found_pk", BIG_ID, nullable=False),
        sa.Column("missing_pk", BIG_ID, nullable=False),
        sa.Column("found_id", sa.String(length=200), nullable=False),
        sa.Column("missing_id", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("found_version", sa.Integer(), nullable=False),
        sa.Column("missing_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("found_state", sa.String(length=32), nullable=True),
        sa.Column("found_district", sa.String(length=32), nullable=True),
        sa.Column("found_home_state", sa.String(length=32), nullable=True),
        sa.Column("found_home_district", sa.String(length=32), nullable=True),
        sa.Column("missing_state", sa.String(length=32), nullable=True),
        sa.Column("missing_district", sa.String(length=32), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("superseded_at", _utc(), nullable=True),
        sa.Column("superseded_by_id", BIG_ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('match', 'review')", name=op.f("ck_review_items_decision")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected', 'unsure')",
            name=op.f("ck_review_items_status"),
        ),
        sa.ForeignKeyConstraint(
            ["found_pk"], ["records.pk"], name=op.f("fk_review_items_found_pk"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["missing_pk"],
            ["records.pk"],
            name=op.f("fk_review_items_missing_pk"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["review_items.id"],
            name=op.f("fk_review_items_superseded_by_id"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    for column in (
        "found_district",
        "found_home_district",
        "found_home_state",
        "found_state",
        "missing_district",
        "missing_pk",
        "missing_state",
    ):
        op.create_index(op.f(f"ix_review_items_{column}"), "review_items", [column])
    op.create_index(op.f("ix_review_items_status_score"), "review_items", ["status", "score"])
    # One current (not superseded) item per pair; superseded items stay as history.
    op.create_index(
        "uq_review_items_current_pair",
        "review_items",
        ["found_pk", "missing_pk"],
        unique=True,
        sqlite_where=CURRENT_ITEM,
        postgresql_where=CURRENT_ITEM,
    )

    op.create_table(
        "decisions",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("previous_status", sa.String(length=16), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", _utc(), nullable=False),
        sa.CheckConstraint(
            "status IN ('confirmed', 'rejected', 'unsure')", name=op.f("ck_decisions_status")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["review_items.id"],
            name=op.f("fk_decisions_item_id"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_item_id"), "decisions", ["item_id"])

    op.create_table(
        "reunification_steps",
        sa.Column("id", BIG_ID, sa.Identity(always=False), nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["review_items.id"],
            name=op.f("fk_reunification_steps_item_id"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reunification_steps")),
    )
    op.create_index(op.f("ix_reunification_steps_item_id"), "reunification_steps", ["item_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes on both databases.
    for table in (
        "reunification_steps",
        "decisions",
        "review_items",
        "record_versions",
        "records",
        "changes",
        "audit_log",
        "api_keys",
    ):
        op.drop_table(table)
