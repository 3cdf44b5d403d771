"""consistency end to end: generated text and PDF resumes through the real runner, employers' domains
against a local RDAP server."""
from datetime import UTC, datetime

import pytest

from checks import Candidate, Severity, Status
from checks.consistency import MAX_LOOKUPS, Consistency, printed_phones
from checks.context import CheckContext
from checks.phone import parse_phone
from checks.registry import Registry, load_registry
from checks.resume import ARTEFACT, ResumeDoc
from checks.runner import Runner
from checks.sources.http import HttpClient
from checks.sources.rdap import RdapClient
from tests.fakes.rdap_server import RdapFake
from tests.test_resume_extract import make_pdf

NOW = datetime(2026, 11, 25, tzinfo=UTC)
HEADER = ["Jane Roe", "Austin, TX | jane.roe@example.com | +1 (512) 555-0147", "linkedin.com/in/janeroe"]
ROLES = ["Experience",
         "Senior Engineer, Northwind Labs (northwind-labs.com) – Jan 2019 – Present",
         "• Built the payments platform for bloom-bakery.com",
         "Globex Inc | www.globex-systems.io",
         "Engineer – Mar 2016 – Dec 2018", "• Designed the order pipeline",
         "Education", "B.Sc. Computer Science, University of Leeds, 2012 – 2016"]
JANE = dict(name="Jane Roe", email="jane.roe@example.com", phone="+1 512 555 0147", location="Austin, TX")


def when(year, month, day=1):
    return datetime(year, month, day, tzinfo=UTC)


@pytest.fixture
def rdap():
    with RdapFake() as fake:
        fake.add_domain("northwind-labs.com", registered=when(2022, 5, 3), registrar="Cheap Names LLC")
        fake.add_domain("globex-systems.io", registered=when(2009, 5, 3))
        fake.add_domain("bloom-bakery.com", registered=when(2024, 1, 1))
        fake.add_domain("linkedin.com", registered=when(2002, 11, 2))
        yield fake


def run(candidate, rdap=None, artefacts=None, sources=None):
    if sources is None:
        client = RdapClient(HttpClient(retries=0, read_timeout=2.0), rdap.bootstrap_url) if rdap else None
        sources = {"rdap": client} if client else {}
    ctx = CheckContext(sources=sources, artefacts=artefacts or {}, clock=lambda: NOW)
    return Runner(Registry([Consistency()])).run(candidate, ctx).checks[0]


def pdf(lines=HEADER + ROLES, **fields):
    return Candidate(**{**JANE, **fields}, resume_bytes=make_pdf(1, lines), resume_filename="cv.pdf")


def text(lines, **fields):
    return Candidate(**{**JANE, **fields}, resume_bytes="\n".join(lines).encode(), resume_filename="cv.txt")


def by_title(result):
    return {f.title: f for f in result.findings}


def looked_up(fake):
    return sorted(p.rsplit("/", 1)[1] for p in fake.hits if "/domain/" in p)


def test_registered_as_a_built_in():
    check = load_registry(include_plugins=False).get("consistency")
    assert type(check) is Consistency and check.requires == frozenset({"resume"})
    assert check.timeout_s == 15.0


def test_pdf_resume_employer_domain_registered_after_the_claimed_start(rdap):
    result = run(pdf(), rdap)
    assert result.status == Status.OK, result.reason
    found = by_title(result)
    front = found["Employer's domain was registered after the claimed start there"]
    assert (front.severity, front.confidence) == (Severity.HIGH, "high")
    assert front.evidence["domain"] == "northwind-labs.com" and front.evidence["employer"] == "Northwind Labs"
    assert front.evidence["claimed_start"] == "2019-01" and front.evidence["registered"] == "2022-05-03"
    assert front.evidence["registrar"] == "Cheap Names LLC" and "40 months after" in front.detail
    assert front.source.startswith("RDAP http://127.0.0.1:")
    older = found["Employer's domain predates the claimed start"]
    assert older.severity == Severity.INFO and older.evidence["domain"] == "globex-systems.io"
    assert older.evidence["employer"] == "Globex Inc" and older.evidence["claimed_start"] == "2016-03"
    # a client's site in a bullet and a platform are not employers' domains
    assert looked_up(rdap) == ["globex-systems.io", "northwind-labs.com"]


def test_same_contacts_name_and_location_are_corroborated(rdap):
    result = run(pdf(phone="(512) 555-0147"), rdap)  # national format, read in the claimed country
    found = by_title(result)
    contacts = found["Resume contacts match the ones entered"]
    assert contacts.severity == Severity.INFO and contacts.evidence["matching"] == ["e-mail", "phone"]
    assert contacts.evidence["entered_phone"] == contacts.evidence["resume_phones"][0] == "+15125550147"
    assert found["Name in the resume matches the one given"].evidence["resume_name"] == "Jane Roe"
    assert found["Resume location agrees with the one given"].severity == Severity.INFO
    assert max(f.severity for f in result.findings if "domain" not in f.evidence) == Severity.INFO


def test_different_email_and_phone_are_one_medium_finding_with_both_sides(rdap):
    result = run(pdf(email="j.doe@example.org", phone="+44 20 7946 0958"), rdap)
    differ = by_title(result)["Resume contacts differ from the ones entered"]
    assert (differ.severity, differ.confidence) == (Severity.MEDIUM, "high")
    assert differ.evidence["entered_email"] == "j.doe@example.org"
    assert differ.evidence["resume_emails"] == ["jane.roe@example.com"]
    assert differ.evidence["entered_phone"] == "+442079460958"
    assert differ.evidence["resume_phones"] == ["+15125550147"]
    assert differ.evidence["differing"] == ["e-mail", "phone"] and differ.evidence["matching"] == []
    assert len([f for f in result.findings if "differ" in f.title]) == 1


def test_only_the_phone_differing_while_the_email_matches_is_low(rdap):
    result = run(pdf(phone="+1 206 555 0199"), rdap)
    finding = by_title(result)["Resume phone differs from the one entered (the e-mail matches)"]
    assert finding.severity == Severity.LOW and finding.evidence["entered_phone"] == "+12065550199"


def test_phone_vs_location_is_left_to_the_phone_check(rdap):
    result = run(pdf(phone="+48 22 123 45 67", email=""), rdap)  # a Polish number, Austin claimed
    assert by_title(result)["Resume location agrees with the one given"].evidence["phone_region"] == "PL"
    assert not [f for f in result.findings if "country" in f.title.lower() and f.severity > Severity.INFO]


def test_resume_headed_with_another_name(rdap):
    result = run(pdf(["Lena Fischer", *HEADER[1:], *ROLES]), rdap)
    other = by_title(result)["Name at the top of the resume is another person's"]
    assert (other.severity, other.confidence) == (Severity.MEDIUM, "medium")
    assert other.evidence == {"given_name": "Jane Roe", "resume_name": "Lena Fischer"}


@pytest.mark.parametrize("given, heading", [
    ("Jane", "Lena Fischer"),               # a partial name given: not comparable
    ("J. Roe", "Jane Roe"),                 # initials agree
    ("Roe Jane", "Jane Roe"),               # token order
    ("Jane Roe", "Curriculum Vitae"),       # a heading, not a name
    ("Jane Roe", "Jane"),                   # one word printed
    ("张伟", "Wei Zhang"),                   # another script: never a mismatch
])
def test_partial_or_missing_names_are_never_called_another_person(given, heading):
    result = run(text([heading, "Austin, TX", "jane.roe@example.com"], name=given))
    assert result.status == Status.OK
    assert "Name at the top of the resume is another person's" not in by_title(result)


@pytest.mark.parametrize("printed, severity, title", [
    ("Lagos, Nigeria", Severity.MEDIUM, "Resume location is in another country than given"),
    ("Seattle, WA", Severity.LOW, "Resume location is in another time zone than given"),
    ("Dallas, TX", Severity.INFO, "Resume location agrees with the one given"),
])
def test_resume_location_vs_the_claimed_one(printed, severity, title):
    result = run(text(["Jane Roe", f"{printed} | jane.roe@example.com"], phone=""))
    assert result.status == Status.OK
    finding = by_title(result)[title]
    assert finding.severity == severity
    assert finding.evidence["resume_location"] == printed
    assert finding.evidence["claimed_location"] == "Austin, TX"


def test_ambiguous_or_unknown_places_are_not_compared():
    result = run(text(["Jane Roe", "Perth, WA | jane.roe@example.com"], location="Georgia", phone=""))
    assert not [f for f in result.findings if f.title.startswith("Resume location")]
    assert any(n.startswith("location:") for n in by_title(result)["Not compared with the resume"]
               .evidence["not_compared"])


def test_rdap_500_is_an_error_that_keeps_the_other_findings(rdap):
    rdap.add_error("globex-systems.io", 500)
    result = run(pdf(email="j.doe@example.org", phone=""), rdap)
    assert result.status == Status.ERROR
    assert "RDAP lookup of an employer domain failed" in result.reason
    found = by_title(result)
    assert found["Employer's domain was registered after the claimed start there"].severity == Severity.HIGH
    assert found["Resume contacts differ from the ones entered"].severity == Severity.MEDIUM
    assert "Employer's domain predates the claimed start" not in found


def test_without_an_rdap_source_it_is_an_error_not_consistent():
    result = run(pdf(), sources={})
    assert result.status == Status.ERROR and "employer domains not checked" in result.reason
    assert "Resume contacts match the ones entered" in by_title(result)


def test_unregistered_and_just_registered_employer_domains(rdap):
    rdap.add_not_found("initech-solutions.com")
    rdap.add_domain("hooli-cloud.com", registered=when(2020, 2, 10))
    lines = ["Jane Roe", "Experience", "Developer, Initech (initech-solutions.com), 2014 – 2015",
             "Engineer at Hooli Cloud Inc, hooli-cloud.com, Dec 2019 – Jan 2021"]
    found = by_title(run(text(lines), rdap))
    assert found["Employer's domain is not registered"].severity == Severity.LOW
    early = found["Employer's domain was registered just after the claimed start"]
    assert early.severity == Severity.LOW and early.evidence["claimed_start"] == "2019-12"


def test_employer_domain_named_like_the_employer_elsewhere_in_the_resume(rdap):
    rdap.add_domain("umbrella-labs.io", registered=when(2023, 6, 1))
    lines = ["Jane Roe", "Experience", "Umbrella Labs", "Backend Engineer – 2021 – 2024", "• APIs",
             "Links", "References: hr@umbrella-labs.io"]
    found = by_title(run(text(lines), rdap))
    front = found["Employer's domain was registered after the claimed start there"]
    assert front.confidence == "medium" and front.evidence["domain_found"] == "named like the employer"
    assert "Resume contacts differ from the ones entered" not in found  # a work address is not a contact


def test_contacts_far_below_the_header_corroborate_but_never_differ():
    filler = [f"• Delivered project number {i}" for i in range(12)]
    result = run(text(["Jane Roe", "Austin, TX", "Experience", *filler, "References: tom@smith.org",
                       "+1 206 555 0199", "jane.roe@example.com"], phone=""))
    found = by_title(result)
    assert found["Resume contacts match the ones entered"].evidence["matching"] == ["e-mail"]
    other = run(text(["Jane Roe", "Austin, TX", "Experience", *filler, "References: tom@smith.org",
                      "+1 206 555 0199"]))
    assert not [f for f in other.findings if f.severity > Severity.INFO]
    notes = by_title(other)["Not compared with the resume"].evidence["not_compared"]
    assert [n.split(":")[0] for n in notes] == ["e-mail", "phone"]


def test_freemail_and_self_employment_are_not_employer_domains(rdap):
    rdap.add_domain("janeroe.dev", registered=when(2024, 1, 1))
    lines = ["Jane Roe", "Experience", "Freelance developer, janeroe.dev, 2018 – Present",
             "Engineer, Stark Industries (contact: stark.hr@gmail.com), 2015 – 2018"]
    result = run(text(lines), rdap)
    assert result.status == Status.OK and looked_up(rdap) == []


def test_lookups_are_bounded(rdap):
    names = [f"employer{i}-corp.com" for i in range(MAX_LOOKUPS + 2)]
    for name in names:
        rdap.add_domain(name, registered=when(2001, 1, 1))
    lines = ["Jane Roe", "Experience"] + [f"Engineer, Employer{i} Corp ({d}), {2010 + i} – {2011 + i}"
                                          for i, d in enumerate(names)]
    result = run(text(lines), rdap)
    assert len(looked_up(rdap)) == MAX_LOOKUPS
    skipped = by_title(result)["2 more employer domain(s) not looked up"]
    assert skipped.severity == Severity.INFO and len(skipped.evidence["not_looked_up"]) == 2


def test_an_unreadable_resume_is_an_error_without_lookups(rdap):
    result = run(Candidate(**JANE, resume_bytes=b"%PDF-1.4 not really", resume_filename="cv.pdf"), rdap)
    assert result.status == Status.ERROR and "could not be read" in result.reason
    assert result.findings == () and looked_up(rdap) == []


def test_the_shared_extraction_is_used(rdap):
    shared = ResumeDoc(kind="text", text="\n".join(HEADER + ROLES))
    candidate = Candidate(**JANE, resume_bytes=b"%PDF-1.4 not read", resume_filename="cv.pdf")
    result = run(candidate, rdap, artefacts={ARTEFACT: shared})
    assert result.status == Status.OK and "Resume contacts match the ones entered" in by_title(result)


def test_printed_phones_read_national_numbers_in_the_entered_numbers_country():
    entered = parse_phone("+44 20 7946 0958")
    assert printed_phones(("020 7946 0958", "2012-2016", "12345"), entered, "") == ["+442079460958"]
    assert printed_phones(("(512) 555-0147",), None, "") == []
