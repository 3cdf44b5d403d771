"""email_domain end to end through the real runner, against local RDAP and DNS servers."""
import time

import pytest

from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.email_domain import EmailDomain
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.dns import DnsClient
from checks.sources.http import HttpClient
from checks.sources.rdap import RdapClient
from tests.fakes.dns_server import DnsFake
from tests.fakes.rdap_server import RdapFake, days_ago

MX = {"MX": [(10, "mx.mailhost.net")]}


@pytest.fixture
def fakes():
    zone = {"young-corp.com": MX, "older-corp.com": MX, "mid-corp.com": MX, "year-corp.com": MX,
            "ancient-corp.com": MX, "nullmx-corp.com": {"MX": [(0, ".")]}, "nomail-corp.com": {"TXT": ["x"]},
            "aonly-corp.com": {"A": ["192.0.2.10"]}, "mail.sub-corp.co.uk": MX, "unlisted-corp.com": MX,
            "down-corp.com": MX, "slow-corp.com": MX, "garbage-corp.com": MX}
    with RdapFake() as rdap, DnsFake(zone, silent={"dnsslow-corp.com"}) as dns:
        rdap.add_domain("young-corp.com", registered=days_ago(10), registrar="Cheap Names LLC")
        rdap.add_domain("mid-corp.com", registered=days_ago(100))
        rdap.add_domain("year-corp.com", registered=days_ago(300))
        rdap.add_domain("ancient-corp.com", registered=days_ago(20 * 365))
        for name in ("nullmx-corp.com", "nomail-corp.com", "aonly-corp.com", "dnsslow-corp.com"):
            rdap.add_domain(name, registered=days_ago(3000))
        rdap.add_domain("sub-corp.co.uk", registered=days_ago(3000))
        rdap.add_domain("older-corp.com", registered=None)
        rdap.add_not_found("unlisted-corp.com")
        rdap.add_not_found("ghost-corp.com")
        rdap.add_error("down-corp.com", 500)
        rdap.add_slow("slow-corp.com", 5.0, registered=days_ago(3000))
        rdap.add_invalid_json("garbage-corp.com")
        yield rdap, dns


def run(email, fakes, timeout_s=None):
    rdap, dns = fakes
    http = HttpClient(retries=0, read_timeout=2.0)
    ctx = CheckContext(sources={"rdap": RdapClient(http, rdap.bootstrap_url),
                                "dns": DnsClient([dns.nameserver], timeout=1.0)})
    check = EmailDomain()
    runner = Runner(Registry([check]), check_timeout_s=timeout_s or 10)
    return runner.run(Candidate(email=email), ctx).checks[0]


def only(result, severity=None):
    assert len([f for f in result.findings if f.severity > Severity.INFO]) <= 1
    top = max(result.findings, key=lambda f: f.severity)
    if severity is not None:
        assert top.severity == severity, top
    return top


@pytest.mark.parametrize("domain, severity", [
    ("young-corp.com", Severity.HIGH), ("mid-corp.com", Severity.MEDIUM),
    ("year-corp.com", Severity.LOW), ("ancient-corp.com", Severity.INFO)])
def test_domain_age_thresholds(domain, severity, fakes):
    result = run(f"jane@{domain}", fakes)
    assert result.status == Status.OK
    only(result, severity)
    finding = next(f for f in result.findings if "age_days" in f.evidence)
    assert finding.severity == severity and finding.evidence["domain"] == domain
    assert finding.evidence["registered"] == days_ago(finding.evidence["age_days"]).date().isoformat()
    assert finding.source.startswith("RDAP http://127.0.0.1:")


def test_young_domain_cites_registrar_and_date(fakes):
    finding = only(run("jane@young-corp.com", fakes), Severity.HIGH)
    assert finding.evidence["age_days"] == 10
    assert finding.evidence["registrar"] == "Cheap Names LLC"
    assert "10 days" in finding.title


def test_subdomain_is_aged_by_its_registrable_domain(fakes):
    rdap, _ = fakes
    result = run("jane@mail.sub-corp.co.uk", fakes)
    assert result.status == Status.OK
    assert rdap.hits["/rdap/domain/sub-corp.co.uk"] == 1


def test_disposable_and_freemail_need_no_network(fakes):
    rdap, dns = fakes
    disposable = run("x@mailinator.com", fakes)
    assert (disposable.status, only(disposable).severity) == (Status.OK, Severity.HIGH)
    assert "Disposable" in only(disposable).title
    free = run("jane.roe@gmail.com", fakes)
    assert (free.status, only(free).severity) == (Status.OK, Severity.LOW)
    assert sum(rdap.hits.values()) == 0 and dns.queries == []


def test_malformed_email_is_a_finding_not_a_crash(fakes):
    result = run("jane@@example..com", fakes)
    assert result.status == Status.OK
    finding = only(result, Severity.MEDIUM)
    assert finding.title == "E-mail address is malformed"
    assert finding.evidence["given"] == "jane@@example..com"
    assert finding.evidence["problem"] == finding.detail and "@" in finding.evidence["problem"]
    assert finding.source


def test_unregistered_domain(fakes):
    result = run("jane@ghost-corp.com", fakes)
    assert result.status == Status.OK
    assert only(result, Severity.HIGH).title == "E-mail domain does not exist"


def test_null_mx_and_no_mail_servers(fakes):
    assert only(run("a@nullmx-corp.com", fakes), Severity.HIGH).evidence["mx"] == "."
    assert only(run("a@nomail-corp.com", fakes), Severity.MEDIUM).title == "E-mail domain has no mail servers"
    a_only = run("a@aonly-corp.com", fakes)
    assert a_only.status == Status.OK
    assert "no MX record" in a_only.findings[0].title


def test_rdap_404_for_a_resolving_domain_is_an_error(fakes):
    result = run("jane@unlisted-corp.com", fakes)
    assert result.status == Status.ERROR
    assert "no RDAP record" in result.reason and "resolves" in result.reason
    assert result.findings and result.findings[0].title == "E-mail domain receives mail"


@pytest.mark.parametrize("domain, words", [
    ("down-corp.com", "HTTP 500"), ("garbage-corp.com", "invalid JSON"),
    ("older-corp.com", "no registration date")])
def test_rdap_failures_are_errors_never_clean(domain, words, fakes):
    result = run(f"jane@{domain}", fakes)
    assert result.status == Status.ERROR
    assert words in result.reason


def test_slow_rdap_times_out_fast(fakes):
    start = time.monotonic()
    result = run("jane@slow-corp.com", fakes)
    assert time.monotonic() - start < 4.5
    assert result.status == Status.TIMEOUT or "did not answer" in result.reason
    assert result.status != Status.OK


def test_dns_timeout_keeps_rdap_finding(fakes):
    result = run("jane@dnsslow-corp.com", fakes)
    assert result.status == Status.ERROR and result.reason.startswith("DNS:")
    assert only(result).evidence["domain"] == "dnsslow-corp.com"


def test_nxdomain_without_registry_confirmation_stays_moderate(fakes):
    rdap, _ = fakes
    rdap.add_error("lonely-corp.com", 503)
    result = run("jane@lonely-corp.com", fakes)
    assert result.status == Status.ERROR and "RDAP" in result.reason
    finding = only(result, Severity.MEDIUM)
    assert finding.title == "E-mail domain does not resolve" and finding.confidence == "low"
