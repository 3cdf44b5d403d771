"""email_domain: is the candidate's e-mail address real, and how old is its domain?

Fabricated identities favour throw-away addresses and domains registered days before the
application. Free-mail is common and innocent, so it is only a weak signal."""
from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from checks import normalize
from checks.base import Check
from checks.context import CheckContext
from checks.email_lists import (
    DISPOSABLE_SOURCE,
    FREEMAIL_SOURCE,
    disposable_match,
    freemail_match,
)
from checks.errors import CheckFailed, NotFound, SourceError
from checks.model import Candidate, Confidence, Finding, Severity

# Domain-age thresholds in days, most severe first (README: "Email and domain age").
AGE_THRESHOLDS = ((30, Severity.HIGH), (180, Severity.MEDIUM), (365, Severity.LOW))
MAX_QUOTED = 254  # the longest valid address (RFC 5321 path limit less its brackets)


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


class EmailDomain(Check):
    name = "email_domain"
    description = "E-mail syntax, disposable/free-mail provider, mail servers and domain age (RDAP)"
    requires = frozenset({"email"})
    timeout_s = 10.0

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        try:
            parsed = validate_email(candidate.email, check_deliverability=False)
        except EmailNotValidError as exc:
            return [Finding(severity=Severity.MEDIUM, confidence=Confidence.HIGH,
                            title="E-mail address is malformed", detail=str(exc),
                            evidence={"given": candidate.email[:MAX_QUOTED], "problem": str(exc)},
                            source="RFC 5321/5322 syntax (email-validator)")]
        host = normalize.domain(parsed.ascii_domain)
        registrable = normalize.registrable_domain(host) or host
        findings: list[Finding] = []

        listed = disposable_match(host)
        if listed:
            findings.append(Finding(
                severity=Severity.HIGH, confidence=Confidence.HIGH,
                title="Disposable (throw-away) e-mail domain",
                detail=f"{listed} hands out temporary inboxes; nobody keeps a career address there.",
                evidence={"domain": listed}, source=DISPOSABLE_SOURCE))
            return findings
        provider = freemail_match(host)
        if provider:
            findings.append(Finding(
                severity=Severity.LOW, confidence=Confidence.HIGH, title="Free-mail provider",
                detail=f"{provider} is a public free-mail service: common and innocent on its own, "
                       "and it says nothing about who owns the inbox. Domain age not checked.",
                evidence={"domain": provider}, source=FREEMAIL_SOURCE))
            return findings

        failures: list[str] = []
        mail = record = None
        rdap_not_found = False
        try:
            mail = ctx.dns.mail_hosts(host, deadline=ctx.deadline)
        except SourceError as exc:
            failures.append(f"DNS: {exc}")
        try:
            record = ctx.rdap.lookup(registrable, deadline=ctx.deadline)
        except NotFound as exc:
            rdap_not_found = True
            if mail is None or mail.exists:
                failures.append(f"RDAP: {exc}" + (", yet the domain resolves" if mail else ""))
        except SourceError as exc:
            failures.append(f"RDAP: {exc}")

        if mail is not None:
            findings.extend(self._mail_findings(host, mail, confirmed=rdap_not_found))
        if record is not None:
            age_finding = self._age_finding(registrable, record, ctx.now())
            if age_finding is None:
                failures.append(f"RDAP: the record for {registrable} has no registration date")
            else:
                findings.append(age_finding)
        if failures:
            raise CheckFailed("; ".join(failures), findings)
        return findings

    @staticmethod
    def _mail_findings(host: str, mail, confirmed: bool) -> list[Finding]:
        if not mail.exists and confirmed:
            return [Finding(
                severity=Severity.HIGH, confidence=Confidence.HIGH,
                title="E-mail domain does not exist",
                detail=f"{host} does not resolve (NXDOMAIN) and the registry has no record of it: "
                       "no mail can reach this address.",
                evidence={"domain": host, "dns": "NXDOMAIN"}, source=mail.source)]
        if not mail.exists:
            # A resolver that answers NXDOMAIN for everything (captive or offline networks) must
            # not make a high finding on its own: without the registry's word this stays moderate.
            return [Finding(
                severity=Severity.MEDIUM, confidence=Confidence.LOW,
                title="E-mail domain does not resolve",
                detail=f"{host} does not resolve (NXDOMAIN); the registry could not confirm whether "
                       "it is registered.",
                evidence={"domain": host, "dns": "NXDOMAIN"}, source=mail.source)]
        if mail.null_mx:
            return [Finding(
                severity=Severity.HIGH, confidence=Confidence.HIGH,
                title="E-mail domain refuses all mail",
                detail=f"{host} publishes a null MX record (RFC 7505): it accepts no mail.",
                evidence={"domain": host, "mx": "."}, source=mail.source)]
        if not mail.mx and not mail.has_address:
            return [Finding(
                severity=Severity.MEDIUM, confidence=Confidence.HIGH,
                title="E-mail domain has no mail servers",
                detail=f"{host} has neither MX nor address records, so mail to it cannot be delivered.",
                evidence={"domain": host, "mx": []}, source=mail.source)]
        if not mail.mx:
            return [Finding(
                severity=Severity.INFO, confidence=Confidence.MEDIUM,
                title="E-mail domain has no MX record",
                detail=f"{host} has no MX; mail would fall back to its address record (RFC 5321).",
                evidence={"domain": host, "mx": []}, source=mail.source)]
        return [Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                        title="E-mail domain receives mail",
                        evidence={"domain": host, "mx": list(mail.mx[:3])}, source=mail.source)]

    @staticmethod
    def _age_finding(domain: str, record, now: datetime) -> Finding | None:
        if record.registered is None:
            return None
        age = (now - record.registered).days
        evidence = {"domain": domain, "registered": _day(record.registered), "age_days": age}
        if record.registrar:
            evidence["registrar"] = record.registrar
        if record.last_changed:
            evidence["last_changed"] = _day(record.last_changed)
        for limit, severity in AGE_THRESHOLDS:
            if age < limit:
                return Finding(
                    severity=severity, confidence=Confidence.HIGH,
                    title=f"E-mail domain registered {age} days ago",
                    detail=f"{domain} was registered on {_day(record.registered)}, less than {limit} "
                           "days ago. Real employers' and people's domains are rarely that new.",
                    evidence=evidence, source=f"RDAP {record.source}")
        return Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                       title=f"E-mail domain registered {age // 365} years ago",
                       detail=f"{domain} was registered on {_day(record.registered)}.",
                       evidence=evidence, source=f"RDAP {record.source}")
