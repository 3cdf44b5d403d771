"""The audit store's tables (SQLAlchemy Core). The Alembic migrations in ``bot/migrations`` create
exactly this schema; ``tests/test_store.py`` compares the two so they cannot drift apart.

Personal data lives in ``vettings`` only (candidate fields and the JSON report) and is deleted with
the row; ``reuse_fingerprints`` and ``resume_signatures`` hold keyed hashes, deleted with it too.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING = {"ix": "ix_%(table_name)s_%(column_0_N_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}
metadata = MetaData(naming_convention=NAMING)

#: autoincrementing 64-bit key (SQLite only auto-increments an INTEGER PRIMARY KEY)
BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


def _when(name: str, **kw) -> Column:
    return Column(name, DateTime(timezone=True), **kw)


vettings = Table(
    "vettings", metadata,
    Column("id", String(64), primary_key=True),               # the vetting ID shown everywhere
    Column("job_key", String(200), nullable=True, unique=True),  # idempotency key of the job
    _when("created_at", nullable=False),
    Column("requested_by", String(64), nullable=False, server_default=""),
    Column("team", String(64), nullable=False, server_default=""),
    Column("channel", String(64), nullable=False, server_default=""),
    Column("candidate_name", Text, nullable=False, server_default=""),
    Column("candidate_email", Text, nullable=False, server_default=""),
    Column("candidate_phone", Text, nullable=False, server_default=""),
    Column("candidate_location", Text, nullable=False, server_default=""),
    Column("candidate_wallet", Text, nullable=False, server_default=""),
    Column("candidate_github", Text, nullable=False, server_default=""),
    Column("resume_name", Text, nullable=False, server_default=""),
    Column("report", Json, nullable=False),
    Column("level", String(16), nullable=False),
    Column("score", Integer, nullable=False),
    Column("slack_ts", String(32), nullable=True),
    Index(None, "created_at"),
    Index(None, "requested_by", "created_at"),
)

reuse_fingerprints = Table(
    "reuse_fingerprints", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vetting_id", String(64), ForeignKey("vettings.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    _when("created_at", nullable=False),
    Index(None, "digest"),
    Index(None, "vetting_id"),
)

resume_signatures = Table(
    "resume_signatures", metadata,
    Column("vetting_id", String(64), ForeignKey("vettings.id", ondelete="CASCADE"), primary_key=True),
    Column("signature", LargeBinary, nullable=False),
    _when("created_at", nullable=False),
)

sanctions_editions = Table(
    "sanctions_editions", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _when("stored_at", nullable=False),
    Column("publish_date", Date, nullable=False),
    Column("source", Text, nullable=False),
    Column("list_format", String(16), nullable=False),
    Column("party_count", Integer, nullable=False),
    Column("entry_count", Integer, nullable=False),
    _when("fetched_at", nullable=False),
    _when("checked_at", nullable=False),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("sha256", String(64), nullable=True),
    Column("entries", LargeBinary, nullable=True),   # zlib(JSON): profiles and address entries
    Column("names", LargeBinary, nullable=True),     # zlib(JSON): SDN individuals, read on demand
)

cache_entries = Table(
    "cache_entries", metadata,
    Column("namespace", String(32), primary_key=True),
    Column("key", String(64), primary_key=True),     # keyed hash of the caller's key
    Column("value", Json, nullable=False),
    _when("expires_at", nullable=False),
    Index(None, "expires_at"),
)

purge_log = Table(
    "purge_log", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _when("purged_at", nullable=False),
    Column("reason", String(16), nullable=False),      # "retention" | "request"
    Column("vettings", Integer, nullable=False),
    Column("fingerprints", Integer, nullable=False),
)

leases = Table(
    "leases", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    _when("expires_at", nullable=False),
)

# -- watchlists (migration 0002) --------------------------------------------------------------
#: a security team's named indicator lists; ``confirmed-fraud`` is filled from Slack
watchlists = Table(
    "watchlists", metadata,
    Column("name", String(64), primary_key=True),
    Column("source", Text, nullable=False, server_default=""),
    Column("list_format", String(16), nullable=False, server_default=""),
    Column("entry_count", Integer, nullable=False, server_default="0"),
    Column("updated_by", String(64), nullable=False, server_default=""),
    _when("updated_at", nullable=False),
)

watchlist_entries = Table(
    "watchlist_entries", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("list_name", String(64), ForeignKey("watchlists.name", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),        # email|domain|phone|wallet|github|url|name|resume
    Column("value", Text, nullable=False),              # as given (resume: a label, never text)
    Column("normal", Text, nullable=False),             # the comparison form (resume: keyed signature)
    Column("severity", String(16), nullable=False, server_default="high"),
    Column("note", Text, nullable=False, server_default=""),
    Column("reference", Text, nullable=False, server_default=""),
    Column("vetting_id", String(64), nullable=True),    # confirmed fraud: no FK, the entry outlives purge
    Column("added_by", String(64), nullable=False, server_default=""),
    _when("added_at", nullable=False),
    Index(None, "list_name"),
    Index(None, "kind", "normal"),
    Index(None, "vetting_id"),
)

#: one row (id 1): bumped in every transaction that changes any list, so indexes know to reload
watchlist_generation = Table(
    "watchlist_generation", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)

#: who confirmed, undid, blocked, imported or removed what, and when (IDs and counts only)
watchlist_audit = Table(
    "watchlist_audit", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _when("at", nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("list_name", String(64), nullable=False),
    Column("vetting_id", String(64), nullable=True),
    Column("entries", Integer, nullable=False),
)
