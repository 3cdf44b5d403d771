"""`vetcandidate socket` end to end: the real command in a subprocess, slack_sdk's built-in Socket
Mode client talking to a local WebSocket server that speaks Slack's Socket Mode protocol, and the
local Slack Web API (``apps.connections.open`` with the app token, then the bot's own calls)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.sanctions_fixtures import FIXTURE
from tests.test_slack_support import LISTED_WALLET

if os.environ.get("CI") != "true":  # CI installs the dev extra, where a missing library must fail
    pytest.importorskip("websockets", reason="the fake Socket Mode server needs `websockets` "
                        "(pip install -e '.[dev]')")
from tests.fakes.socket_mode_server import FakeSocketMode  # noqa: E402

pytestmark = pytest.mark.network_edge
ROOT = Path(__file__).resolve().parent.parent
NAME, EMAIL = "Jane Roe", "jane@example.com"
#: the checks that would reach outside sources; the rest run for real (sanctions from the fixture)
NETWORK_CHECKS = "email_domain,github_profile,phone,wallet_exposure"


@dataclass
class Running:
    """The ``socket`` subprocess; ``output`` and ``stop_s`` are filled in once it has stopped."""

    proc: subprocess.Popen
    output: str = ""
    stop_s: float = 0.0


@pytest.fixture
def edge():
    with FakeSocketMode() as socket_mode, FakeSlack(connections_open=socket_mode.issue_url) as slack:
        yield socket_mode, slack


def _env(slack: FakeSlack, data_dir: Path, **extra: str) -> dict[str, str]:
    dead = "http://127.0.0.1:9"  # nothing leaves the machine even if a check or refresh ran
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "VETCANDIDATE_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                "SLACK_API_URL": slack.api_url, "VETCANDIDATE_DATA_DIR": str(data_dir),
                "DISABLED_CHECKS": NETWORK_CHECKS, "OFAC_SDN_URL": dead + "/sdn.xml",
                "RDAP_BOOTSTRAP_URL": dead + "/dns.json", "DNS_NAMESERVERS": "127.0.0.1:9",
                "GITHUB_API_URL": dead, "CHECK_TIMEOUT_S": "5", "VETTING_DEADLINE_S": "8",
                "LOG_LEVEL": "DEBUG", **extra})
    return env


@contextmanager
def socket_app(socket_mode: FakeSocketMode, slack: FakeSlack, tmp_path: Path, **extra: str):
    """Run ``python -m bot socket`` until it is connected; yields a ``Running``. On the way out the
    process is sent SIGTERM and given 5 s (then killed); its output is kept in ``Running.output``."""
    data_dir = tmp_path / "data"
    env = _env(slack, data_dir, **extra)
    # the operator's step before going live: load the OFAC list (the local fixture) into the store
    assert main(["sanctions", "update", "--source", str(FIXTURE)], env=env) == 0
    log = (tmp_path / "socket.log").open("w+b")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "socket"], cwd=tmp_path, env=env,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    running = Running(proc)
    try:
        socket_mode.wait_connected(timeout=60, alive=lambda: proc.poll() is None)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            t0 = time.monotonic()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            running.stop_s = time.monotonic() - t0
        log.seek(0)
        running.output = log.read().decode("utf-8", "replace")
        log.close()


def _ack(socket_mode: FakeSocketMode, envelope_id: str) -> tuple[dict, float]:
    received = socket_mode.wait_ack(envelope_id, timeout=10)
    return received.message, received.at - socket_mode.pushed_at(envelope_id)


def _stopped_on_sigterm(app: Running) -> None:
    assert app.proc.returncode == 0, app.output[-3000:]  # a clean stop: acknowledged work finished
    assert app.stop_s < 5, f"took {app.stop_s:.1f}s to stop after SIGTERM"


def test_socket_mode_vets_a_candidate_and_answers_help(edge, tmp_path):
    socket_mode, slack = edge
    with socket_app(socket_mode, slack, tmp_path) as app:
        # the app asked for its URL with the app-level token and used exactly that URL
        (opened,) = slack.calls_to("apps.connections.open")
        assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"
        assert socket_mode.refused == [] and socket_mode.handshakes[0].startswith("/link/?ticket=")

        text = f'name="{NAME}" email={EMAIL} wallet={LISTED_WALLET}'
        vet_id = socket_mode.slash_command(text, response_url=slack.response_url("r1"))
        ack, ack_s = _ack(socket_mode, vet_id)
        parent, reply = slack.wait_for("chat.postMessage", count=2, timeout=20)
        final = slack.wait_for("chat.update", where=lambda c: "CRITICAL" in c.params["text"], timeout=20)[0]

        help_id = socket_mode.slash_command("help", response_url=slack.response_url("r2"))
        help_ack, help_s = _ack(socket_mode, help_id)
        time.sleep(0.3)  # anything help might wrongly post would arrive by now
        assert app.proc.poll() is None, "the app exited while serving"
        connections, pong_latency = socket_mode.connections, socket_mode.keepalive_latency()
    _stopped_on_sigterm(app)

    # (1) acknowledged on the socket, well within Slack's 3 s, with the envelope's own id
    assert set(ack) == {"envelope_id", "payload"} and ack["envelope_id"] == vet_id and ack_s < 3.0
    assert ack["payload"]["response_type"] == "ephemeral"
    assert NAME in ack["payload"]["text"] and "checks" in ack["payload"]["text"]
    # (2) the vetting reached Slack: parent in the channel, summary in its thread, final level
    assert parent.params["channel"] == "C0CHAN" and "thread_ts" not in parent.params
    assert NAME in parent.params["text"]
    assert reply.params["thread_ts"] == "1700000000.000001" and reply.params["channel"] == "C0CHAN"
    assert reply.params["text"].startswith(f"Risk: CRITICAL (score 100) for {NAME}")
    assert "OFAC SDN, published" in json.dumps(reply.params)
    assert final.params["ts"] == "1700000000.000001"
    for call in [parent, *slack.calls_to("chat.update")]:  # the parent never shows email or wallet
        assert EMAIL not in json.dumps(call.params) and LISTED_WALLET not in json.dumps(call.params).lower()
    bot_calls = [c for c in slack.calls if c.method != "apps.connections.open"]
    assert bot_calls and all(c.headers["authorization"] == f"Bearer {BOT_TOKEN}" for c in bot_calls)
    # (3) help is answered in the acknowledgement itself: ephemeral, nothing posted, no response_url
    assert help_ack["envelope_id"] == help_id and help_s < 3.0
    assert help_ack["payload"]["response_type"] == "ephemeral"
    assert "resume=" in json.dumps(help_ack["payload"]["blocks"])
    assert len(slack.calls_to("chat.postMessage")) == 2 and slack.responses == {}
    # one connection throughout, and the client answered the server's keepalive pings (1 s apart)
    assert connections == 1 and len(slack.calls_to("apps.connections.open")) == 1 and pong_latency > 0
    # (4) candidate details never reach the logs, even at DEBUG
    assert "connecting to Slack in Socket Mode" in app.output
    for secret in (NAME, "Jane", EMAIL, LISTED_WALLET[2:]):
        assert secret.lower() not in app.output.lower(), f"{secret!r} is in the output"


def test_socket_mode_refuses_users_outside_the_allow_list(edge, tmp_path):
    socket_mode, slack = edge
    with socket_app(socket_mode, slack, tmp_path, VETCANDIDATE_ALLOWED_USERS="U0BOSS") as app:
        refused_id = socket_mode.slash_command(f'name="{NAME}" email={EMAIL}',
                                               response_url=slack.response_url("r1"), user="U0STRANGER")
        refused, refused_s = _ack(socket_mode, refused_id)
        time.sleep(0.5)  # a vetting wrongly started would have posted its parent by now
        posted_after_refusal = slack.calls_to("chat.postMessage")

        allowed_id = socket_mode.slash_command(f'name="{NAME}"', response_url=slack.response_url("r2"),
                                               user="U0BOSS")
        allowed, _ = _ack(socket_mode, allowed_id)
        slack.wait_for("chat.postMessage", count=2, timeout=20)
    _stopped_on_sigterm(app)

    assert refused["envelope_id"] == refused_id and refused_s < 3.0
    assert refused["payload"]["response_type"] == "ephemeral"
    assert "not on the list" in refused["payload"]["text"] and NAME not in refused["payload"]["text"]
    assert posted_after_refusal == [] and slack.responses == {}
    assert allowed["payload"]["response_type"] == "ephemeral"
    assert f"Vetting {NAME}" in allowed["payload"]["text"]
    assert "refused /vetcandidate for U0STRANGER" in app.output  # logged by ID only
    assert EMAIL not in app.output and NAME not in app.output
