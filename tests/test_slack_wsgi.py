"""The HTTP entry point: /healthz, the commands, the Procfile, and gunicorn serving bot.wsgi:app."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.cli import main
from bot.cli_slack import GUNICORN_OPTIONS
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.test_slack_support import running_app

pytestmark = pytest.mark.network_edge
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def test_healthz_reports_the_sanctions_list_age(slack, tmp_path):
    with running_app(slack, tmp_path) as (url, _, _):
        base = url.rsplit("/slack/events", 1)[0]
        health = requests.get(base + "/healthz", timeout=5)
        missing = requests.get(base + "/nope", timeout=5)
    body = health.json()
    assert health.status_code == 200 and body["status"] == "ok"
    assert body["sanctions"]["published"] and body["sanctions"]["age_days"] < 1
    assert body["sanctions"]["stale"] is False
    assert missing.status_code == 404


def test_healthz_degraded_without_a_list(slack, tmp_path):
    from bot import wiring
    from bot.wsgi import create_wsgi, health
    from checks.sources.sanctions import SanctionsSource
    from checks.sources.sanctions_store import SanctionsStore
    from tests.test_slack_support import settings_for

    source = SanctionsSource(SanctionsStore(tmp_path / "empty"), max_age_days=7)
    assert health({"sanctions": source}) == {"status": "degraded",
                                             "sanctions": {"error": "no sanctions list loaded"}}
    settings = settings_for(slack, tmp_path)
    app = create_wsgi(settings, wiring.build_slack_services(settings, wiring.build(settings, sources={
        "sanctions": source})))
    assert callable(app)


def test_socket_mode_needs_an_app_token(tmp_path, capsys):
    code = main(["socket"], env={"SLACK_BOT_TOKEN": BOT_TOKEN, "VETCANDIDATE_DATA_DIR": str(tmp_path)})
    assert code == 2 and "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_http_mode_needs_the_signing_secret(tmp_path):
    from bot.config import ConfigError, Settings
    from bot.wsgi import create_wsgi

    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        create_wsgi(Settings(slack_bot_token=BOT_TOKEN, data_dir=tmp_path))


def test_procfile_runs_gunicorn_as_serve_does():
    procfile = (ROOT / "Procfile").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "gunicorn bot.wsgi:app" in web and "$PORT" in web
    assert f"--threads {GUNICORN_OPTIONS['threads']}" in web
    assert f"--workers {GUNICORN_OPTIONS['workers']}" in web
    assert "release: vetcandidate migrate" in procfile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_bot_wsgi_app_from_the_environment(slack, tmp_path):
    pytest.importorskip("gunicorn")
    port = _free_port()
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    args = web.split(":", 1)[1].replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1").split()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack.api_url, "VETCANDIDATE_DATA_DIR": str(tmp_path), "PORT": str(port),
           "DISABLED_CHECKS": "", "LOG_LEVEL": "WARNING"}
    gunicorn = [sys.executable, "-m", "gunicorn", *args[1:]]
    proc = subprocess.Popen(gunicorn, cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:  # the port is bound before the worker has built the app: a slow first answer is fine
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=(2, 45))
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        status, body = slack.command(f"http://127.0.0.1:{port}/slack/events", "help")
        assert status == 200 and body["response_type"] == "ephemeral"
        forged, _ = slack.command(f"http://127.0.0.1:{port}/slack/events", "help", secret="wrong")
        assert forged == 401
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode()
    assert "text=help" not in output  # request bodies are never logged


def test_manifest_and_app_json_match_the_code():
    yaml = pytest.importorskip("yaml")
    import json

    from bot.slack.commands import COMMAND
    from bot.slack.shortcut import CALLBACK_ID

    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text())
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["should_escape"] is False
    assert command["url"].endswith("/slack/events")
    assert manifest["settings"]["interactivity"]["request_url"] == command["url"]
    assert manifest["features"]["shortcuts"][0]["callback_id"] == CALLBACK_ID
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True  # bot.slack.home
    events = manifest["settings"]["event_subscriptions"]
    assert events["request_url"] == command["url"] and events["bot_events"] == ["app_home_opened"]
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write", "files:read"}
    app = json.loads((ROOT / "app.json").read_text())
    assert app["env"]["SLACK_SIGNING_SECRET"]["required"] and app["env"]["VETCANDIDATE_SECRET"]["generator"]
