"""watchlist: every identifier of the candidate -- the fields given and the e-mails, phones, URLs,
domains and GitHub accounts printed in the resume -- against security teams' watchlists and the
``confirmed-fraud`` list filled from Slack.

Identifiers match exactly on their normal form (``checks.normalize``); a listed domain matches itself
and every name under it, label by label; names use the sanctions name screen's guarded fuzzy match.
A hit on ``confirmed-fraud`` names the date and the vetting, never the earlier person's details.
"""
from __future__ import annotations

from typing import Any

from checks import normalize
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, SourceError
from checks.model import Candidate, Confidence, Finding, Severity

SOURCE = "vetcandidate watchlists"
CONFIRMED = "confirmed-fraud"
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
    for kind in ("email", "phone", "wallet", "github"):
        if (raw := getattr(candidate, kind)) and (normal := _norm(kind, raw)):
            out.append((kind, normal, _FIELD[kind]))
            if kind == "email":
                out.append(("domain", normal.rpartition("@")[2], "domain of the e-mail field"))
    if doc is None or getattr(doc, "problem", None) or not getattr(doc, "text", ""):
        return out
    facts = doc.facts
    region = None
    if candidate.phone:
        import phonenumbers

        try:
            region = phonenumbers.region_code_for_number(normalize.phone_number(candidate.phone))
        except ValueError:
            region = None
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
        hits: dict[int, tuple[Any, list[str], float | None]] = {}

        def add(hit: Any, where: str, score: float | None = None) -> None:
            entry = hits.setdefault(hit.entry_id, (hit, [], score))
            if where not in entry[1]:
                entry[1].append(where)

        for kind, normal, where in identifiers(candidate, doc):
            found = snap.domain(normal) if kind == "domain" else snap.lookup(kind, normal)
            for hit in found:
                add(hit, where)
        if candidate.name:
            for hit, score in snap.name(candidate.name):
                add(hit, _FIELD["name"], score)
        if doc is not None and not getattr(doc, "problem", None):
            for hit, score in snap.resume(getattr(doc, "text", "")):
                add(hit, "resume", score)
        if not hits:
            return [Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                            title="No identifier is on a watchlist",
                            evidence={"lists": sorted(snap.lists), "entries": snap.size}, source=SOURCE)]
        order = sorted(hits.values(), key=lambda h: (-_rank(h[0].severity), h[0].list_name, h[0].entry_id))
        return [self._finding(hit, where, score) for hit, where, score in order]

    @staticmethod
    def _finding(hit: Any, where: list[str], score: float | None) -> Finding:
        label = _LABELS.get(hit.kind, hit.kind)
        severity = Severity.__members__.get(hit.severity.upper(), Severity.HIGH)
        evidence: dict[str, Any] = {"list": hit.list_name, "type": hit.kind, "matched_in": where}
        if hit.note:
            evidence["note"] = hit.note
        if hit.reference:
            evidence["reference"] = hit.reference
        fuzzy = hit.kind == "name"
        if score is not None:
            evidence["similarity"] = round(score, 2)
        if hit.list_name == CONFIRMED:
            when = hit.added_at.strftime("%Y-%m-%d")
            vetting = f"vetting #{hit.vetting_id}" if hit.vetting_id else "vetting purged"
            evidence.update(confirmed_on=when, vetting=hit.vetting_id or "purged")
            return Finding(
                severity=severity, confidence=Confidence.MEDIUM if hit.kind == "resume" else Confidence.HIGH,
                title=f"{label} matches a candidate confirmed as fraudulent on {when} ({vetting})",
                detail=f"Matched in: {', '.join(where)}. One ring runs many personas; talk to whoever "
                       "confirmed that case before going further.",
                evidence=evidence, source=f"{SOURCE} ({CONFIRMED})")
        evidence["listed_value"] = hit.value
        detail = f"Matched in: {', '.join(where)}."
        if hit.note:
            detail += f" Note: {hit.note}."
        if hit.reference:
            detail += f" Reference: {hit.reference}"
        if fuzzy:
            detail += " A similar name is not a match on its own: verify identity."
        return Finding(severity=severity, confidence=Confidence.LOW if fuzzy else Confidence.HIGH,
                       title=f"{label} on watchlist '{hit.list_name}'" + (" (similar name)" if fuzzy else ""),
                       detail=detail, evidence=evidence, source=f"{SOURCE} ({hit.list_name})")


def _rank(severity: str) -> int:
    return ("info", "low", "medium", "high", "critical").index(severity) if severity in (
        "info", "low", "medium", "high", "critical") else 0
