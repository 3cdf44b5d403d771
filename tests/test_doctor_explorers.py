"""``vetcandidate doctor`` probes each configured explorer the way the checks call it (a base URL
that redirects to another host is a failure, and the other host is never contacted), and the
Redis job queue when ``REDIS_URL`` is set (real Redis; a closed port fails the row)."""
from __future__ import annotations

from bot.cli import main
from tests.db_fixtures import redis_url_fixture  # noqa: F401
from tests.fakes.http_server import FakeHttpServer
from tests.test_whois_source import closed_port


def test_explorer_redirecting_off_its_host_fails_the_probe(env, capsys):
    with FakeHttpServer() as explorer, FakeHttpServer() as elsewhere:
        explorer.add("/api", status=302, headers={"Location": elsewhere.url("/api")})
        elsewhere.add("/api", body=b"{}")
        code = main(["doctor"], env={**env, "BTC_EXPLORER_URL": explorer.url("/api"),
                                     "EVM_EXPLORER_URL": explorer.url("/api"),
                                     "TRON_API_URL": explorer.url("/api")})
        out = capsys.readouterr().out
        assert code == 1
        for chain in ("bitcoin", "ethereum", "tron"):
            line = next(x for x in out.splitlines() if f"explorer {chain}" in x)
            assert line.startswith("FAIL"), line
        assert elsewhere.requests_to("/api") == [] and explorer.requests_to("/api")


def test_redis_is_probed_when_configured(env, capsys, redis_url):
    main(["doctor"], env={**env, "REDIS_URL": redis_url})
    line = next(x for x in capsys.readouterr().out.splitlines() if "Redis job queue" in x)
    assert line.startswith("ok") and "waiting" in line
    assert main(["doctor"], env={**env, "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if "Redis job queue" in x)
    assert line.startswith("FAIL") and "cannot reach Redis" in line
