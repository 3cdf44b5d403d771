"""`vetcandidate sanctions update|status`, `check --wallet` and `doctor` through the real CLI."""
import bz2
import gzip
import json
import time

from bot.cli import main
from tests.sanctions_fixtures import FIXTURE


def test_status_without_list_exits_1(env, capsys):
    assert main(["sanctions", "status"], env=env) == 1
    assert "no sanctions list loaded" in capsys.readouterr().out


def test_update_then_status_then_check(env, capsys, tmp_path):
    packed = tmp_path / "sdn.xml.bz2"
    packed.write_bytes(bz2.compress(FIXTURE.read_bytes()))
    assert main(["sanctions", "update", "--source", str(packed)], env=env) == 0
    assert "updated: edition published 2025-11-19" in capsys.readouterr().out

    assert main(["sanctions", "status"], env=env) == 0
    status = capsys.readouterr().out
    assert "published:     2025-11-19" in status and "ETH" in status and "per ticker:" in status

    assert main(["check", "--wallet", "0x098b716b8aaf21512996dc57eb0615e2383e2f96", "--format", "json"],
                env=env) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["risk"] == {"level": "critical", "score": 100}
    wallet = next(c for c in report["checks"] if c["name"] == "wallet_sanctions")
    assert wallet["findings"][-1]["evidence"]["entities"] == ["Lazarus Group"]


def test_stale_list_status_exits_1_and_check_is_incomplete(env, capsys, tmp_path):
    gz = tmp_path / "sdn.xml.gz"
    gz.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert main(["sanctions", "update", "--source", str(gz)], env=env) == 0
    stale_env = {**env, "SANCTIONS_MAX_AGE_DAYS": "0.0000001"}  # 8.6 ms
    time.sleep(0.05)
    capsys.readouterr()
    assert main(["sanctions", "status"], env=stale_env) == 1
    assert "STALE" in capsys.readouterr().out
    assert main(["check", "--wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "--format", "json"],
                env=stale_env) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["risk"]["level"] == "incomplete"


def test_failed_update_keeps_previous_edition(env, capsys, tmp_path):
    assert main(["sanctions", "update", "--source", str(FIXTURE)], env=env) == 0
    broken = tmp_path / "broken.xml"
    broken.write_bytes(FIXTURE.read_bytes()[:2000])
    capsys.readouterr()
    assert main(["sanctions", "update", "--source", str(broken)], env=env) == 1
    out = capsys.readouterr().out
    assert "sanctions update failed" in out and "kept the stored edition published 2025-11-19" in out
    assert main(["sanctions", "status"], env=env) == 0


def test_doctor_reports_each_source_and_fails_when_unreachable(env, capsys):
    code = main(["doctor"], env={**env, "RDAP_BOOTSTRAP_URL": "http://127.0.0.1:9/dns.json"})
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  RDAP bootstrap" in out and "FAIL  OFAC SDN list" in out and "ok    data directory" in out


def test_doctor_all_good_against_local_sources(env, capsys):
    from tests.fakes.dns_server import DnsFake
    from tests.fakes.github_server import GitHubFake
    from tests.fakes.rdap_server import RdapFake
    from tests.fakes.slack_server import FakeSlack

    assert main(["sanctions", "update", "--source", str(FIXTURE)], env=env) == 0
    with RdapFake() as rdap, DnsFake({"example.com": {"A": ["192.0.2.1"]}}) as dns, GitHubFake() as gh, \
            FakeSlack() as slack:
        rdap.add_domain("example.com")
        local = {**env, "RDAP_BOOTSTRAP_URL": rdap.bootstrap_url, "DNS_NAMESERVERS": dns.nameserver,
                 "GITHUB_API_URL": gh.base_url, "SLACK_BOT_TOKEN": slack.token,
                 "SLACK_API_URL": slack.api_url,
                 "BTC_EXPLORER_URL": rdap.url, "EVM_EXPLORER_URL": rdap.url, "TRON_API_URL": rdap.url}
        capsys.readouterr()
        code = main(["doctor"], env=local)
    out = capsys.readouterr().out
    assert code == 0, out
    for label in ("RDAP bootstrap", "DNS", "OFAC SDN list", "GitHub API", "explorer bitcoin",
                  "explorer ethereum", "explorer tron", "Slack auth.test"):
        assert f"ok    {label}" in out
    assert out.rstrip().endswith("all good")
