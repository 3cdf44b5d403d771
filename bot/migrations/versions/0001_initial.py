"""The audit store: vettings, reuse fingerprints, resume signatures, sanctions editions, source
caches, the purge log and leases.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "vettings",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("job_key", sa.String(200), nullable=True),
        _when("created_at"),
        sa.Column("requested_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("team", sa.String(64), nullable=False, server_default=""),
        sa.Column("channel", sa.String(64), nullable=False, server_default=""),
        _text("candidate_name"), _text("candidate_email"), _text("candidate_phone"),
        _text("candidate_location"), _text("candidate_wallet"), _text("candidate_github"),
        _text("resume_name"),
        sa.Column("report", Json, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("slack_ts", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vettings"),
        sa.UniqueConstraint("job_key", name="uq_vettings_job_key"),
    )
    op.create_index("ix_vettings_created_at", "vettings", ["created_at"])
    op.create_index("ix_vettings_requested_by_created_at", "vettings", ["requested_by", "created_at"])

    op.create_table(
        "reuse_fingerprints",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("vetting_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_reuse_fingerprints"),
        sa.ForeignKeyConstraint(["vetting_id"], ["vettings.id"], ondelete="CASCADE",
                                name="fk_reuse_fingerprints_vetting_id_vettings"),
    )
    op.create_index("ix_reuse_fingerprints_digest", "reuse_fingerprints", ["digest"])
    op.create_index("ix_reuse_fingerprints_vetting_id", "reuse_fingerprints", ["vetting_id"])

    op.create_table(
        "resume_signatures",
        sa.Column("vetting_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("vetting_id", name="pk_resume_signatures"),
        sa.ForeignKeyConstraint(["vetting_id"], ["vettings.id"], ondelete="CASCADE",
                                name="fk_resume_signatures_vetting_id_vettings"),
    )

    op.create_table(
        "sanctions_editions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        _when("stored_at"),
        sa.Column("publish_date", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("list_format", sa.String(16), nullable=False),
        sa.Column("party_count", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        _when("fetched_at"),
        _when("checked_at"),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("entries", sa.LargeBinary(), nullable=True),
        sa.Column("names", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sanctions_editions"),
    )

    op.create_table(
        "cache_entries",
        sa.Column("namespace", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", Json, nullable=False),
        _when("expires_at"),
        sa.PrimaryKeyConstraint("namespace", "key", name="pk_cache_entries"),
    )
    op.create_index("ix_cache_entries_expires_at", "cache_entries", ["expires_at"])

    op.create_table(
        "purge_log",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        _when("purged_at"),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("vettings", sa.Integer(), nullable=False),
        sa.Column("fingerprints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purge_log"),
    )

    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        _when("expires_at"),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )


def downgrade() -> None:
    for table in ("leases", "purge_log", "cache_entries", "sanctions_editions", "resume_signatures",
                  "reuse_fingerprints", "vettings"):
        op.drop_table(table)
