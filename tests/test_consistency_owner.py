"""consistency: the owner's contacts wherever the resume states them (a Contact section, the last lines,
unprinted mailto: links), and the resume's location against the phone's country."""
import pytest

from checks import Candidate, Severity, Status
from checks.resume.facts import owner_lines
from tests.test_consistency import by_title, run, text
from tests.test_resume_links import linked_pdf

BODY = ["Jane Roe", "Senior backend engineer", "Summary", "Backend engineer who likes boring technology.",
        "Experience", "Senior Engineer, Northwind Labs – Jan 2019 – Present",
        *[f"• Delivered project number {i}" for i in range(10)],
        "Engineer, Globex Inc – Mar 2016 – Dec 2018", "• Designed the order pipeline",
        "Education", "B.Sc. Computer Science, University of Leeds, 2012 – 2016"]
DIFFERS = "Resume contacts differ from the ones entered"


@pytest.mark.parametrize("section", [
    ["Contact", "lena.fischer@example.net", "+49 30 901820"],
    ["PERSONAL DETAILS", "E-mail: lena.fischer@example.net", "Phone: +49 30 901820"],
    ["Skills", "Go, Python", "lena.fischer@example.net | +49 30 901820"],  # a sidebar printed last
])
def test_contacts_at_the_end_of_a_two_column_resume_are_the_owners(section):
    result = run(text([*BODY, *section]))
    assert result.status == Status.OK
    differ = by_title(result)[DIFFERS]
    assert (differ.severity, differ.confidence) == (Severity.MEDIUM, "high")
    assert differ.evidence["resume_emails"] == ["lena.fischer@example.net"]
    assert differ.evidence["resume_phones"] == ["+4930901820"]
    assert differ.evidence["differing"] == ["e-mail", "phone"]


def test_a_contact_section_in_the_middle_counts_and_ends_at_the_next_heading():
    summary = [f"Sentence {i} of a long summary." for i in range(6)]
    lines = [*BODY[:4], *summary, "Contact details", "lena.fischer@example.net", *BODY[4:-2],
             *[f"• Mentored engineer {i}" for i in range(8)], *BODY[-2:]]
    differ = by_title(run(text(lines, phone="")))[DIFFERS]
    assert differ.evidence["differing"] == ["e-mail"]
    assert owner_lines("\n".join(lines))[8:] == ["Contact details", "lena.fischer@example.net", *BODY[-2:]]


def test_references_and_employers_addresses_at_the_end_are_not_the_owners():
    lines = [*BODY, "Contact", "jobs@northwind-labs.com", "References", "Tom Smith, tom@smith.org",
             "+1 206 555 0199"]
    lines[5] = "Senior Engineer, Northwind Labs (northwind-labs.com) – Jan 2019 – Present"
    result = run(text(lines))
    assert DIFFERS not in by_title(result)
    notes = by_title(result)["Not compared with the resume"].evidence["not_compared"]
    assert [n.split(":")[0] for n in notes][:2] == ["e-mail", "phone"]


@pytest.mark.parametrize("heading", ["Professional References", "Character references:", "Recommendations"])
def test_a_referees_contacts_under_any_references_heading_are_not_the_owners(heading):
    lines = [*BODY, heading, "Tom Smith, CTO at Globex", "tom.smith@globex-mail.org", "+1 206 555 0199"]
    assert DIFFERS not in by_title(run(text(lines)))


def test_a_role_printed_last_is_not_a_contact_block():
    lines = [*BODY[:-2], "Engineer, Initech – 2014 – 2016", "• Support line: +1 206 555 0199"]
    assert DIFFERS not in by_title(run(text(lines)))


def test_unprinted_mailto_and_tel_links_are_the_owners_contacts():
    rows = [("Jane Roe", None), ("E-mail me", "mailto:lena.fischer@example.net"),
            ("Call me", "tel:+4930901820"), ("Experience", None),
            ("Senior Engineer, Northwind Labs - Jan 2019 - Present", None)]
    candidate = Candidate(name="Jane Roe", email="jane.roe@example.com", phone="+1 512 555 0147",
                          resume_bytes=linked_pdf(rows), resume_filename="cv.pdf")
    differ = by_title(run(candidate))[DIFFERS]
    assert differ.evidence["resume_emails"] == ["lena.fischer@example.net"]
    assert differ.evidence["resume_phones"] == ["+4930901820"]
    same = Candidate(name="Jane Roe", email="lena.fischer@example.net", resume_bytes=linked_pdf(rows),
                     resume_filename="cv.pdf")
    assert by_title(run(same))["Resume contacts match the ones entered"].evidence["matching"] == ["e-mail"]


# -- the resume's location vs the phone's country ----------------------------------------------------
PHONE_TITLE = "Resume location is in another country than the phone's"


def located(place, **fields):
    return text(["Jane Roe", f"{place} | jane.roe@example.com", *BODY[4:]], email="", **fields)


def test_resume_location_in_another_country_than_the_phone_without_a_location_given():
    result = run(located("Lagos, Nigeria", location="", phone="+1 512 555 0147"))
    finding = by_title(result)[PHONE_TITLE]
    assert (finding.severity, finding.confidence) == (Severity.MEDIUM, "medium")
    assert finding.evidence == {"resume_location": "Lagos, Nigeria", "resume_country": "NG",
                                "phone_region": "US"}
    assert not [f for f in result.findings if "given" in f.title and f.severity > Severity.INFO]


def test_a_location_that_could_not_be_placed_is_not_called_missing():
    result = run(located("Lagos, Nigeria", location="Atlantis", phone="+1 512 555 0147"))
    detail = by_title(result)[PHONE_TITLE].detail
    assert "the location given could not be placed" in detail and "no location was given" not in detail


def test_resume_location_agreeing_with_the_phone():
    result = run(located("Dallas, TX", location="", phone="+1 512 555 0147"))
    agree = by_title(result)["Resume location agrees with the phone's country"]
    assert agree.severity == Severity.INFO and agree.evidence["phone_region"] == "US"
    assert PHONE_TITLE not in by_title(result)


@pytest.mark.parametrize("place, phone, severity", [
    ("Austin, TX", "+48 22 123 45 67", Severity.INFO),     # location given = resume: the phone check says it
    ("Lagos, Nigeria", "+1 512 555 0147", Severity.INFO),  # location given = phone: resume vs given says it
    ("Lagos, Nigeria", "+48 22 123 45 67", Severity.LOW),  # three countries
])
def test_with_a_location_given_the_difference_is_never_counted_twice(place, phone, severity):
    result = run(located(place, phone=phone))  # Austin, TX given
    finding = by_title(result)[PHONE_TITLE]
    assert finding.severity == severity and finding.evidence["claimed_country"] == "US"
    mediums = [f.title for f in result.findings if f.severity >= Severity.MEDIUM]
    assert mediums == ([] if place == "Austin, TX" else ["Resume location is in another country than given"])


@pytest.mark.parametrize("place", ["Perth, WA", "Atlantis, Nowhere"])
def test_an_ambiguous_or_unknown_resume_location_is_not_compared_with_the_phone(place):
    result = run(located(place, location="", phone="+61 2 9374 4000"))
    assert not [f for f in result.findings if "phone's" in f.title]
    notes = by_title(result)["Not compared with the resume"].evidence["not_compared"]
    assert any(n.startswith("location: the resume states no location") for n in notes)


def test_an_invalid_phone_is_not_compared_with_the_resume_location():
    result = run(located("Lagos, Nigeria", location="", phone="+1 555"))
    assert not [f for f in result.findings if "phone's" in f.title]
