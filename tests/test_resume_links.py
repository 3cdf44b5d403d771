"""Link targets (PDF link annotations, DOCX hyperlinks) and scheme-less URLs reach the resume's facts:
real fpdf2 PDFs and python-docx documents through the sandbox, and the watchlist's identifiers."""
import io

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF

from checks import Candidate
from checks.resume.extract import ResumeDoc
from checks.resume.facts import Facts
from checks.resume.links import MAX_LINK_CHARS, MAX_LINKS
from checks.resume.sandbox import extract_resume
from checks.watchlist import identifiers

ROLE = "Senior Engineer, Acme Corp, Jan 2019 - Present"


def linked_pdf(rows, extra_links=0) -> bytes:
    """``rows``: (label, link target or None), one line each."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    for label, target in rows:
        pdf.cell(0, 5, label, link=target or "", new_x="LMARGIN", new_y="NEXT")
    for i in range(extra_links):  # invisible link rectangles, as some templates make
        pdf.link(10, 200, 5, 5, f"https://example.org/p/{i}")
    return bytes(pdf.output())


def hyperlink(paragraph, url: str, label: str) -> None:
    """A real external w:hyperlink, as Word writes it (python-docx has no API to add one)."""
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = label
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def field_hyperlink(paragraph, url: str, label: str) -> None:
    """A HYPERLINK field code (begin / instrText / separate / result / end), as older Word writes it."""
    def run(*children):
        r = OxmlElement("w:r")
        for child in children:
            r.append(child)
        paragraph._p.append(r)

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr, text = OxmlElement("w:instrText"), OxmlElement("w:t")
    instr.text, text.text = f' HYPERLINK "{url}" ', label
    run(char("begin"))
    run(instr)
    run(char("separate"))
    run(text)
    run(char("end"))


def linked_docx() -> bytes:
    document = docx.Document()
    header = document.sections[0].header.paragraphs[0]
    header.text = "Jane Roe | "
    hyperlink(header, "https://sites.google.com/view/janeroe", "Portfolio")
    contact = document.add_paragraph("Contact: ")
    hyperlink(contact, "https://github.com/JaneRoe", "GitHub")
    contact.add_run(" | ")
    hyperlink(contact, "mailto:jane.roe@example.com", "E-mail")
    field_hyperlink(document.add_paragraph("Blog: "), "https://janeroe.dev/posts", "my blog")
    document.add_paragraph(ROLE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_pdf_link_annotations_become_facts():
    doc = extract_resume(linked_pdf([("Jane Roe", None), ("GitHub", "https://github.com/janeroe"),
                                     ("E-mail me", "mailto:Jane.Roe@Example.com?subject=Hello"),
                                     ("Call me", "tel:+1-415-555-0100"), (ROLE, None)]), "cv.pdf")
    assert doc.problem == "" and "github.com" not in doc.text and "@" not in doc.text
    assert doc.links == ("https://github.com/janeroe", "mailto:Jane.Roe@Example.com?subject=Hello",
                         "tel:+1-415-555-0100")
    assert doc.facts.emails == ("jane.roe@example.com",)
    assert doc.facts.phones == ("+1-415-555-0100",)
    assert doc.facts.urls == ("https://github.com/janeroe",)
    assert "github.com" in doc.facts.domains and "example.com" in doc.facts.domains
    found = identifiers(Candidate(name="Jane Roe", resume_bytes=b"x"), doc)
    assert ("github", "janeroe", "resume") in found and ("email", "jane.roe@example.com", "resume") in found
    assert ("phone", "+14155550100", "resume") in found


def test_docx_hyperlinks_in_header_body_and_field_codes_in_order():
    doc = extract_resume(linked_docx(), "cv.docx")
    assert doc.problem == "" and "github.com" not in doc.text
    assert doc.links == ("https://sites.google.com/view/janeroe", "https://github.com/JaneRoe",
                         "mailto:jane.roe@example.com", "https://janeroe.dev/posts")
    assert doc.facts.emails == ("jane.roe@example.com",)
    found = identifiers(Candidate(name="Jane Roe", resume_bytes=b"x"), doc)
    assert ("github", "janeroe", "resume") in found
    assert ("domain", "sites.google.com", "resume") in found  # the full host: label-wise matching
    assert ("url", "sites.google.com/view/janeroe", "resume") in found


def test_links_are_bounded_in_count_and_length():
    long_target = "https://example.org/" + "a" * MAX_LINK_CHARS
    doc = extract_resume(linked_pdf([("Jane Roe", long_target), (ROLE, None)], extra_links=MAX_LINKS + 50),
                         "cv.pdf")
    assert doc.problem == "" and len(doc.links) == MAX_LINKS
    assert long_target not in doc.links and doc.links[0] == "https://example.org/p/0"
    many = ResumeDoc(kind="text", text="t", links=tuple(f"https://x.example/{i}" for i in range(500)))
    assert len(many.links) == MAX_LINKS


def test_links_survive_the_json_round_trip_and_bad_schemes_are_ignored():
    doc = ResumeDoc(kind="pdf", text="Jane Roe", links=("javascript:alert(1)", "file:///etc/passwd",
                                                        "https://janeroe.dev", "https://janeroe.dev", " "))
    again = ResumeDoc.from_json(doc.to_json())
    assert again == doc and again.links == ("javascript:alert(1)", "file:///etc/passwd", "https://janeroe.dev")
    assert again.facts.urls == ("https://janeroe.dev",) and again.facts.emails == ()


@pytest.mark.parametrize("text, url", [
    ("GitHub: github.com/octo-fraud", "github.com/octo-fraud"),
    ("Site: sites.google.com/view/jane.", "sites.google.com/view/jane"),
    ("linkedin.com/in/jane-roe | Austin, TX", "linkedin.com/in/jane-roe"),
    ("Blog (janeroe.dev)", "janeroe.dev"),
    ("Pages: jane.github.io!", "jane.github.io"),
    ("Shop: jane-roe.co.uk/shop?id=3", "jane-roe.co.uk/shop?id=3"),
])
def test_scheme_less_urls_are_recognised(text, url):
    assert Facts(text).urls == (url,)


@pytest.mark.parametrize("text", [
    "Attached: resume.pdf and cover-letter.docx",
    "Wrote setup.py, README.md, main.tf and deploy.sh",
    "Released v1.2.3 on Python 3.10 and Node.js with ASP.NET",
    "Mail jane.roe@mail.example.com",                 # an e-mail's domain is not a URL
    "Shipped the product.Design reviews came later",   # a sentence run together
    "Served in the U.S.Army",
    "src/checks/main.py",                              # a path, not a host
])
def test_things_that_are_not_urls(text):
    assert Facts(text).urls == ()


def test_scheme_less_github_and_site_reach_the_watchlist_identifiers():
    text = "Jane Roe\ngithub.com/Octo-Fraud · sites.google.com/view/jane\n" + ROLE
    found = identifiers(Candidate(name="Jane Roe", resume_bytes=b"x"), ResumeDoc(kind="text", text=text))
    assert ("github", "octo-fraud", "resume") in found
    assert ("domain", "sites.google.com", "resume") in found and ("domain", "google.com", "resume") in found
    assert ("url", "sites.google.com/view/jane", "resume") in found


def test_url_scanning_is_linear_on_hostile_text():
    import time

    start = time.monotonic()
    for text in ("www.ab.cd " * 40000, "ab.cd/x " * 50000, "a." * 200000, "jane@ab.com " * 33000):
        facts = Facts(text[:400000], tuple(f"mailto:x{i}@ab.cd" for i in range(MAX_LINKS)))
        facts.urls, facts.domains, facts.emails, facts.phones  # noqa: B018
    assert time.monotonic() - start < 3
