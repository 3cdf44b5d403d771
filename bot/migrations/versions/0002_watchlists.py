"""Watchlists: named indicator lists, their entries, a generation counter and an audit trail.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False, server_default=""),
        sa.Column("list_format", sa.String(16), nullable=False, server_default=""),
        sa.Column("entry_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("name", name="pk_watchlists"),
    )
    op.create_table(
        "watchlist_entries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("list_name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("normal", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False, server_default="high"),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("reference", sa.Text(), nullable=False, server_default=""),
        sa.Column("vetting_id", sa.String(64), nullable=True),
        sa.Column("added_by", sa.String(64), nullable=False, server_default=""),
        _when("added_at"),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_entries"),
        sa.ForeignKeyConstraint(["list_name"], ["watchlists.name"], ondelete="CASCADE",
                                name="fk_watchlist_entries_list_name_watchlists"),
    )
    op.create_index("ix_watchlist_entries_list_name", "watchlist_entries", ["list_name"])
    op.create_index("ix_watchlist_entries_kind_normal", "watchlist_entries", ["kind", "normal"])
    op.create_index("ix_watchlist_entries_vetting_id", "watchlist_entries", ["vetting_id"])
    op.create_table(
        "watchlist_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_generation"),
    )
    op.create_table(
        "watchlist_audit",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        _when("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("list_name", sa.String(64), nullable=False),
        sa.Column("vetting_id", sa.String(64), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_audit"),
    )


def downgrade() -> None:
    for table in ("watchlist_audit", "watchlist_generation", "watchlist_entries", "watchlists"):
        op.drop_table(table)
