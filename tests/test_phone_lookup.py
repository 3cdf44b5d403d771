"""The Twilio Lookup v2 provider against a real local HTTP server speaking Twilio's JSON, and the
phone check run through the real Runner with it: live findings on success, offline findings kept
(status error) on every kind of failure, never "not VoIP" from a failed lookup."""
import base64
import json
import threading
import time

import pytest

from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.errors import BadResponse, NotFound, RateLimited, SourceError, SourceTimeout, SourceUnavailable
from checks.phone import Phone
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.http import HttpClient
from checks.sources.phone_lookup import (
    DEFAULT_TWILIO_LOOKUP_URL,
    LINE_TYPES,
    TWILIO_TYPES,
    LineInfo,
    PhoneLookup,
    TwilioLookup,
    build_twilio_lookup,
)
from tests.fakes.twilio_server import Answer, TwilioFake, error_body, lookup_body

pytestmark = pytest.mark.network_edge
US = "+14155550100"


@pytest.fixture
def fake():
    with TwilioFake() as server:
        yield server


def client(fake, retries=0, **kwargs):
    return TwilioLookup(HttpClient(retries=retries, backoff_s=0.01), fake.sid, fake.token, fake.url, **kwargs)


def soon(seconds=3.0):
    return time.monotonic() + seconds


@pytest.mark.parametrize("twilio_type", sorted(TWILIO_TYPES))
def test_every_twilio_line_type_is_mapped(fake, twilio_type):
    fake.add_number(US, twilio_type, carrier_name="Some Carrier")
    info = client(fake).lookup(US, deadline=soon())
    assert info.line_type == TWILIO_TYPES[twilio_type] and info.line_type in LINE_TYPES
    assert info.raw_type == twilio_type and info.carrier_name == "Some Carrier" and info.valid
    assert info.is_voip == (twilio_type in ("fixedVoip", "nonFixedVoip"))


def test_request_shape_auth_fields_and_result(fake):
    fake.add_number(US, "nonFixedVoip", carrier_name="Twilio - SMS/MMS-SVR", mobile_country_code="240",
                    mobile_network_code="38", caller_name="SERGIO SUAREZ", caller_type="CONSUMER")
    info = client(fake).lookup(US, deadline=soon())
    path, query, headers = fake.requests[0]
    assert path == "/v2/PhoneNumbers/" + US
    assert query["Fields"] == ["line_type_intelligence,caller_name"]
    credentials = base64.b64encode(f"{fake.sid}:{fake.token}".encode()).decode()
    assert headers["Authorization"] == "Basic " + credentials
    assert (info.e164, info.line_type, info.mobile_country_code, info.mobile_network_code) == (
        US, "non_fixed_voip", "240", "38")
    assert (info.caller_name, info.caller_type, info.country_code) == ("SERGIO SUAREZ", "CONSUMER", "US")
    assert info.fetched_at is not None and info.cached is False
    assert isinstance(client(fake), PhoneLookup)


def test_caller_name_error_is_kept_apart_from_the_line_type(fake):
    fake.add_number("+447700900123", "mobile", caller_error=60600, country_code="GB")
    info = client(fake).lookup("+447700900123", deadline=soon())
    assert info.line_type == "mobile" and info.caller_name == "" and info.caller_name_error == 60600


def test_invalid_number_answer(fake):
    fake.add_invalid(US, ("TOO_LONG",))
    info = client(fake).lookup(US, deadline=soon())
    assert info.valid is False and info.validation_errors == ("TOO_LONG",)


@pytest.mark.parametrize("status, code, error, words", [
    (401, 20003, SourceError, "credentials"),
    (404, 20404, NotFound, "no record"),
    (400, 60601, SourceError, "Canadian"),
    (403, 60606, SourceError, "package"),
    (400, 61234, SourceError, "Twilio error"),
])
def test_error_bodies_become_typed_errors_without_the_number(fake, status, code, error, words):
    fake.add_error(US, status, code)
    with pytest.raises(error) as caught:
        client(fake).lookup(US, deadline=soon())
    reason = str(caught.value)
    assert words in reason and str(code) in reason and f"HTTP {status}" in reason
    assert "4155550100" not in reason


def test_wrong_credentials_get_twilios_401(fake):
    fake.add_number(US, "mobile")
    wrong = TwilioLookup(HttpClient(retries=0), fake.sid, "not-the-token", fake.url)
    with pytest.raises(SourceError, match="credentials.*20003"):
        wrong.lookup(US, deadline=soon())


def test_unknown_number_is_not_found(fake):
    with pytest.raises(NotFound, match="20404"):
        client(fake).lookup("+14155550199", deadline=soon())


def test_line_type_error_code_60601(fake):
    fake.add_number("+16135550123", None, lti_error=60601, country_code="CA")
    with pytest.raises(SourceError, match="line type: .*Canadian.*60601"):
        client(fake).lookup("+16135550123", deadline=soon())


def test_429_with_retry_after_beyond_the_deadline_is_rate_limited(fake):
    fake.add_json(US, error_body(429), 429, headers={"Retry-After": "30"})
    start = time.monotonic()
    with pytest.raises(RateLimited, match="rate limited until"):
        client(fake, retries=2).lookup(US, deadline=soon(2))
    assert time.monotonic() - start < 1.5, "waited although Retry-After exceeds the time left"


def test_429_with_short_retry_after_is_retried(fake):
    ok = Answer(200, json.dumps(lookup_body(US, "landline")).encode())
    fake.add_sequence(US, [Answer(429, b'{"code": 20429, "status": 429}', headers={"Retry-After": "0"}), ok])
    assert client(fake, retries=2).lookup(US, deadline=soon()).line_type == "landline"
    assert fake.hits[US] == 2


def test_server_error_and_timeout(fake):
    fake.add_raw(US, b"upstream down", status=503, content_type="text/plain")
    with pytest.raises(SourceUnavailable, match="503"):
        client(fake).lookup(US, deadline=soon())
    fake.add_number("+14155550101", "mobile", delay=2.0)
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client(fake).lookup("+14155550101", deadline=soon(0.4))
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"valid": true}',
                                  b'{"valid": true, "line_type_intelligence": {"type": "satellite"}}',
                                  b'{"valid": true, "line_type_intelligence": {"type": 7}}'])
def test_garbage_is_a_bad_response(fake, body):
    fake.add_raw(US, body)
    with pytest.raises(BadResponse):
        client(fake).lookup(US, deadline=soon())


def test_results_are_cached_per_number_for_the_ttl_and_failures_are_not(fake):
    now = [1000.0]
    lookup = client(fake, cache_ttl_s=60, clock=lambda: now[0])
    fake.add_number(US, "mobile")
    assert lookup.lookup(US, deadline=soon()).cached is False
    assert lookup.lookup(US, deadline=soon()).cached is True and fake.hits[US] == 1
    now[0] += 61
    assert lookup.lookup(US, deadline=soon()).cached is False and fake.hits[US] == 2
    other = "+14155550102"
    answer = Answer(200, json.dumps(lookup_body(other, "mobile")).encode())
    fake.add_sequence(other, [Answer(503, b"down"), answer])
    with pytest.raises(SourceUnavailable):
        lookup.lookup(other, deadline=soon())
    assert lookup.lookup(other, deadline=soon()).line_type == "mobile" and fake.hits[other] == 2


def test_cache_is_thread_safe_and_bounded(fake):
    numbers = [f"+1415555{i:04d}" for i in range(20)]
    for n in numbers:
        fake.add_number(n, "mobile")
    lookup = client(fake, cache_max_entries=10)
    errors = []

    def work(n):
        try:
            assert lookup.lookup(n, deadline=soon(5)).e164 == n
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in numbers * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(lookup.cache._items) == 10


def test_construction_and_wiring_helpers(fake):
    assert build_twilio_lookup(HttpClient(), "", "token") is None
    built = build_twilio_lookup(HttpClient(), "AC1", "secret-token")
    assert built.base_url == DEFAULT_TWILIO_LOOKUP_URL and "secret-token" not in repr(built)
    assert TwilioLookup(HttpClient(), "AC1", "t", "http://x.test/v2/PhoneNumbers").base_url.endswith("/")
    with pytest.raises(ValueError):
        client(fake).lookup("4155550100")


def test_check_credentials_for_doctor(fake):
    fake.add_number(US, "mobile")
    client(fake).check_credentials(deadline=soon())
    assert "Fields" not in fake.requests[-1][1]  # the free basic lookup
    with pytest.raises(SourceError, match="credentials"):
        TwilioLookup(HttpClient(retries=0), fake.sid, "wrong", fake.url).check_credentials(deadline=soon())


# -- the phone check with the live provider, through the real Runner ------------------------------
def run_phone(fake, phone=US, location="San Francisco, CA", name="Jane Roe"):
    ctx = CheckContext(sources={"phone_lookup": client(fake)})
    candidate = Candidate(name=name, phone=phone, location=location)
    report = Runner(Registry([Phone()]), deadline_s=3).run(candidate, ctx)
    return report, report.checks[0]


def test_non_fixed_voip_is_a_medium_high_confidence_finding(fake):
    fake.add_number(US, "nonFixedVoip", carrier_name="Google (Grand Central) BWI - Bandwidth.com - SVR")
    _, result = run_phone(fake)
    assert result.status == Status.OK
    voip = [f for f in result.findings if "Non-fixed VoIP" in f.title]
    assert len(voip) == 1 and voip[0].severity == Severity.MEDIUM and voip[0].confidence == "high"
    assert voip[0].evidence["carrier"].startswith("Google")
    assert voip[0].evidence["type"] == "FIXED_LINE_OR_MOBILE"  # the offline facts merged into the one finding
    assert not any("Offline data cannot" in f.title for f in result.findings)


def test_mobile_with_carrier_and_matching_caller_name(fake):
    fake.add_number(US, "mobile", carrier_name="Verizon Wireless", caller_name="ROE,JANE",
                    caller_type="CONSUMER")
    _, result = run_phone(fake)
    titles = [f.title for f in result.findings]
    assert "Line type (live lookup): mobile, carrier Verizon Wireless" in titles
    assert "Caller name matches the candidate's name" in titles
    assert max(f.severity for f in result.findings) == Severity.INFO


def test_caller_name_of_someone_else_is_medium_low_confidence(fake):
    fake.add_number(US, "mobile", caller_name="SERGIO SUAREZ", caller_type="CONSUMER")
    _, result = run_phone(fake)
    other = [f for f in result.findings if "different name" in f.title]
    assert other[0].severity == Severity.MEDIUM and other[0].confidence == "low"
    assert other[0].evidence["caller_name"] == "SERGIO SUAREZ"


def test_offline_voip_and_live_voip_are_one_finding(fake):
    fake.add_number("+445612345678", "fixedVoip", country_code="GB", carrier_name="Gamma")
    _, result = run_phone(fake, "+445612345678", "London, UK")
    voip = [f for f in result.findings if "VoIP" in f.title]
    assert len(voip) == 1 and voip[0].severity == Severity.MEDIUM  # the numbering plan's VoIP range stands
    assert voip[0].evidence["line_type"] == "fixedVoip" and voip[0].evidence["type"] == "VOIP"


def test_unknown_line_type_is_never_reported_as_not_voip(fake):
    fake.add_number(US, "unknown", carrier_name=None)
    _, result = run_phone(fake)
    unknown = [f for f in result.findings if "could not determine" in f.title]
    assert unknown and "not ruled out" in unknown[0].detail


@pytest.mark.parametrize("setup", [
    lambda f: f.add_error(US, 401), lambda f: f.add_error(US, 404),
    lambda f: f.add_json(US, error_body(429), 429, headers={"Retry-After": "60"}),
    lambda f: f.add_number(US, None, lti_error=60601), lambda f: f.add_raw(US, b"garbage"),
    lambda f: f.add_raw(US, b"down", status=500), lambda f: f.add_number(US, "mobile", delay=9),
], ids=["401", "404", "429", "60601", "garbage", "500", "timeout"])
def test_a_failed_live_lookup_keeps_offline_findings_and_reports_error(fake, setup):
    setup(fake)
    report, result = run_phone(fake, location="Berlin, Germany")
    assert result.status == Status.ERROR and result.reason.startswith("live line-type lookup failed")
    assert "4155550100" not in result.reason
    titles = [f.title for f in result.findings]
    assert "Valid fixed line or mobile number (US)" in titles
    assert "Phone number's country differs from the claimed location" in titles
    assert not any("live lookup" in t.lower() or "mobile, carrier" in t for t in titles)
    assert report.risk.level == "incomplete"  # no check completed; the findings alone say medium


@pytest.mark.parametrize("caller_name, caller_type, title, severity", [
    ("WIRELESS CALLER", None, "generic", Severity.INFO),
    ("AUSTIN TX", "CONSUMER", "generic", Severity.INFO),
    ("ACME WIDGETS INC", "BUSINESS", "Caller name on record: ACME", Severity.INFO),
    ("ROE JOHN", "CONSUMER", "shares part", Severity.INFO),
    ("WASHINGTON GEOR", "CONSUMER", "matches", Severity.INFO),  # CNAM truncates at 15 characters
    ("JOHN LI", "CONSUMER", "different name", Severity.MEDIUM),   # a two-letter surname is not a place
])
def test_caller_name_readings(fake, caller_name, caller_type, title, severity):
    fake.add_number(US, "mobile", caller_name=caller_name, caller_type=caller_type)
    name = "George Washington" if "WASHINGTON" in caller_name else "Jane Roe"
    _, result = run_phone(fake, name=name)
    caller = [f for f in result.findings if f.evidence.get("caller_name") == caller_name]
    assert len(caller) == 1 and title in caller[0].title and caller[0].severity == severity


def test_live_lookup_that_calls_the_number_invalid(fake):
    fake.add_invalid(US, ("INVALID_BUT_POSSIBLE",))
    _, result = run_phone(fake)
    live = [f for f in result.findings if "Live lookup says" in f.title]
    assert result.status == Status.OK and live[0].severity == Severity.MEDIUM
    assert any(f.title.startswith("Valid fixed line or mobile") for f in result.findings)


def test_a_provider_bug_still_keeps_the_offline_findings():
    class Broken:
        def lookup(self, e164, *, deadline=None):
            raise KeyError(e164)

    ctx = CheckContext(sources={"phone_lookup": Broken()})
    result = Runner(Registry([Phone()])).run(Candidate(phone=US), ctx).checks[0]
    assert result.status == Status.ERROR
    assert result.reason.startswith("live line-type lookup failed (KeyError)")
    assert result.findings and "4155550100" not in result.reason


def test_no_lookup_for_invalid_numbers(fake):
    _, result = run_phone(fake, "+1 415 555")
    assert result.status == Status.OK and not fake.requests
    assert isinstance(LineInfo(US, "mobile"), LineInfo)
