"""``vetcandidate watchlist import`` on SQLite and PostgreSQL: a malformed or empty feed never empties a
list (``--allow-empty`` aside), every bad line is listed, and URL imports go through the shared
``HttpClient`` (retries, User-Agent, size and time limits) against a local HTTP server."""
from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from bot import cli, cli_watchlist
from tests.db_fixtures import db_env_fixture, pg_url_fixture  # noqa: F401
from tests.fakes.http_server import FakeHttpServer, Route

FIX = Path(__file__).parent / "fixtures" / "watchlists"


def run_cli(argv, env, capsys) -> tuple[int, str, str]:
    code = cli.main(argv, env=env)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(name="env")
def env_fixture(db_env, capsys):
    env = {**db_env, "VETCANDIDATE_USER_AGENT": "vc-test-agent/1.0"}
    assert cli.main(["migrate"], env=env) == 0
    assert cli.main(["watchlist", "import", str(FIX / "team.csv"), "--list", "team"], env=env) == 0
    capsys.readouterr()
    return env


def imp(env, capsys, source, *flags: str, name: str = "team") -> tuple[int, str, str]:
    return run_cli(["watchlist", "import", str(source), "--list", name, *flags], env, capsys)


def entries(env, capsys, name="team") -> str:
    code, out, _ = run_cli(["watchlist", "show", name], env, capsys)
    assert code == 0
    return out.splitlines()[0]


@pytest.mark.parametrize("content,fmt,reason", [
    ((FIX / "stix_bundle.json").read_bytes(), "misp", "STIX 2.1 bundle, not a MISP event"),
    (b"{}", "misp", "not a MISP event"),
    (b"[]", "misp", "no events"),
    (b'{"Event": {}}', "misp", "no Attribute or Object list"),
    (b'{"type": "bundle", "id": "bundle--1", "objects": {"a": 1}}', "stix", '"objects" is not a list'),
])
def test_a_malformed_feed_fails_and_keeps_the_list(env, capsys, tmp_path, content, fmt, reason):
    feed = tmp_path / "feed.json"
    feed.write_bytes(content)
    code, out, err = imp(env, capsys, feed, "--format", fmt)
    assert code == 1 and reason in err and "nothing changed" in err and "imported" not in out
    assert "9 entries" in entries(env, capsys)


def test_a_feed_with_no_indicators_needs_allow_empty(env, capsys, tmp_path):
    hashes = tmp_path / "hashes.csv"
    hashes.write_text("type,value\nip,10.0.0.1\nsha256,ab12\n")
    code, out, err = imp(env, capsys, hashes)
    assert code == 1 and "skipped 2 non-identity" in out
    assert "yields no indicators" in err and "--allow-empty" in err and "9 entries" in entries(env, capsys)
    bundle = {"type": "bundle", "id": "bundle--2", "objects": [
        {"type": "indicator", "id": "indicator--h", "pattern_type": "stix",
         "pattern": "[file:hashes.'SHA-256' = '" + "ab" * 32 + "']"}]}
    stix = tmp_path / "hashes.json"
    stix.write_text(json.dumps(bundle))
    code, _, err = imp(env, capsys, stix)
    assert code == 1 and "yields no indicators" in err and "9 entries" in entries(env, capsys)
    bad = tmp_path / "bad.csv"
    bad.write_text("type,value\nemail,nope\n")
    code, _, err = imp(env, capsys, bad, "--skip-invalid")
    assert code == 1 and "line 2: invalid email" in err and "9 entries" in entries(env, capsys)
    code, out, _ = imp(env, capsys, hashes, "--allow-empty")
    assert code == 0 and "imported 0 indicators into 'team'" in out
    assert "0 entries" in entries(env, capsys)


def test_every_bad_line_is_listed(env, capsys, tmp_path):
    rows = ["type,value"] + [f"email,broken-{i}" for i in range(450)] + ["email,fine@ok.example"]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(rows) + "\n")
    code, out, err = imp(env, capsys, bad)
    listed = [line for line in err.splitlines() if line.startswith("  line ")]
    assert code == 1 and "invalid: 450 indicators" in err and "more" not in err
    assert [line.split(":")[0].strip() for line in listed] == [f"line {n}" for n in range(2, 452)]
    code, out, err = imp(env, capsys, bad, "--skip-invalid")
    assert code == 0 and "dropped: 450 indicators" in err and err.count("invalid email") == 450
    assert "imported 1 indicators" in out


def test_url_import_uses_the_shared_http_client(env, capsys, monkeypatch):
    answers = iter([Route(status=503, body=b"busy")])

    def flaky(_request):
        return next(answers, Route(body=(FIX / "stix_bundle.json").read_bytes()))

    with FakeHttpServer() as server, socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never answers
        server.add("/feed.json", responder=flaky)
        code, out, err = imp(env, capsys, server.url("/feed.json"), name="peer")
        assert code == 0 and "imported 4 indicators into 'peer' (stix)" in out, err
        assert [r.path for r in server.requests] == ["/feed.json", "/feed.json"]      # 503 retried
        assert {r.header("User-Agent") for r in server.requests} == {"vc-test-agent/1.0"}
        monkeypatch.setattr(cli_watchlist, "URL_TIMEOUT_S", 0.5)
        started = time.monotonic()
        code, _, err = imp(env, capsys, f"http://127.0.0.1:{silent.getsockname()[1]}/x.csv", name="peer")
        assert code == 1 and "cannot fetch the import URL" in err and "in time" in err, err
        assert time.monotonic() - started < 2.0
        code, _, err = imp(env, capsys, "file:///etc/passwd", name="peer")
        assert code == 1 and "http(s)" in err
    assert "4 entries" in entries(env, capsys, "peer")
