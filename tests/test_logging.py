"""LOG_LEVEL=DEBUG never puts candidate data in the logs, in any entry point: the CLI, the gunicorn
worker (``bot.wsgi``) and a spawned RQ worker process (``bot.worker._child``). Each runs in its own
interpreter, as in production, and makes real requests to local servers with candidate values in
the URL path and the request body."""
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakes.dns_server import DnsFake
from tests.fakes.github_server import GitHubFake
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.rdap_server import RdapFake, days_ago
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.fakes.twilio_server import TwilioFake

pytestmark = pytest.mark.network_edge
ROOT = Path(__file__).resolve().parent.parent

PHONE = "+14155550100"
EMAIL = "jane.roe@young-corp.com"
WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
LOGIN = "janeroe-dev"
SECRETS = ("4155550100", "jane.roe", "young-corp", WALLET, LOGIN)

# Runs an entry point's logging set-up, proves DEBUG is on, then talks to the local servers the way
# the bot does: our HTTP client (urllib3), Slack's Web API and a response_url (slack_sdk).
PROBE = textwrap.dedent(f"""
    import logging, os, sys
    mode, lookup_url, api_url, hook_url = sys.argv[1:5]
    if mode == "bare":
        logging.basicConfig(level=logging.DEBUG)
    elif mode == "wsgi":
        import bot.wsgi
        bot.wsgi.app  # built from the environment on first access, as under gunicorn
    elif mode == "worker":
        from bot import worker
        from bot.config import Settings
        try:  # the spawned child's entry; Redis is not there, so it stops after setting up
            worker._child(Settings.from_env(os.environ), True, "logging-test", os.getppid())
        except BaseException as exc:
            print("worker child stopped:", type(exc).__name__, file=sys.stderr)
    logging.getLogger("probe").debug("probe: debug is on")
    from checks.sources.http import HttpClient
    from slack_sdk import WebClient
    from slack_sdk.webhook import WebhookClient
    HttpClient(retries=0).get(lookup_url + "{PHONE}")
    WebClient(token="{BOT_TOKEN}", base_url=api_url).chat_postMessage(channel="C0CHAN", text="{EMAIL}")
    WebhookClient(hook_url).send(text="payout to {WALLET} for {LOGIN}")
""")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("VETCANDIDATE", "DISABLED", "SLACK", "TWILIO", "GITHUB", "REDIS"))}
    return {**environ, "LOG_LEVEL": "DEBUG", "VETCANDIDATE_DATA_DIR": str(tmp_path / "data"),
            "OFAC_SDN_URL": str(tmp_path / "no-such-sdn.xml"), "PYTHONPATH": str(ROOT), **extra}


def _probe(mode: str, tmp_path: Path, **extra: str) -> str:
    with FakeHttpServer() as lookup, FakeSlack() as slack:
        lookup.add(f"/v2/PhoneNumbers/{PHONE}", body=b"{}")
        env = _environ(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                       SLACK_API_URL=slack.api_url, **extra)
        done = subprocess.run([sys.executable, "-c", PROBE, mode, lookup.url("/v2/PhoneNumbers/"),
                               slack.api_url, slack.response_url("r1")],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr[-3000:]
        # The values really went out, in the path and in the bodies.
        assert lookup.requests_to(f"/v2/PhoneNumbers/{PHONE}")
        assert slack.calls_to("chat.postMessage")[0].params["text"] == EMAIL
        assert WALLET in slack.wait_response("r1")[0]["text"]
    assert "probe: debug is on" in done.stderr
    return done.stderr


def test_the_probe_sees_leaks_when_libraries_are_left_at_debug(tmp_path):
    """Control: without the set-up, these very libraries write the values out."""
    stderr = _probe("bare", tmp_path)
    assert f"/v2/PhoneNumbers/{PHONE}" in stderr  # urllib3's request line
    assert EMAIL in stderr and WALLET in stderr    # slack_sdk's request bodies


@pytest.mark.parametrize("mode", ["wsgi", "worker"])
def test_production_entry_points_keep_candidate_values_out_of_debug_logs(mode, tmp_path):
    extra = {"REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"} if mode == "worker" else {}
    stderr = _probe(mode, tmp_path, **extra)
    if mode == "worker":
        assert "worker child stopped" in stderr
    for value in SECRETS:
        assert value not in stderr, stderr


def test_check_at_debug_keeps_candidate_values_out_of_logs(tmp_path):
    """The CLI end to end: live phone lookup, RDAP, DNS and GitHub against local servers."""
    domain = EMAIL.split("@")[1]
    mail = {domain: {"MX": [(10, f"mx.{domain}")]}}
    with TwilioFake() as twilio, RdapFake() as rdap, DnsFake(mail) as dns, GitHubFake() as gh:
        twilio.add_number(PHONE, "nonFixedVoip", carrier_name="Example Voice")
        rdap.add_domain(domain, registered=days_ago(12))
        gh.add_user(LOGIN, name="Jane Roe", created=days_ago(20))
        env = _environ(tmp_path, TWILIO_ACCOUNT_SID=twilio.sid, TWILIO_AUTH_TOKEN=twilio.token,
                       TWILIO_LOOKUP_URL=twilio.url, RDAP_BOOTSTRAP_URL=rdap.bootstrap_url,
                       DNS_NAMESERVERS=dns.nameserver, GITHUB_API_URL=gh.base_url,
                       CHECK_TIMEOUT_S="5", VETTING_DEADLINE_S="8")
        done = subprocess.run([sys.executable, "-m", "bot", "check", "--name", "Jane Roe", "--email", EMAIL,
                               "--phone", PHONE, "--wallet", WALLET, "--github", LOGIN, "--format", "json"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr[-3000:]
        assert twilio.hits[PHONE] >= 1 and any(LOGIN in r[0] for r in gh.requests)
    assert PHONE in done.stdout  # the report itself names the candidate; the logs do not
    for value in SECRETS:
        assert value not in done.stderr, done.stderr


def test_a_malformed_header_never_logs_the_url(caplog):
    """urllib3 warns "Failed to parse headers (url=...)" with the whole URL when a server sends a
    broken header line -- and the server decides when. The cap keeps that line out."""
    import logging
    import threading

    from bot import log_setup
    from checks.sources.http import HttpClient

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)

        def serve():
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nthis line has no colon\r\n\r\n{}")

        threading.Thread(target=serve, daemon=True).start()
        before = {name: logging.getLogger(name).level for name in log_setup.CAPPED_LIBRARIES}
        try:
            log_setup.configure("DEBUG")
            caplog.set_level(logging.DEBUG)
            try:
                HttpClient(retries=0).get(f"http://127.0.0.1:{listener.getsockname()[1]}/v2/PhoneNumbers/{PHONE}")
            except Exception:  # the answer itself may be refused; only the logs matter here
                pass
        finally:
            for name, level in before.items():
                logging.getLogger(name).setLevel(level)
    assert PHONE not in caplog.text and "4155550100" not in caplog.text
