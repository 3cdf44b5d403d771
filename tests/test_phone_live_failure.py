"""A failed live line-type lookup, against a real local HTTP server speaking Twilio's Lookup v2 JSON:
the check ends as `error`, keeps the offline findings, and says that VoIP was not ruled out (with a
provider configured, the offline "cannot see VoIP" note is otherwise left out)."""
import pytest

from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.phone import Phone
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.http import HttpClient
from checks.sources.phone_lookup import TwilioLookup
from tests.fakes.twilio_server import TwilioFake, error_body

pytestmark = pytest.mark.network_edge
FAILED = "Live line-type lookup failed; VoIP not ruled out"


@pytest.fixture
def fake():
    with TwilioFake() as server:
        yield server


def run_phone(fake, phone):
    lookup = TwilioLookup(HttpClient(retries=0), fake.sid, fake.token, fake.url)
    candidate = Candidate(name="Jane Roe", phone=phone, location="San Francisco, CA")
    ctx = CheckContext(sources={"phone_lookup": lookup})
    report = Runner(Registry([Phone()]), deadline_s=3).run(candidate, ctx)
    return report.checks[0]


@pytest.mark.parametrize("setup, words", [
    (lambda f, n: f.add_json(n, error_body(429), 429, headers={"Retry-After": "60"}), "rate limited"),
    (lambda f, n: f.add_raw(n, b"upstream down", status=500, content_type="text/plain"), "500"),
], ids=["429", "500"])
def test_a_failed_lookup_says_voip_was_not_ruled_out(fake, setup, words):
    number = "+14155550100"
    setup(fake, number)
    result = run_phone(fake, number)
    assert fake.hits[number] >= 1  # the provider was really asked
    assert result.status == Status.ERROR and result.reason.startswith("live line-type lookup failed")
    titles = [f.title for f in result.findings]
    assert "Valid fixed line or mobile number (US)" in titles  # the offline findings stand
    failed = [f for f in result.findings if f.title == FAILED]
    assert len(failed) == 1 and failed[0].severity == Severity.INFO
    assert words in failed[0].evidence["lookup_error"] and "Google Voice" in failed[0].detail
    assert failed[0].evidence["type"] == "FIXED_LINE_OR_MOBILE"
    assert "4155550100" not in result.reason and "4155550100" not in failed[0].evidence["lookup_error"]
    assert not any("Offline data cannot tell" in t for t in titles)  # one statement, not two


def test_a_failed_lookup_on_a_mobile_range_still_does_not_rule_out_voip(fake):
    number = "+447400123456"
    fake.add_raw(number, b"down", status=500)
    result = run_phone(fake, number)
    failed = [f for f in result.findings if f.title == FAILED]
    assert result.status == Status.ERROR and len(failed) == 1 and "ported" in failed[0].detail


def test_a_voip_range_needs_no_such_statement(fake):
    number = "+445612345678"
    fake.add_raw(number, b"down", status=500)
    result = run_phone(fake, number)
    assert result.status == Status.ERROR
    assert [f.title for f in result.findings if "VoIP" in f.title] == ["VoIP number"]


def test_a_successful_lookup_adds_no_failure_statement(fake):
    number = "+14155550100"
    fake.add_number(number, "mobile")
    result = run_phone(fake, number)
    assert result.status == Status.OK and not any(f.title == FAILED for f in result.findings)
