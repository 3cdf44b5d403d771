"""Safe resume text extraction: PDF (pypdf), DOCX (python-docx), plain text and Markdown.

Resumes are hostile input, so parsing never happens in the bot's process (a thread cannot be
stopped). A small fork server, started once per process from a clean interpreter with a scrubbed
environment, forks one child per document; the child sets RLIMIT_CPU, RLIMIT_AS and a wall-clock
timer on itself and answers in JSON (never a pickle). Inside, the input is bounded again: size,
pages, characters, a soft time budget, and ZIP member sizes and ratios checked before inflating.

``extract_resume`` never raises for a bad document: a failure is a ``ResumeDoc`` whose
``problem`` says what went wrong and whose ``detail`` says it in words.
"""
from __future__ import annotations

import contextlib
import dataclasses
import enum
import importlib
import io
import json
import logging
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

MB = 1024 * 1024
_W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


class Problem(enum.StrEnum):
    NONE = ""
    TOO_LARGE = "too_large"        # over the size limit; not opened
    ENCRYPTED = "encrypted"        # password-protected
    CORRUPT = "corrupt"            # claims a format but cannot be parsed
    UNSUPPORTED = "unsupported"    # a format we do not read (legacy .doc, RTF, ODT, other binary)
    NO_TEXT = "no_text"            # readable, but no text layer (a scan, an image, an empty file)
    BOMB = "bomb"                  # an archive that would expand beyond the limits
    LIMITS = "limits"              # the parser hit the CPU, memory or wall-clock limit
    UNREADABLE = "unreadable"      # the file could not be read from disk


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MB
    max_pages: int = 50            # PDF pages processed; more => truncated
    max_chars: int = 400_000       # text kept; more => truncated
    time_budget_s: float = 4.0     # soft: the child stops reading pages after this => truncated
    cpu_s: int = 6                 # RLIMIT_CPU of the child (SIGXCPU; SIGKILL one second later)
    memory_bytes: int = 512 * MB   # RLIMIT_AS of the child (address space, not RSS)
    wall_s: float = 8.0            # the parent kills the child after this
    zip_max_members: int = 1000
    zip_max_member: int = 64 * MB  # declared uncompressed size of one member
    zip_max_total: int = 128 * MB  # declared uncompressed size of all members
    zip_max_ratio: int = 100       # uncompressed / compressed, for members over 1 MB uncompressed


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ResumeDoc:
    kind: str                      # "pdf" | "docx" | "text" | "image" | "unknown"
    text: str = ""
    pages: int = 0                 # pages in the document (PDF); 0 for formats without pages
    metadata: Any = field(default_factory=dict)  # str -> str: author, creator, producer, created...
    problem: Problem = Problem.NONE
    detail: str = ""               # the problem, or a truncation, in words
    truncated: bool = False
    pages_read: int = 0
    seconds: float = 0.0           # parsing time inside the child
    peak_rss_kb: int = 0           # the child's peak resident memory (0 when parsed in-process)

    def __post_init__(self) -> None:
        object.__setattr__(self, "problem", Problem(self.problem))
        object.__setattr__(self, "metadata", MappingProxyType(
            {str(k): str(v) for k, v in dict(self.metadata or {}).items() if v not in (None, "")}))

    @property
    def facts(self) -> Any:
        """``timeline.Facts`` of the text: emails, phones, URLs, domains, name and location lines."""
        if "_facts" not in self.__dict__:
            from checks.resume.timeline import Facts

            object.__setattr__(self, "_facts", Facts(self.text))
        return self.__dict__["_facts"]

    def to_json(self) -> bytes:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return json.dumps({**data, "metadata": dict(self.metadata)}).encode()

    @classmethod
    def from_json(cls, payload: bytes) -> ResumeDoc:
        d = json.loads(payload)
        cast = {"pages": int, "pages_read": int, "truncated": bool, "seconds": float, "metadata": dict,
                "peak_rss_kb": int}
        return cls(**{f.name: cast.get(f.name, str)(d[f.name]) for f in dataclasses.fields(cls)})


def failed(problem: Problem, detail: str, kind: str = "unknown") -> ResumeDoc:
    return ResumeDoc(kind=kind, problem=problem, detail=detail)


# --- type detection --------------------------------------------------------------------------
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> str:
    """The format by content (magic bytes): pdf, zip, ole, rtf, image, text or binary."""
    if data.find(b"%PDF-", 0, 1024) >= 0:  # the header may follow up to 1 KB of junk
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(_IMAGES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    return "text" if decode_text(data[:65536]) is not None else "binary"


def decode_text(data: bytes) -> str | None:
    """Text from bytes (BOM-aware UTF-16, UTF-8, else Windows-1252); None when it looks binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3:  # a sample cut the last character in two
                text = data[:exc.start].decode("utf-8-sig")
            else:
                text = data.decode("cp1252", errors="replace")
    return None if len(_CONTROL.findall(text)) > max(2, len(text) // 100) else text


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


# --- parsers (they run inside the child) -------------------------------------------------------
def parse_document(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> ResumeDoc:
    """Parse in THIS process, unsandboxed: ``extract_resume`` calls it inside the child."""
    start = time.monotonic()
    if len(data) > limits.max_bytes:
        return failed(Problem.TOO_LARGE, f"the file is {_size(len(data))}; the limit is "
                                         f"{_size(limits.max_bytes)}")
    kind, ext = sniff(data), filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    declared = {"pdf": "PDF", "docx": "DOCX", "doc": "Word", "md": "Markdown", "txt": "text"}.get(ext)
    if kind == "pdf":
        doc = _parse_pdf(data, limits, start)
    elif kind == "zip":
        doc = _parse_docx(data, limits, start)
    elif kind == "text":
        text = decode_text(data[:limits.max_chars * 4]) or ""
        doc = _finish("text", [text], limits, truncated=len(data) > limits.max_chars * 4)
    elif kind == "ole":  # encrypted OOXML is wrapped in an OLE container, as is legacy .doc
        doc = (failed(Problem.ENCRYPTED, "resume is password-protected (encrypted Office file)")
               if "EncryptedPackage".encode("utf-16-le") in data
               else failed(Problem.UNSUPPORTED, "legacy Word .doc is not supported; ask for PDF or DOCX"))
    elif kind == "image":
        doc = failed(Problem.NO_TEXT, "the resume is an image: no text found", kind="image")
    elif kind == "rtf":
        doc = failed(Problem.UNSUPPORTED, "RTF is not supported; ask for PDF or DOCX")
    elif declared:
        doc = failed(Problem.CORRUPT, f"not a readable {declared} file (unrecognised binary content)")
    else:
        doc = failed(Problem.UNSUPPORTED, "not a readable document (unrecognised binary content)")
    return dataclasses.replace(doc, seconds=round(time.monotonic() - start, 4))


def _finish(kind: str, parts: list[str], limits: Limits, *, pages: int = 0, pages_read: int = 0,
            metadata: dict | None = None, note: str = "", truncated: bool = False) -> ResumeDoc:
    text = "\n".join(parts).replace("\x00", "").replace("\u00a0", " ").replace("\r\n", "\n")
    if len(text) > limits.max_chars:
        text, truncated = text[:limits.max_chars], True
        note = note or f"only the first {limits.max_chars} characters were analysed"
    if len(re.sub(r"\s+", "", text)) < 20:
        detail = (f"no text layer in {pages} page(s): probably a scan or an image; ask for the original"
                  if kind == "pdf" else "no text found")
        return ResumeDoc(kind=kind, pages=pages, pages_read=pages_read, metadata=metadata or {},
                         problem=Problem.NO_TEXT, detail=detail)
    return ResumeDoc(kind=kind, text=text, pages=pages, pages_read=pages_read, metadata=metadata or {},
                     detail=note, truncated=truncated)


def _parse_pdf(data: bytes, limits: Limits, start: float) -> ResumeDoc:
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - a deployment without the dependency
        return failed(Problem.UNSUPPORTED, "PDF support (pypdf) is not installed", kind="pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # "" opens owner-password-only files
            return failed(Problem.ENCRYPTED, "resume is password-protected", kind="pdf")
        total = len(reader.pages)
    except MemoryError:
        raise
    except Exception as exc:  # pypdf raises many types on malformed input
        if any(word in str(exc).lower() for word in ("password", "encrypt", "decrypt")):
            return failed(Problem.ENCRYPTED, "resume is password-protected", kind="pdf")
        return failed(Problem.CORRUPT, "not a readable PDF", kind="pdf")
    parts: list[str] = []
    read = errors = 0
    note = ""
    for page in reader.pages[:limits.max_pages]:
        if read and time.monotonic() - start > limits.time_budget_s:
            note = f"stopped after {read} of {total} pages: time budget of {limits.time_budget_s:g}s"
            break
        if sum(map(len, parts)) > limits.max_chars:
            note = f"only the first {read} of {total} pages were analysed (character limit)"
            break
        try:
            parts.append(page.extract_text() or "")
        except MemoryError:
            raise
        except Exception:
            errors += 1
        read += 1
    if read and errors == read:
        return failed(Problem.CORRUPT, "not a readable PDF (no page could be decoded)", kind="pdf")
    if total > read and not note:
        note = f"only the first {read} of {total} pages were analysed"
    return _finish("pdf", parts, limits, pages=total, pages_read=read, note=note, truncated=total > read,
                   metadata=_metadata(lambda: reader.metadata, {
                       "author": "author", "creator": "creator", "producer": "producer", "title": "title",
                       "created": "creation_date", "modified": "modification_date"}))


def _metadata(get: Any, keys: dict[str, str]) -> dict[str, str]:
    """Document properties as strings; a malformed value (e.g. a bad date) is left out."""
    out: dict[str, str] = {}
    try:
        info = get()
    except Exception:
        return out
    for key, attr in keys.items() if info is not None else ():
        try:
            value = getattr(info, attr)
        except Exception:
            continue
        if value:
            out[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)[:200]
    return out


def zip_problem(archive: zipfile.ZipFile, limits: Limits) -> str:
    """Why this archive must not be decompressed ("" when it is within the limits). Python's
    zipfile never inflates a member beyond its declared size, so the declared sizes bound it."""
    members = archive.infolist()
    if len(members) > limits.zip_max_members:
        return f"{len(members)} archive members (limit {limits.zip_max_members})"
    for info in members:
        if info.file_size > limits.zip_max_member:
            return f"a member expands to {_size(info.file_size)}"
        if info.file_size > MB and info.file_size > limits.zip_max_ratio * max(1, info.compress_size):
            return f"a member's compression ratio is {info.file_size // max(1, info.compress_size)}:1"
    total = sum(info.file_size for info in members)
    return f"the archive expands to {_size(total)}" if total > limits.zip_max_total else ""


def _parse_docx(data: bytes, limits: Limits, start: float) -> ResumeDoc:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except Exception:
        return failed(Problem.CORRUPT, "not a readable DOCX (damaged ZIP archive)", kind="docx")
    if "word/document.xml" not in names:
        what = "an OpenDocument file" if "content.xml" in names else "a ZIP archive"
        return failed(Problem.UNSUPPORTED, f"{what}, not a DOCX; ask for PDF or DOCX")
    why = zip_problem(archive, limits)
    if why:
        return failed(Problem.BOMB, f"DOCX refused before decompressing: {why}", kind="docx")
    try:
        import docx
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover
        return failed(Problem.UNSUPPORTED, "DOCX support (python-docx) is not installed", kind="docx")
    parts: list[str] = []
    note = ""
    try:  # python-docx parses XML with resolve_entities=False: no entity expansion
        document = docx.Document(io.BytesIO(data))
        for section in document.sections:
            parts.extend(p.text for p in section.header.paragraphs)
        size = 0
        for element in document.element.body.iter(_W_P):  # body, tables and text boxes, in order
            parts.append(Paragraph(element, document).text)
            size += len(parts[-1]) + 1
            if size > limits.max_chars or (len(parts) % 256 == 0 and time.monotonic() - start
                                           > limits.time_budget_s):
                note = (f"stopped at the time budget of {limits.time_budget_s:g}s" if size <= limits.max_chars
                        else f"only the first {limits.max_chars} characters were analysed")
                break
        for section in document.sections if not note else ():
            parts.extend(p.text for p in section.footer.paragraphs)
    except MemoryError:
        raise
    except Exception as exc:
        if str(exc).startswith("unknown error") or "memory" in str(exc).lower():  # lxml's words for
            raise MemoryError from exc                                               # a failed malloc
        return failed(Problem.CORRUPT, f"not a readable DOCX ({type(exc).__name__})", kind="docx")
    return _finish("docx", parts, limits, note=note, truncated=bool(note), metadata=_metadata(
        lambda: document.core_properties, {k: k for k in (
            "author", "last_modified_by", "title", "created", "modified")}))


# --- the sandbox: a fork server, one child per document ---------------------------------------
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
        code = f"import sys; sys.path.insert(0, {root!r}); import checks.resume.extract as e; " \
               f"e.serve({theirs.fileno()})"
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
