"""consistency: the resume against the other inputs -- contacts, name and location as entered, and each
employer's domain against the date the candidate says they started there.

A resume recycled across personas keeps the previous persona's contacts and name; a front company's
website is registered after the "employee" claims to have joined. A comparison speaks only when both
sides are clear: an unparsable phone, a one-word name or an ambiguous place is listed as not compared,
never called a mismatch. The owner's contacts are those of the header, a Contact section, the last lines
and unprinted mailto:/tel: links, never a References section or an employer's address. Locations
(``checks.resume.location``): the resume's vs the one given and vs the phone's country; phone vs the
location given stays the phone check's finding. Places are compared with each other, never scored by
country.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from checks import normalize, places
from checks.base import Check
from checks.context import CheckContext
from checks.email_lists import disposable_match, freemail_match
from checks.errors import CheckFailed, NotFound, SourceError
from checks.github_profile import names_agree
from checks.model import Candidate, Confidence, Finding, Severity
from checks.phone import PhoneFacts, parse_phone
from checks.resume.check import document
from checks.resume.facts import Facts, owner_lines
from checks.resume.location import location
from checks.resume.timeline import YM, Entry, parse_timeline

S, C = Severity, Confidence
SOURCE = "resume file vs the details entered"
MAX_LOOKUPS = 5          # employer domains looked up in RDAP per vetting
GRACE_MONTHS = 3         # registered up to this long after the claimed start: an early hire, low only
TIME_MARGIN_S = 0.5      # stop RDAP this long before the check's deadline, so findings are kept
HEADER_LINES = 15        # non-empty lines at the top where a resume states its owner's location
MAX_LISTED = 5
_OWN = "the resume's own contacts (header, contact section, last lines)"
# Sites hosting pages of many people and companies: their age says nothing about one employer.
_PLATFORMS = frozenset("""
about.me amazon.com amazonaws.com angel.co apple.com azurewebsites.net behance.net bitbucket.org
blogspot.com coursera.org credly.com crunchbase.com dev.to dribbble.com facebook.com fiverr.com
freelancer.com github.com github.io gitlab.com gitlab.io glassdoor.com google.com hackerrank.com
hashnode.dev herokuapp.com indeed.com instagram.com kaggle.com leetcode.com linkedin.com linktr.ee
medium.com microsoft.com netlify.app notion.site npmjs.com pages.dev pypi.org stackexchange.com
stackoverflow.com substack.com toptal.com twitter.com udemy.com upwork.com vercel.app wellfound.com
wixsite.com wordpress.com x.com youtube.com""".split())
_SELF_EMPLOYED = re.compile(r"\b(?:freelanc\w*|self[- ]employed|(?:co-?)?founder|own (?:company|business)|"
                            r"sole (?:proprietor|trader))\b", re.I)
_HOST = re.compile(r"[\s(\[]*(?:https?://)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}(?:/\S*)?[)\]]?", re.I)
_NOT_A_NAME = re.compile(r"\b(?:curriculum|vitae|r[eé]sum[eé]|cv|portfolio|contact|details|information|"
                         r"profile|summary|confidential|page)\b", re.I)


@dataclass(frozen=True)
class EmployerDomain:
    domain: str
    employer: str
    start: YM        # the earliest claimed start among the roles it belongs to
    line: str        # the resume line(s) naming the role
    on_role_line: bool  # printed on the role's own lines (True) or matched by the employer's name


class Consistency(Check):
    name = "consistency"
    description = ("Resume vs the other inputs: e-mails, phones, name and location as entered; employers' "
                   "domains registered after the claimed start there (RDAP)")
    requires = frozenset({"resume"})  # employer domains need nothing else; each comparison needs its input
    timeout_s = 15.0

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        doc = document(candidate, ctx)
        if doc.problem:  # the resume check reports the document itself
            raise CheckFailed(f"the resume could not be read ({doc.problem}); nothing was compared")
        head = [ln.strip() for ln in doc.text.splitlines() if ln.strip()][:HEADER_LINES]
        phone = parse_phone(candidate.phone, candidate.location or None) if candidate.phone else None
        notes: list[str] = []
        employers = employer_domains(doc.text, parse_timeline(doc.text, ctx.now()), doc.facts.domains)
        own = Facts("\n".join(owner_lines(doc.text)), hidden_contacts(doc.text, doc.links))
        work = tuple(f"@{e.domain}" for e in employers) + tuple(f".{e.domain}" for e in employers)
        mine = tuple(e for e in own.emails if not e.endswith(work))  # not work addresses at an employer
        findings = [*contacts(candidate, doc.facts, (mine, own.phones), phone, notes),
                    *name(candidate, doc.facts, head, notes),
                    *location(candidate, doc.facts, head, phone, ctx, notes)]
        found, failures = domain_findings(employers, ctx)
        findings += found
        if notes:
            findings.append(_f(S.INFO, C.HIGH, "Not compared with the resume", "; ".join(notes) + ".",
                               {"not_compared": notes}))
        if failures:
            raise CheckFailed("; ".join(failures), findings)
        return findings


# -- contacts --------------------------------------------------------------------------------------
def _f(severity: Severity, confidence: Confidence, title: str, detail: str, evidence: dict) -> Finding:
    return Finding(severity=severity, confidence=confidence, title=title, detail=detail, evidence=evidence,
                   source=SOURCE)


def hidden_contacts(text: str, links: tuple[str, ...]) -> tuple[str, ...]:
    """``mailto:``/``tel:`` link targets whose address is not printed: an "E-mail me" label is the owner's
    (a printed address follows where it is printed: a referee's is not the owner's)."""
    digits, lowered = re.sub(r"\D", "", text), text.lower()
    out = []
    for link in links:
        scheme, _, rest = link.partition(":")
        address = unquote(rest.split("?", 1)[0].split(";", 1)[0]).strip().lower()
        if scheme.lower() == "mailto" and address and address not in lowered:
            out.append(link)
        elif scheme.lower() == "tel" and (number := re.sub(r"\D", "", address)) and number[-9:] not in digits:
            out.append(link)  # the last nine digits: printed nationally or internationally alike
    return tuple(out)


def printed_phones(raws: tuple[str, ...], entered: PhoneFacts | None, location: str) -> list[str]:
    """E.164 of the valid numbers printed: written with "+", or read in the claimed location's country,
    or in the entered number's country. Anything that parses nowhere is not a phone to compare."""
    out: list[str] = []
    for raw in raws[:20]:
        tries = [location or None] + ([places.Place(entered.region, country=entered.region)]
                                      if entered is not None and entered.valid else [])
        facts = next((f for f in (parse_phone(raw, where) for where in tries) if f.valid), None)
        if facts is not None and facts.e164 not in out:
            out.append(facts.e164)
    return out


def contacts(candidate: Candidate, facts: Facts, own: tuple[tuple[str, ...], tuple[str, ...]],
             phone: PhoneFacts | None, notes: list[str]) -> list[Finding]:
    """An entered contact printed anywhere in the resume corroborates it; a difference counts only
    against the owner's own contacts (``own``: e-mails not at an employer's domain, and phones, from the
    header, a Contact section, the last lines and unprinted mailto:/tel: links -- never References)."""
    same: list[str] = []
    differ: list[str] = []
    evidence: dict[str, Any] = {}
    try:
        entered = normalize.email(candidate.email) if candidate.email else ""
    except ValueError:
        entered = ""
    if entered and (entered in facts.emails or own[0]):
        (same if entered in facts.emails else differ).append("e-mail")
        evidence.update(entered_email=entered, resume_emails=list((own[0] or facts.emails)[:MAX_LISTED]))
    elif candidate.email:
        notes.append("e-mail: " + (f"none among {_OWN}" if entered else "the one given is invalid"))
    if phone is not None:
        valid = phone.valid
        printed = printed_phones(facts.phones, phone, candidate.location) if valid else []
        header = printed_phones(own[1], phone, candidate.location) if valid else []
        if phone.e164 in printed or header:
            (same if phone.e164 in printed else differ).append("phone")
            evidence.update(entered_phone=phone.e164, resume_phones=(header or printed)[:MAX_LISTED])
        else:
            notes.append("phone: " + (f"no readable number among {_OWN}" if valid
                                      else "the number entered is not valid"))
    if not differ:
        return [_f(S.INFO, C.HIGH, "Resume contacts match the ones entered",
                   f"The resume prints the {' and '.join(same)} entered.", {**evidence, "matching": same})
                ] if same else []
    evidence.update(differing=differ, matching=same)
    if same:  # the matching one ties the resume to this candidate; the other may just have changed
        title = f"Resume {differ[0]} differs from the one entered (the {same[0]} matches)"
        return [_f(S.LOW, C.MEDIUM, title,
                   f"The resume's {same[0]} is the one entered, so it is probably this candidate's own; a "
                   f"changed {differ[0]} is common. Ask which is current.", evidence)]
    return [_f(S.MEDIUM, C.HIGH, "Resume contacts differ from the ones entered",
               f"The {' and '.join(differ)} printed in the resume {'are' if differ[1:] else 'is'} not the "
               "one entered. Resumes reused across personas keep the previous persona's contacts; an old "
               "resume or a second address are innocent explanations: ask.", evidence)]


# -- name ------------------------------------------------------------------------------------------
def name(candidate: Candidate, facts: Facts, head: list[str], notes: list[str]) -> list[Finding]:
    if not candidate.name:
        return []
    lines = [ln for ln in facts.name_lines if not _NOT_A_NAME.search(ln)]
    verdicts = [(ln, names_agree(ln, candidate.name)) for ln in lines]
    evidence = {"given_name": candidate.name[:100]}
    agreeing = [ln for ln, verdict in verdicts if verdict]
    if agreeing:
        return [_f(S.INFO, C.MEDIUM, "Name in the resume matches the one given", "",
                   {**evidence, "resume_name": agreeing[0]})]
    top, verdict = verdicts[0] if verdicts else ("", None)
    # Only the resume's heading (its first lines) names its owner; a place is not a person.
    if verdict is False and top in head[:3] and not places.resolve(top).resolved:
        return [_f(S.MEDIUM, C.MEDIUM, "Name at the top of the resume is another person's",
                   f"The resume is headed '{top}', which shares no name with '{candidate.name[:100]}'. "
                   "Resumes recycled across personas keep the previous name; a name change or an unedited "
                   "template are innocent explanations: ask.", {**evidence, "resume_name": top})]
    notes.append("name: " + ("the resume's heading names nobody recognisably" if not verdicts
                             else "the names cannot be compared (one word, initials or another script)"))
    return []


# -- employer domains ------------------------------------------------------------------------------
def _ignored(domain: str) -> bool:
    return domain in _PLATFORMS or bool(freemail_match(domain) or disposable_match(domain))


def _names_employer(domain: str, employer_key: str) -> bool:
    """``northwind-labs.com`` names "Northwind Labs" (legal forms are already dropped from the key)."""
    label, words = re.sub(r"[^a-z0-9]", "", domain.split(".", 1)[0]), employer_key.split()
    joined = "".join(words)
    return bool(words) and len(label) >= 4 and (
        label == joined or (len(joined) >= 4 and label.startswith(joined)) or label == words[0])


def employer_domains(text: str, entries: list[Entry], printed: tuple[str, ...]) -> list[EmployerDomain]:
    """Domains of the employers of dated roles: printed on a role's own lines, or printed anywhere and
    named like the employer. Not domains in bullets (clients' sites), platforms, free-mail or
    self-employment (a freelancer's own site is often newer than the freelancing)."""
    found: dict[str, EmployerDomain] = {}
    for entry in entries:
        if entry.section != "experience" or entry.start is None:
            continue
        heading = "\n".join((*entry.context, entry.line))
        if _SELF_EMPLOYED.search(heading):
            continue
        own = Facts(heading).domains
        named = [d for d in printed if d not in own and _names_employer(d, entry.employer_key)]
        for domain, on_line in [*((d, True) for d in own), *((d, False) for d in named)]:
            if _ignored(domain):
                continue
            known = found.get(domain)
            if known is None or entry.start.hi < known.start.hi:
                employer = _HOST.sub("", entry.employer).strip(" ([|,;-")
                found[domain] = EmployerDomain(domain, employer, entry.start, entry.evidence, on_line)
    return list(found.values())


def domain_findings(employers: list[EmployerDomain], ctx: CheckContext) -> tuple[list[Finding], list[str]]:
    """RDAP for at most MAX_LOOKUPS employer domains, concurrently; (findings, failure reasons)."""
    if not employers:
        return [], []
    checked, rest = employers[:MAX_LOOKUPS], employers[MAX_LOOKUPS:]
    findings = [_f(S.INFO, C.HIGH, f"{len(rest)} more employer domain(s) not looked up",
                   f"At most {MAX_LOOKUPS} are looked up per vetting.",
                   {"not_looked_up": [e.domain for e in rest]})] if rest else []
    try:
        rdap = ctx.rdap
    except SourceError as exc:
        return findings, [f"employer domains not checked: {exc}"]
    deadline = None if ctx.deadline is None else ctx.deadline - TIME_MARGIN_S
    def lookup(employer: EmployerDomain) -> Any:
        try:
            return rdap.lookup(employer.domain, deadline=deadline)
        except Exception as exc:  # a source's bug must not cost the other findings either
            return exc

    with ThreadPoolExecutor(max_workers=len(checked), thread_name_prefix="consistency-rdap") as pool:
        answers = list(pool.map(lookup, checked))
    failures: list[str] = []
    for employer, answer in zip(checked, answers, strict=True):
        if isinstance(answer, NotFound):
            findings.append(_finding(employer, S.LOW, "Employer's domain is not registered",
                                     "No registry has a record of it. Closed companies let domains lapse; "
                                     "one that never had it is worth a question.", {}, "RDAP"))
        elif isinstance(answer, Exception):
            why = str(answer) if isinstance(answer, SourceError) else type(answer).__name__
            failures.append(f"RDAP lookup of an employer domain failed ({why})")
        elif getattr(answer, "registered", None) is None:
            failures.append("RDAP record of an employer domain has no registration date")
        else:
            findings.append(_dated(employer, answer))
    return findings, failures


def _dated(employer: EmployerDomain, record: Any) -> Finding:
    registered = record.registered
    after = registered.year * 12 + registered.month - 1 - employer.start.hi  # months after the latest start
    facts = {"registered": registered.date().isoformat(), "registrar": record.registrar or None}
    source = f"RDAP {record.source}"
    if after > GRACE_MONTHS:
        return _finding(employer, S.HIGH, "Employer's domain was registered after the claimed start there",
                        f"Registered on {facts['registered']}, {after} months after the candidate says they "
                        f"started ({employer.start}). Front companies made to back fake work histories look "
                        "like this. A company that changed domains, or a lapsed domain registered again, is "
                        "the innocent explanation: verify the company independently.", facts, source)
    if after > 0:
        return _finding(employer, S.LOW, "Employer's domain was registered just after the claimed start",
                        f"Registered on {facts['registered']}, within {GRACE_MONTHS} months of the claimed "
                        f"start ({employer.start}): usual for a young company's first hires.", facts, source)
    return _finding(employer, S.INFO, "Employer's domain predates the claimed start",
                    f"Registered on {facts['registered']}, before the claimed start ({employer.start}).",
                    facts, source)


def _finding(employer: EmployerDomain, severity: Severity, title: str, detail: str, facts: dict,
             source: str) -> Finding:
    """Confidence says how sure the domain is the employer's: printed on the role's line, or named alike."""
    evidence = {"domain": employer.domain, "employer": employer.employer or None,
                "claimed_start": str(employer.start), "resume_line": employer.line[:200],
                "domain_found": "on the role's line" if employer.on_role_line else "named like the employer",
                **facts}
    return Finding(severity=severity, confidence=C.HIGH if employer.on_role_line else C.MEDIUM, title=title,
                   detail=detail, evidence={k: v for k, v in evidence.items() if v}, source=source)
