"""``vetcandidate doctor`` probes each configured explorer the way the checks call it: a base URL
that redirects to another host is reported as a failure, and the other host is never contacted."""
from __future__ import annotations

from bot.cli import main
from tests.fakes.http_server import FakeHttpServer


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
