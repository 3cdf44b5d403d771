import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_registry import _install_dist

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("argv, message", [
    (["check"], "nothing to check"),
    (["check", "--email"], "expected one argument"),
    (["check", "--shoe-size", "9"], "unrecognized arguments"),
    (["check", "--email", "a@b.c", "--format", "xml"], "invalid choice"),
    (["check", "--resume", "/nonexistent/cv.pdf"], "is not a file"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
    # a flag given twice is bad usage, never "the last one wins"
    (["check", "--email", "a@b.com", "--email", "c@d.com"], "--email given twice"),
    (["check", "--email=a@b.com", "--email=c@d.com"], "--email given twice"),
    (["check", "--name", "x", "--no-record", "--no-record"], "--no-record given twice"),
    (["check", "--name", "x", "--format", "json", "--format", "text"], "--format given twice"),
    (["history", "--limit", "1", "--limit", "2"], "--limit given twice"),
    (["sanctions", "update", "--source", "a.xml", "--source", "b.xml"], "--source given twice"),
    (["watchlist", "import", "f.csv", "--list", "a", "--list", "b"], "--list given twice"),
    (["worker", "--processes", "2", "--processes", "3"], "--processes given twice"),
    # abbreviations are unknown flags, in every subcommand
    (["check", "--em", "a@b.com"], "unrecognized arguments: --em"),
    (["check", "--name", "x", "--form", "json"], "unrecognized arguments: --form"),
    (["history", "--lim", "5"], "unrecognized arguments: --lim"),
    (["sanctions", "update", "--sou", "a.xml"], "unrecognized arguments: --sou"),
    (["watchlist", "import", "f.csv", "--li", "a"], "the following arguments are required: --list"),
])
def test_bad_usage_exits_2_with_one_line(argv, message, env, capsys):
    assert main(argv, env=env) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("vetcandidate: error:")
    assert captured.out == ""  # nothing ran


def test_resume_directory_is_rejected(env, tmp_path, capsys):
    assert main(["check", "--resume", str(tmp_path)], env=env) == 2
    assert "not a file" in capsys.readouterr().err


def test_bad_configuration_is_named(env, capsys):
    assert main(["check", "--name", "x"], env={**env, "CHECK_TIMEOUT_S": "soon"}) == 2
    assert "CHECK_TIMEOUT_S" in capsys.readouterr().err


@pytest.mark.parametrize(("key", "value"), [
    ("SANCTIONS_MAX_AGE_DAYS", "nan"), ("CHECK_TIMEOUT_S", "inf"), ("VETTING_DEADLINE_S", "NaN"),
    ("VETCANDIDATE_RETENTION_DAYS", "0"), ("VETCANDIDATE_RETENTION_DAYS", "-3"),
])
def test_unusable_numbers_are_configuration_errors(env, capsys, key, value):
    assert main(["check", "--name", "x", "--no-record"], env={**env, key: value}) == 2
    err = capsys.readouterr().err
    assert key in err and err.count("\n") == 1


@pytest.mark.parametrize("value", ["many", "0", "65", "-2"])
def test_bad_worker_processes_is_named(env, capsys, value):
    assert main(["worker", "--burst"], env={**env, "WORKER_PROCESSES": value}) == 2
    assert "WORKER_PROCESSES" in capsys.readouterr().err


def test_name_only_runs_offline_and_says_incomplete(env, capsys):
    assert main(["check", "--name", "Jane Roe", "--format", "json"], env=env) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["candidate"]["name"] == "Jane Roe"
    email = next(c for c in report["checks"] if c["name"] == "email_domain")
    assert (email["status"], email["reason"]) == ("skipped", "needs email")


def test_disabled_check_is_listed_as_disabled(env, capsys):
    code = main(["check", "--email", "x@gmail.com", "--format", "json"],
                env={**env, "DISABLED_CHECKS": "email_domain"})
    assert code == 0
    email = next(c for c in json.loads(capsys.readouterr().out)["checks"] if c["name"] == "email_domain")
    assert (email["status"], email["reason"]) == ("skipped", "disabled by DISABLED_CHECKS")


def test_module_entry_point_and_console_script_agree(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VETCANDIDATE", "DISABLED"))}
    environ["VETCANDIDATE_DATA_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "bot", "check"], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "nothing to check" in done.stderr
    script = Path(sys.executable).with_name("vetcandidate")
    done = subprocess.run([str(script), "migrate"], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "database schema upgraded from empty" in done.stdout


BROKEN_PLUGIN = """
    class Broken:
        name = "Broken Name"
        def run(self, candidate, ctx):
            return []
"""


@pytest.mark.parametrize("argv", [["check", "--name", "Jane Roe"], ["worker", "--burst"], ["serve"],
                                  ["socket"]])
def test_broken_plugin_under_strict_plugins_is_one_line_exit_1(argv, env, tmp_path, monkeypatch, capsys):
    _install_dist(tmp_path, monkeypatch, BROKEN_PLUGIN, "broken = acme_checks:Broken\n")
    code = main(argv, env={**env, "STRICT_PLUGINS": "1", "REDIS_URL": "redis://127.0.0.1:1/0",
                           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
                           "SLACK_APP_TOKEN": "xapp-test"})
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith("vetcandidate: plugin error: ") and captured.err.count("\n") == 1
    assert "Broken Name" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_broken_plugin_without_strict_plugins_is_skipped(env, tmp_path, monkeypatch, capsys):
    _install_dist(tmp_path, monkeypatch, BROKEN_PLUGIN, "broken = acme_checks:Broken\n")
    assert main(["check", "--name", "Jane Roe", "--format", "json", "--no-record"], env=env) == 0
    assert "broken" not in [c["name"] for c in json.loads(capsys.readouterr().out)["checks"]]
