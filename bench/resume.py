"""Resume benchmark: sandboxed extraction + analysis for a 2-page and a 50-page PDF, the child
process's start cost on its own, and the worst cases the limits allow (time and peak RSS).

Target: a 2-page resume in <= 200 ms end to end (extraction in the sandbox + timeline + rules),
and every input bounded by the budget. Needs fpdf2 (a dev dependency). Run: python bench/resume.py
"""
from __future__ import annotations

import dataclasses
import io
import random
import statistics
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fpdf import FPDF  # noqa: E402

from checks.resume import rules, sandbox  # noqa: E402
from checks.resume.extract import DEFAULT_LIMITS, ResumeDoc, parse_document  # noqa: E402
from checks.resume.sandbox import extract_resume  # noqa: E402
from checks.resume.timeline import parse_timeline  # noqa: E402

NOW = datetime.now(UTC)
ROLE = ["{title}, {employer} – {start} – {end}",
        "• Built and ran the {thing} platform used by {n} customers across three regions",
        "• Led the migration of {thing} services to Kubernetes and Terraform, cutting costs by {n}%",
        "• Mentored {n} engineers; introduced code review and on-call practices"]


def resume_lines(pages: int, rnd: random.Random) -> list[list[str]]:
    out = []
    year = NOW.year
    for page in range(pages):
        header = ["Jane Roe", "Austin, TX | jane.roe@example.com | +1 415 555 0100", "Experience"]
        lines = [] if page else header
        while len(lines) < 48:
            start = year - rnd.randint(1, 3)
            fields = {"title": rnd.choice(["Senior Engineer", "Engineer", "Tech Lead"]),
                      "employer": f"{rnd.choice(['Acme Corp', 'Globex Inc', 'Initech LLC'])} {page}",
                      "start": f"Mar {start}", "end": "Present" if year == NOW.year else f"Feb {year}",
                      "thing": rnd.choice(["billing", "search", "payments"]), "n": rnd.randint(2, 90)}
            lines += [template.format(**fields) for template in ROLE]
            year = start
        out.append(lines)
    return out


def make_pdf(pages: list[list[str]], font_size: float = 10, height: float = 5, annots: int = 0) -> bytes:
    """Line 2 of page 1 links to a GitHub profile, as resume templates do; ``annots`` internal links
    (not URIs: each one is looked at and none kept) per page for the worst case."""
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    for n, lines in enumerate(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=font_size)
        for i, line in enumerate(lines):
            link = "https://github.com/janeroe" if n == 0 and i == 1 else ""
            pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT", link=link)
        for _ in range(annots):
            pdf.link(10, 10, 1, 1, pdf.add_link(page=1))
    return bytes(pdf.output())


def worst_pdf(rnd: random.Random) -> bytes:
    """50 pages of tiny text (~1200 short lines each): the most text operations per page."""
    pages = [[f"{rnd.getrandbits(40):x} Kafka 2011 – 2013 {rnd.getrandbits(24):x}" for _ in range(1200)]
             for _ in range(DEFAULT_LIMITS.max_pages)]
    return make_pdf(pages, font_size=1, height=0.24)


def worst_docx(rnd: random.Random) -> bytes:
    """A DOCX of distinct paragraphs just under the member-size limit (no compression trick)."""
    paragraph = "<w:p><w:r><w:t>{:x} Senior Engineer, Acme Corp, 2011 – 2013</w:t></w:r></w:p>"
    body, size = [], 0
    while size < DEFAULT_LIMITS.zip_max_member * 0.4:
        body.append(paragraph.format(rnd.getrandbits(64)))
        size += len(body[-1])
    xml = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + "".join(body) + "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/'
                         '2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.'
                         'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                         '2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                         '</Relationships>')
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def analyse(doc: ResumeDoc) -> int:
    """The timeline rules, and the contact facts every other check reads (text and link targets)."""
    entries = parse_timeline(doc.text, NOW)
    facts = doc.facts
    found = len(facts.emails) + len(facts.phones) + len(facts.urls) + len(facts.domains)
    return found + len(rules.evaluate(doc.text, entries, {"author": "Jane Roe"}, "Jane Roe", NOW))


def measure(label: str, data: bytes, filename: str, runs: int, limits=DEFAULT_LIMITS) -> None:
    totals, extracts, analyses, child = [], [], [], []
    doc = None
    for _ in range(runs):
        t0 = time.perf_counter()
        doc = extract_resume(data, filename, limits=limits)
        t1 = time.perf_counter()
        analyse(doc)
        t2 = time.perf_counter()
        totals.append(t2 - t0)
        extracts.append(t1 - t0)
        analyses.append(t2 - t1)
        child.append(doc.seconds)
    ms = [1000 * statistics.median(v) for v in (totals, extracts, child, analyses)]
    print(f"{label:<34} {len(data) / 1024:>8.0f} KB  total {ms[0]:7.1f} ms  (sandbox {ms[1]:7.1f}, of which "
          f"parsing {ms[2]:7.1f}; analysis {ms[3]:6.1f})  child peak RSS {doc.peak_rss_kb / 1024:5.1f} MB  "
          f"pages {doc.pages_read}/{doc.pages} {doc.problem or 'ok'} {doc.detail}")


def main() -> None:
    rnd = random.Random(5)
    two, fifty = make_pdf(resume_lines(2, rnd)), make_pdf(resume_lines(50, rnd))

    t0 = time.perf_counter()
    sandbox.warm_up()
    print(f"fork server cold start (once per process, incl. warm-up request): "
          f"{1000 * (time.perf_counter() - t0):.0f} ms")
    tiny = [0.0] * 20
    for i in range(len(tiny)):
        t0 = time.perf_counter()
        extract_resume(b"Jane Roe, engineer", "cv.txt")
        tiny[i] = time.perf_counter() - t0
    print(f"child process per document (fork + limits + round trip, tiny text): median "
          f"{1000 * statistics.median(tiny):.1f} ms, max {1000 * max(tiny):.1f} ms")
    t0 = time.perf_counter()
    parse_document(two, "cv.pdf")
    inline = 1000 * (time.perf_counter() - t0)
    print(f"same 2-page PDF parsed in-process, unsandboxed, first time (for comparison): {inline:.1f} ms")
    print()
    measure("2-page PDF", two, "cv.pdf", 20)
    measure("50-page PDF", fifty, "cv.pdf", 5)
    dense = worst_pdf(rnd)
    measure("worst PDF (50 dense pages)", dense, "cv.pdf", 3)
    unlimited_chars = dataclasses.replace(DEFAULT_LIMITS, max_chars=10**8)  # the time budget binds instead
    measure("same, no character limit", dense, "cv.pdf", 2, unlimited_chars)
    measure("50 pages x 1000 inline annotations", make_pdf(resume_lines(50, rnd), annots=1000), "cv.pdf", 3)
    measure("worst DOCX (25 MB of paragraphs)", worst_docx(rnd), "cv.docx", 3)
    text = ("Senior Engineer, Acme Corp, Jan 2019 – Present\n• Built a platform on Kubernetes for 40 teams\n"
            * 10000)[:DEFAULT_LIMITS.max_chars].encode()
    measure("max-size text (400k chars)", text, "cv.txt", 3)
    print(f"\nlimits: {DEFAULT_LIMITS}")


if __name__ == "__main__":
    main()
