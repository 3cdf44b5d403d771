"""``App.keep_fresh`` (long-running processes) starts the resume sandbox in a daemon thread, so the
first resume of a process does not pay its start-up, and returns at once (never on the boot path).

Run in a fresh interpreter, where the sandbox is certainly cold; "warm" is read from the operating
system: a child process running the sandbox's fork server, the one the next extraction uses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, os, sys, time
from pathlib import Path

def sandboxes():
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and "checks.resume.sandbox" in cmdline:
            found.append(int(entry.name))
    return sorted(found)

from bot import wiring
from bot.config import Settings
from checks.registry import Registry
from checks.resume import extract_resume

app = wiring.build(Settings.from_env({"VETCANDIDATE_DATA_DIR": sys.argv[1]}), sources={},
                   registry=Registry([]))
out = {"before": sandboxes()}
started = time.monotonic()
app.keep_fresh()
out["returned_s"] = time.monotonic() - started
thread = app.warm_up_thread
out["daemon"], out["alive_on_return"] = thread.daemon, thread.is_alive()
app.keep_fresh()
out["same_thread"] = app.warm_up_thread is thread
thread.join(30)
out["warm"] = sandboxes()
doc = extract_resume(b"Jane Roe\nSenior engineer, 2019-2024", "cv.txt")
out["extracted"] = "Jane Roe" in doc.text and not doc.problem
out["after_extraction"] = sandboxes()
print(json.dumps(out))
"""


def test_keep_fresh_warms_the_sandbox_in_the_background(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["before"] == []                               # cold in a fresh process
    assert out["daemon"] and out["same_thread"]              # one daemon thread per process
    assert out["alive_on_return"] and out["returned_s"] < 0.25  # keep_fresh did not wait for it
    assert len(out["warm"]) == 1                             # the fork server runs
    assert out["extracted"] and out["after_extraction"] == out["warm"]  # and serves the next resume
