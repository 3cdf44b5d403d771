"""Watchlists in the database, shared by every dyno: named sets of indicators a security team
imports (CSV, MISP, STIX 2.1), plus ``confirmed-fraud``, filled from Slack when a vetting is marked
as fraud. Every change bumps one generation counter in the same transaction, so each process's
in-memory index (``bot.watchlist_index``) reloads only when something changed.

Logs carry list names, vetting IDs and counts -- never an indicator's value.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert, select, update

from bot import store_models as m
from bot.store_db import utc
from bot.watchlist_import import Indicator, Parsed, normal_form

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

CONFIRMED = "confirmed-fraud"
CONFIRMED_NOTE = "confirmed fraud"
PURGED_REFERENCE = "vetting purged"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_E, _L = m.watchlist_entries.c, m.watchlists.c


class WatchlistError(ValueError):
    """A refused change (bad list name, unknown list or vetting). The message holds no indicator."""


@dataclass(frozen=True)
class ListInfo:
    name: str
    entries: int
    source: str
    list_format: str
    updated_at: datetime
    updated_by: str


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise WatchlistError("a list name is 1-64 characters: lower-case letters, digits, '.', '_', '-'")
    return name


def bump_generation(conn: Connection) -> None:
    g = m.watchlist_generation.c
    if not conn.execute(update(m.watchlist_generation).where(g.id == 1)
                        .values(generation=g.generation + 1)).rowcount:
        conn.execute(insert(m.watchlist_generation).values(id=1, generation=1))


def generation(conn: Connection) -> int:
    g = m.watchlist_generation.c
    return int(conn.execute(select(g.generation).where(g.id == 1)).scalar() or 0)


def _audit(conn: Connection, now: datetime, actor: str, action: str, name: str, count: int,
           vetting_id: str | None = None) -> None:
    conn.execute(insert(m.watchlist_audit).values(at=now, actor=actor[:64], action=action, list_name=name,
                                                  vetting_id=vetting_id, entries=count))


def _rows(name: str, indicators: list[Indicator], actor: str, now: datetime,
          vetting_id: str | None = None) -> list[dict]:
    return [{"list_name": name, "kind": i.kind, "value": i.value, "normal": i.normal, "severity": i.severity,
             "note": i.note, "reference": i.reference, "vetting_id": vetting_id, "added_by": actor[:64],
             "added_at": now} for i in indicators]


def _ensure_list(conn: Connection, name: str, now: datetime, actor: str, fmt: str = "") -> None:
    if conn.execute(select(_L.name).where(_L.name == name)).scalar() is None:
        conn.execute(insert(m.watchlists).values(name=name, source="", list_format=fmt, entry_count=0,
                                                 updated_by=actor[:64], updated_at=now))


def _recount(conn: Connection, name: str, now: datetime, actor: str) -> int:
    count = conn.execute(select(func.count()).where(_E.list_name == name)).scalar() or 0
    conn.execute(update(m.watchlists).where(_L.name == name)
                 .values(entry_count=count, updated_at=now, updated_by=actor[:64]))
    return int(count)


class Watchlists:
    """List operations over the store's engine (one transaction each)."""

    def __init__(self, store: Store):
        self.store = store

    # -- import / replace --------------------------------------------------------------------
    def replace(self, name: str, parsed: Parsed, *, source: str, actor: str,
                allow_empty: bool = False) -> int:
        """Replace list ``name`` with ``parsed.indicators`` atomically: readers see the old list or
        the new one, never a mix, and a failure leaves the old list whole. A file that yields no
        indicator empties a list only with ``allow_empty``."""
        check_name(name)
        if name == CONFIRMED:
            raise WatchlistError(f"{CONFIRMED} is filled from Slack (confirm or /vetcandidate block), "
                                 "not imported")
        if not parsed.indicators and not allow_empty:
            raise WatchlistError(f"the file yields no indicators: list {name!r} left unchanged "
                                 "(--allow-empty empties it)")
        now = self.store.now()
        rows = _rows(name, parsed.indicators, actor, now)
        with self.store.write() as conn:
            conn.execute(delete(m.watchlist_entries).where(_E.list_name == name))
            conn.execute(delete(m.watchlists).where(_L.name == name))
            conn.execute(insert(m.watchlists).values(
                name=name, source=source[:500], list_format=parsed.format, entry_count=len(rows),
                updated_by=actor[:64], updated_at=now))
            for start in range(0, len(rows), 5000):
                conn.execute(insert(m.watchlist_entries), rows[start:start + 5000])
            _audit(conn, now, actor, "import", name, len(rows))
            bump_generation(conn)
        log.info("watchlist %s replaced: %d entries", name, len(rows))
        return len(rows)

    def add(self, name: str, indicators: list[Indicator], *, actor: str, vetting_id: str | None = None,
            action: str = "block") -> int:
        """Add indicators to a list (created when missing). Every reference keeps its own row: an
        indicator is skipped only when the same reference already holds it -- the same vetting, or
        for a block (no vetting) any entry no undo can remove -- so undoing one confirmation never
        takes away what another confirmation or a block put there."""
        check_name(name)
        now = self.store.now()
        same = _E.vetting_id.is_(None) if vetting_id is None else _E.vetting_id == vetting_id
        with self.store.write() as conn:
            _ensure_list(conn, name, now, actor)
            have = {tuple(r) for r in conn.execute(select(_E.kind, _E.normal)
                                                   .where(_E.list_name == name, same))}
            new = [i for i in indicators if (i.kind, i.normal) not in have]
            if new:
                conn.execute(insert(m.watchlist_entries), _rows(name, new, actor, now, vetting_id))
            _recount(conn, name, now, actor)
            _audit(conn, now, actor, action, name, len(new), vetting_id)
            bump_generation(conn)
        log.info("watchlist %s: %s added %d entries", name, action, len(new))
        return len(new)

    def remove(self, name: str, *, actor: str) -> int:
        with self.store.write() as conn:
            count = conn.execute(delete(m.watchlist_entries).where(_E.list_name == name)).rowcount or 0
            if not conn.execute(delete(m.watchlists).where(_L.name == name)).rowcount:
                raise WatchlistError(f"no watchlist named {name!r}")
            _audit(conn, self.store.now(), actor, "remove", name, count)
            bump_generation(conn)
        return count

    # -- reading ---------------------------------------------------------------------------
    def lists(self) -> list[ListInfo]:
        with self.store.read() as conn:
            return [ListInfo(r.name, r.entry_count, r.source, r.list_format, utc(r.updated_at), r.updated_by)
                    for r in conn.execute(select(m.watchlists).order_by(_L.name))]

    def info(self, name: str) -> ListInfo:
        found = [x for x in self.lists() if x.name == name]
        if not found:
            raise WatchlistError(f"no watchlist named {name!r}")
        return found[0]

    def entries(self, name: str) -> list:
        with self.store.read() as conn:
            return list(conn.execute(select(m.watchlist_entries).where(_E.list_name == name)
                                     .order_by(_E.kind, _E.normal)))

    def export_csv(self, name: str) -> str:
        self.info(name)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["type", "value", "severity", "note", "reference"])
        for row in self.entries(name):
            if row.kind != "resume":  # a keyed fingerprint means nothing outside this deployment
                writer.writerow([row.kind, row.value, row.severity, row.note, row.reference])
        return buf.getvalue()

    def audit(self, limit: int = 50) -> list:
        a = m.watchlist_audit.c
        with self.store.read() as conn:
            return list(conn.execute(select(m.watchlist_audit).order_by(a.id.desc()).limit(limit)))

    # -- confirmed fraud -------------------------------------------------------------------
    def confirm(self, vetting_id: str, *, actor: str) -> int:
        """Add the vetting's identifiers to ``confirmed-fraud``; idempotent. Returns entries added."""
        v = m.vettings.c
        with self.store.read() as conn:
            row = conn.execute(select(v.candidate_email, v.candidate_phone, v.candidate_wallet,
                                      v.candidate_github).where(v.id == vetting_id)).first()
            signature = conn.execute(select(m.resume_signatures.c.signature)
                                     .where(m.resume_signatures.c.vetting_id == vetting_id)).scalar()
        if row is None:
            raise WatchlistError(f"vetting {vetting_id} is not in the audit log (purged?)")
        reference = f"vetting {vetting_id}"
        found: list[Indicator] = []
        for kind, value in (("email", row.candidate_email), ("phone", row.candidate_phone),
                            ("wallet", row.candidate_wallet), ("github", row.candidate_github)):
            try:
                found.append(Indicator(kind, value, normal_form(kind, value), note=CONFIRMED_NOTE,
                                       reference=reference))
            except ValueError:
                continue
            if kind == "email" and (host := found[-1].normal.rpartition("@")[2]) and not _shared_mail(host):
                found.append(Indicator("domain", host, host, note=CONFIRMED_NOTE, reference=reference))
        if signature:
            found.append(Indicator("resume", f"resume of vetting {vetting_id}", signature.hex(),
                                   note=CONFIRMED_NOTE, reference=reference))
        return self.add(CONFIRMED, found, actor=actor, vetting_id=vetting_id, action="confirm")

    def undo(self, vetting_id: str, *, actor: str) -> int:
        """Remove this vetting's own entries; an identifier that another confirmation or a block
        also listed stays, under that reference."""
        now = self.store.now()
        with self.store.write() as conn:
            count = conn.execute(delete(m.watchlist_entries).where(
                _E.list_name == CONFIRMED, _E.vetting_id == vetting_id)).rowcount or 0
            _ensure_list(conn, CONFIRMED, now, actor)
            _recount(conn, CONFIRMED, now, actor)
            _audit(conn, now, actor, "undo", CONFIRMED, count, vetting_id)
            bump_generation(conn)
        log.info("confirmed fraud undone for vetting %s: %d entries", vetting_id, count)
        return count

    def note(self, vetting_id: str, *, actor: str, action: str) -> None:
        """An audited decision that changes no entry (e.g. "not fraud")."""
        with self.store.write() as conn:
            _audit(conn, self.store.now(), actor, action[:16], CONFIRMED, 0, vetting_id)

    def is_confirmed(self, vetting_id: str) -> bool:
        with self.store.read() as conn:
            return conn.execute(select(_E.id).where(_E.list_name == CONFIRMED, _E.vetting_id == vetting_id)
                                .limit(1)).first() is not None


def _shared_mail(host: str) -> bool:
    """Free-mail and disposable providers: their domain says nothing about one fraud ring."""
    from checks.email_lists import disposable_match, freemail_match

    return bool(freemail_match(host) or disposable_match(host))


def mark_purged(conn: Connection, vetting_ids: list[str]) -> None:
    """Retention keeps confirmed-fraud entries; their reference then reads "vetting purged"."""
    if vetting_ids:
        conn.execute(update(m.watchlist_entries).where(_E.vetting_id.in_(vetting_ids))
                     .values(vetting_id=None, reference=PURGED_REFERENCE))
