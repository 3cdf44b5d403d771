from __future__ import annotations

import socket
import time

import dns.nameserver
import pytest

from checks.errors import SourceError, SourceTimeout, SourceUnavailable
from checks.sources.dns import DnsClient, MailHosts, parse_nameserver
from tests.fakes.dns_server import DnsFake

pytestmark = pytest.mark.network_edge

ZONE = {
    "mail.test": {"MX": [(20, "mx2.mail.test."), (10, "MX1.mail.test"), (10, "alt.mail.test")],
                  "A": ["192.0.2.1"]},
    "nullmx.test": {"MX": [(0, ".")], "A": ["192.0.2.2"]},
    "web.test": {"A": ["192.0.2.3"]},
    "v6.test": {"AAAA": ["2001:db8::1"]},
    "bare.test": {"TXT": ["v=spf1 -all"]},
    "xn--bcher-kva.test": {"MX": [(5, "mx.xn--bcher-kva.test")]},
    "big.test": {"MX": [(i, f"mx{i:02d}.a-rather-long-mail-exchanger-name.big.test") for i in range(30)]},
    "sub.parent.test": {"A": ["192.0.2.4"]},
}


@pytest.fixture
def fake():
    with DnsFake(ZONE, servfail={"broken.test"}, silent={"silent.test"}) as server:
        yield server


@pytest.fixture
def client(fake):
    return DnsClient([fake.nameserver], timeout=1.0)


def test_mx_sorted_by_preference_without_trailing_dot(client, fake):
    hosts = client.mail_hosts("Mail.Test.")
    assert hosts == MailHosts("mail.test", True, ("alt.mail.test", "mx1.mail.test", "mx2.mail.test"),
                              False, False, f"DNS via 127.0.0.1:{fake.port}")
    assert [q[1] for q in fake.queries] == ["MX"]  # no address lookup when MX exists


def test_null_mx(client):
    hosts = client.mail_hosts("nullmx.test")
    assert hosts.exists and hosts.null_mx and hosts.mx == () and not hosts.has_address


@pytest.mark.parametrize(("domain", "has_address"), [("web.test", True), ("v6.test", True),
                                                      ("bare.test", False), ("parent.test", False)])
def test_no_mx_falls_back_to_addresses(client, domain, has_address):
    hosts = client.mail_hosts(domain)
    assert hosts.exists and hosts.mx == () and not hosts.null_mx
    assert hosts.has_address is has_address


def test_nxdomain(client):
    expected = MailHosts("nope.test", False, (), False, False, client.description)
    assert client.mail_hosts("nope.test") == expected


def test_idn_is_queried_in_ascii(client, fake):
    assert client.mail_hosts("Bücher.test").mx == ("mx.xn--bcher-kva.test",)
    assert fake.queries[-1][0] == "xn--bcher-kva.test"


def test_truncated_udp_answer_retried_over_tcp(client, fake):
    hosts = client.mail_hosts("big.test")
    assert len(hosts.mx) == 30 and hosts.mx[0].startswith("mx00.")
    assert ("big.test", "MX", "udp") in fake.queries and ("big.test", "MX", "tcp") in fake.queries


def test_servfail_is_unavailable(client):
    with pytest.raises(SourceUnavailable):
        client.mail_hosts("broken.test")


def test_silent_server_times_out_within_the_timeout(fake):
    client = DnsClient([fake.nameserver], timeout=0.5)
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client.mail_hosts("silent.test")
    assert time.monotonic() - start < 1.0


def test_deadline_is_respected(fake):
    client = DnsClient([fake.nameserver], timeout=10)
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client.mail_hosts("silent.test", deadline=start + 0.3)
    assert time.monotonic() - start < 0.8
    with pytest.raises(SourceTimeout):
        client.mail_hosts("mail.test", deadline=time.monotonic() - 1)


def test_timeout_covers_the_whole_call(fake):
    fake.silent.add("bare.test/A")  # MX answers (empty) at once; the address lookup never does
    client = DnsClient([fake.nameserver], timeout=0.5)
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client.mail_hosts("bare.test")
    assert time.monotonic() - start < 1.0
    assert [q[1] for q in fake.queries] == ["MX", "A"]


def test_unreachable_server_fails_fast():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = DnsClient([f"127.0.0.1:{port}"], timeout=0.5)
    start = time.monotonic()
    with pytest.raises((SourceUnavailable, SourceTimeout)):
        client.mail_hosts("mail.test")
    assert time.monotonic() - start < 1.0


@pytest.mark.parametrize("content", ["", "# nothing here\nsearch example.test\n", None])
def test_machine_without_resolver_config_fails_fast(tmp_path, content):
    path = tmp_path / "resolv.conf"
    if content is not None:
        path.write_text(content)
    client = DnsClient(None, timeout=5.0, resolv_conf=str(path))
    assert client.description == "DNS via system resolver"
    start = time.monotonic()
    with pytest.raises(SourceUnavailable, match="no DNS resolver configured"):
        client.mail_hosts("example.test")
    with pytest.raises(SourceUnavailable):
        client.check()
    assert time.monotonic() - start < 0.5


def test_system_resolver_config_is_read(tmp_path, fake):
    path = tmp_path / "resolv.conf"
    path.write_text("search example.test\nnameserver 127.0.0.1\n")
    client = DnsClient(timeout=1.0, resolv_conf=str(path))
    resolver = client._get_resolver()
    assert resolver.nameservers == ["127.0.0.1"]
    # resolv.conf cannot name a port: point the loaded resolver at the fake to use it end to end
    resolver.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", fake.port)]
    assert client.mail_hosts("mail.test").mx[0] == "alt.mail.test"
    assert fake.queries[-1][0] == "mail.test"  # absolute name: the search list is not applied


def test_doctor_check(client, fake):
    assert client.check() == f"DNS via 127.0.0.1:{fake.port}: answering"
    assert fake.queries[-1][:2] == ("", "NS")


@pytest.mark.parametrize("bad", ["", "a..b.test", "x" * 64 + ".test"])
def test_invalid_domain(client, bad):
    with pytest.raises(SourceError, match="invalid domain name"):
        client.mail_hosts(bad)


@pytest.mark.parametrize(("entry", "expected"), [
    ("192.0.2.53", ("192.0.2.53", 53)), (" 192.0.2.53:5353 ", ("192.0.2.53", 5353)),
    ("2001:db8::53", ("2001:db8::53", 53)), ("[2001:db8::53]:5353", ("2001:db8::53", 5353)),
    ("[::1]", ("::1", 53)),
])
def test_nameserver_entries(entry, expected):
    assert parse_nameserver(entry) == expected


@pytest.mark.parametrize("entry", ["dns.example.test", "192.0.2.53:0", "192.0.2.53:99999", "1.2.3.4:x",
                                   "[::1", "[::1]x", "dns.example.test:53"])
def test_bad_nameserver_entries(entry):
    with pytest.raises(ValueError):
        DnsClient([entry])


def test_description_lists_every_server():
    client = DnsClient(["192.0.2.1", "192.0.2.2:5353", "[2001:db8::1]:5300", "2001:db8::2"])
    assert client.description == "DNS via 192.0.2.1, 192.0.2.2:5353, [2001:db8::1]:5300, 2001:db8::2"
