"""The shared HTTP client against real local servers: long Retry-After waits end the call instead of
sleeping, and a redirect to another host carries none of the caller's credentials."""
import time

import pytest

from checks.errors import RateLimited, SourceUnavailable
from checks.sources.http import MAX_RETRY_WAIT_S, HttpClient
from tests.fakes.http_server import FakeHttpServer, Route

pytestmark = pytest.mark.network_edge

CREDENTIALS = {"Authorization": "Bearer secret-token", "TRON-PRO-API-KEY": "tron-key",
               "X-API-Key": "api-key", "Cookie": "session=abc", "X-Custom-Auth": "custom"}


@pytest.fixture
def server():
    with FakeHttpServer() as fake:
        yield fake


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("retry_after", ["86400", "100000000000000"])  # the second overflows a date
def test_a_day_long_retry_after_without_deadline_fails_fast(server, status, retry_after):
    server.add("/sdn.xml", status=status, headers={"Retry-After": retry_after})
    client = HttpClient(retries=3, backoff_s=0.01)
    started = time.monotonic()
    with pytest.raises(RateLimited, match=r"rate limited until \d{4}-\d\d-\d\dT"):
        client.get(server.url("/sdn.xml"))  # no deadline, as the OFAC download calls it
    assert time.monotonic() - started < 5
    assert len(server.requests_to("/sdn.xml")) == 1  # it did not sleep and try again


def test_a_wait_longer_than_the_cap_fails_even_with_time_left(server):
    server.add("/busy", status=503, headers={"Retry-After": str(int(MAX_RETRY_WAIT_S) + 1)})
    started = time.monotonic()
    with pytest.raises(RateLimited, match="rate limited until"):
        HttpClient(retries=2).get(server.url("/busy"), deadline=time.monotonic() + 3600)
    assert time.monotonic() - started < 5


def test_a_wait_longer_than_the_time_left_fails(server):
    server.add("/busy", status=429, headers={"Retry-After": "10"})
    with pytest.raises(RateLimited, match="rate limited until"):
        HttpClient(retries=2).get(server.url("/busy"), deadline=time.monotonic() + 2)


def test_a_short_retry_after_is_honoured(server):
    answers = [Route(status=503, headers={"Retry-After": "1"}), Route(status=200, body=b"ok")]
    server.add("/flaky", responder=lambda request: answers.pop(0))
    started = time.monotonic()
    response = HttpClient(retries=2).get(server.url("/flaky"))
    assert response.content == b"ok" and time.monotonic() - started >= 0.9


def test_retries_exhausted_on_5xx_is_unavailable(server):
    server.add("/down", status=502)
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        HttpClient(retries=1, backoff_s=0.01).get(server.url("/down"))


def test_a_429_with_retry_after_names_the_time_even_without_retries(server):
    server.add("/limited", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimited, match="rate limited until"):
        HttpClient(retries=0).get(server.url("/limited"))


def test_cross_host_redirect_drops_every_credential_header(server):
    with FakeHttpServer() as other:
        other.add("/landing", body=b"landed")
        server.add("/start", status=302, headers={"Location": other.url("/landing")})
        client = HttpClient(retries=0, user_agent="vetcandidate-test/1")
        response = client.get(server.url("/start"), headers={**CREDENTIALS, "Accept": "application/json"})
        assert response.content == b"landed"
        first = server.requests_to("/start")[0]
        assert all(first.header(name) == value for name, value in CREDENTIALS.items())
        landed = other.requests_to("/landing")[0]
        for name in CREDENTIALS:
            assert landed.header(name) is None, name
        assert landed.header("Accept") == "application/json"
        assert landed.header("User-Agent") == "vetcandidate-test/1"


def test_same_host_redirect_keeps_the_callers_headers(server):
    server.add("/old", status=301, headers={"Location": "/new"})
    server.add("/new", body=b"moved")
    HttpClient(retries=0).get(server.url("/old"), headers=CREDENTIALS)
    moved = server.requests_to("/new")[0]
    assert all(moved.header(name) == value for name, value in CREDENTIALS.items())


def test_headers_stay_dropped_when_the_chain_returns_to_the_first_host(server):
    with FakeHttpServer() as other:
        server.add("/start", status=302, headers={"Location": other.url("/bounce")})
        other.add("/bounce", status=302, headers={"Location": server.url("/end")})
        server.add("/end", body=b"back")
        HttpClient(retries=0).get(server.url("/start"), headers=CREDENTIALS)
        back = server.requests_to("/end")[0]
        assert all(back.header(name) is None for name in CREDENTIALS)
