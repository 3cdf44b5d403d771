"""Inconsistency rules over a resume's timeline and text. Each rule returns findings whose evidence
quotes the lines involved ("L12: ..."), so a human can check them against the document.

Severities follow the guide in ARCHITECTURE.md: overlapping full-time roles are medium, gaps are
low; everything else says below why it has the severity it has. No rule looks at nationality,
names' origin, language or any other protected trait: only at whether the document agrees with
itself, with the calendar and with the candidate's name.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from itertools import combinations, permutations
from pathlib import Path

from checks import normalize
from checks.model import Confidence, Finding, Severity
from checks.resume.claims import CLAIM_SLACK_YEARS, claimed_experience, experience_claims
from checks.resume.timeline import Entry

__all__ = ["CLAIM_SLACK_YEARS", "claimed_experience", "evaluate", "experience_claims"]  # claims re-exported

log = logging.getLogger(__name__)

TRANSITION_MONTHS = 3      # overlaps up to this long are a change of jobs, not two jobs
GAP_MONTHS = 12            # longer gaps between roles are listed (low)
SOURCE = "resume text"
_YEARS_OF = re.compile(r"\b(?P<n>\d{1,2})\s*\+?\s*(?:years?|yrs?)\b\.?(?P<rest>[^,.;:\n(]{0,80})", re.I)
_YEARS_AFTER = re.compile(r"[ \t]*[(:\-–—][ \t]*(?P<n>\d{1,2})[ \t]*\+?[ \t]*(?:years?|yrs?)\b\)?", re.I)
_SENIOR = re.compile(r"\b(?:senior|sr|lead|principal|staff|head|director|manager|architect|vp|chief|"
                     r"cto|ceo|cio)\b", re.I)
_LEVELS = ((3, re.compile(r"\b(?:ph\.?\s?d|doctor\w*)\b", re.I)),
           (2, re.compile(r"\b(?:m\.?\s?sc|m\.?\s?s|m\.?\s?a|m\.?\s?eng|m\.?\s?tech|mba|master\w*)\b", re.I)),
           (1, re.compile(r"\b(?:b\.?\s?sc|b\.?\s?s|b\.?\s?a|b\.?\s?eng|b\.?\s?tech|bachelor\w*)\b", re.I)))
_GENERIC_AUTHORS = {"user", "admin", "administrator", "owner", "author", "unknown", "windows user", "guest",
                    "microsoft office user", "office user", "resume", "cv", "python docx", "default", "home",
                    "pc", "student", "test", "hp", "dell", "lenovo", "apple", "mac", "canva", "overleaf",
                    "zety", "novoresume", "linkedin", "indeed", "microsoft", "google", "word", "fpdf"}


def _line(entry: Entry) -> str:
    return f"L{entry.line_no}: {entry.evidence}"


def _month(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def overlapping_roles(entries: list[Entry]) -> list[Finding]:
    jobs = [e for e in entries if e.section == "experience" and e.full_time and e.start]
    pairs = []
    for a, b in combinations(jobs, 2):
        months = min(a.end.lo, b.end.lo) - max(a.start_hi, b.start_hi) + 1  # certain overlap
        ka, kb = a.employer_key, b.employer_key
        if months <= TRANSITION_MONTHS or (ka and kb and (ka in kb or kb in ka)):
            continue
        nested = (a.start_lo <= b.start_lo and a.end.hi >= b.end.hi) or (
            b.start_lo <= a.start_lo and b.end.hi >= a.end.hi)
        if (not ka or not kb) and nested:  # a company line above its roles, most likely
            continue
        pairs.append({"first": _line(a), "second": _line(b), "months": months})
    if not pairs:
        return []
    return [Finding(
        severity=Severity.MEDIUM, confidence=Confidence.MEDIUM, title="Overlapping full-time roles",
        detail=f"{len(pairs)} pair(s) of full-time roles at different employers overlap by more than "
               f"{TRANSITION_MONTHS} months. Holding several remote jobs at once is a pattern of fraudulent "
               "remote workers; a side contract written as a role, or a typo, are innocent explanations.",
        evidence={"overlaps": pairs[:10]}, source=SOURCE)]


def impossible_dates(entries: list[Entry], now: datetime) -> list[Finding]:
    today = now.year * 12 + now.month - 1
    backwards = [_line(e) for e in entries if e.start and not e.current and e.end.hi < e.start.lo]
    future = [_line(e) for e in entries if e.section == "experience"
              and (e.start_lo > today or (not e.current and e.end.lo > today))]
    findings = []
    if backwards:
        findings.append(Finding(
            severity=Severity.LOW, confidence=Confidence.HIGH, title="Dates that end before they start",
            detail="A typo is the usual cause; low on its own, but worth a question.",
            evidence={"lines": backwards[:10]}, source=SOURCE))
    if future:
        findings.append(Finding(
            severity=Severity.LOW, confidence=Confidence.HIGH, title="Work dates in the future",
            detail=f"A role cannot start or end after today ({_month(today)}); an accepted offer written "
                   "as a role, or a typo, are the innocent explanations. (Expected graduation dates are "
                   "normal and not listed.)", evidence={"lines": future[:10], "today": _month(today)},
            source=SOURCE))
    return findings


def gaps(entries: list[Entry]) -> list[Finding]:
    jobs = sorted((e for e in entries if e.section == "experience" and e.start), key=lambda e: e.start_lo)
    studies = [(e.start_lo, e.end.hi) for e in entries if e.section == "education"]
    found, covered, last = [], None, None
    for job in jobs:
        if covered is not None and job.start_lo - covered - 1 > GAP_MONTHS:
            lo, hi = covered + 1, job.start_lo - 1
            studied = sum(max(0, min(hi, s_hi) - max(lo, s_lo) + 1) for s_lo, s_hi in studies)
            if studied * 2 < hi - lo + 1:
                found.append({"from": _month(lo), "to": _month(hi), "months": hi - lo + 1,
                              "after": _line(last), "before": _line(job)})
        if covered is None or job.end.hi > covered:
            covered, last = job.end.hi, job
    if not found:
        return []
    return [Finding(
        severity=Severity.LOW, confidence=Confidence.MEDIUM, title="Long gaps between roles",
        detail=f"{len(found)} gap(s) longer than {GAP_MONTHS} months that no study covers. Gaps are common "
               "and usually innocent (family, health, study, a job search); listed for the interview.",
        evidence={"gaps": found[:10]}, source=SOURCE)]


def education_vs_work(entries: list[Entry]) -> list[Finding]:
    degrees = []
    for e in entries:
        level = next((n for n, rx in _LEVELS if e.section == "education" and rx.search(e.title or e.line)), 0)
        if level:
            degrees.append((level, e))
    issues = [f"{_line(high)} finished before {_line(low)}"
              for (la, high), (lb, low) in permutations(degrees, 2) if la > lb and high.end.hi < low.end.lo]
    for _, bachelor in (d for d in degrees if d[0] == 1):
        if not bachelor.start:
            continue
        for job in entries:
            if job.section == "experience" and job.full_time and job.start and _SENIOR.search(job.title):
                months = min(job.end.lo, bachelor.end.lo) - max(job.start_hi, bachelor.start.hi) + 1
                if months > 6:
                    issues.append(f"{_line(job)} held during {_line(bachelor)} ({months} months)")
    if not issues:
        return []
    return [Finding(
        severity=Severity.LOW, confidence=Confidence.LOW, title="Education dates contradict the work history",
        detail="A higher degree finished before a lower one, or a senior full-time role held while studying "
               "for a first degree. Mature and part-time students explain some of these: ask.",
        evidence={"lines": issues[:10]}, source=SOURCE)]


@lru_cache(maxsize=1)
def tech_table() -> tuple[dict, ...]:
    try:
        data = json.loads((Path(__file__).parent / "tech_years.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("tech_years.json is missing or unreadable: technology anachronisms not checked")
        return ()
    return tuple(data["technologies"])


@lru_cache(maxsize=2)
def _tech_regex(claims: bool) -> tuple[re.Pattern, re.Pattern, dict[str, dict]]:
    usable = [t for t in tech_table() if claims or not t.get("claims_only")]
    by_alias = {a.casefold(): t for t in usable for a in t["aliases"]}

    def alternation(sensitive: bool) -> str:
        names = [a for t in usable if bool(t.get("case_sensitive")) == sensitive for a in t["aliases"]]
        names.sort(key=len, reverse=True)
        return r"(?<![\w.])(?:" + "|".join(map(re.escape, names or ["\x00"])) + r")(?![\w])"
    return re.compile(alternation(True)), re.compile(alternation(False), re.I), by_alias


def _techs(text: str, claims: bool = False) -> list[tuple[int, dict, str]]:
    sensitive, insensitive, by_alias = _tech_regex(claims)
    hits = [(m.start(), by_alias[m.group().casefold()], m.group())
            for rx in (sensitive, insensitive) for m in rx.finditer(text)]
    return sorted(hits, key=lambda h: h[0])


def anachronisms(text: str, entries: list[Entry], now: datetime) -> list[Finding]:
    claims, uses = [], []
    for m in _YEARS_OF.finditer(text[:200000]):
        rest = m.group("rest")
        hit = next(iter(_techs(rest, claims=True)), None)
        if hit and len(rest[:hit[0]].split()) <= 4:
            claims.append((int(m.group("n")), hit[1], text[m.start():m.start("rest") + hit[0] + len(hit[2])]))
    for tech_pos, tech, alias in _techs(text[:200000], claims=True):
        after = _YEARS_AFTER.match(text, tech_pos + len(alias))
        if after:
            claims.append((int(after.group("n")), tech, text[tech_pos:after.end()].strip()))
    for years, tech, phrase in claims:
        if years > now.year - tech["year"] + (now.month - 1) / 12 + 0.5:  # counted from January
            uses.append(("claim", f"{phrase!r}: {tech['name']} exists since {tech['year']} "
                                  f"({tech['source']})"))
    for e in entries:
        if e.section == "education" or not e.start:
            continue
        for _, tech, alias in _techs(" \n".join((e.evidence, *e.body))):
            if e.end.hi < tech["year"] * 12:
                uses.append(("role", f"{_line(e)} mentions {alias}, which appeared in {tech['year']} "
                                     f"({tech['source']})"))
    lines = list(dict.fromkeys(u for _, u in uses))
    if not lines:
        return []
    return [Finding(
            severity=Severity.MEDIUM, confidence=Confidence.HIGH if any(k == "claim" for k, _ in uses)
            else Confidence.MEDIUM, title="Technology claimed before it existed",
            detail="More years of a technology than it has existed, or a technology named in a role that "
                   "ended before its first release: impossible as written. Sloppy wording or a renamed "
                   "predecessor are the innocent explanations.",
            evidence={"lines": lines[:10]}, source="resume text; release years in tech_years.json")]


def _fold(line: str) -> str:
    text = re.sub(r"^\s*(?:[•·▪◦●■○►▶✓✔*>+\-–—]|\d{1,2}[.)]|[^\w\s])\s*", "", line)
    return " ".join(re.sub(r"[\W\d_]+", " ", text.casefold()).split())


def repeated_bullets(entries: list[Entry]) -> list[Finding]:
    seen: dict[str, dict[str, Entry]] = {}
    for e in entries:
        if e.section != "experience":
            continue
        for line in e.body:
            folded = _fold(line)
            if len(folded.split()) >= 6:
                seen.setdefault(folded, {})[e.employer_key or f"#{e.line_no}"] = e
    repeats = {text: roles for text, roles in seen.items() if len(roles) >= 2}
    if not repeats:
        return []
    many = len(repeats) >= 3
    return [Finding(
        severity=Severity.MEDIUM if many else Severity.LOW, confidence=Confidence.MEDIUM,
        title="Same bullet text repeated across roles",
        detail=f"{len(repeats)} bullet(s) appear word for word under different employers. "
               + ("Three or more suggests a templated, possibly fabricated, history (medium)." if many else
                  "One or two is often copy-and-paste by an honest writer (low)."),
        evidence={"bullets": [{"text": text[:160], "roles": [_line(e) for e in roles.values()][:4]}
                              for text, roles in list(repeats.items())[:8]]}, source=SOURCE)]


def _person_tokens(value: str) -> set[str]:
    try:
        folded = normalize.name(value)
    except ValueError:
        return set()
    if folded in _GENERIC_AUTHORS or any(ch.isdigit() for ch in folded):
        return set()
    tokens = folded.split()
    return {t for t in tokens if len(t) > 1} if 2 <= len(tokens) <= 4 else set()


def metadata_author(metadata: Mapping[str, str], name: str) -> list[Finding]:
    """``name`` is the candidate's, or the one printed atop the resume when none was given."""
    mine = _person_tokens(name)
    if not mine:
        return []
    others = [(key, metadata[key]) for key in ("author", "last_modified_by") if metadata.get(key)
              and (tokens := _person_tokens(metadata[key])) and not tokens & mine]
    if not others:
        return []
    both = len(others) == 2 and normalize.name(others[0][1]) == normalize.name(others[1][1])
    return [Finding(
        severity=Severity.MEDIUM if both else Severity.LOW, confidence=Confidence.MEDIUM,
        title="Document author is another person",
        detail="The file's properties name someone else. " + (
            "Both its author and its last editor are that person, so the file was made and kept under "
            "another identity (medium)." if both else
            "Templates, resume writers and shared computers often cause this (low)."),
        evidence={**{key: value for key, value in others}, "compared_with": name},
        source="document metadata (PDF Info / DOCX core properties)")]


def evaluate(text: str, entries: list[Entry], metadata: Mapping[str, str], name: str,
             now: datetime) -> list[Finding]:
    return [*overlapping_roles(entries), *impossible_dates(entries, now), *gaps(entries),
            *education_vs_work(entries), *claimed_experience(text, entries),
            *anachronisms(text, entries, now), *repeated_bullets(entries), *metadata_author(metadata, name)]
