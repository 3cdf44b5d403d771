"""The resume check end to end, through the real registry and Runner."""
from datetime import UTC, datetime

import pytest

from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.registry import Registry, load_registry
from checks.resume import ARTEFACT, Resume, ResumeDoc, prepare_artefacts
from checks.runner import Runner
from tests.test_resume_extract import docx_bomb, make_docx, make_pdf, make_scanned_pdf

NOW = datetime(2026, 11, 25, tzinfo=UTC)
OVERLAPPING = ["Jane Roe", "Austin, TX | jane.roe@example.com", "Experience",
               "Senior Engineer, Acme Corp – Jan 2019 – Present", "• Built the payments platform",
               "Engineer, Globex Inc – Mar 2016 – Dec 2021", "• Designed the order pipeline",
               "Education", "B.Sc. Computer Science, University of Leeds, 2012 – 2016"]


def run(candidate, artefacts=None):
    ctx = CheckContext(artefacts=artefacts or {}, clock=lambda: NOW)
    return Runner(Registry([Resume()])).run(candidate, ctx).checks[0]


def pdf_candidate(data, name="Jane Roe", filename="cv.pdf"):
    return Candidate(name=name, resume_bytes=data, resume_filename=filename)


def by_title(result):
    return {f.title: f for f in result.findings}


def test_registered_as_a_built_in():
    check = load_registry(include_plugins=False).get("resume")
    assert type(check).__module__ == "checks.resume"
    assert check.requires == frozenset({"resume"}) and check.timeout_s == 15.0


def test_pdf_resume_with_overlapping_roles():
    result = run(pdf_candidate(make_pdf(1, OVERLAPPING, author="Jane Roe")))
    assert result.status == Status.OK, result.reason
    found = by_title(result)
    overlap = found["Overlapping full-time roles"]
    assert overlap.severity == Severity.MEDIUM and overlap.evidence["overlaps"][0]["months"] == 36
    summary = found["Resume read: PDF, 1 page(s), 2 dated role(s) (2016-present)"]
    assert summary.severity == Severity.INFO
    assert summary.evidence["author"] == "Jane Roe" and summary.evidence["education"] == 1
    assert "Document author is another person" not in found


def test_docx_resume_from_a_path_with_another_author(tmp_path):
    path = tmp_path / "cv.docx"
    path.write_bytes(make_docx(author="Lena Fischer", last_modified_by="Lena Fischer"))
    result = run(Candidate(name="Jane Roe", resume_path=str(path)))
    assert result.status == Status.OK
    author = by_title(result)["Document author is another person"]
    assert author.severity == Severity.MEDIUM
    assert author.evidence["author"] == "Lena Fischer" and author.evidence["compared_with"] == "Jane Roe"


def test_without_a_given_name_the_printed_name_is_compared():
    result = run(pdf_candidate(make_pdf(1, OVERLAPPING, author="Lena Fischer"), name=""))
    assert by_title(result)["Document author is another person"].evidence["compared_with"] == "Jane Roe"


@pytest.mark.parametrize("data, filename, reason, title, severity", [
    (make_pdf(user_password="secret"), "cv.pdf", "resume is password-protected",
     "Resume is password-protected", Severity.LOW),
    (b"%PDF-1.4 not really", "cv.pdf", "not a readable PDF", "Resume is not a readable document",
     Severity.INFO),
    (make_scanned_pdf(), "scan.pdf", "no text layer in 1 page(s)", "No text found in the resume",
     Severity.INFO),
    (docx_bomb(), "cv.docx", "DOCX refused before decompressing", "Resume file is built to exhaust parsers",
     Severity.MEDIUM),
    (b"\x00" * 10, "a.docx", "not a readable DOCX file", "Resume is not a readable document", Severity.INFO),
])
def test_unreadable_resumes_fail_with_a_clear_finding(data, filename, reason, title, severity):
    result = run(pdf_candidate(data, filename=filename))
    assert result.status == Status.ERROR and result.reason.startswith(reason)
    (finding,) = result.findings
    assert (finding.title, finding.severity) == (title, severity)
    assert finding.detail and finding.evidence["problem"]


def test_missing_file_is_an_error_not_a_crash(tmp_path):
    result = run(Candidate(resume_path=str(tmp_path / "nope.pdf")))
    assert result.status == Status.ERROR and "could not be read (FileNotFoundError)" in result.reason


def test_no_dated_roles_is_said_not_hidden():
    result = run(pdf_candidate(b"Jane Roe\nI like building things with computers and people.", "cv.txt"))
    assert result.status == Status.OK
    (summary,) = result.findings
    assert summary.title == "Resume read: TEXT, no dated roles found"
    assert "could not be applied" in summary.detail


def test_prepared_artefact_is_used_instead_of_extracting_again():
    candidate = pdf_candidate(b"%PDF-1.4 not really")  # would fail if the check extracted it
    shared = ResumeDoc(kind="text", text="\n".join(OVERLAPPING))
    result = run(candidate, {ARTEFACT: shared})
    assert result.status == Status.OK and "Overlapping full-time roles" in by_title(result)


def test_prepare_artefacts_extracts_once_per_vetting():
    assert prepare_artefacts(Candidate(name="Jane Roe")) == {}
    artefacts = prepare_artefacts(pdf_candidate(make_pdf(1, OVERLAPPING)))
    doc = artefacts[ARTEFACT]
    assert isinstance(doc, ResumeDoc) and doc.kind == "pdf" and "Acme Corp" in doc.text
    assert doc.facts.emails == ("jane.roe@example.com",)
    assert run(pdf_candidate(b"ignored"), artefacts).status == Status.OK


def test_truncated_documents_say_so():
    result = run(pdf_candidate(make_pdf(60, OVERLAPPING)))
    (summary,) = [f for f in result.findings if f.title.startswith("Resume read")]
    assert summary.evidence["truncated"] is True
    assert "only the first 50 of 60 pages were analysed" in summary.detail


def test_a_slow_extraction_is_bounded_by_the_checks_deadline():
    slow = Resume()
    slow.timeout_s = 0.5  # instance attribute: the runner reads it
    result = Runner(Registry([slow])).run(pdf_candidate(make_pdf(2, OVERLAPPING)), CheckContext()).checks[0]
    assert result.status in (Status.OK, Status.ERROR, Status.TIMEOUT)
    assert result.duration_ms < 2000
