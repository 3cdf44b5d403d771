"""phone: is the number real, what kind of line is it, and does it fit the claimed location?

Offline first (libphonenumber): validity, number type, allocated carrier, region and time zones vs the
claimed location, and comprehensively sanctioned jurisdictions (a compliance fact from a dated data
file). With a live provider (``ctx.source("phone_lookup")``): the carrier's own line type -- non-fixed
VoIP such as Google Voice is invisible offline -- and the caller name. Fairness: a number's country is
never scored by itself; only its inconsistency with the claimed location and the sanctions fact are.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import phonenumbers

from checks import normalize, places
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, SourceError
from checks.jurisdictions import SanctionsTable
from checks.model import Candidate, Confidence, Finding, Severity
from checks.phone_facts import (  # importable from here too
    LINE_SIGNALS,
    NO_COUNTRY,
    NOT_A_NUMBER,
    PhoneFacts,
    parse_phone,
)
from checks.places import Place, same_jurisdiction, sanctioned_jurisdictions

if TYPE_CHECKING:  # a check never imports a source; the type is for readers only
    from checks.sources.phone_lookup import LineInfo

OFFLINE_SOURCE = f"libphonenumber metadata (phonenumbers {phonenumbers.__version__})"
LOOKUP_MARGIN_S = 0.5
ENABLE_LIVE = ("offline data cannot see VoIP such as Google Voice; set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN "
               "to enable a live line-type lookup")
_VOIP = frozenset({"voip", "fixed_voip", "non_fixed_voip"})
S, C = Severity, Confidence
_GENERIC_CNAM = {"wireless caller", "unknown", "unavailable", "not available", "private", "anonymous",
                 "toll free", "cell phone", "cellular", "unknown name", "no name"}


def _zones(zones: tuple[str, ...], limit: int = 5) -> str:
    if not zones:
        return "unknown"
    shown = ", ".join(zones[:limit])
    return shown if len(zones) <= limit else f"{shown} and {len(zones) - limit} more"


def _clean(evidence: dict) -> dict:
    return {k: v for k, v in evidence.items() if v not in ("", None, (), [])}


def offline_findings(facts: PhoneFacts, sanctions: SanctionsTable, now: datetime, *,
                     live: bool) -> list[Finding]:
    found = [_validity_or_type(facts), _sanctions(facts, sanctions), _versus_location(facts, now)]
    if facts.valid and facts.number_type == "FIXED_LINE_OR_MOBILE" and not live:
        which = "North American" if facts.country_code == 1 else facts.region
        found.append(_f(S.INFO, C.HIGH, "Offline data cannot tell whether this line is VoIP",
                        f"{which} numbers do not reveal mobile, landline or VoIP: {ENABLE_LIVE}.",
                        {"phone": facts.e164, "type": facts.number_type}))
    return [f for f in found if f is not None]


def _f(severity: Severity, confidence: Confidence, title: str, detail: str = "", evidence: dict | None = None,
       source: str = OFFLINE_SOURCE) -> Finding:
    return Finding(severity=severity, confidence=confidence, title=title, detail=detail,
                   evidence=_clean(evidence or {}), source=source)


def _validity_or_type(facts: PhoneFacts) -> Finding | None:
    if facts.problem.startswith(NO_COUNTRY):
        return None
    if facts.problem.startswith(NOT_A_NUMBER):
        why = facts.problem.partition(": ")[2] or "libphonenumber cannot read it as a number"
        return _f(S.MEDIUM, C.HIGH, "Phone field is not a phone number",
                  f"What was entered as the phone number is not one ({why}), so it cannot be called or "
                  "checked. A slip, or a way of not giving a number: ask for one.",
                  {"phone": facts.raw[:40], "reason": why})
    if not facts.valid:
        how = f" (read as a {facts.default_region} number: no country code)" if facts.default_region else ""
        return _f(S.MEDIUM, C.MEDIUM if facts.problem.startswith("not in any range") else C.HIGH,
                  f"phone number is not a valid number for {facts.region or 'any country'}",
                  f"The number is {facts.problem}{how}. It may be mistyped or made up.",
                  {"phone": facts.e164 or facts.raw[:40], "region": facts.region, "reason": facts.problem})
    evidence = {"phone": facts.e164, "type": facts.number_type, "region": facts.region,
                "carrier": facts.carrier, "timezones": list(facts.timezones)}
    if facts.kind in LINE_SIGNALS:
        severity, confidence, title, why = LINE_SIGNALS[facts.kind]
        return _f(severity, confidence, title, why, evidence)
    extra = f", allocated to {facts.carrier}" if facts.carrier else ""
    label = facts.number_type.replace("_", " ").lower()
    return _f(S.INFO, C.HIGH, f"Valid {label} number ({facts.region}{extra})",
              f"Time zone(s): {_zones(facts.timezones)}. The carrier is the one the range was allocated to; "
              "the number may have been ported since.", evidence)


def _sanctions(facts: PhoneFacts, table: SanctionsTable) -> Finding | None:
    hit = table.match(facts.international_digits())
    if hit is None:
        return None
    where, prefix = hit
    return _f(S.CRITICAL, C.HIGH if facts.valid else C.MEDIUM,
              f"Compliance: phone number is in a comprehensively sanctioned jurisdiction ({where.name})",
              f"Numbers starting {prefix} belong to {where.name}, under comprehensive U.S. sanctions "
              f"({where.programme}). This is a compliance fact about the number, not a judgement about the "
              "person: employing or paying someone there generally needs an OFAC licence. Refer to your "
              "compliance team before going further."
              + ("" if facts.valid else " The number is not valid, but it is written with this prefix."),
              {"phone": facts.e164 or facts.raw[:40], "prefix": prefix, "jurisdiction": where.name,
               "programme": where.programme, "data_as_of": table.as_of},
              f"OFAC comprehensive sanctions programmes as of {table.as_of} ({table.source})")


def _versus_location(facts: PhoneFacts, now: datetime) -> Finding | None:
    """The one region/time-zone vs claimed location finding (no other check emits it)."""
    place, source = facts.location, f"{OFFLINE_SOURCE}; place table"
    if place is None or not facts.valid:
        return None
    evidence = {"phone_region": facts.region, "phone_timezones": list(facts.timezones),
                "location": place.query[:80]}
    if facts.region == "001":
        return _f(S.INFO, C.HIGH, "Phone number belongs to a global service",
                  "It is not tied to any country, so it cannot be compared with the location.",
                  {**evidence, "location_country": place.country,
                   "location_timezones": list(place.timezones)})
    if not place.resolved and place.readings:
        return _versus_readings(facts, place, evidence, now, source)
    if not place.resolved:
        return _f(S.INFO, C.HIGH, "Claimed location could not be resolved",
                  f"{place.reason}; the phone's region was not compared.",
                  {**evidence, "reason": place.reason, "could_be": list(place.alternatives)}, source)
    evidence.update(location_country=place.country, location_timezones=list(place.timezones))
    if not any(same_jurisdiction(r, place.country) for r in facts.regions):
        return _f(S.MEDIUM, C.HIGH, "Phone number's country differs from the claimed location",
                  f"The number belongs to {facts.region} ({_zones(facts.timezones)}); the candidate says "
                  f"{place.label} ({_zones(place.timezones)}). People keep numbers when they move, so ask; "
                  "on its own this is not proof of anything.", evidence, source)
    specific = (place.city or place.subdivision) and facts.timezones and place.timezones
    if specific and not places.timezones_overlap(facts.timezones, place.timezones, now):
        return _zone_mismatch(facts, place, evidence, now, source)
    return _f(S.INFO, C.HIGH, "Phone number's country matches the claimed location", "", evidence, source)


def _zone_mismatch(facts: PhoneFacts, place: Place, evidence: dict, now: datetime, source: str) -> Finding:
    """Same country, no time zone in common: medium when each side is one certain clock (the severity
    guide's "phone region/timezone vs claimed location"); info when either side spans several zones
    (a Texas or Florida claim, an area code across a zone line): then the difference is not certain."""
    title = "Phone area's time zone differs from the claimed location's"
    sides = f"the number's area is in {_zones(facts.timezones)}; {place.label} in {_zones(place.timezones)}"
    phone_sure, place_sure = places.one_clock(facts.timezones, now), places.one_clock(place.timezones, now)
    if phone_sure and place_sure:
        return _f(S.MEDIUM, C.MEDIUM, title, f"Same country, but {sides}. People keep their number's area "
                  "code when they move within a country, so ask; on its own this is not proof of anything.",
                  evidence, source)
    which = "the claimed place" if phone_sure else "the number's area"
    return _f(S.INFO, C.LOW, title, f"Same country, and {sides}; {which} spans several time zones, so the "
              "difference is not certain. Context, not a signal.", evidence, source)


def _versus_readings(facts: PhoneFacts, place: Place, evidence: dict, now: datetime, source: str) -> Finding:
    """An ambiguous location ("Vancouver": BC or Washington): consistent when some reading is in the
    phone's country; otherwise a mismatch, with less confidence and the ambiguity stated."""
    labels = [r.label for r in place.readings]
    fits = [r for r in place.readings if any(same_jurisdiction(x, r.country) for x in facts.regions)]
    evidence.update(location_readings=labels, could_be=list(place.alternatives))
    could_be = f'"{place.query[:80]}" could be {" or ".join(labels)}'
    if not fits:
        return _f(S.MEDIUM, C.MEDIUM, "Phone number's country differs from the claimed location",
                  f"The number belongs to {facts.region} ({_zones(facts.timezones)}); {could_be}, and none "
                  "of these is there. The place name is ambiguous and the table may not know every place so "
                  "named, hence less confidence. People keep numbers when they move, so ask.",
                  evidence, source)
    evidence.update(matched_reading=" or ".join(r.label for r in fits))
    zoned = [r for r in fits if r.timezones and facts.timezones]
    off = zoned and not any(places.timezones_overlap(facts.timezones, r.timezones, now) for r in zoned)
    read_as = ""
    if facts.ruled_out:  # no "+": read in the one reading's country where it is a valid number as written
        evidence.update(read_as=facts.region, not_valid_as_written_in=list(facts.ruled_out))
        read_as = (f" It has no country code, so it was read as a {facts.region} number: as written it is "
                   f"not a valid number for {' or '.join(facts.ruled_out)}.")
    return _f(S.INFO, C.MEDIUM, "Phone number's country matches one reading of the claimed location",
              f"{could_be}; the number ({facts.region}) fits {evidence['matched_reading']}." + read_as
              + (" Its time zone differs from that reading's; not scored, as the place is ambiguous." if off
                 else ""), evidence, source)


def lookup_failed(facts: PhoneFacts, why: str) -> Finding | None:
    """What a failed live lookup leaves unknown: with a provider configured, offline findings omit the
    "offline cannot see VoIP" note, so a failure must say it (unless the range is VoIP already)."""
    if facts.kind in _VOIP or not facts.valid:
        return None
    offline = ("offline data cannot tell mobile, landline and VoIP apart for this number"
               if facts.number_type == "FIXED_LINE_OR_MOBILE" else
               f"offline data gives the range's type ({facts.number_type.replace('_', ' ').lower()}), and a "
               "number can be ported to a VoIP service")
    return _f(S.INFO, C.HIGH, "Live line-type lookup failed; VoIP not ruled out",
              f"The live lookup failed ({why}), so the line type rests on offline data, and {offline}. VoIP "
              "such as Google Voice is not ruled out: vet again later.",
              {"phone": facts.e164, "type": facts.number_type, "lookup_error": why},
              "live line-type lookup (failed)")


def with_live(findings: list[Finding], info: LineInfo, facts: PhoneFacts) -> list[Finding]:
    """Adds the live line type; one fact, one finding: it replaces the offline type finding when that
    was info or the same kind of signal (the more severe of the two stands, evidence merged)."""
    live = _live_type(info, facts)
    offline = findings[0] if findings and findings[0].evidence.get("type") == facts.number_type else None
    same = facts.kind == info.line_type or (facts.kind in _VOIP and info.line_type in _VOIP)
    if offline is None or not info.valid or not (offline.severity == S.INFO or same):
        return [*findings, live]
    keep = offline if offline.severity > live.severity else live
    evidence = {**{f"offline_{k}" if k in live.evidence and k != "phone" else k: v
                   for k, v in offline.evidence.items()}, **live.evidence}
    source = f"{live.source}; {offline.source}"
    return [_f(keep.severity, keep.confidence, keep.title, keep.detail, evidence, source), *findings[1:]]


def _live_type(info: LineInfo, facts: PhoneFacts) -> Finding:
    """The live provider's line type as one finding; never "not VoIP" unless the provider said so."""
    source = info.source + (f", looked up {info.fetched_at.date().isoformat()}" if info.fetched_at else "")
    if not info.valid:
        return _f(S.MEDIUM, C.MEDIUM, "Live lookup says the number is not valid", "",
                  {"phone": facts.e164, "errors": list(info.validation_errors)}, source)
    evidence = {"phone": facts.e164, "line_type": info.raw_type or info.line_type}
    evidence.update(carrier=info.carrier_name, mcc=info.mobile_country_code, mnc=info.mobile_network_code)
    if info.line_type in LINE_SIGNALS:
        severity, confidence, title, why = LINE_SIGNALS[info.line_type]
        return _f(severity, confidence, title, why, evidence, source)
    if info.line_type == "unknown":
        return _f(S.INFO, C.LOW, "Live lookup could not determine the line type",
                  "This is not a clearance: VoIP is not ruled out.", evidence, source)
    title = f"Line type (live lookup): {info.line_type}"
    return _f(S.INFO, C.HIGH, title + (f", carrier {info.carrier_name}" if info.carrier_name else ""), "",
              evidence, source)


def caller_name_finding(info: LineInfo, candidate_name: str) -> Finding | None:
    """Caller name (CNAM, US only) vs the candidate's name, compared in normalize.name form."""
    try:
        words = normalize.name(info.caller_name).split() if info.caller_name else []
        mine = [w for w in normalize.name(candidate_name or "-").split() if len(w) >= 2]
    except ValueError:
        return None
    if not words:
        return None
    source = f"{info.source} caller name (CNAM)"
    evidence = {"caller_name": info.caller_name, "caller_type": info.caller_type,
                "candidate_name": (candidate_name or "")[:80]}
    theirs = [w for w in words if len(w) >= 2]
    matched = [w for w in mine if any(w == t or (len(t) >= 3 and w.startswith(t)) for t in theirs)]
    if mine and (len(matched) == len(mine) or len(matched) >= 2):
        return _f(S.INFO, C.MEDIUM, "Caller name matches the candidate's name", "", evidence, source)
    us_state = any(c == "US" for c, _ in places.table().subdivisions.get(words[-1], ()))
    if " ".join(words) in _GENERIC_CNAM or (len(words) >= 2 and us_state and len(info.caller_name) <= 15):
        return _f(S.INFO, C.HIGH, "Caller name on record is generic", "CNAM holds a placeholder or a place "
                  "(\"AUSTIN TX\"), not a person.", evidence, source)
    if info.caller_type.upper() == "BUSINESS" or not mine:
        return _f(S.INFO, C.MEDIUM, f"Caller name on record: {info.caller_name[:40]}", "", evidence, source)
    if matched:
        return _f(S.INFO, C.LOW, "Caller name shares part of the candidate's name", "Perhaps a family line.",
                  evidence, source)
    return _f(S.MEDIUM, C.LOW, "Phone number is registered to a different name",
              "Caller-ID (CNAM) data names someone else. Family or employer lines and stale CNAM records are "
              "common, so ask before drawing conclusions.", evidence, source)


class Phone(Check):
    name = "phone"
    description = ("Phone validity, line type (VoIP), carrier, region/time zone vs claimed location, "
                   "sanctioned jurisdictions; live line type when configured")
    requires = frozenset({"phone"})
    timeout_s = 8.0

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        facts = parse_phone(candidate.phone, candidate.location or None)
        live = ctx.has_source("phone_lookup")
        try:
            table, data_problem = sanctioned_jurisdictions(), ""
        except (OSError, ValueError, KeyError, TypeError) as exc:
            table, data_problem = SanctionsTable("", "", ()), type(exc).__name__
        findings = offline_findings(facts, table, ctx.now(), live=live)
        if data_problem:
            raise CheckFailed(f"sanctioned-jurisdiction data unusable ({data_problem})", findings)
        if facts.problem.startswith(NO_COUNTRY):
            raise CheckFailed(f"could not check the phone: {facts.problem}", findings)
        if not (live and facts.valid):
            return findings
        try:
            # Stop the lookup a little before the check's own deadline so a slow provider ends as
            # CheckFailed with the offline findings, not as a runner timeout that would lose them.
            deadline = None if ctx.deadline is None else ctx.deadline - LOOKUP_MARGIN_S
            info = ctx.source("phone_lookup").lookup(facts.e164, deadline=deadline)
        except Exception as exc:  # a provider's bug must not cost the offline findings either
            why = str(exc) if isinstance(exc, SourceError) else type(exc).__name__
            failed = lookup_failed(facts, why)
            raise CheckFailed(f"live line-type lookup failed ({why}); offline findings kept",
                              findings + ([failed] if failed else [])) from None
        caller = caller_name_finding(info, candidate.name)
        return with_live(findings, info, facts) + ([caller] if caller else [])
