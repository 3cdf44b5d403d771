"""The OFAC SDN index kept in the database, so every dyno shares one edition.

``DbSanctionsStore`` has the interface of ``checks.sources.sanctions_store.SanctionsStore``
(``load()``, ``save()``, ``meta()``, ``mark_checked()``, ``dir`` for download temp files), so
``SanctionsSource`` and ``refresh()`` use it unchanged. Each edition is one row: metadata columns,
the address entries (read on load, zlib-compressed JSON ``{"schema", "profiles", "entries"}``; a
profile is ``[name, programs, designation date]``, and a row stored before dates existed has no
``schema`` and two-item profiles: it loads, and the next refresh parses the list again) and the SDN
individuals' names (read only when name screening first asks). ``load()`` costs one small query
while the edition is unchanged. The newest ``KEEP_EDITIONS`` keep their data; older rows keep their
metadata as a history.
"""
from __future__ import annotations

import json
import logging
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot import store_models as m
from bot.store_db import utc
from checks.errors import BadResponse, SourceError, SourceUnavailable
from checks.sources.ofac_xml import SdnName
from checks.sources.sanctions import SanctionsIndex
from checks.sources.sanctions_store import SanctionsStore, SourceMeta, listings_from_rows, profile_rows

log = logging.getLogger(__name__)

KEEP_EDITIONS = 2
_RERUN = "run `vetcandidate sanctions update`"
_E = m.sanctions_editions.c


@dataclass
class _Loaded:
    edition_id: int
    index: SanctionsIndex
    meta: SourceMeta


def _pack(value: object) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def _unpack(data: bytes | None) -> object:
    if data is None:
        raise BadResponse(f"the stored sanctions edition has no data; {_RERUN}")
    try:
        return json.loads(zlib.decompress(data))
    except (zlib.error, ValueError) as exc:
        raise BadResponse(f"the stored sanctions edition is damaged ({exc}); {_RERUN}") from None


class DbSanctionsStore:
    def __init__(self, engine: Engine, data_dir: Path | None = None):
        self._engine = engine
        #: only for ``refresh()``'s download temp files; the list itself lives in the database
        self.dir = (Path(data_dir).expanduser() if data_dir else Path.home() / ".cache" / "vetcandidate") \
            / "sanctions"
        self._cache: _Loaded | None = None
        self._lock = threading.Lock()

    def _db_error(self, exc: SQLAlchemyError) -> SourceError:
        return SourceUnavailable(f"sanctions list database unavailable ({type(exc).__name__})")

    def load(self) -> SanctionsIndex | None:
        """The newest stored edition, or None; re-reads its data only when a new one was stored."""
        try:
            with self._engine.connect() as conn:
                head = conn.execute(select(_E.id, _E.checked_at, _E.etag, _E.last_modified, _E.sha256)
                                    .where(_E.entries.is_not(None)).order_by(_E.id.desc()).limit(1)).first()
                if head is None:
                    self._cache = None
                    return None
                meta = SourceMeta(head.etag, head.last_modified, head.sha256)
                with self._lock:
                    cached = self._cache
                if cached is None or cached.edition_id != head.id:
                    row = conn.execute(select(m.sanctions_editions).where(_E.id == head.id)).one()
                    cached = _Loaded(head.id, self._decode(row), meta)
        except SQLAlchemyError as exc:
            raise self._db_error(exc) from None
        checked = utc(head.checked_at)
        if cached.index.checked_at != checked:  # a refresh found nothing new (304 / same bytes)
            cached = _Loaded(cached.edition_id, cached.index.with_checked_at(checked), meta)
        cached.meta = meta
        with self._lock:
            self._cache = cached
        return cached.index

    def _decode(self, row) -> SanctionsIndex:
        body = _unpack(row.entries)
        try:
            listings = listings_from_rows(body["profiles"], body["entries"])
            schema = int(body.get("schema", 1))  # editions stored before designation dates: 1
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadResponse(f"the stored sanctions edition is damaged ({exc}); {_RERUN}") from None
        edition_id = row.id
        return SanctionsIndex(listings, publish_date=row.publish_date, fetched_at=utc(row.fetched_at),
                              checked_at=utc(row.checked_at), source=row.source,
                              individuals=lambda: self._names(edition_id), list_format=row.list_format,
                              party_count=row.party_count, schema=schema)

    def _names(self, edition_id: int) -> list[SdnName]:
        try:
            with self._engine.connect() as conn:
                data = conn.execute(select(_E.names).where(_E.id == edition_id)).scalar()
        except SQLAlchemyError as exc:
            raise self._db_error(exc) from None
        try:
            return [SdnName(pid, name, tuple(aliases), tuple(programs), True)
                    for pid, name, aliases, programs in _unpack(data)]
        except (TypeError, ValueError) as exc:
            raise BadResponse(f"the stored sanctions edition is damaged ({exc}); {_RERUN}") from None

    def meta(self) -> SourceMeta | None:
        return self._cache.meta if self.load() is not None and self._cache else None

    def save(self, index: SanctionsIndex, meta: SourceMeta) -> None:
        entries = _pack({"schema": index.schema, "profiles": profile_rows(index),
                         "entries": [[x.address, x.ticker, x.profile_id] for x in index.listings]})
        names = _pack([[p.profile_id, p.name, list(p.aliases), list(p.programs)] for p in index.individuals])
        row = {"stored_at": datetime.now(UTC), "publish_date": index.publish_date, "source": index.source,
               "list_format": index.list_format, "party_count": index.party_count,
               "entry_count": index.total, "fetched_at": index.fetched_at, "checked_at": index.checked_at,
               "etag": meta.etag, "last_modified": meta.last_modified, "sha256": meta.sha256,
               "entries": entries, "names": names}
        try:
            with self._engine.connect() as conn:
                conn = conn.execution_options(write=True)
                with conn.begin():
                    new_id = conn.execute(insert(m.sanctions_editions).values(row)).inserted_primary_key[0]
                    keep = conn.execute(select(_E.id).order_by(_E.id.desc()).limit(KEEP_EDITIONS)).scalars()
                    conn.execute(update(m.sanctions_editions)
                                 .where(_E.id.not_in(list(keep)), _E.entries.is_not(None))
                                 .values(entries=None, names=None))
        except SQLAlchemyError as exc:
            raise OSError(f"cannot store the sanctions list in the database ({type(exc).__name__})") from None
        log.info("sanctions edition %s stored (published %s)", new_id, index.publish_date.isoformat())

    def mark_checked(self, when: datetime, meta: SourceMeta | None = None) -> SanctionsIndex:
        values: dict = {"checked_at": utc(when)}
        if meta is not None:
            values.update(etag=meta.etag, last_modified=meta.last_modified, sha256=meta.sha256)
        try:
            with self._engine.connect() as conn:
                conn = conn.execution_options(write=True)
                with conn.begin():
                    newest = conn.execute(select(_E.id).where(_E.entries.is_not(None))
                                          .order_by(_E.id.desc()).limit(1)).scalar()
                    if newest is not None:
                        conn.execute(update(m.sanctions_editions).where(_E.id == newest).values(**values))
        except SQLAlchemyError as exc:
            raise OSError(f"cannot update the stored sanctions list ({type(exc).__name__})") from None
        if newest is None or (index := self.load()) is None:
            raise BadResponse("the stored sanctions edition vanished while it was being updated")
        return index

    def import_file_edition(self, data_dir: Path) -> bool:
        """Move an edition from the pre-database cache file in, when the database has none."""
        try:
            if self.load() is not None:
                return False
            old = SanctionsStore(data_dir)
            index = old.load()
            if index is None:
                return False
            self.save(index, old.meta() or SourceMeta())
        except (SourceError, OSError) as exc:
            log.warning("could not import the cached sanctions edition: %s", exc)
            return False
        log.info("imported the cached sanctions edition of %s into the database", index.publish_date)
        return True
