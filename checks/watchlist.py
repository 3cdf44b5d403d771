"""watchlist: every identifier of the candidate -- the fields given and the e-mails, phones, URLs,
domains and GitHub accounts printed in the resume -- against security teams' watchlists and the
``confirmed-fraud`` list filled from Slack.

Identifiers match exactly on their normal form (``checks.normalize``); a listed domain matches itself
and every name under it, label by label; names use the sanctions name screen's guarded fuzzy match.
A hit on ``confirmed-fraud`` names the date and the vetting (or the admin's block), never the earlier
person's details; a ``name`` entry, on any list, is a low-confidence "verify identity" finding.
"""
from __future__ import annotations

from typing import Any

from checks import fingerprints, normalize
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, SourceError
from checks.model import Candidate, Confidence, Finding, Severity

SOURCE = "vetcandidate watchlists"
CONFIRMED = "confirmed-fraud"
PURGED_REFERENCE = "vetting purged"  # bot.watchlists writes it when retention purges the vetting
NAME_CAVEAT = "A similar name is not a match on its own: verify identity."
_LABELS = {"email": "E-mail address", "domain": "Domain", "phone": "Phone number", "wallet": "Payout wallet",
           "github": "GitHub account", "url": "URL", "name": "Name", "resume": "Resume"}
_FIELD = {"email": "e-mail field", "phone": "phone field", "wallet": "wallet field", "github": "GitHub field",
          "name": "name field"}


def _norm(kind: str, value: str, region: str | None = None) -> str | None:
    try:
        if kind == "phone":
            return normalize.phone(value, region)
        return {"email": normalize.email, "wallet": normalize.wallet, "github": normalize.github_login,
                "domain": normalize.domain}[kind](value)
    except (ValueError, KeyError):
        return None


def _url_parts(url: str) -> tuple[str | None, str | None]:
    """(host, the watchlist import's URL normal form) of a URL printed in a resume."""
    from urllib.parse import urlsplit, urlunsplit

    text = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(text)
        host = normalize.domain(parts.hostname or "")
        netloc = host + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return None, None
    return host, urlunsplit(("", netloc, parts.path.rstrip("/"), parts.query, "")).lstrip("/")


def identifiers(candidate: Candidate, doc: Any) -> list[tuple[str, str, str]]:
    """(kind, normal form, where) of everything comparable; ``doc`` is the shared ResumeDoc or None."""
    out: list[tuple[str, str, str]] = []
    entered_phone = fingerprints.phone_e164(candidate.phone, candidate.location) if candidate.phone else None
    for kind in ("email", "phone", "wallet", "github"):
        raw = getattr(candidate, kind)
        # the phone as the phone check and reuse read it: without "+", in the claimed country
        normal = entered_phone if kind == "phone" else (_norm(kind, raw) if raw else None)
        if raw and normal:
            out.append((kind, normal, _FIELD[kind]))
            if kind == "email":
                out.append(("domain", normal.rpartition("@")[2], "domain of the e-mail field"))
    if doc is None or getattr(doc, "problem", None) or not getattr(doc, "text", ""):
        return out
    facts = doc.facts
    region = None
    if entered_phone:  # numbers printed without "+" in the resume: read in the entered phone's country
        import phonenumbers

        region = phonenumbers.region_code_for_number(phonenumbers.parse(entered_phone))
    for raw in facts.emails:
        out.append(("email", raw, "resume"))
        out.append(("domain", raw.rpartition("@")[2], "resume"))
    for raw in facts.phones:
        if normal := _norm("phone", raw, region):
            out.append(("phone", normal, "resume"))
    for raw in facts.urls:
        host, normal_url = _url_parts(raw)
        if host:
            out.append(("domain", host, "resume"))
            out.append(("url", normal_url or "", "resume"))
            if host in ("github.com", "www.github.com") and (login := _norm("github", raw)):
                out.append(("github", login, "resume"))
    for host in facts.domains:
        out.append(("domain", host, "resume"))
    return list(dict.fromkeys(out))


class Watchlist(Check):
    name = "watchlist"
    description = "Identifiers (given and printed in the resume) against watchlists and confirmed fraud"
    requires_any = frozenset({"name", "email", "phone", "wallet", "github", "resume"})
    timeout_s = 10.0
    counts_as_coverage = False  # our own lists only: says nothing about the outside world

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        try:
            snap = ctx.source("watchlists").snapshot()
        except SourceError as exc:
            raise CheckFailed(f"watchlists not consulted: {exc}") from None
        doc = None
        if candidate.has("resume"):
            from checks.resume.check import document

            doc = document(candidate, ctx)
        groups: dict[Any, _Group] = {}

        def add(hit: Any, where: str, looked_up: str = "", score: float | None = None) -> None:
            groups.setdefault(_key(hit, looked_up), _Group()).add(hit, where, score)

        for kind, normal, where in identifiers(candidate, doc):
            found = snap.domain(normal) if kind == "domain" else snap.lookup(kind, normal)
            for hit in found:
                add(hit, where, normal)
        if candidate.name:
            for hit, score in snap.name(candidate.name):
                add(hit, _FIELD["name"], score=score)
        if doc is not None and not getattr(doc, "problem", None):
            for hit, score in snap.resume(getattr(doc, "text", "")):
                add(hit, "resume", score=score)
        if not groups:
            return [Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                            title="No identifier is on a watchlist",
                            evidence={"lists": sorted(snap.lists), "entries": snap.size}, source=SOURCE)]
        order = sorted(groups.values(), key=lambda g: (-g.rank, g.hits[0].list_name, g.hits[0].entry_id))
        return [_confirmed(g) if g.hits[0].list_name == CONFIRMED else _listed(g) for g in order]


class _Group:
    """The entries behind one finding. A security team's list holds an indicator once; on
    ``confirmed-fraud`` every confirmation and block keeps its own entry, so one identifier can
    match several: one fact, one finding, naming each reference."""

    def __init__(self) -> None:
        self.hits: list[Any] = []
        self.where: list[str] = []
        self.score: float | None = None

    def add(self, hit: Any, where: str, score: float | None) -> None:
        if all(h.entry_id != hit.entry_id for h in self.hits):
            self.hits.append(hit)
        if where not in self.where:
            self.where.append(where)
        if score is not None:
            self.score = max(score, self.score or 0.0)

    @property
    def rank(self) -> int:
        return max(_rank(h.severity) for h in self.hits)


def _key(hit: Any, looked_up: str) -> Any:
    if hit.list_name != CONFIRMED:
        return hit.entry_id
    if hit.kind == "domain":  # a listed parent domain: the entry's own form, not the host looked up
        looked_up = _norm("domain", hit.value) or f"#{hit.entry_id}"
    elif hit.kind == "name":
        looked_up = " ".join(hit.value.lower().split())
    return (CONFIRMED, hit.kind, looked_up)


def _origin(hit: Any) -> str:
    """ "vetting" (a confirmation), "purged" (its vetting is gone) or "block" (added by an admin)."""
    if hit.vetting_id:
        return "vetting"
    return "purged" if hit.reference == PURGED_REFERENCE else "block"


def _describe(hit: Any) -> str:
    when = hit.added_at.strftime("%Y-%m-%d")
    return {"vetting": f"a candidate confirmed as fraudulent on {when} (vetting #{hit.vetting_id})",
            "purged": f"a candidate confirmed as fraudulent on {when} (vetting purged)",
            "block": f"an indicator added by an admin (block) on {when}"}[_origin(hit)]


def _severity(hits: list[Any]) -> Severity:
    best = max(hits, key=lambda h: _rank(h.severity))
    return Severity.__members__.get(best.severity.upper(), Severity.HIGH)


def _confirmed(group: _Group) -> Finding:
    """A hit on ``confirmed-fraud``: when and which vetting (or block), never the earlier person's
    details. A confirmation is cited before a purged one, and either before a block."""
    hits = sorted(group.hits, key=lambda h: (("vetting", "purged", "block").index(_origin(h)), h.added_at))
    first = hits[0]
    label = _LABELS.get(first.kind, first.kind)
    fuzzy = first.kind == "name"
    when = first.added_at.strftime("%Y-%m-%d")
    evidence: dict[str, Any] = {"list": CONFIRMED, "type": first.kind, "matched_in": group.where}
    if _origin(first) == "block":
        evidence.update(added_on=when, added_by="admin (block)")
        detail = f"Matched in: {', '.join(group.where)}. An admin added it to {CONFIRMED}."
    else:
        evidence.update(confirmed_on=when, vetting=first.vetting_id or "purged")
        detail = (f"Matched in: {', '.join(group.where)}. One ring runs many personas; talk to whoever "
                  "confirmed that case before going further.")
    if first.note:
        evidence["note"] = first.note
    if first.reference:
        evidence["reference"] = first.reference
    if len(hits) > 1:
        evidence["also"] = [_describe(h) for h in hits[1:]]
        detail += f" Also listed as {'; '.join(evidence['also'])}."
    if group.score is not None:
        evidence["similarity"] = round(group.score, 2)
    if fuzzy:
        detail += f" {NAME_CAVEAT}"
    confidence = Confidence.LOW if fuzzy else Confidence.MEDIUM if first.kind == "resume" else Confidence.HIGH
    return Finding(severity=_severity(hits), confidence=confidence,
                   title=f"{label} {'is similar to' if fuzzy else 'matches'} {_describe(first)}",
                   detail=detail, evidence=evidence, source=f"{SOURCE} ({CONFIRMED})")


def _listed(group: _Group) -> Finding:
    """A hit on a security team's list: the listed value, its note and reference."""
    hit, where = group.hits[0], group.where
    label = _LABELS.get(hit.kind, hit.kind)
    fuzzy = hit.kind == "name"
    evidence: dict[str, Any] = {"list": hit.list_name, "type": hit.kind, "matched_in": where,
                                "listed_value": hit.value}
    if hit.note:
        evidence["note"] = hit.note
    if hit.reference:
        evidence["reference"] = hit.reference
    if group.score is not None:
        evidence["similarity"] = round(group.score, 2)
    detail = f"Matched in: {', '.join(where)}."
    if hit.note:
        detail += f" Note: {hit.note}."
    if hit.reference:
        detail += f" Reference: {hit.reference}"
    if fuzzy:
        detail += f" {NAME_CAVEAT}"
    return Finding(severity=_severity([hit]), confidence=Confidence.LOW if fuzzy else Confidence.HIGH,
                   title=f"{label} on watchlist '{hit.list_name}'" + (" (similar name)" if fuzzy else ""),
                   detail=detail, evidence=evidence, source=f"{SOURCE} ({hit.list_name})")


def _rank(severity: str) -> int:
    return ("info", "low", "medium", "high", "critical").index(severity) if severity in (
        "info", "low", "medium", "high", "critical") else 0
