"""The contract every registered check must keep (built-ins and installed plugins alike):
declarative metadata, and honesty -- a check whose source failed never reports "ok, nothing"."""
import pytest

from checks import Candidate, Finding, Status
from checks.context import CheckContext
from checks.errors import SourceUnavailable
from checks.registry import NAME_RE, Registry, load_registry, validate
from checks.runner import Runner

REGISTRY = load_registry()

SAMPLE = Candidate(name="Jane Roe", email="jane@acme-widgets-example.com", phone="+14155550100",
                   location="Austin, TX", wallet="0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
                   github="janeroe", resume_bytes=b"%PDF-1.4 not really", resume_filename="cv.pdf")
HOSTILE = Candidate(name="<!channel> " + "A" * 5000, email="\u202e@@" + "x" * 300,
                    phone="+999" + "9" * 40, location="\x00\n", wallet="0x" + "g" * 40,
                    github="../../etc/passwd", resume_bytes=b"\x00" * 10, resume_filename="a.docx")


class FailingSource:
    """Stands in for every source: any call fails as an unreachable source would."""

    def __init__(self, log):
        self._log = log

    def __getattr__(self, attr):
        def fail(*args, **kwargs):
            self._log.append(attr)
            raise SourceUnavailable("source down (contract test)")
        return fail


def _names():
    return [c.name for c in REGISTRY.checks]


def test_there_are_checks():
    assert "email_domain" in _names()


@pytest.mark.parametrize("name", _names())
def test_metadata(name):
    check = REGISTRY.get(name)
    validate(check)
    assert NAME_RE.match(check.name)
    assert check.description.strip(), "a check needs a one-line description"


@pytest.mark.parametrize("name", _names())
@pytest.mark.parametrize("candidate", [SAMPLE, HOSTILE], ids=["sample", "hostile"])
def test_failed_sources_are_never_reported_clean(name, candidate):
    calls: list[str] = []
    source = FailingSource(calls)
    ctx = CheckContext(sources={k: source for k in
                                ("http", "rdap", "dns", "sanctions", "phone_lookup", "github",
                                 "chains", "watchlists", "store")})
    result = Runner(Registry([REGISTRY.get(name)])).run(candidate, ctx).checks[0]
    assert result.status in (Status.OK, Status.ERROR, Status.TIMEOUT, Status.SKIPPED)
    assert "internal error" not in result.reason, f"{name} crashed on {candidate.name[:10]!r}"
    assert all(isinstance(f, Finding) for f in result.findings)
    if calls:
        assert result.status != Status.OK, f"{name} swallowed a source failure ({calls})"
        assert result.reason
