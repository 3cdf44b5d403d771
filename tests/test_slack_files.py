"""Resumes shared in Slack: downloaded with the bot token only from SLACK_FILE_HOSTS, on every hop."""
import pytest

from tests.fakes.slack_server import FakeSlack
from tests.test_slack_support import running_app

pytestmark = pytest.mark.network_edge


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def _other_host(slack, path):
    return slack.base_url.replace("127.0.0.1", "localhost") + path


def test_resume_by_permalink_is_downloaded_with_the_bot_token(slack, tmp_path):
    slack.add_file("F0RESUME02", b"%PDF-1.4 resume", "cv.pdf", "pdf", content_type="application/pdf")
    with running_app(slack, tmp_path) as (url, _, recorded):
        _, ack = slack.command(url, "Jane Roe https://test.slack.com/files/U0USER/F0RESUME02/cv.pdf")
        slack.wait_for("chat.postMessage", count=2)
    assert "2 checks" in ack["text"]
    assert slack.downloads == [("/files-pri/T0TEST-F0RESUME02/download/cv.pdf", "Bearer xoxb-test-token")]
    report, _ = recorded[0]
    seen = next(c for c in report["checks"] if c["name"] == "resume_seen")["findings"][0]["evidence"]
    assert seen == {"bytes": len(b"%PDF-1.4 resume"), "file": "cv.pdf"}
    assert report["candidate"]["resume"] == "cv.pdf"


@pytest.mark.parametrize(("setup", "expected"), [
    ("other_host", "hosted somewhere I am not allowed"),
    ("redirect", "redirected to a host I am not allowed"),
    ("too_big", "larger than 10 MB"),
    ("wrong_type", "files of type exe are not supported"),
    ("missing", "does not exist"),
    ("login_page", "web page instead of the file"),
])
def test_resume_problems_stop_the_vetting_with_a_clear_message(slack, tmp_path, setup, expected):
    path = "/files-pri/T0TEST-F0RESUME03/download/cv.pdf"
    if setup == "other_host":
        slack.add_file("F0RESUME03", b"data", "cv.pdf", "pdf", url=_other_host(slack, path))
    elif setup == "redirect":
        slack.add_file("F0RESUME03", b"data", "cv.pdf", "pdf", url=slack.base_url + "/redirect/cv")
        slack.redirects["/redirect/cv"] = _other_host(slack, path)
    elif setup == "too_big":
        slack.add_file("F0RESUME03", b"data", "cv.pdf", "pdf", size=50 * 1024 * 1024)
    elif setup == "wrong_type":
        slack.add_file("F0RESUME03", b"MZ", "cv.exe", "exe")
    elif setup == "login_page":  # what Slack sends when the token may not read the file
        slack.add_file("F0RESUME03", b"<html>sign in</html>", "cv.pdf", "pdf", content_type="text/html")
    with running_app(slack, tmp_path) as (url, _, recorded):
        slack.command(url, "name=Jane resume=F0RESUME03")
        (payload,) = slack.wait_response("r1")
    assert payload["response_type"] == "ephemeral" and expected in payload["text"]
    assert "Nothing was vetted" in payload["text"]
    assert slack.calls_to("chat.postMessage") == [] and recorded == []
    # the bot token never went to a host outside SLACK_FILE_HOSTS
    assert all(not p.startswith("http") for p, _ in slack.downloads)
    if setup == "redirect":
        assert [p for p, _ in slack.downloads] == ["/redirect/cv"]
    if setup in ("other_host", "too_big", "wrong_type", "missing"):
        assert slack.downloads == []
