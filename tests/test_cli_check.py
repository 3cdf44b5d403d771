"""`vetcandidate check` end to end: real CLI, real sources, local fake RDAP and DNS servers."""
import json
import socket
import time

from bot.cli import main
from tests.fakes.dns_server import DnsFake
from tests.fakes.rdap_server import RdapFake, days_ago


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_json_report_for_a_young_domain(env, capsys):
    with RdapFake() as rdap, DnsFake({"fresh-hire.com": {"MX": [(10, "mx.fresh-hire.com")]}}) as dns:
        rdap.add_domain("fresh-hire.com", registered=days_ago(12))
        code = main(["check", "--name", "Jane Roe", "--email", "jane@fresh-hire.com", "--format", "json"],
                    env={**env, "RDAP_BOOTSTRAP_URL": rdap.bootstrap_url, "DNS_NAMESERVERS": dns.nameserver})
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == "1"
    assert report["risk"] == {"level": "high", "score": 40}
    email = next(c for c in report["checks"] if c["name"] == "email_domain")
    assert email["status"] == "ok" and email["reason"] == ""
    severities = sorted(f["severity"] for f in email["findings"])
    assert severities == ["high", "info"]
    young = next(f for f in email["findings"] if f["severity"] == "high")
    assert young["evidence"]["age_days"] == 12 and young["confidence"] == "high"


def test_text_report(env, capsys):
    with RdapFake() as rdap, DnsFake({"old-firm.com": {"MX": [(10, "mx.old-firm.com")]}}) as dns:
        rdap.add_domain("old-firm.com", registered=days_ago(4000))
        code = main(["check", "--email", "jane@old-firm.com"],
                    env={**env, "RDAP_BOOTSTRAP_URL": rdap.bootstrap_url, "DNS_NAMESERVERS": dns.nameserver})
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Risk: LOW (score 0)")
    assert "not a clearance" in out
    assert "E-mail domain registered 10 years ago" in out
    assert "email_domain" in out and " ok " in out


def test_offline_run_finishes_quickly_and_is_not_clean(env, capsys):
    port = _closed_port()
    start = time.monotonic()
    code = main(["check", "--email", "jane@some-company.com", "--format", "json"],
                env={**env, "RDAP_BOOTSTRAP_URL": f"http://127.0.0.1:{port}/dns.json",
                     "DNS_NAMESERVERS": f"127.0.0.1:{port}"})
    elapsed = time.monotonic() - start
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and elapsed < 6
    email = next(c for c in report["checks"] if c["name"] == "email_domain")
    assert email["status"] in ("error", "timeout") and "RDAP" in email["reason"]
    assert report["risk"]["level"] == "incomplete"


def test_hostname_nameserver_is_a_configuration_error(env, capsys):
    assert main(["check", "--email", "a@b.com"], env={**env, "DNS_NAMESERVERS": "dns.example"}) == 2
    assert "DNS_NAMESERVERS" in capsys.readouterr().err
