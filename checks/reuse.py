"""reuse: the same phone, e-mail, wallet, GitHub account or resume seen with a *different* candidate
in an earlier vetting -- what one fraud ring's many "candidates" have in common, and what no
single-candidate check can see.

The index (``ctx.source("reuse")``, built by the store) holds keyed fingerprints only. A finding
names the earlier vetting (its ID, date and requester), never the other person's details. The same
person vetted again (same name, up to token order and a middle name) is not a finding.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed
from checks.fingerprints import ReuseMatch
from checks.model import Candidate, Confidence, Finding, Severity

SOURCE = "vetcandidate reuse index (earlier vettings)"
RESUME_ARTEFACT = "resume"
MAX_LISTED = 5
_LABELS = {"email": "e-mail address", "phone": "phone number", "wallet": "payout wallet",
           "github": "GitHub account", "resume_email": "e-mail address printed in the resume",
           "resume_phone": "phone number printed in the resume", "resume": "resume"}
_THEIRS = {"resume_email": "printed in that candidate's resume",
           "resume_phone": "printed in that candidate's resume"}


def resume_inputs(artefacts: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Text and printed contacts of the per-vetting resume artefact (a ``ResumeDoc``), if any.
    The store calls this too when it records the vetting, so both fingerprint the same text."""
    doc: Any = artefacts.get(RESUME_ARTEFACT)
    if doc is None or getattr(doc, "problem", None) or not getattr(doc, "text", ""):
        return "", ()
    facts = getattr(doc, "facts", None)
    contacts = tuple(getattr(facts, "emails", ())) + tuple(getattr(facts, "phones", ()))
    return doc.text, contacts


def _what(matches: Iterable[ReuseMatch]) -> list[str]:
    out = []
    for m in matches:
        label = _LABELS.get(m.kind, m.kind)
        if m.kind == "resume" and m.similarity is not None:
            label = f"resume ({round(m.similarity * 100)}% similar)"
        elif m.other_kind in _THEIRS and m.other_kind != m.kind:
            label += f" ({_THEIRS[m.other_kind]})"
        if label not in out:
            out.append(label)
    return out


class Reuse(Check):
    name = "reuse"
    description = "Identifiers or resume seen with a different candidate in an earlier vetting"
    requires_any = frozenset({"email", "phone", "wallet", "github", "resume"})
    timeout_s = 5.0
    counts_as_coverage = False  # our own history only: says nothing about the outside world

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        index = ctx.source("reuse")
        text, contacts = resume_inputs(ctx.artefacts)
        prints = index.fingerprint(candidate, resume_text=text, resume_contacts=contacts)
        if prints.empty:
            why = ("the resume text was not available or too short, and no identifier has a comparable form"
                   if candidate.has("resume") else "no identifier given has a comparable (normal) form")
            raise CheckFailed(f"nothing to compare with earlier vettings: {why}")
        by_vetting: dict[str, list[ReuseMatch]] = {}
        for match in index.matches(prints, exclude_vetting_id=ctx.vetting_id):
            if match.same_name is not True:  # the same person vetted again is not reuse
                by_vetting.setdefault(match.vetting_id, []).append(match)
        ordered = sorted(by_vetting.values(), key=lambda ms: ms[0].created_at, reverse=True)
        findings = [self._finding(ms) for ms in ordered[:MAX_LISTED]]
        if len(ordered) > MAX_LISTED:
            findings.append(Finding(
                severity=Severity.INFO, title=f"{len(ordered) - MAX_LISTED} more earlier vettings share "
                                              "identifiers with this candidate",
                evidence={"earlier_vettings": [ms[0].vetting_id for ms in ordered[MAX_LISTED:]]},
                source=SOURCE))
        return findings

    @staticmethod
    def _finding(matches: list[ReuseMatch]) -> Finding:
        first = matches[0]
        what = _what(matches)
        when = first.created_at.strftime("%Y-%m-%d")
        who = first.requested_by or "an unknown requester"
        evidence = {"earlier_vetting": first.vetting_id, "vetted_on": when,
                    "requested_by": first.requested_by, "shared": what}
        sims = [m.similarity for m in matches if m.similarity is not None]
        if sims:
            evidence["resume_similarity"] = round(max(sims), 2)
        if first.same_name is None:
            return Finding(
                severity=Severity.LOW, confidence=Confidence.LOW,
                title=f"{what[0][:1].upper() + what[0][1:]} seen in an earlier vetting",
                detail=(f"Also in vetting {first.vetting_id} of {when}, requested by {who}; a name is "
                        "missing on one side, so it may be the same person. Verify before relying on it."),
                evidence=evidence, source=SOURCE)
        resume_only = all(m.kind == "resume" for m in matches)
        if resume_only:
            title = "Resume nearly identical to one vetted for a different candidate"
        else:
            shared = ", ".join(what)
            title = f"{shared[:1].upper() + shared[1:]} used by a different candidate"
        return Finding(
            severity=Severity.HIGH, confidence=Confidence.MEDIUM if resume_only else Confidence.HIGH,
            title=title,
            detail=(f"Seen in vetting {first.vetting_id} of {when}, requested by {who}, under another "
                    "candidate name. One ring often reuses contacts, wallets and resumes across "
                    "\"candidates\"; ask whoever ran that vetting before deciding."),
            evidence=evidence, source=SOURCE)
