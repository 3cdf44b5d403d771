from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest

from checks.errors import BadResponse, NotFound, SourceError, SourceTimeout, SourceUnavailable
from checks.sources.whois import WhoisClient, parse_whois, parse_whois_date
from tests.fakes.whois_server import WhoisFake, bracket_answer, gtld_answer, nominet_answer

pytestmark = pytest.mark.network_edge


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def fake():
    with WhoisFake() as server:
        yield server


def client_for(fake: WhoisFake, timeout: float = 2.0, **kwargs) -> WhoisClient:
    return WhoisClient(fake.address, timeout=timeout, referral_port=fake.port, **kwargs)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_referral_followed_and_fields_parsed(fake):
    fake.add_domain("old.zz", gtld_answer("old.zz", created="1999-01-02T03:04:05Z",
                                          expires="2030-01-02T03:04:05.0Z", registrar="Old Names LLC"))
    client = client_for(fake)
    record = client.lookup("OLD.zz.")
    assert record.domain == "old.zz"
    assert record.registered == utc("1999-01-02T03:04:05Z")
    assert record.expires == utc("2030-01-02T03:04:05Z")
    assert record.last_changed == utc("2024-05-06T07:08:09Z")
    assert record.registrar == "Old Names LLC"
    assert record.status == ("clientTransferProhibited",)
    assert record.source == f"whois://127.0.0.1:{fake.port}"
    assert fake.queries == ["zz", "old.zz"]
    client.lookup("old.zz")  # the referral is remembered
    assert fake.queries == ["zz", "old.zz", "old.zz"]


def test_nominet_layout(fake):
    fake.add_domain("shop.co.zz", nominet_answer("shop.co.zz", registered="12-Jul-1999"))
    record = client_for(fake).lookup("shop.co.zz")
    assert record.registered == utc("1999-07-12T00:00:00Z")
    assert record.expires == utc("2030-07-12T00:00:00Z")
    assert record.last_changed == utc("2024-06-13T00:00:00Z")
    assert record.registrar == "Example Hosting Ltd"


def test_bracket_layout_and_idn(fake):
    fake.add_domain("xn--bcher-kva.zz", bracket_answer("xn--bcher-kva.zz", created="2001/02/03"))
    record = client_for(fake).lookup("bücher.zz")
    assert record.registered == utc("2001-02-03T00:00:00Z")
    assert record.expires == utc("2030-01-31T00:00:00Z")
    assert fake.queries[-1] == "xn--bcher-kva.zz"


@pytest.mark.parametrize("answer", [
    'No match for "GONE.ZZ".\r\n>>> Last update of whois database: 2026-01-01T00:00:00Z <<<\r\n',
    "NOT FOUND\n", "%% NOT FOUND\n", "No entries found for the selected source(s).\n",
    "Domain not found.\n", "Status: free\n", "No Data Found\n",
    "The queried object does not exist: DOMAIN NOT FOUND\n",
])
def test_no_match_is_not_found(fake, answer):
    fake.add_domain("gone.zz", answer)
    with pytest.raises(NotFound, match=r"^no WHOIS record for gone\.zz$"):
        client_for(fake).lookup("gone.zz")


def test_unknown_domain_gets_no_match(fake):
    fake.add_tld("zz")
    with pytest.raises(NotFound):
        client_for(fake).lookup("never-registered.zz")


def test_unparseable_answer_gives_unknown_age(fake):
    fake.add_domain("odd.zz", "Query rate limit exceeded. Try again later.\n")
    record = client_for(fake).lookup("odd.zz")
    assert (record.registered, record.expires, record.registrar) == (None, None, "")


def test_hang_up_without_answer(fake):
    fake.add_behaviour("mute.zz", "close")
    with pytest.raises(BadResponse):
        client_for(fake).lookup("mute.zz")


@pytest.mark.parametrize("behaviour", ["hang", "drip"])
def test_silent_or_dripping_server_times_out_fast(fake, behaviour):
    fake.add_behaviour("slow.zz", behaviour)
    client = client_for(fake, timeout=0.5)
    client.server_for("zz")
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client.lookup("slow.zz")
    assert time.monotonic() - start < 1.0


def test_deadline_bounds_the_whole_lookup(fake):
    fake.add_behaviour("slow.zz", "hang")
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client_for(fake, timeout=10).lookup("slow.zz", deadline=start + 0.3)
    assert time.monotonic() - start < 0.9
    with pytest.raises(SourceTimeout):
        client_for(fake).lookup("slow.zz", deadline=time.monotonic() - 1)
    assert fake.queries.count("slow.zz") == 1


def test_huge_answer_is_cut_at_the_cap(fake):
    fake.add_behaviour("big.zz", "huge")
    start = time.monotonic()
    record = client_for(fake, max_bytes=64 * 1024).lookup("big.zz")
    assert record.registered is None  # the date came after the cap
    assert time.monotonic() - start < 2.0


def test_tld_unknown_to_iana(fake):
    with pytest.raises(SourceError, match=r"^no WHOIS service for \.qq$"):
        client_for(fake).lookup("x.qq")


def test_unreachable_servers():
    with pytest.raises(SourceUnavailable):
        WhoisClient(("127.0.0.1", closed_port()), timeout=1.0).lookup("x.zz")


def test_unreachable_referred_server(fake):
    fake.add_domain("x.zz", gtld_answer("x.zz", created="2020-01-01"))
    with pytest.raises(SourceUnavailable):
        WhoisClient(fake.address, timeout=1.0, referral_port=closed_port()).lookup("x.zz")


@pytest.mark.parametrize("bad", ["", "localhost", "a..b"])
def test_invalid_domain(bad):
    with pytest.raises(SourceError, match="invalid domain name"):
        WhoisClient(("127.0.0.1", 9)).lookup(bad)


@pytest.mark.parametrize(("text", "expected"), [
    ("1997-09-15T04:00:00Z", "1997-09-15T04:00:00+00:00"),
    ("1997-09-15T04:00:00.000Z", "1997-09-15T04:00:00+00:00"),
    ("1997-09-15T07:00:00-0700", "1997-09-15T14:00:00+00:00"),
    ("2003-03-17 12:20:05", "2003-03-17T12:20:05+00:00"),
    ("2003-03-17 12:20:05 UTC", "2003-03-17T12:20:05+00:00"),
    ("12-Jul-1999", "1999-07-12T00:00:00+00:00"),
    ("15-sep-1997 04:00:00 UTC", "1997-09-15T04:00:00+00:00"),
    ("2001/02/03", "2001-02-03T00:00:00+00:00"),
    ("2001.02.03 10:11:12", "2001-02-03T10:11:12+00:00"),
    ("03.02.2001", "2001-02-03T00:00:00+00:00"),
    ("2007. 03. 21.", "2007-03-21T00:00:00+00:00"),
    ("20010203", "2001-02-03T00:00:00+00:00"),
    ("2001-02-03 # comment", "2001-02-03T00:00:00+00:00"),
    ("2001-02-03 (GMT+0:00)", "2001-02-03T00:00:00+00:00"),
    ("before Aug-1996", None), ("", None), ("soon", None), ("0000-00-00", None), ("31/12/2001", None),
])
def test_whois_date_formats(text, expected):
    assert parse_whois_date(text) == (expected and datetime.fromisoformat(expected))


@pytest.mark.parametrize("text", [
    "Creation Date: 2010-05-06T00:00:00Z", "created:      2010-05-06", "Registered on: 06-May-2010",
    "Registration Time: 2010-05-06 08:00:00", "Domain Registration Date: Thu May 06 2010",
    "[Created on]   2010/05/06", "   created..............: 06.05.2010", "Registered: 2010-05-06",
    "Domain Name Commencement Date: 06-05-2010", "Registration Date:\n    2010-05-06",
])
def test_creation_date_field_names(text):
    record = parse_whois(f"% comment\nDomain: x.zz\n{text}\n", "x.zz", "whois://t")
    assert record.registered.date() == datetime(2010, 5, 6).date()


def test_first_creation_field_wins_and_junk_is_safe():
    text = ("created: 2011-01-01\nnic-hdl: ABC\ncreated: 1990-01-01\n"
            "Expiration Date: garbage\nRegistry Expiry Date: 2031-01-01\n:::\n[]\n\x00\xff")
    record = parse_whois(text, "x.zz", "whois://t")
    assert record.registered == utc("2011-01-01T00:00:00Z")
    assert record.expires == utc("2031-01-01T00:00:00Z")
