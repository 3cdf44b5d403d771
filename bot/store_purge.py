"""Retention: delete candidate data and fingerprints past ``VETCANDIDATE_RETENTION_DAYS`` (default 180),
or one person's on request, keeping only an anonymous count (``purge_log``: when, why, how many).

A purged vetting is gone entirely (its row, report, fingerprints and resume signature); anything
that referenced it -- a ``confirmed-fraud`` watchlist entry, say -- then reads "vetting purged".
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert, or_, select

from bot import store_models as m
from bot.store_cache import delete_expired
from checks import fingerprints as fp

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)
_V, _F, _S = m.vettings.c, m.reuse_fingerprints.c, m.resume_signatures.c


@dataclass(frozen=True)
class PurgeResult:
    vettings: int
    fingerprints: int
    cutoff: datetime | None = None      # retention purges: data older than this went
    cache_entries: int = 0


def _delete_vettings(conn: Connection, ids: list[str]) -> tuple[int, int]:
    from bot.watchlists import mark_purged

    vettings = prints = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        mark_purged(conn, chunk)  # confirmed-fraud entries stay; their reference reads "vetting purged"
        prints += conn.execute(delete(m.reuse_fingerprints).where(_F.vetting_id.in_(chunk))).rowcount or 0
        conn.execute(delete(m.resume_signatures).where(_S.vetting_id.in_(chunk)))
        vettings += conn.execute(delete(m.vettings).where(_V.id.in_(chunk))).rowcount or 0
    return vettings, prints


def _log(conn: Connection, now: datetime, reason: str, vettings: int, prints: int) -> None:
    conn.execute(insert(m.purge_log).values(purged_at=now, reason=reason, vettings=vettings,
                                            fingerprints=prints))


def purge_expired(store: Store, now: datetime) -> PurgeResult:
    cutoff = now - timedelta(days=store.retention_days)
    with store.write() as conn:
        ids = list(conn.execute(select(_V.id).where(_V.created_at < cutoff)).scalars())
        vettings, prints = _delete_vettings(conn, ids)
        # Fingerprints whose vetting row is gone or past retention (belt and braces).
        prints += conn.execute(delete(m.reuse_fingerprints).where(_F.created_at < cutoff)).rowcount or 0
        conn.execute(delete(m.resume_signatures).where(_S.created_at < cutoff))
        cached = delete_expired(conn, now)
        _log(conn, now, "retention", vettings, prints)
    log.info("purge: %d vettings, %d fingerprints, %d cache entries past retention", vettings, prints, cached)
    return PurgeResult(vettings, prints, cutoff, cached)


def purge_identifier(store: Store, identifier: str, key: bytes) -> PurgeResult:
    """Erase every vetting of the person with this e-mail, phone or wallet, and every fingerprint of
    the identifier (also where another candidate's resume printed it)."""
    value = identifier.strip()
    if not value:
        raise ValueError("empty identifier")
    digests = {d for kind in ("email", "phone", "wallet")
               if (d := fp.identifier_digest(key, kind, value)) is not None}
    plain = [func.lower(_V.candidate_email) == value.lower(), _V.candidate_phone == value,
             _V.candidate_wallet == value]
    own_kinds = fp.IDENTIFIER_KINDS
    with store.write() as conn:
        by_print = select(_F.vetting_id).where(_F.digest.in_(digests), _F.kind.in_(own_kinds))
        ids = sorted(set(conn.execute(select(_V.id).where(or_(*plain, _V.id.in_(by_print)))).scalars()))
        vettings, prints = _delete_vettings(conn, ids)
        if digests:  # the identifier printed in other candidates' resumes: only those fingerprints
            prints += conn.execute(delete(m.reuse_fingerprints).where(_F.digest.in_(digests))).rowcount or 0
        _log(conn, store.now(), "request", vettings, prints)
    log.info("purge on request: %d vettings, %d fingerprints", vettings, prints)
    return PurgeResult(vettings, prints)


def purged_total(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(m.purge_log.c.vettings), 0))).scalar() or 0)
