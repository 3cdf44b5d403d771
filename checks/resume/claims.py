"""Claimed total experience ("10+ years ...") against what the dated roles support.

A claim is a number of years followed, on the same line, by a phrasing that states a career: "of
(professional) experience", "in software development" / "in the industry", "building web
applications", "as a backend developer", "a 15-year career", "(12+ years)", or preceded by an
"Experience:" label. A number of years anywhere else -- "5 years warranty", "within 2 years", "10
years ago", an age, "a firm with 50 years in the industry" -- is not a claim.
"""
from __future__ import annotations

import re

from checks.model import Confidence, Finding, Severity
from checks.resume.timeline import Entry

CLAIM_SLACK_YEARS = 3      # "10+ years" is fine down to 7 years of dated roles (early roles get omitted)
SOURCE = "resume text"
_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                       "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
                                       .split())}
_N = r"(?P<n>\d{1,2}|" + "|".join(_NUMBERS) + r")"
# "N years" claims, never across a line break: the number (with "over", "10+", "ten"), then one of the
# phrasings below on the same line; "5 years warranty", "within 2 years", "10 years ago", ages are not.
_CLAIM = re.compile(r"(?<![\w.,/+-])(?:(?:over|more[ \t]+than|nearly|almost|about|around|approximately|"
                    r"close[ \t]+to|~)[ \t]*)?" + _N + r"[ \t]*\+?[ \t]*-?[ \t]*(?:years?|yrs?)\b['’]?", re.I)
_FIELD = (r"(?:industry|field|sector|tech|technology|it|software|development|engineering|programming|coding|"
          r"design|devops|data|analytics|web|mobile|cloud|security|qa|testing|fintech|consulting|management|"
          r"marketing|sales|finance|research|back-?end|front-?end|full-?stack|infrastructure)")
_WORDS = r"(?:[ \t]+[\w/&+.#-]+){0,3}?"
_CLAIM_TAIL = re.compile(
    r"(?:[ \t]+of)?" + _WORDS + r"[ \t]+(?:experience|exp\b|expertise)\b"         # "of (hands-on) experience"
    r"|[ \t]+(?:in|of)(?:[ \t]+the)?" + _WORDS + r"[ \t]+" + _FIELD + r"\b"      # "in software development"
    r"|[ \t]+(?:of[ \t]+)?(?:building|developing|working|designing|leading|writing|coding|programming|"
    r"creating|delivering|engineering|shipping|managing|architecting|maintaining|crafting|implementing|"
    r"teaching|testing|automating|scaling|deploying)\b"                           # "building web apps"
    r"|[ \t]+as(?:[ \t]+an?)?" + _WORDS + r"[ \t]+(?:engineer|developer|programmer|architect|manager|lead|"
    r"consultant|designer|analyst|scientist|administrator|tester|freelancer|contractor|professional)s?\b"
    r"|(?:[ \t]+|-)(?:long[ \t-]+)?career\b"                                      # "15-year career"
    r"|[ \t]*\)", re.I)                                                            # "(12+ years)", see below
_NOT_A_CLAIM = re.compile(r"\b(?:within|every|aged?|age of|next|first)[ \t]*$|\b(?:compan(?:y|ies)|firms?|"
                          r"business(?:es)?|brands?|agenc(?:y|ies)|organi[sz]ations?|vendors?|providers?|"
                          r"clients?|customers?|teams?|groups?|squads?|departments?)[ \t]+"
                          r"(?:with|of|having|that has|which has)[ \t]*$"
                          r"|\bteams?[ \t]+of[ \t]+\w+[ \t]+(?:with|having)[ \t]*$", re.I)
# "40 years of combined experience": the team's, not one person's
_POOLED = re.compile(r"\b(?:combined|collective|cumulative|pooled|joint)\b", re.I)
_LABEL_BEFORE = re.compile(r"\b(?:experience|exp\.?)[ \t]*(?:of|:|[-–—])?[ \t]*$", re.I)  # "Experience: 12"


def _years_supported(entries: list[Entry]) -> float:
    spans = sorted((e.start_lo, e.end.hi) for e in entries if e.section == "experience" and e.start)
    months, cur_lo, cur_hi = 0, None, None
    for lo, hi in spans + [(10**9, 10**9)]:
        if cur_hi is not None and lo > cur_hi + 1:
            months += cur_hi - cur_lo + 1
            cur_lo = None
        if cur_lo is None:
            cur_lo, cur_hi = lo, hi
        cur_hi = max(cur_hi, hi)
    return months / 12


def experience_claims(text: str) -> list[tuple[int, str]]:
    """(years, phrase) of each claim of total experience in the text, e.g. (12, "12+ years)")."""
    claims = []
    for m in _CLAIM.finditer(text):
        window = max(0, m.start() - 80)  # the words just before, on the same line: linear on any input
        before = text[text.rfind("\n", window, m.start()) + 1 or window:m.start()]
        if _NOT_A_CLAIM.search(before):
            continue
        tail = _CLAIM_TAIL.match(text, m.end(), m.end() + 120)
        if tail and tail.group().endswith(")") and not before.rstrip().endswith("("):
            tail = None  # ")" counts only for "(12+ years)"
        if tail and _POOLED.search(tail.group()):
            continue
        label = _LABEL_BEFORE.search(before)
        if tail or label:
            start = m.start() - (len(before) - label.start() if label and not tail else 0)
            claims.append((int(_NUMBERS.get(m.group("n").lower(), m.group("n"))),
                           text[start:tail.end() if tail else m.end()].strip()))
    return claims


def claimed_experience(text: str, entries: list[Entry]) -> list[Finding]:
    claims = experience_claims(text[:50000])
    if not claims or not any(e.section == "experience" and e.start for e in entries):
        return []
    claimed, phrase = max(claims)
    supported = _years_supported(entries)
    if claimed - supported < CLAIM_SLACK_YEARS:
        return []
    return [Finding(
        severity=Severity.LOW, confidence=Confidence.MEDIUM,
        title="Claimed experience exceeds the dated roles",
        detail=f"The resume claims {claimed} years; its dated roles cover {supported:.1f}. Resumes often "
               "leave out early roles, so this is weak on its own: ask what the rest was.",
        evidence={"claim": phrase, "claimed_years": claimed, "dated_years": round(supported, 1)},
        source=SOURCE)]
