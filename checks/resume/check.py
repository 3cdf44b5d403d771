"""The resume check's logic: get the document (the per-vetting artefact, or a sandboxed extraction
of its own), turn an unreadable document into a clear finding, run the timeline rules.

The delivery layer calls ``prepare_artefacts(candidate)`` once per vetting and passes the result
as ``CheckContext(artefacts=...)``, so every check that reads the resume shares one extraction.
A runner that does not (a third-party one, a test) still works: the check extracts by itself.
"""
from __future__ import annotations

from checks.context import CheckContext
from checks.errors import CheckFailed
from checks.model import Candidate, Confidence, Finding, Severity
from checks.resume import rules
from checks.resume.extract import DEFAULT_LIMITS, Limits, Problem, ResumeDoc, failed
from checks.resume.sandbox import extract_resume
from checks.resume.timeline import parse_timeline

ARTEFACT = "resume"
SOURCE = "resume file"

# Why each problem has its severity: the check could not read the document, so these describe the
# file, not the person. Only a deliberately hostile file (an archive bomb) is a signal in itself.
_PROBLEMS = {
    Problem.ENCRYPTED: (Severity.LOW, "Resume is password-protected",
                        "Nothing in it could be checked. Ask for an unlocked copy: a locked resume is "
                        "unusual, and it hides the document from screening, but it is usually innocent."),
    Problem.BOMB: (Severity.MEDIUM, "Resume file is built to exhaust parsers",
                   "It would expand far beyond any real document (a 'zip bomb'). Real resumes are never "
                   "built like this; do not open the file on a workstation."),
    Problem.CORRUPT: (Severity.INFO, "Resume is not a readable document", "Ask for a fresh copy."),
    Problem.UNSUPPORTED: (Severity.INFO, "Resume format is not supported", "Ask for PDF or DOCX."),
    Problem.NO_TEXT: (Severity.INFO, "No text found in the resume",
                      "Probably a scan or an image; ask for the original document."),
    Problem.TOO_LARGE: (Severity.INFO, "Resume file is too large", "Ask for a smaller copy."),
    Problem.LIMITS: (Severity.INFO, "Resume could not be processed within limits",
                     "The file needed more time or memory than any resume should."),
    Problem.UNREADABLE: (Severity.INFO, "Resume file could not be read", ""),
}


def load(candidate: Candidate, *, limits: Limits = DEFAULT_LIMITS,
         timeout_s: float | None = None) -> ResumeDoc:
    """Read the candidate's resume (bytes or path) and extract it in the sandbox."""
    data = candidate.resume_bytes
    if data is None:
        try:
            with open(candidate.resume_path, "rb") as handle:
                data = handle.read(limits.max_bytes + 1)
        except OSError as exc:
            return failed(Problem.UNREADABLE, f"the resume file could not be read ({type(exc).__name__})")
    return extract_resume(bytes(data), candidate.resume_name, limits=limits, timeout_s=timeout_s)


def prepare_artefacts(candidate: Candidate, *, limits: Limits = DEFAULT_LIMITS,
                      timeout_s: float | None = None) -> dict[str, ResumeDoc]:
    """Once per vetting, before the runner: ``{"resume": ResumeDoc}``, or ``{}`` without a resume.
    Never raises for a bad document (the check reports it)."""
    if not candidate.has("resume"):
        return {}
    return {ARTEFACT: load(candidate, limits=limits, timeout_s=timeout_s)}


def document(candidate: Candidate, ctx: CheckContext) -> ResumeDoc:
    shared = ctx.artefacts.get(ARTEFACT)
    if isinstance(shared, ResumeDoc):
        return shared
    left = ctx.time_left()
    return load(candidate, timeout_s=None if left is None else max(0.1, left - 1.0))


def problem_finding(doc: ResumeDoc) -> Finding:
    severity, title, advice = _PROBLEMS.get(doc.problem, (Severity.INFO, "Resume could not be read", ""))
    detail = (doc.detail[:1].upper() + doc.detail[1:] + ". " if doc.detail else "") + advice
    return Finding(severity=severity, confidence=Confidence.HIGH, title=title, detail=detail.strip(),
                   evidence={"problem": str(doc.problem), "format": doc.kind, "pages": doc.pages,
                             **dict(doc.metadata)}, source=SOURCE)


def run(candidate: Candidate, ctx: CheckContext) -> list[Finding]:
    doc = document(candidate, ctx)
    if doc.problem:  # nothing could be analysed: never "ok"
        raise CheckFailed(doc.detail or str(doc.problem), [problem_finding(doc)])
    now = ctx.now()
    entries = parse_timeline(doc.text, now)
    name = candidate.name or next(iter(doc.facts.name_lines), "")
    findings = rules.evaluate(doc.text, entries, doc.metadata, name, now)
    return [*findings, summary(doc, entries)]


def summary(doc: ResumeDoc, entries: list) -> Finding:
    roles = [e for e in entries if e.section == "experience"]
    studies = [e for e in entries if e.section == "education"]
    pages = f", {doc.pages} page(s)" if doc.pages else ""
    span = ""
    if roles:
        first, last = min(e.start_lo for e in roles), max(e.end.hi for e in roles)
        current = any(e.current for e in roles)
        span = f" ({first // 12}-{'present' if current else last // 12})"
    title = (f"Resume read: {doc.kind.upper()}{pages}, {len(roles)} dated role(s){span}" if roles else
             f"Resume read: {doc.kind.upper()}{pages}, no dated roles found")
    detail = "" if roles else "Timeline rules could not be applied: no date ranges were recognised. "
    evidence = {"format": doc.kind, "pages": doc.pages, "pages_read": doc.pages_read, "roles": len(roles),
                "education": len(studies), "truncated": doc.truncated, **dict(doc.metadata)}
    return Finding(severity=Severity.INFO, confidence=Confidence.HIGH, title=title,
                   detail=(detail + (doc.detail + "." if doc.detail else "")).strip(),
                   evidence=evidence, source=SOURCE)
