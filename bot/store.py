"""The audit store over SQLAlchemy 2: SQLite by default (``<data_dir>/vetcandidate.db``, schema
upgraded on open), PostgreSQL via ``DATABASE_URL`` (``vetcandidate migrate`` upgrades it).

One ``Store`` per process. It records vettings (the row, the JSON report and the reuse fingerprints
in one transaction), lists history, purges past retention, and builds the read-only ``reuse``
source, the database-backed sanctions store, TTL caches and leases. Logs name vetting IDs only.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot import store_models as m
from bot.config import Settings
from bot.store_db import (  # noqa: F401 - re-exported: the store's public surface
    DEFAULT_RETENTION_DAYS,
    current_revision,
    database_url,
    head_revision,
    load_secret,
    make_engine,
    migrate,
    retention_days,
    utc,
)
from bot.store_errors import AlreadyRecorded, StoreError
from checks import fingerprints
from checks.model import Report
from checks.reuse import resume_inputs

log = logging.getLogger(__name__)

__all__ = ["AlreadyRecorded", "HistoryRow", "Store", "StoreError"]


# -- the store ------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    vetting_id: str
    created_at: datetime
    requested_by: str
    team: str
    channel: str
    level: str
    score: int
    candidate_name: str   # for the requester's own App Home; the CLI history does not print it


class Store:
    def __init__(self, engine: Engine, secret: str, *, retention_days: int = DEFAULT_RETENTION_DAYS,
                 data_dir: Path | None = None):
        self.engine = engine
        self.retention_days = retention_days
        self.data_dir = data_dir
        self._reuse_key = fingerprints.derive_key(secret, "reuse")
        self._cache_key = fingerprints.derive_key(secret, "cache")

    @classmethod
    def open(cls, settings: Settings, *, upgrade: bool | None = None) -> Store:
        """Build from settings. ``upgrade`` None: SQLite upgrades its schema here, PostgreSQL with no
        schema is a ``StoreError`` naming `vetcandidate migrate`; True: upgrade any database; False:
        neither upgrade nor check (no connection is made, e.g. before ``migrate()``)."""
        engine = make_engine(settings)
        store = cls(engine, load_secret(settings, engine.url), retention_days=retention_days(settings),
                    data_dir=settings.data_dir)
        if upgrade is False:
            return store
        try:
            current, head = current_revision(engine), head_revision()
            if current != head and (upgrade or engine.dialect.name == "sqlite"):
                store.migrate()
            elif current != head and not current:
                raise StoreError("the database has no schema yet: run `vetcandidate migrate`")
            elif current != head:
                log.warning("database schema %s differs from this version's %s; run `vetcandidate migrate`",
                            current, head)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot open the database ({type(exc).__name__})") from None
        return store

    def migrate(self) -> tuple[str, str]:
        try:
            before, after = migrate(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"migration failed ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") \
                from None
        if before != after:
            log.info("database schema upgraded from %s to %s", before or "empty", after)
            if not before and self.data_dir is not None:
                self.sanctions().import_file_edition(self.data_dir)
        return before, after

    def close(self) -> None:
        self.engine.dispose()

    def describe(self) -> str:
        """One line for ``doctor``: backend, schema revision, vettings kept. Raises StoreError."""
        try:
            current, head = current_revision(self.engine), head_revision()
            with self.engine.connect() as conn:
                kept = conn.execute(select(func.count()).select_from(m.vettings)).scalar() if current else 0
        except SQLAlchemyError as exc:
            raise StoreError(f"database unreachable ({type(exc).__name__})") from None
        if current != head:
            raise StoreError(f"schema {current or 'missing'}, expected {head}: run `vetcandidate migrate`")
        return (f"{self.engine.dialect.name}, schema {current}, {kept} vettings kept, "
                f"retention {self.retention_days} days")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE). Database errors become StoreError."""
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(write=True)
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"database error ({type(exc).__name__})") from None

    def now(self) -> datetime:
        return datetime.now(UTC)

    # -- recording --------------------------------------------------------------------------
    def record(self, report: Report, *, vetting_id: str, requested_by: str = "", team: str = "",
               channel: str = "", job_key: str | None = None, slack_ts: str | None = None,
               artefacts: Mapping[str, Any] | None = None) -> None:
        """Write the vetting row, its report and its reuse fingerprints in one transaction."""
        text, contacts = resume_inputs(artefacts or {})
        prints = fingerprints.compute(report.candidate, self._reuse_key, text, contacts)
        c = report.candidate
        created = utc(report.generated_at) or self.now()
        row = _no_nul({"id": vetting_id, "job_key": job_key, "created_at": created,
                       "requested_by": requested_by, "team": team, "channel": channel,
                       "candidate_name": c.name, "candidate_email": c.email, "candidate_phone": c.phone,
                       "candidate_location": c.location, "candidate_wallet": c.wallet,
                       "candidate_github": c.github, "resume_name": c.resume_name,
                       "report": report.to_dict(), "level": str(report.risk.level),
                       "score": report.risk.score, "slack_ts": slack_ts})
        try:
            with self.write() as conn:
                conn.execute(insert(m.vettings).values(row))
                self._insert_fingerprints(conn, vetting_id, created, prints)
        except IntegrityError:
            raise AlreadyRecorded(f"vetting {vetting_id} is already recorded") from None
        log.info("vetting %s recorded (%d fingerprints)", vetting_id, _count(prints))

    @staticmethod
    def _insert_fingerprints(conn: Connection, vetting_id: str, created: datetime,
                             prints: fingerprints.Fingerprints) -> None:
        rows = [*prints.identifiers, *prints.resume_contacts,
                *((fingerprints.NAME_TOKEN, t) for t in sorted(prints.name_tokens)),
                *((fingerprints.RESUME_BAND, b) for b in prints.resume_bands)]
        if rows:
            conn.execute(insert(m.reuse_fingerprints), [
                {"vetting_id": vetting_id, "kind": k, "digest": d, "created_at": created} for k, d in rows])
        if prints.resume_signature:
            conn.execute(insert(m.resume_signatures).values(
                vetting_id=vetting_id, created_at=created,
                signature=fingerprints.pack_signature(prints.resume_signature)))

    def set_slack_ts(self, vetting_id: str, ts: str) -> None:
        with self.write() as conn:
            conn.execute(update(m.vettings).where(m.vettings.c.id == vetting_id).values(slack_ts=ts))

    def vetting_for_job(self, job_key: str) -> str | None:
        """The vetting ID already recorded for a job key (exactly-once replies), or None."""
        with self.read() as conn:
            return conn.execute(select(m.vettings.c.id).where(m.vettings.c.job_key == job_key)).scalar()

    def report(self, vetting_id: str) -> dict | None:
        with self.read() as conn:
            return conn.execute(select(m.vettings.c.report).where(m.vettings.c.id == vetting_id)).scalar()

    def history(self, limit: int = 20, requested_by: str | None = None) -> list[HistoryRow]:
        v = m.vettings.c
        query = select(v.id, v.created_at, v.requested_by, v.team, v.channel, v.level, v.score,
                       v.candidate_name).order_by(v.created_at.desc(), v.id).limit(limit)
        if requested_by is not None:
            query = query.where(v.requested_by == requested_by)
        with self.read() as conn:
            return [HistoryRow(r.id, utc(r.created_at), r.requested_by, r.team, r.channel, r.level, r.score,
                               r.candidate_name) for r in conn.execute(query)]

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"database error ({type(exc).__name__})") from None

    # -- collaborators ----------------------------------------------------------------------
    def reuse_index(self):
        from bot.store_reuse import StoreReuseIndex

        return StoreReuseIndex(self.engine, self._reuse_key, self.retention_days)

    def sanctions(self):
        from bot.store_sanctions import DbSanctionsStore

        return DbSanctionsStore(self.engine, self.data_dir)

    def cache(self, namespace: str, default_ttl_s: float = 86400.0):
        """A shared JSON cache; the namespaces in use are listed in ``bot.store_cache``."""
        from bot.store_cache import DbCache

        return DbCache(self, namespace, self._cache_key, default_ttl_s)

    def purge(self, now: datetime | None = None):
        from bot.store_purge import purge_expired

        return purge_expired(self, now or self.now())

    def purge_candidate(self, identifier: str):
        from bot.store_purge import purge_identifier

        return purge_identifier(self, identifier, self._reuse_key, self._cache_key)

    def purged_total(self) -> int:
        from bot.store_purge import purged_total

        return purged_total(self)

    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> bool:
        """Database lock for "one dyno does it" jobs (daily refresh and purge)."""
        from bot.store_cache import acquire_lease

        return acquire_lease(self, name, holder, ttl_s)

    def release_lease(self, name: str, holder: str) -> None:
        from bot.store_cache import release_lease

        release_lease(self, name, holder)


def _no_nul(value: Any) -> Any:
    """PostgreSQL text and JSONB refuse NUL characters (a PDF's metadata may carry them)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nul(v) for v in value]
    return value


def _count(prints: fingerprints.Fingerprints) -> int:
    return (len(prints.identifiers) + len(prints.resume_contacts) + len(prints.name_tokens)
            + len(prints.resume_bands))
