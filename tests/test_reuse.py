"""Cross-candidate reuse: the pure fingerprints, and the ``reuse`` check against the real store on
SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from checks import fingerprints as fp
from checks.context import CheckContext
from checks.model import Candidate, Report, Risk, RiskLevel, Severity, Status
from checks.registry import Registry
from checks.resume.extract import ResumeDoc
from checks.reuse import Reuse
from checks.runner import Runner
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401

BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
KEY = fp.derive_key("test-secret-0123456789abcdef", "reuse")
_WORDS = [f"w{i}" for i in range(400)] + ["python", "kubernetes", "led", "team", "built", "platform"]


def resume_text(seed: int, words: int = 300) -> str:
    rnd = random.Random(seed)
    return " ".join(rnd.choice(_WORDS) for _ in range(words))


def record(opened, vetting_id, candidate, *, days_ago=0.0, requested_by="U0", text=""):
    report = Report(candidate=candidate, risk=Risk(RiskLevel.LOW, 0), checks=(),
                    generated_at=datetime.now(UTC) - timedelta(days=days_ago))
    artefacts = {"resume": ResumeDoc(kind="text", text=text)} if text else {}
    opened.record(report, vetting_id=vetting_id, requested_by=requested_by, artefacts=artefacts)


def vet(opened, candidate, *, vetting_id="current", text=""):
    artefacts = {"resume": ResumeDoc(kind="text", text=text)} if text else {}
    ctx = CheckContext(sources={"reuse": opened.reuse_index()}, artefacts=artefacts, vetting_id=vetting_id)
    return Runner(Registry([Reuse()])).run(candidate, ctx).checks[0]


# -- pure fingerprints ---------------------------------------------------------------------------
def test_fingerprints_use_the_normal_forms():
    a = fp.compute(Candidate(email="Jane.Roe@Example.COM", phone="+1 (415) 555-0100",
                             github="https://github.com/OctoCat/",
                             wallet="0xABCDEF0123456789abcdef0123456789ABCDEF01"), KEY)
    b = fp.compute(Candidate(email="jane.roe@example.com", phone="+14155550100", github="@octocat",
                             wallet="0xabcdef0123456789abcdef0123456789abcdef01"), KEY)
    assert a.identifiers == b.identifiers and len(a.identifiers) == 4
    other_key = fp.compute(Candidate(email="jane.roe@example.com"), fp.derive_key("another-secret", "reuse"))
    assert other_key.identifiers[0][1] != b.identifiers[0][1]
    assert fp.compute(Candidate(email="not an email", phone="12"), KEY).empty


def test_same_person_ignores_order_and_middle_names():
    def tokens(name):
        return fp.name_tokens(KEY, name)

    assert fp.same_person(tokens("Jane Roe"), tokens("ROE, Jane"))
    assert fp.same_person(tokens("Jane Roe"), tokens("Jane A. Roe"))
    assert fp.same_person(tokens("José Núñez"), tokens("Jose Nunez"))
    assert not fp.same_person(tokens("Jane Roe"), tokens("John Doe"))
    assert fp.same_person(tokens(""), tokens("Jane Roe")) is None


def test_minhash_finds_near_duplicates_only():
    base = resume_text(1)
    edited = base.replace("w1 ", "w2 ", 3) + " references available on request"
    sig = fp.minhash(KEY, base)
    assert len(sig) == fp.SIGNATURE_BINS
    assert fp.similarity(sig, fp.minhash(KEY, edited)) >= 0.8
    assert fp.similarity(sig, fp.minhash(KEY, resume_text(2))) < 0.2
    assert fp.minhash(KEY, "short resume text") == ()
    assert fp.unpack_signature(fp.pack_signature(sig)) == sig
    assert set(fp.bands(KEY, sig)) & set(fp.bands(KEY, fp.minhash(KEY, edited)))


# -- the check against the store -----------------------------------------------------------------
def test_same_phone_different_name_is_high_and_names_the_earlier_vetting(store):
    record(store, "earlier1", Candidate(name="Jane Roe", phone="+14155550100", email="jane@example.com"),
           days_ago=3, requested_by="U123")
    result = vet(store, Candidate(name="John Doe", phone="+1 415-555-0100", email="john@example.org"))
    assert result.status == Status.OK
    (finding,) = result.findings
    assert finding.severity == Severity.HIGH and finding.title == "Phone number used by a different candidate"
    when = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    assert finding.evidence == {"earlier_vetting": "earlier1", "vetted_on": when, "requested_by": "U123",
                                "shared": ["phone number"]}
    assert "earlier1" in finding.detail and "U123" in finding.detail
    shown = repr(finding.to_dict()).lower()
    assert "jane" not in shown and "roe" not in shown and "example.com" not in shown


def test_same_person_re_vetted_is_no_finding(store):
    record(store, "earlier1", Candidate(name="Jane Roe", phone="+14155550100", email="jane@example.com"))
    result = vet(store, Candidate(name="Roe Jane", phone="+14155550100", email="JANE@example.com"))
    assert (result.status, result.findings) == (Status.OK, ())


def test_several_identifiers_of_one_earlier_vetting_are_one_finding(store):
    record(store, "e1", Candidate(name="Jane Roe", email="x@example.com", wallet=BECH32))
    record(store, "e2", Candidate(name="Kim Park", email="x@example.com"), days_ago=1)
    result = vet(store, Candidate(name="John Doe", email="x@example.com", wallet=BECH32.upper()))
    assert [f.evidence["earlier_vetting"] for f in result.findings] == ["e1", "e2"]  # newest first
    assert result.findings[0].evidence["shared"] == ["e-mail address", "payout wallet"]


def test_missing_name_is_a_low_hint(store):
    record(store, "e1", Candidate(name="Jane Roe", github="octocat"))
    (finding,) = vet(store, Candidate(github="OctoCat")).findings
    assert (finding.severity, str(finding.confidence)) == (Severity.LOW, "low")


def test_only_within_retention_and_never_itself(store):
    record(store, "old", Candidate(name="Jane Roe", phone="+14155550100"), days_ago=store.retention_days + 1)
    record(store, "current", Candidate(name="Jane Roe", phone="+14155550101"))
    result = vet(store, Candidate(name="John Doe", phone="+14155550100"))
    assert result.findings == ()
    assert vet(store, Candidate(name="Ann Other", phone="+14155550101"), vetting_id="current").findings == ()


def test_near_duplicate_resume_for_another_name_is_high(store):
    text = resume_text(7)
    record(store, "e1", Candidate(name="Jane Roe", resume_path="cv.pdf"), text=text, requested_by="U9")
    record(store, "e2", Candidate(name="Kim Park", resume_path="cv.pdf"), text=resume_text(8))
    result = vet(store, Candidate(name="John Doe", resume_path="other.pdf"),
                 text=text.replace("w3 ", "w4 ", 2) + " john doe john@example.org")
    (finding,) = result.findings
    assert finding.title == "Resume nearly identical to one vetted for a different candidate"
    assert finding.evidence["earlier_vetting"] == "e1" and finding.evidence["resume_similarity"] >= 0.8
    assert vet(store, Candidate(name="Jane Roe", resume_path="cv.pdf"), text=text).findings == ()


def test_contact_printed_in_the_resume_belongs_to_another_candidate(store):
    record(store, "e1", Candidate(name="Jane Roe", email="handler@example.net"))
    text = "John Doe\nContact: handler@example.net\n" + resume_text(3, words=20)
    (finding,) = vet(store, Candidate(name="John Doe", email="john@example.org", resume_path="cv.pdf"),
                     text=text).findings
    assert finding.severity == Severity.HIGH
    assert finding.evidence["shared"] == ["e-mail address printed in the resume"]


def test_reuse_index_down_is_an_error_not_clean(tmp_path):
    from bot.config import Settings
    from bot.store import Store

    down = Store.open(Settings.from_env({"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x",
                                         "VETCANDIDATE_SECRET": "0123456789abcdef0123"}), upgrade=False)
    try:
        result = vet(down, Candidate(name="John Doe", phone="+14155550100"))
    finally:
        down.close()
    assert result.status == Status.ERROR and "reuse index unavailable" in result.reason


@pytest.mark.parametrize("candidate, reason", [
    (Candidate(email="not-an-email"), "no identifier given has a comparable"),
    (Candidate(resume_path="cv.pdf"), "resume text was not available"),
])
def test_nothing_comparable_is_an_error(store, candidate, reason):
    result = vet(store, candidate)
    assert result.status == Status.ERROR and reason in result.reason


def test_not_configured_and_not_applicable():
    runner = Runner(Registry([Reuse()]))
    assert runner.run(Candidate(name="Jane Roe")).checks[0].status == Status.SKIPPED
    result = runner.run(Candidate(email="a@example.com")).checks[0]
    assert result.status == Status.ERROR and "reuse source is not configured" in result.reason
