"""The read-only reuse index the ``reuse`` check receives as ``ctx.source("reuse")``.

It answers one question -- which earlier vettings, within retention, share a fingerprint with
this one -- and returns only their ID, date and requester, plus whether the candidate name was
the same (compared as keyed token digests, never as names).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from bot import store_models as m
from bot.store_db import utc
from checks import fingerprints as fp
from checks.errors import SourceUnavailable
from checks.model import Candidate

_CONTACT_KINDS = (*fp.IDENTIFIER_KINDS, *fp.RESUME_CONTACT_KINDS.values())


class StoreReuseIndex:
    def __init__(self, engine: Engine, key: bytes, retention_days: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._engine = engine
        self._key = key
        self.retention_days = retention_days
        self._clock = clock

    def fingerprint(self, candidate: Candidate, resume_text: str = "",
                    resume_contacts: Iterable[str] = ()) -> fp.Fingerprints:
        return fp.compute(candidate, self._key, resume_text, resume_contacts)

    def matches(self, prints: fp.Fingerprints, exclude_vetting_id: str = "") -> list[fp.ReuseMatch]:
        since = self._clock() - timedelta(days=self.retention_days)
        try:
            with self._engine.connect() as conn:
                return self._matches(conn, prints, exclude_vetting_id, since)
        except SQLAlchemyError as exc:
            raise SourceUnavailable(f"reuse index unavailable ({type(exc).__name__})") from None

    def _matches(self, conn, prints: fp.Fingerprints, exclude: str, since: datetime) -> list[fp.ReuseMatch]:
        f, v = m.reuse_fingerprints.c, m.vettings.c
        recent = (v.created_at >= since) & (v.id != exclude)
        found: list[tuple[str, str, str, datetime, str, float | None]] = []
        ours = prints.lookup_digests()
        if ours:
            query = (select(f.vetting_id, f.kind, f.digest, v.created_at, v.requested_by)
                     .join(m.vettings, v.id == f.vetting_id)
                     .where(f.digest.in_(list(ours)), f.kind.in_(_CONTACT_KINDS), recent))
            for row in conn.execute(query):
                found.append((ours[row.digest], row.kind, row.vetting_id, row.created_at, row.requested_by,
                              None))
        if prints.resume_bands:
            candidates = (select(f.vetting_id).join(m.vettings, v.id == f.vetting_id)
                          .where(f.kind == fp.RESUME_BAND, f.digest.in_(list(prints.resume_bands)), recent)
                          .distinct())
            query = (select(m.resume_signatures.c.vetting_id, m.resume_signatures.c.signature, v.created_at,
                            v.requested_by)
                     .join(m.vettings, v.id == m.resume_signatures.c.vetting_id)
                     .where(m.resume_signatures.c.vetting_id.in_(candidates)))
            for row in conn.execute(query):
                score = fp.similarity(prints.resume_signature, fp.unpack_signature(row.signature))
                if score >= fp.NEAR_DUPLICATE:
                    found.append(("resume", "resume", row.vetting_id, row.created_at, row.requested_by,
                                  score))
        if not found:
            return []
        ids = sorted({x[2] for x in found})
        names: dict[str, set[str]] = {}
        query = select(f.vetting_id, f.digest).where(f.kind == fp.NAME_TOKEN, f.vetting_id.in_(ids))
        for row in conn.execute(query):
            names.setdefault(row.vetting_id, set()).add(row.digest)
        out = []
        for kind, their_kind, vetting_id, created_at, requested_by, score in found:
            same = fp.same_person(prints.name_tokens, frozenset(names.get(vetting_id, ())))
            out.append(fp.ReuseMatch(kind=kind, vetting_id=vetting_id, created_at=utc(created_at),
                                     requested_by=requested_by, same_name=same,
                                     other_kind=their_kind if their_kind != kind else "", similarity=score))
        return sorted(out, key=lambda x: (x.created_at, x.vetting_id, x.kind))
