"""Resume text extraction: PDF (pypdf), DOCX (python-docx), plain text and Markdown -- the parsers.

Resumes are hostile input, so these parsers run only inside the sandbox's child process
(``checks.resume.sandbox``, whose ``extract_resume`` is the entry point). Inside, the input is bounded
again: size, pages, characters, a soft time budget, and ZIP member sizes and ratios checked before
inflating.

A bad document never raises here: a failure is a ``ResumeDoc`` whose ``problem`` says what went wrong
and whose ``detail`` says it in words.
"""
from __future__ import annotations

import dataclasses
import enum
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from checks.resume.links import clean_links, docx_links, pdf_links

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
    links: tuple[str, ...] = ()    # hyperlink targets (PDF /URI annotations, DOCX hyperlinks), in order

    def __post_init__(self) -> None:
        object.__setattr__(self, "problem", Problem(self.problem))
        object.__setattr__(self, "links", clean_links(self.links))
        object.__setattr__(self, "metadata", MappingProxyType(
            {str(k): str(v) for k, v in dict(self.metadata or {}).items() if v not in (None, "")}))

    @property
    def facts(self) -> Any:
        """``facts.Facts`` of the text and the link targets: e-mails, phones, URLs, domains, name and
        location lines."""
        if "_facts" not in self.__dict__:
            from checks.resume.facts import Facts

            object.__setattr__(self, "_facts", Facts(self.text, self.links))
        return self.__dict__["_facts"]

    def to_json(self) -> bytes:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return json.dumps({**data, "metadata": dict(self.metadata)}).encode()

    @classmethod
    def from_json(cls, payload: bytes) -> ResumeDoc:
        d = json.loads(payload)
        cast = {"pages": int, "pages_read": int, "truncated": bool, "seconds": float, "metadata": dict,
                "peak_rss_kb": int, "links": tuple}
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
    """Parse in THIS process, unsandboxed: ``sandbox.extract_resume`` calls it inside the child."""
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
            metadata: dict | None = None, note: str = "", truncated: bool = False,
            links: tuple[str, ...] = ()) -> ResumeDoc:
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
                     detail=note, truncated=truncated, links=links)


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
    links: list[str] = []
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
        pdf_links(page, links)
        read += 1
    if read and errors == read:
        return failed(Problem.CORRUPT, "not a readable PDF (no page could be decoded)", kind="pdf")
    if total > read and not note:
        note = f"only the first {read} of {total} pages were analysed"
    return _finish("pdf", parts, limits, pages=total, pages_read=read, note=note, truncated=total > read,
                   links=tuple(links), metadata=_metadata(lambda: reader.metadata, {
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
    links: list[str] = []
    note = ""
    try:  # python-docx parses XML with resolve_entities=False: no entity expansion
        document = docx.Document(io.BytesIO(data))
        for section in document.sections:
            parts.extend(p.text for p in section.header.paragraphs)
            docx_links(section.header.part, links)
        docx_links(document.part, links)
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
            docx_links(section.footer.part, links)
    except MemoryError:
        raise
    except Exception as exc:
        if str(exc).startswith("unknown error") or "memory" in str(exc).lower():  # lxml's words for
            raise MemoryError from exc                                               # a failed malloc
        return failed(Problem.CORRUPT, f"not a readable DOCX ({type(exc).__name__})", kind="docx")
    return _finish("docx", parts, limits, note=note, truncated=bool(note), links=tuple(links),
                   metadata=_metadata(lambda: document.core_properties, {k: k for k in (
                       "author", "last_modified_by", "title", "created", "modified")}))
