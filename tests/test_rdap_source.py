from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from checks.errors import BadResponse, NotFound, SourceError, SourceTimeout, SourceUnavailable
from checks.sources.http import HttpClient
from checks.sources.rdap import (
    DEFAULT_OVERRIDES,
    DomainRecord,
    RdapClient,
    parse_bootstrap,
    parse_domain_record,
    parse_rdap_date,
)
from checks.sources.whois import WhoisClient
from tests.fakes.rdap_server import SHARED_RDAP_DIR, Answer, RdapFake, days_ago, shared_rdap_file
from tests.fakes.whois_server import WhoisFake, gtld_answer

pytestmark = pytest.mark.network_edge


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# Every real domain object in the shared data, with its registration date (SOURCES.md section 6).
MM = "MarkMonitor Inc."
REAL_DOMAINS = {
    "whoisit_responses_2024-07-29/verisign_domain_google.com.json": ("1997-09-15T04:00:00Z", MM),
    "whoisit_responses_2024-07-29/markmonitor_domain_GOOGLE.COM.json": ("1997-09-15T07:00:00Z", MM),
    "whoisit_fixtures/verisign_domain_GOOGLE.COM_2021-06-09.json": ("1997-09-15T04:00:00Z", MM),
    "whoisit_fixtures/verisign_domain_THEMARQUETRY.COM_2022-01-20.json":
        ("2021-03-16T17:07:37Z", "Hosting Concepts B.V. d/b/a Registrar.eu"),
    "whoisit_fixtures/norid_domain_norway.no_2021-06.json": ("2017-01-24T12:09:23Z", "Domeneshop AS"),
    "icann-rdap_fixtures/domain_home.moscow.json":
        ("2021-10-19T19:28:12Z", 'Limited Liability Company "Registrar of domain names REG.RU"'),
    "icann-rdap_fixtures/domain_microsoft.click.json": ("2014-11-12T19:15:55.283Z", MM),
    "icann-rdap_fixtures/domain_lemonde.fr.json": ("2005-08-02T14:16:36Z", "NAMESHIELD"),
    "icann-rdap_fixtures/domain_afnic.fr.json": ("2001-12-10T23:00:00Z", "Registry Operations"),
    "icann-rdap_fixtures/domain_nic.xyz.json": ("2013-09-11T11:58:06Z", "CentralNic Ltd"),
    "jarthod-rdap_vcr/nicfr_domain_airport.fr.json": ("2016-01-27T00:33:10Z", "PG"),
}


@pytest.fixture
def fake():
    with RdapFake() as server:
        yield server


@pytest.fixture
def http():
    client = HttpClient(connect_timeout=1.0, read_timeout=0.5, retries=0)
    yield client
    client.close()


def test_old_and_ten_day_old_domains(fake, http):
    fake.add_domain("old.test", registered=days_ago(9000), expires=days_ago(-300),
                    last_changed=days_ago(40), registrar="Old Registrar LLC", status=("active",))
    record = RdapClient(http, fake.bootstrap_url).lookup("Old.Test.")
    assert record.domain == "old.test"
    for when, days in ((record.registered, 9000), (record.expires, -300), (record.last_changed, 40)):
        assert when.utcoffset() == timedelta(0) and abs(when - days_ago(days)) < timedelta(minutes=1)
    assert (record.registrar, record.status) == ("Old Registrar LLC", ("active",))
    assert record.source == fake.rdap_url + "domain/old.test"
    path, headers = fake.requests[-1]
    assert path == "/rdap/domain/old.test" and headers["Accept"] == "application/rdap+json"
    fake.add_domain("young.test", registered=days_ago(10), registrar=None)
    record = RdapClient(http, fake.bootstrap_url).lookup("young.test")
    assert timedelta(days=9, hours=23) < datetime.now(UTC) - record.registered < timedelta(days=10, hours=1)
    assert record.registrar == "" and record.expires is None


def test_every_real_domain_object_is_in_the_table():
    if not SHARED_RDAP_DIR.is_dir():
        pytest.skip(f"shared RDAP data not available: {SHARED_RDAP_DIR} is missing")
    found = set()
    for path in SHARED_RDAP_DIR.rglob("*.json"):
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("objectClassName") == "domain":
            found.add(path.relative_to(SHARED_RDAP_DIR).as_posix())
    assert found == set(REAL_DOMAINS)


@pytest.mark.parametrize("relative", sorted(REAL_DOMAINS))
def test_real_rdap_bodies_parse(fake, http, relative):
    path = shared_rdap_file(relative)
    data = json.loads(path.read_bytes())
    name = data["ldhName"].lower()
    fake.add_file(name, path)
    record = RdapClient(http, fake.bootstrap_url).lookup(name)
    registered, registrar = REAL_DOMAINS[relative]
    assert record.registered == utc(registered)
    assert record.registrar == registrar
    assert record.domain == name and record.status == tuple(data.get("status") or ())
    if "markmonitor" in relative:  # "+0000" dates; "last update" rather than "last changed"
        assert record.last_changed == utc("2019-09-09T15:39:04Z")
        assert record.expires == utc("2028-09-13T07:00:00Z")


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-03-16T17:07:37Z", "2021-03-16T17:07:37+00:00"),
    ("2014-11-12T19:15:55.283Z", "2014-11-12T19:15:55.283+00:00"),
    ("2013-09-11T11:58:06.0Z", "2013-09-11T11:58:06+00:00"),
    ("1997-09-15T07:00:00.000+0000", "1997-09-15T07:00:00+00:00"),
    ("2024-06-18T22:01:39+03:00", "2024-06-18T19:01:39+00:00"),
    ("2024-06-12T22:09:39.881923Z", "2024-06-12T22:09:39.881923+00:00"),
    ("2020-01-02", "2020-01-02T00:00:00+00:00"),
    *[(junk, None) for junk in (None, "", "  ", 20210101, "yesterday", "2021-13-45T00:00:00Z",
                                "0000-00-00T00:00:00Z", ["2021-01-01"], "9999-12-31T23:59:59-23:59")],
])
def test_event_dates_normalised_to_utc_junk_is_none(text, expected):
    assert parse_rdap_date(text) == (expected and datetime.fromisoformat(expected))


def test_registrar_fallbacks_and_junk_events():
    base = {"objectClassName": "domain", "ldhName": "x.test",
            "events": ["junk", {"eventAction": "registration", "eventDate": "not a date"},
                       {"eventAction": "Registration", "eventDate": "2020-01-01T00:00:00Z"}]}
    by_id = dict(base, entities=[{"roles": ["registrar"], "handle": "77",
                                  "publicIds": [{"type": "IANA Registrar ID", "identifier": "77"}]}])
    tech = {"roles": ["technical"], "vcardArray": ["vcard", [["fn", {}, "text", "T"]]]}
    by_handle = dict(base, entities=[tech, {"roles": ["registrar"], "handle": "REG-1", "vcardArray": "junk"}])
    assert parse_domain_record(by_id, "x.test", "u").registrar == "IANA Registrar ID 77"
    record = parse_domain_record(by_handle, "x.test", "u")
    assert record.registrar == "REG-1" and record.registered == utc("2020-01-01T00:00:00Z")
    assert parse_domain_record(dict(base, status="active"), "x.test", "u").status == ()


def test_404_is_not_found_with_real_body(fake, http):
    shared_rdap_file("jarthod-rdap_vcr/centralnic_404_domain_jsiqpmcurt.design.json")
    fake.add_not_found("gone.test")
    with pytest.raises(NotFound, match=r"^no RDAP record for gone\.test$"):
        RdapClient(http, fake.bootstrap_url).lookup("gone.test")


def test_500_is_retried_then_unavailable(fake):
    fake.add_error("down.test", 503)
    with pytest.raises(SourceUnavailable):
        RdapClient(HttpClient(retries=2, backoff_s=0.01), fake.bootstrap_url).lookup("down.test")
    assert fake.hits["/rdap/domain/down.test"] == 3


@pytest.mark.parametrize(("read_timeout", "budget", "limit"), [(0.5, None, 1.5), (10.0, 0.3, 1.0)])
def test_slow_server_times_out_fast(fake, read_timeout, budget, limit):
    fake.add_slow("slow.test", 3.0)
    client = RdapClient(HttpClient(read_timeout=read_timeout, retries=0), fake.bootstrap_url)
    client.check_bootstrap()
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client.lookup("slow.test", deadline=None if budget is None else start + budget)
    assert time.monotonic() - start < limit  # the read timeout, or the deadline, with a margin


def _bootstrap(answer: Answer):
    return lambda fake: setattr(fake, "bootstrap_answer", answer)


@pytest.mark.parametrize(("setup", "error"), [
    (lambda fake: fake.add_error("x.test", 500), SourceUnavailable),
    (lambda fake: fake.add_error("x.test", 403), SourceError),
    (lambda fake: fake.add_invalid_json("x.test"), BadResponse),
    *[(lambda fake, body=body: fake.add_json("x.test", body), BadResponse)
      for body in ([1, 2], "domain", {"objectClassName": "entity"}, {"errorCode": 404, "title": "no"})],
    (_bootstrap(Answer(500, b"oops", "text/plain")), SourceUnavailable),
    (_bootstrap(Answer(200, b"<html>", "text/html")), BadResponse),
    (_bootstrap(Answer(200, b'{"services": "none"}', "application/json")), BadResponse),
    (_bootstrap(Answer(200, b'{"services": []}', "application/json")), BadResponse),
])
def test_errors_and_bad_answers(fake, http, setup, error):
    fake.add_domain("x.test")
    setup(fake)
    with pytest.raises(error):
        RdapClient(http, fake.bootstrap_url).lookup("x.test")


def test_redirect_is_followed(fake, http):
    fake.add_redirect("moved.test", "/registrar/domain/moved-target.test")
    fake.add_domain("moved-target.test", registered=days_ago(100))
    record = RdapClient(http, fake.bootstrap_url).lookup("moved.test")
    assert record.domain == "moved.test"
    assert record.source == fake.url + "registrar/domain/moved-target.test"
    assert abs(record.registered - days_ago(100)) < timedelta(minutes=1)


@pytest.mark.parametrize("bad", ["", "   ", "localhost", "a..b.test", "-x-.test\x00"])
def test_invalid_domain(http, bad):
    with pytest.raises(SourceError, match="invalid domain name"):
        RdapClient(http, "http://127.0.0.1:9/dns.json").lookup(bad)


@pytest.mark.parametrize("base", ["rdap", "rdap/", "rdap//"])
def test_exactly_one_slash_before_the_ascii_domain(fake, http, base):
    fake.add_domain("xn--bcher-kva.test", registered=days_ago(5))
    fake.bootstrap = {"version": "1.0", "services": [[["test"], [fake.url + base]]]}
    assert RdapClient(http, fake.bootstrap_url).lookup("Bücher.test").domain == "xn--bcher-kva.test"
    assert fake.requests[-1][0] == "/rdap/domain/xn--bcher-kva.test"


def test_longest_suffix_wins_including_multi_label(fake, http):
    fake.add_domain("shop.co.test", registered=days_ago(5))
    fake.add_domain("plain.test", registered=days_ago(5))
    fake.bootstrap = {"version": "1.0", "services": [[["test"], [fake.url + "a/"]],
                                                     [["co.test"], [fake.url + "b/"]]]}
    client = RdapClient(http, fake.bootstrap_url)
    client.lookup("shop.co.test")
    assert fake.requests[-1][0] == "/b/domain/shop.co.test"
    client.lookup("plain.test")
    assert fake.requests[-1][0] == "/a/domain/plain.test"


def test_bootstrap_prefers_https_and_parses_real_iana_file():
    table = parse_bootstrap({"services": [[["zz", "YY"], ["http://x.example/", "https://y.example/"]],
                                          [["ww"], ["ftp://no/"]], "junk", [["vv"]]]})
    assert table == {"zz": "https://y.example/", "yy": "https://y.example/"}
    real = json.loads(shared_rdap_file("whoisit_responses_2024-07-29/iana_dns.json").read_bytes())
    table = parse_bootstrap(real)
    assert len(table) == 1179 and table["com"] == "https://rdap.verisign.com/com/v1/"
    assert "io" not in table and "io" in DEFAULT_OVERRIDES


def test_override_used_only_when_bootstrap_has_no_entry(fake, http):
    fake.add_domain("startup.io", registered=days_ago(20))
    fake.add_domain("x.test", registered=days_ago(20))
    fake.bootstrap = {"version": "1.0", "services": [[["test"], [fake.rdap_url]]]}
    client = RdapClient(http, fake.bootstrap_url,
                        overrides={"io": fake.url + "io-rdap/", "test": fake.url + "never/"})
    assert client.lookup("startup.io").registered is not None
    assert fake.requests[-1][0] == "/io-rdap/domain/startup.io"
    client.lookup("x.test")
    assert fake.requests[-1][0] == "/rdap/domain/x.test"


def test_tld_without_rdap_uses_whois_if_given(fake, http):
    fake.add_domain("x.test")
    with pytest.raises(SourceError, match=r"^no RDAP service for \.zz$") as info:
        RdapClient(http, fake.bootstrap_url).lookup("x.zz")
    assert type(info.value) is SourceError
    with WhoisFake() as whois_fake:
        whois_fake.add_domain("old.zz", gtld_answer("old.zz", created="1999-01-02T03:04:05Z"))
        whois = WhoisClient(whois_fake.address, timeout=2.0, referral_port=whois_fake.port)
        record = RdapClient(http, fake.bootstrap_url, whois=whois).lookup("old.zz")
    assert record.registered == utc("1999-01-02T03:04:05Z")
    assert record.source == f"whois://127.0.0.1:{whois_fake.port}"


def test_bootstrap_fetched_once_under_concurrency(fake, http):
    fake.bootstrap_delay = 0.3
    names = [f"d{i}.test" for i in range(8)]
    for name in names:
        fake.add_domain(name, registered=days_ago(3))
    client = RdapClient(http, fake.bootstrap_url)
    barrier = threading.Barrier(len(names))

    def work(name: str) -> DomainRecord:
        barrier.wait()
        return client.lookup(name)

    with ThreadPoolExecutor(len(names)) as pool:
        assert [r.domain for r in pool.map(work, names, timeout=10)] == names
    assert fake.hits["/dns.json"] == 1
    assert client.check_bootstrap() == 1 and fake.hits["/dns.json"] == 1


def test_disk_cache_reused_refreshed_when_old_ignored_when_corrupt(fake, http, tmp_path):
    fake.add_domain("x.test", registered=days_ago(3))
    RdapClient(http, fake.bootstrap_url, cache_dir=tmp_path).lookup("x.test")
    RdapClient(http, fake.bootstrap_url, cache_dir=tmp_path).lookup("x.test")
    assert fake.hits["/dns.json"] == 1
    [cached] = tmp_path.iterdir()
    old = time.time() - 2 * 86400
    os.utime(cached, (old, old))
    RdapClient(http, fake.bootstrap_url, cache_dir=tmp_path).lookup("x.test")
    assert fake.hits["/dns.json"] == 2 and cached.stat().st_mtime > old + 86400
    cached.write_text("{not json")
    assert RdapClient(http, fake.bootstrap_url, cache_dir=tmp_path).check_bootstrap() == 1
    assert fake.hits["/dns.json"] == 3


def test_stale_copies_used_when_refresh_fails(fake, http, tmp_path):
    fake.add_domain("x.test", registered=days_ago(3))
    RdapClient(http, fake.bootstrap_url, cache_dir=tmp_path).check_bootstrap()
    [cached] = tmp_path.iterdir()
    old = time.time() - 10 * 86400
    os.utime(cached, (old, old))
    fake.bootstrap_answer = Answer(503, b"down", "text/plain")
    assert RdapClient(http, fake.bootstrap_url, cache_dir=tmp_path).lookup("x.test").registered
    fake.bootstrap_answer = None
    client = RdapClient(http, fake.bootstrap_url, bootstrap_ttl_s=0)  # memory copy refreshed after ttl
    client.lookup("x.test")
    client.lookup("x.test")
    assert fake.hits["/dns.json"] == 4
    fake.bootstrap_answer = Answer(503, b"down", "text/plain")
    assert client.lookup("x.test").registered  # the stale memory copy
    assert fake.hits["/dns.json"] == 5


def test_caller_waiting_for_the_first_bootstrap_keeps_its_deadline(fake, http):
    fake.bootstrap_delay = 0.4  # below the 0.5 s read timeout: the first fetch succeeds
    fake.add_domain("x.test")
    client = RdapClient(http, fake.bootstrap_url)
    first = threading.Thread(target=client.check_bootstrap)
    first.start()
    time.sleep(0.1)
    start = time.monotonic()
    with pytest.raises(SourceTimeout, match="not loaded in time"):
        client.check_bootstrap(deadline=start + 0.1)
    assert time.monotonic() - start < 0.25
    first.join()
    assert client.check_bootstrap(deadline=time.monotonic()) == 1 and fake.hits["/dns.json"] == 1


def test_failed_bootstrap_not_refetched_by_every_caller(fake, http):
    fake.bootstrap_answer = Answer(500, b"oops", "text/plain")
    client = RdapClient(http, fake.bootstrap_url)
    for _ in range(3):
        with pytest.raises(SourceUnavailable):
            client.lookup("x.test")
    assert fake.hits["/dns.json"] == 1


def test_unreachable_bootstrap(http):
    with RdapFake() as closed:
        url = closed.bootstrap_url
    start = time.monotonic()
    with pytest.raises(SourceUnavailable):
        RdapClient(http, url).check_bootstrap()
    assert time.monotonic() - start < 2.0
