"""The consistency check's location comparisons: the resume's own location (its header) against the
location given and against the entered phone's country.

Three places can disagree -- the resume's, the one given and the phone's -- and each pair is said
once: the phone check owns phone vs the location given; here are resume vs the location given, and
resume vs the phone (scored only when no other finding already carries the difference). A place that
cannot be resolved, or could be several, is "not compared", never a mismatch. Places are compared
with each other, never scored by country.
"""
from __future__ import annotations

from checks import places
from checks.context import CheckContext
from checks.model import Candidate, Confidence, Finding, Severity
from checks.phone import PhoneFacts
from checks.resume.facts import Facts

S, C = Severity, Confidence
SOURCE = "resume file vs the details entered"


def _f(severity: Severity, confidence: Confidence, title: str, detail: str, evidence: dict) -> Finding:
    return Finding(severity=severity, confidence=confidence, title=title, detail=detail, evidence=evidence,
                   source=SOURCE)


def location(candidate: Candidate, facts: Facts, head: list[str], phone: PhoneFacts | None,
             ctx: CheckContext, notes: list[str]) -> list[Finding]:
    """Findings comparing the resume's header location with the location given and the phone's country;
    what could not be compared goes to ``notes``."""
    printed = [(ln, places.resolve(ln)) for ln in facts.location_lines if any(ln in h for h in head)]
    resolved = [(ln, p) for ln, p in printed if p.resolved]
    claimed = places.resolve(candidate.location) if candidate.location else None
    phone_ok = phone is not None and phone.valid
    if claimed is not None and not claimed.resolved:
        notes.append("location: " + (claimed.reason or "the location given could not be placed"))
    if not resolved and ((claimed is not None and claimed.resolved) or phone_ok):
        why = next((p.reason for _, p in printed if p.reason), "")
        notes.append("location: the resume states no location that can be placed unambiguously"
                     + (f" ({why})" if why.startswith("ambiguous") else ""))
    if not resolved:
        return []
    known = claimed if claimed is not None and claimed.resolved else None
    found = vs_claimed(candidate, known, resolved, phone, ctx) if known is not None else []
    if phone is not None and phone_ok:
        found += vs_phone(phone, known, resolved, notes, location_given=bool(candidate.location))
    return found


def vs_claimed(candidate: Candidate, claimed: places.Place, resolved: list[tuple[str, places.Place]],
               phone: PhoneFacts | None, ctx: CheckContext) -> list[Finding]:
    """A different country is medium: it decides employment law and payroll, and it is what fabricated
    personas misstate. The same country in another time zone is low: people move within a country and
    resumes lag behind."""
    base = {"claimed_location": candidate.location[:80], "claimed_country": claimed.country}
    if phone is not None and phone.valid:  # context: the phone check compares it with the location given
        base["phone_region"] = phone.region
    same = [(ln, p) for ln, p in resolved if places.same_jurisdiction(p.country, claimed.country)]
    if not same:
        ln, p = resolved[0]
        return [_f(S.MEDIUM, C.MEDIUM, "Resume location is in another country than given",
                   f"The resume places the candidate in {p.label}; the location given is {claimed.label}. "
                   "Where someone works decides employment law and payroll, and it is what fabricated "
                   "personas misstate. Moving and an old resume are innocent explanations: ask. (The "
                   "phone check compares the phone with the location given.)",
                   {**base, "resume_location": ln, "resume_country": p.country})]
    zoned = [(ln, p) for ln, p in same if claimed.timezones and p.timezones]
    now = ctx.now()
    if zoned and not any(places.timezones_overlap(p.timezones, claimed.timezones, now) for _, p in zoned):
        ln, p = zoned[0]
        return [_f(S.LOW, C.LOW, "Resume location is in another time zone than given",
                   f"Same country, but the resume says {p.label} and the location given is {claimed.label}. "
                   "People move within a country and resumes lag behind; it matters for working hours.",
                   {**base, "resume_location": ln, "resume_timezones": list(p.timezones),
                    "claimed_timezones": list(claimed.timezones)})]
    return [_f(S.INFO, C.MEDIUM, "Resume location agrees with the one given", "",
               {**base, "resume_location": same[0][0]})]


def vs_phone(phone: PhoneFacts, claimed: places.Place | None, resolved: list[tuple[str, places.Place]],
             notes: list[str], *, location_given: bool = False) -> list[Finding]:
    """The resume's country vs the entered phone's. Scored only when it is news: with a location given
    in the resume's country, the phone check's phone-vs-location finding already says it; with a location
    given in the phone's country, the resume-vs-location finding does."""
    if phone.region in ("", "001") or not phone.regions:
        notes.append("phone's country: a global service number is tied to no country")
        return []
    ln, p = resolved[0]
    evidence = {"resume_location": ln, "resume_country": p.country, "phone_region": phone.region}
    if any(places.same_jurisdiction(r, p.country) for r in phone.regions):
        return [_f(S.INFO, C.MEDIUM, "Resume location agrees with the phone's country", "", evidence)]
    title, where = "Resume location is in another country than the phone's", f"{p.label} vs {phone.region}"
    if claimed is None:
        return [_f(S.MEDIUM, C.MEDIUM, title,
                   f"The resume places the candidate in {p.label}; the phone number belongs to "
                   f"{phone.region}, and " + ("the location given could not be placed" if location_given
                                              else "no location was given") + " to settle it. "
                   "Where someone works decides "
                   "employment law and payroll; people keep their number when they move, and resumes lag "
                   "behind: ask.", evidence)]
    evidence["claimed_country"] = claimed.country
    if places.same_jurisdiction(claimed.country, p.country):
        covered = ("the location given is in the resume's country, so the phone check's finding on the "
                   "phone vs the location given says this; not counted twice.")
    elif any(places.same_jurisdiction(r, claimed.country) for r in phone.regions):
        covered = ("the location given is in the phone's country, so the finding on the resume's location "
                   "vs the one given says this; not counted twice.")
    else:
        return [_f(S.LOW, C.MEDIUM, title,
                   f"The resume says {p.label}, the phone belongs to {phone.region} and the location given "
                   f"is {claimed.label}: three different countries. The pairs with the location given are "
                   "reported on their own; this one adds little, hence low.", evidence)]
    return [_f(S.INFO, C.MEDIUM, title, f"Resume vs phone: {where}; " + covered, evidence)]
