"""Extraction from real generated PDFs and DOCX files, hostile ones included, through the sandbox."""
import io
import random
import struct
import threading
import time
import zipfile

import docx
import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from checks.resume import sandbox
from checks.resume.extract import MB, Limits, Problem, ResumeDoc, parse_document, sniff
from checks.resume.sandbox import extract_resume

ROLE_LINES = ["Jane Roe", "Austin, TX | jane.roe@example.com | +1 415 555 0100",
              "Experience", "Senior Engineer, Acme Corp – Jan 2019 – Present",
              "• Built the payments platform", "Engineer, Globex Inc – 2015 – 2018"]


def make_pdf(pages=1, lines=ROLE_LINES, *, author="", creator="", user_password=None,
             algorithm="RC4-128", owner_only=False) -> bytes:
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"  # dashes and bullets in the core fonts
    if author:
        pdf.set_author(author)
    if creator:
        pdf.set_creator(creator)
    pdf.set_producer("Test Producer 1.0")
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=10)
        for i, line in enumerate(lines):
            marked = f"p{page + 1}: {line}" if page and not i else line  # "p2: Jane Roe" opens page 2
            pdf.cell(0, 5, marked, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    if user_password is None and not owner_only:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))  # pypdf's AES uses pycryptodome
    writer.encrypt(user_password=user_password or "", owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_scanned_pdf() -> bytes:
    image = Image.new("RGB", (800, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "Jane Roe - Senior Engineer - 2019-2024", fill="black")
    png = io.BytesIO()
    image.save(png, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(png.getvalue()), x=10, y=10, w=180)
    return bytes(pdf.output())


def make_docx(paragraphs=ROLE_LINES[2:], *, header=ROLE_LINES[1], author="", last_modified_by="",
              table_row=("Contract developer, Pied Piper", "2011 – 2013")) -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    document.add_heading(ROLE_LINES[0], level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table_row:
        document.add_table(rows=1, cols=len(table_row)).rows[0].cells[0].text = ", ".join(table_row)
    document.core_properties.author = author
    document.core_properties.last_modified_by = last_modified_by
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bomb() -> bytes:
    """A DOCX whose document.xml inflates 1000:1 (20 MB of padding from ~20 KB)."""
    body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    return make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": body + b" " * (20 * MB)})


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the central directory so ``member`` claims ``size`` bytes uncompressed."""
    at = data.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + name_len] == member.encode():
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at = data.index(b"PK\x01\x02", at + 4)


def heavy_docx(paragraphs: int) -> bytes:
    """Many distinct paragraphs: cheap to store, slow to walk (compression ratio about 4:1)."""
    rnd = random.Random(7)
    runs = "".join(f"<w:p><w:r><w:t>{rnd.getrandbits(64):x} {rnd.getrandbits(64):x}</w:t></w:r></w:p>"
                   for _ in range(paragraphs))
    xml = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           f"{runs}</w:body></w:document>")
    template = zipfile.ZipFile(io.BytesIO(make_docx()))
    members = {name: template.read(name) for name in template.namelist()}
    return make_zip({**members, "word/document.xml": xml.encode()})


# --- formats ------------------------------------------------------------------------------------------
def test_pdf_text_and_metadata():
    doc = extract_resume(make_pdf(2, author="Jane Roe", creator="Writer"), "cv.pdf")
    assert (doc.kind, doc.problem, doc.pages, doc.pages_read, doc.truncated) == ("pdf", "", 2, 2, False)
    assert "Senior Engineer, Acme Corp – Jan 2019 – Present" in doc.text and "p2: Jane Roe" in doc.text
    assert doc.metadata["author"] == "Jane Roe" and doc.metadata["creator"] == "Writer"
    assert doc.metadata["producer"] == "Test Producer 1.0" and doc.metadata["created"][:2] == "20"
    assert doc.seconds > 0 and doc.peak_rss_kb > 0


def test_docx_text_tables_headers_and_core_properties():
    doc = extract_resume(make_docx(author="Lena Fischer", last_modified_by="Lena Fischer"), "cv.docx")
    assert (doc.kind, doc.problem) == ("docx", "")
    lines = doc.text.splitlines()
    assert lines[0] == ROLE_LINES[1]  # the page header comes first
    assert "Senior Engineer, Acme Corp – Jan 2019 – Present" in lines
    assert "Contract developer, Pied Piper, 2011 – 2013" in lines  # a table cell
    assert doc.metadata["author"] == doc.metadata["last_modified_by"] == "Lena Fischer"
    assert doc.metadata["created"][:2] == "20"


@pytest.mark.parametrize("data, kind", [
    (b"# Jane Roe\n\n## Experience\n- Engineer, Acme, 2019 - 2021\n", "text"),
    ("Jane Roe — Café engineer, 2019 – 2021".encode("utf-16"), "text"),
    ("Jane Roe, Café engineer, 2019 - 2021 and more".encode("cp1252"), "text"),
])
def test_plain_text_and_markdown(data, kind):
    doc = extract_resume(data, "cv.md")
    assert (doc.kind, doc.problem) == (kind, "")
    assert "Jane Roe" in doc.text and "2019" in doc.text


def test_type_is_detected_by_content_not_extension():
    assert extract_resume(make_pdf(), "resume.docx").kind == "pdf"
    assert extract_resume(make_docx(), "resume.pdf").kind == "docx"
    assert extract_resume(b"Jane Roe, engineer since 2019 at Acme", "resume.pdf").kind == "text"
    assert sniff(b"\n\n%PDF-1.7 junk first") == "pdf"


# --- refusals -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["RC4-40", "RC4-128", "AES-128", "AES-256"])
def test_password_protected_pdf(algorithm):
    doc = extract_resume(make_pdf(user_password="secret", algorithm=algorithm), "cv.pdf")
    assert (doc.problem, doc.detail) == (Problem.ENCRYPTED, "resume is password-protected")


def test_owner_password_only_pdf_is_readable():
    doc = extract_resume(make_pdf(owner_only=True, algorithm="AES-256"), "cv.pdf")
    assert doc.problem == "" and "Acme Corp" in doc.text


def test_corrupt_pdfs():
    good = make_pdf()
    garbage = b"%PDF-1.7\n" + random.Random(3).randbytes(5000)
    for data in (good[: len(good) // 2], garbage, b"%PDF-1.4 not really"):
        doc = extract_resume(data, "cv.pdf")
        assert (doc.problem, doc.kind) == (Problem.CORRUPT, "pdf")
        assert doc.detail.startswith("not a readable PDF")


def test_scanned_pdf_has_no_text():
    doc = extract_resume(make_scanned_pdf(), "scan.pdf")
    assert doc.problem == Problem.NO_TEXT and doc.pages == 1
    assert doc.detail.startswith("no text layer in 1 page(s)")


def test_sixty_pages_are_cut_to_fifty():
    doc = extract_resume(make_pdf(60), "long.pdf")
    assert (doc.problem, doc.pages, doc.pages_read, doc.truncated) == ("", 60, 50, True)
    assert doc.detail == "only the first 50 of 60 pages were analysed"
    assert "p50: Jane Roe" in doc.text and "p51:" not in doc.text


def test_docx_zip_bomb_is_refused_before_decompressing():
    start = time.monotonic()
    doc = extract_resume(docx_bomb(), "cv.docx")
    assert doc.problem == Problem.BOMB and "compression ratio is" in doc.detail
    assert time.monotonic() - start < 2


def test_zip_declared_sizes_and_member_counts():
    huge = declare_size(make_docx(), "word/document.xml", 3_000_000_000)
    assert "expands to" in parse_document(huge, "cv.docx").detail
    many = make_zip({"word/document.xml": b"<x/>", **{f"m{i}": b"" for i in range(20)}})
    assert parse_document(many, "cv.docx", Limits(zip_max_members=10)).problem == Problem.BOMB
    assert parse_document(make_docx(), "cv.docx", Limits(zip_max_total=1000)).problem == Problem.BOMB


@pytest.mark.parametrize("data, name, problem, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le"), "cv.docx",
     Problem.ENCRYPTED, "password-protected"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "cv.doc", Problem.UNSUPPORTED, "legacy Word"),
    (b"{\\rtf1\\ansi Jane}", "cv.rtf", Problem.UNSUPPORTED, "RTF"),
    (make_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "cv.odt",
     Problem.UNSUPPORTED, "OpenDocument"),
    (make_zip({"word/document.xml": b"<not-xml"}), "cv.docx", Problem.CORRUPT, "not a readable DOCX"),
    (b"PK\x03\x04garbage", "cv.docx", Problem.CORRUPT, "damaged ZIP"),
    (b"\x00" * 10, "a.docx", Problem.CORRUPT, "not a readable DOCX file"),
    (bytes(range(256)) * 4, "blob.bin", Problem.UNSUPPORTED, "not a readable document"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "cv.png", Problem.NO_TEXT, "image"),
    (b"", "empty.txt", Problem.NO_TEXT, "no text found"),
])
def test_other_refusals(data, name, problem, words):
    doc = extract_resume(data, name)
    assert doc.problem == problem and words in doc.detail and doc.text == ""


def test_size_limit_is_checked_before_the_sandbox():
    doc = extract_resume(make_pdf(), "cv.pdf", limits=Limits(max_bytes=1000))
    assert doc.problem == Problem.TOO_LARGE and doc.detail.endswith("the limit is 1 KB")
    assert extract_resume(b"x" * (10 * MB + 1), "cv.txt").problem == Problem.TOO_LARGE


def test_character_limit_truncates_text():
    doc = extract_resume(b"Jane Roe engineer. " * 100, "cv.txt", limits=Limits(max_chars=100))
    assert doc.truncated and len(doc.text) == 100


# --- the sandbox --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def heavy():
    return heavy_docx(60_000)


def test_soft_time_budget_returns_what_was_read(heavy):
    doc = extract_resume(heavy, "cv.docx", limits=Limits(time_budget_s=0.2))
    assert doc.problem == "" and doc.truncated and "time budget of 0.2s" in doc.detail
    pdf = extract_resume(make_pdf(5), "cv.pdf", limits=Limits(time_budget_s=0))
    assert (pdf.pages_read, pdf.truncated) == (1, True) and "stopped after 1 of 5 pages" in pdf.detail


def test_cpu_limit_kills_the_child(heavy):
    limits = Limits(time_budget_s=60, cpu_s=1, wall_s=30, max_chars=10**8)  # walks every paragraph
    start = time.monotonic()
    doc = extract_resume(heavy, "cv.docx", limits=limits)
    assert doc.problem == Problem.LIMITS and "CPU (1s)" in doc.detail
    assert time.monotonic() - start < 5


def test_wall_clock_limit_stops_waiting(heavy):
    start = time.monotonic()
    limits = Limits(time_budget_s=60, cpu_s=30, max_chars=10**8)
    doc = extract_resume(heavy, "cv.docx", limits=limits, timeout_s=0.3)
    assert doc.problem == Problem.LIMITS and "did not finish within 0.3s" in doc.detail
    assert time.monotonic() - start < 1.5


def test_memory_limit_is_reported(heavy):
    doc = extract_resume(heavy, "cv.docx", limits=Limits(memory_bytes=100 * MB))
    assert doc.problem == Problem.LIMITS and "memory" in doc.detail


def test_server_restarts_after_dying_and_serves_threads_concurrently():
    sandbox.warm_up()
    server = sandbox._server[0]
    server.kill()
    server.wait()
    assert extract_resume(b"Jane Roe, engineer at Acme since 2019", "cv.txt").problem == ""
    results: list[ResumeDoc] = []
    threads = [threading.Thread(target=lambda: results.append(extract_resume(make_pdf(2), "cv.pdf")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 8 and all(r.problem == "" and r.pages == 2 for r in results)


def test_server_runs_isolated_without_the_parents_secrets(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-must-not-leak")
    with sandbox._lock:
        sandbox._control(restart=True)
    environ = open(f"/proc/{sandbox._server[0].pid}/environ", "rb").read()
    assert b"xoxb-must-not-leak" not in environ and b"SLACK" not in environ
    assert extract_resume(b"Jane Roe, engineer at Acme since 2019", "cv.txt").problem == ""


def test_json_round_trip():
    doc = ResumeDoc(kind="pdf", text="t", pages=2, metadata={"author": "A", "empty": ""}, truncated=True)
    again = ResumeDoc.from_json(doc.to_json())
    assert again == doc and dict(again.metadata) == {"author": "A"}
    assert isinstance(again.problem, Problem)


def test_facts_are_computed_once_from_the_text():
    doc = ResumeDoc(kind="text", text="Jane Roe\nReach me: jane@example.com")
    assert doc.facts is doc.facts and doc.facts.emails == ("jane@example.com",)
