"""The resume sandbox: a fork server, one child process per document, answering in JSON.

Resumes are hostile input, so parsing never happens in the bot's process (a thread cannot be
stopped). A small fork server, started once per process from a clean interpreter with a scrubbed
environment, forks one child per document; the child sets RLIMIT_CPU, RLIMIT_AS and a wall-clock
timer on itself, runs ``extract.parse_document`` and answers in JSON (never a pickle).

``extract_resume`` never raises for a bad document: a failure is a ``ResumeDoc`` whose
``problem`` says what went wrong and whose ``detail`` says it in words.
"""
from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import logging
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from checks.resume.extract import DEFAULT_LIMITS, MB, Limits, Problem, ResumeDoc, failed, parse_document

# multiprocessing's forkserver re-runs the parent's main script in every child on 3.11 (~0.4 s),
# so a tiny server of our own does it: started once per process from a clean interpreter with a
# scrubbed environment (no secrets), parsers pre-imported, single-threaded, so fork() is safe.
_HEAD = struct.Struct("!II")
_MAX_REPLY = 32 * MB
_PRELOAD = ("pypdf", "pypdf._text_extraction", "pypdf.filters", "docx", "docx.text.paragraph")
_lock = threading.Lock()
_server: list[Any] = []  # [Popen, control socket] once started


def serve(fd: int) -> None:
    """The fork server's loop (started by ``_control``): one fork per request descriptor."""
    logging.disable(logging.CRITICAL)  # pypdf logs about broken files, quoting their content
    warnings.simplefilter("ignore")
    for name in _PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    control = socket.socket(fileno=fd)
    while True:
        _, fds, _, _ = socket.recv_fds(control, 1, 1)
        if not fds:  # the parent has gone
            return
        if os.fork() == 0:  # the child must never return into this loop
            code = 1
            try:
                control.close()
                code = _serve_one(socket.socket(fileno=fds[0]))
            finally:
                os._exit(code)
        os.close(fds[0])


def _recv(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, MB))
        if not chunk:
            raise EOFError("peer closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve_one(sock: socket.socket) -> int:
    signal.setitimer(signal.ITIMER_REAL, 30.0)  # until the limits arrive; SIGALRM terminates
    meta_size, data_size = _HEAD.unpack(_recv(sock, _HEAD.size))
    meta = json.loads(_recv(sock, min(meta_size, 65536)))
    limits = Limits(**meta["limits"])
    signal.setitimer(signal.ITIMER_REAL, limits.wall_s)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))  # SIGXCPU, SIGKILL
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    try:
        doc = parse_document(_recv(sock, min(data_size, limits.max_bytes)), str(meta["filename"]), limits)
    except MemoryError:
        doc = failed(Problem.LIMITS, "parsing needed more memory than the limit allows")
    except Exception as exc:  # a parser bug (RecursionError included): the type only, no data
        doc = failed(Problem.CORRUPT, f"not a readable document ({type(exc).__name__})")
    reply = dataclasses.replace(doc, peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).to_json()
    sock.sendall(_HEAD.pack(len(reply), 0) + reply)
    return 0


def _control(restart: bool = False) -> socket.socket:
    if _server and (restart or _server[0].poll() is not None):
        _server[1].close()
        _server[0].kill()
        _server[0].wait(2)
        _server.clear()
    if not _server:
        ours, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parents[2])  # -I: no PYTHON* variables, no cwd on the path
        code = f"import sys; sys.path.insert(0, {root!r}); import checks.resume.sandbox as s; " \
               f"s.serve({theirs.fileno()})"
        process = subprocess.Popen([sys.executable, "-I", "-c", code], pass_fds=[theirs.fileno()],
                                   env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        theirs.close()
        _server.extend([process, ours])
    return _server[1]


def warm_up() -> None:
    """Start the fork server now; otherwise the first vetting pays its start-up (~0.3 s)."""
    extract_resume(b"warm-up text, not a resume", "warm-up.txt")


def extract_resume(data: bytes, filename: str, *, limits: Limits = DEFAULT_LIMITS,
                   timeout_s: float | None = None) -> ResumeDoc:
    """Extract in a fresh child under CPU, memory and wall-clock limits. Never raises for a bad
    document. ``timeout_s`` (e.g. the check's time left) can shorten ``limits.wall_s``."""
    if len(data) > limits.max_bytes:  # not even shipped to the child
        return parse_document(data, filename, limits)
    wall = limits.wall_s if timeout_s is None else max(0.1, min(limits.wall_s, timeout_s))
    deadline = time.monotonic() + wall
    meta = json.dumps({"filename": filename,
                       "limits": dataclasses.asdict(dataclasses.replace(limits, wall_s=wall))}).encode()
    ours, theirs = socket.socketpair()
    try:
        with _lock:
            try:
                socket.send_fds(_control(), [b"r"], [theirs.fileno()])
            except OSError:  # the server died since the last request: start a new one
                socket.send_fds(_control(restart=True), [b"r"], [theirs.fileno()])
        theirs.close()
        ours.settimeout(wall)
        ours.sendall(_HEAD.pack(len(meta), len(data)) + meta + data)
        ours.settimeout(max(0.01, deadline - time.monotonic()))
        size, _ = _HEAD.unpack(_recv(ours, _HEAD.size))
        ours.settimeout(max(0.01, deadline - time.monotonic()))
        return ResumeDoc.from_json(_recv(ours, min(size, _MAX_REPLY)))
    except TimeoutError:
        return failed(Problem.LIMITS, f"extraction did not finish within {wall:.1f}s (stopped)")
    except (EOFError, OSError):  # the child was killed (CPU limit, memory) or the server failed
        return failed(Problem.LIMITS, f"extraction was stopped by its CPU ({limits.cpu_s}s) or memory "
                                      "limit, or the sandbox failed")
    except (ValueError, KeyError, TypeError):
        return failed(Problem.CORRUPT, "not a readable document (garbled extraction result)")
    finally:
        ours.close()
        theirs.close()
