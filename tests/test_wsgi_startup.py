"""The web dyno's start-up under gunicorn (the Procfile's ``web`` line): a bad setting stops it
with one line naming the variable, never a traceback, and never serves half-configured."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("setting, value", [("CHECK_TIMEOUT_S", "soon"), ("WORKER_PROCESSES", "lots")])
def test_bad_setting_stops_the_web_dyno_with_one_line(tmp_path, setting, value):
    pytest.importorskip("gunicorn")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VETCANDIDATE", "DISABLED", "SLACK"))}
    env.update({"VETCANDIDATE_DATA_DIR": str(tmp_path), setting: value, "PYTHONPATH": str(ROOT),
                "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"})
    done = subprocess.run([sys.executable, "-m", "gunicorn", "bot.wsgi:app", "--bind", "127.0.0.1:0",
                           "--workers", "1", "--timeout", "30"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode != 0
    assert f"vetcandidate: cannot start: {setting}" in done.stderr
    assert "Traceback" not in done.stderr
