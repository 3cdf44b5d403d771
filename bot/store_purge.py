"""Retention: delete candidate data and fingerprints past ``VETCANDIDATE_RETENTION_DAYS`` (default 180),
or one person's on request, keeping only an anonymous count (``purge_log``: when, why, how many).

A purged vetting is gone entirely (its row, report, fingerprints and resume signature); anything
that referenced it -- a ``confirmed-fraud`` watchlist entry, say -- then reads "vetting purged".

Source caches hold answers about candidate identifiers (a phone's carrier and caller name, a domain's
registration, a wallet's history). Their keys are keyed hashes and no entry outlives the retention
period, so the retention purge's removal of expired entries covers them. An erasure on request also
deletes, at once, the entries of every identifier of the erased vettings: the phone lookups of their
E.164 numbers, the RDAP answers of their e-mail domains, and -- because wallet-history keys also
carry the chain and the history cap, which the store cannot know -- the whole short-lived
``chain_history`` namespace when a wallet is involved.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert, or_, select

from bot import store_models as m
from bot.store_cache import CHAIN_HISTORY, PHONE_LOOKUP, RDAP, delete_expired, delete_keys, delete_namespace
from checks import fingerprints as fp
from checks import normalize
from checks.errors import SourceError
from checks.phone_facts import written_international
from checks.sources.rdap import to_ascii_domain

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)
_V, _F, _S = m.vettings.c, m.reuse_fingerprints.c, m.resume_signatures.c
_PHONE_TEXT = re.compile(r"[\d\s+().\-/]+")


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


def _phone_like(value: str) -> bool:
    text = value[4:] if value[:4].lower() == "tel:" else value
    return bool(_PHONE_TEXT.fullmatch(text)) and sum(ch.isdigit() for ch in text) >= 5


def _same_phone(conn: Connection, value: str) -> dict[str, str]:
    """Vettings whose stored phone, read as the phone check reads it (in the claimed location's
    country when written without "+"), is this number: {vetting ID: E.164}. A number asked without
    "+" only matches numbers stored without it. A scan, as the rows
    of an earlier version have no phone fingerprint for a number written without "+", and an
    identifier written so can only be read in each row's own country."""
    found: dict[str, str] = {}
    national = not written_international(value)
    ours: dict[str, str | None] = {}  # claimed location -> the asked number read there
    query = (select(_V.id, _V.candidate_phone, _V.candidate_location).where(_V.candidate_phone != "")
             .execution_options(yield_per=2000))
    for row in conn.execute(query):
        if national and written_international(row.candidate_phone):
            # "020 7946 0958" may be +44 20 7946 0958 in London and +49 20 79460958 in Essen: a
            # number asked without its country code never erases one that was stored with it.
            continue
        where = row.candidate_location or ""
        if where not in ours:
            ours[where] = fp.phone_e164(value, where)
        if ours[where] is not None and fp.phone_e164(row.candidate_phone, where) == ours[where]:
            found[row.id] = ours[where]
    return found


def _domains(email: str) -> set[str]:
    """The RDAP cache keys an e-mail address may have caused (its host and registrable domain)."""
    try:
        host = normalize.email(email).rsplit("@", 1)[1]
        return {to_ascii_domain(host), to_ascii_domain(normalize.registrable_domain(host))}
    except (ValueError, LookupError, SourceError):
        return set()


def _erase_cached(conn: Connection, cache_key: bytes, value: str, ids: list[str], phones: set[str]) -> int:
    """The cache entries of every identifier of the erased vettings (and of the one asked for)."""
    emails, wallets = {value} if "@" in value else set(), {value}
    for start in range(0, len(ids), 500):
        rows = conn.execute(select(_V.candidate_email, _V.candidate_phone, _V.candidate_location,
                                   _V.candidate_wallet).where(_V.id.in_(ids[start:start + 500])))
        for r in rows:
            emails.add(r.candidate_email or "")
            wallets.add(r.candidate_wallet or "")
            if r.candidate_phone and (e164 := fp.phone_e164(r.candidate_phone, r.candidate_location)):
                phones.add(e164)
    erased = delete_keys(conn, cache_key, PHONE_LOOKUP, phones)
    erased += delete_keys(conn, cache_key, RDAP, {d for e in emails if e for d in _domains(e)})
    if any(_is_wallet(w) for w in wallets if w):
        erased += delete_namespace(conn, CHAIN_HISTORY)
    return erased


def _is_wallet(value: str) -> bool:
    from checks.crypto_address import analyse

    return analyse(value.strip()).chain is not None


def purge_identifier(store: Store, identifier: str, key: bytes,
                     cache_key: bytes | None = None) -> PurgeResult:
    """Erase every vetting of the person with this e-mail, phone or wallet, every fingerprint of
    the identifier (also where another candidate's resume printed it), and the source-cache entries
    of the erased vettings' identifiers. A phone written without "+" matches a vetting whose number,
    read in that vetting's claimed location, is the same."""
    value = identifier.strip()
    if not value:
        raise ValueError("empty identifier")
    digests = {d for kind in ("email", "phone", "wallet")
               if (d := fp.identifier_digest(key, kind, value)) is not None}
    plain = [func.lower(_V.candidate_email) == value.lower(), _V.candidate_phone == value,
             _V.candidate_wallet == value]
    own_kinds = fp.IDENTIFIER_KINDS
    phones = {e164} if (e164 := fp.phone_e164(value)) else set()
    with store.write() as conn:
        by_print = select(_F.vetting_id).where(_F.digest.in_(digests), _F.kind.in_(own_kinds))
        ids = set(conn.execute(select(_V.id).where(or_(*plain, _V.id.in_(by_print)))).scalars())
        if _phone_like(value):
            same = _same_phone(conn, value)
            ids |= set(same)
            phones |= set(same.values())
        # The number printed in other candidates' resumes, however the erased vettings wrote it.
        digests |= {d for p in phones if (d := fp.identifier_digest(key, "phone", p)) is not None}
        ids_sorted = sorted(ids)
        cached = _erase_cached(conn, cache_key, value, ids_sorted, phones) if cache_key else 0
        vettings, prints = _delete_vettings(conn, ids_sorted)
        if digests:  # the identifier printed in other candidates' resumes: only those fingerprints
            prints += conn.execute(delete(m.reuse_fingerprints).where(_F.digest.in_(digests))).rowcount or 0
        _log(conn, store.now(), "request", vettings, prints)
    log.info("purge on request: %d vettings, %d fingerprints, %d cache entries", vettings, prints, cached)
    return PurgeResult(vettings, prints, cache_entries=cached)


def purged_total(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(m.purge_log.c.vettings), 0))).scalar() or 0)
