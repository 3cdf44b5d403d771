"""The timeline parser on real-world date formats, entry labels, sections and contact facts."""
from datetime import UTC, datetime

import pytest

from checks.resume.facts import Facts
from checks.resume.timeline import YM, parse_date, parse_timeline

NOW = datetime(2026, 11, 25, tzinfo=UTC)
PRESENT = YM(2026, 11)


@pytest.mark.parametrize("line, start, end, current", [
    ("Jan 2019 – Present", YM(2019, 1), PRESENT, True),
    ("2017-2020", YM(2017), YM(2020), False),
    ("03/2018 to 06/2021", YM(2018, 3), YM(2021, 6), False),
    ("Sept. 2015 — Aug. 2016", YM(2015, 9), YM(2016, 8), False),
    ("2019 – now", YM(2019), PRESENT, True),
    ("January 2019 - Current", YM(2019, 1), PRESENT, True),
    ("Mar '18 - Jun '20", YM(2018, 3), YM(2020, 6), False),
    ("Mar’18 – Jun’20", YM(2018, 3), YM(2020, 6), False),
    ("2015-17", YM(2015), YM(2017), False),
    ("2018.03 - 2020.06", YM(2018, 3), YM(2020, 6), False),
    ("2018-03 – 2020-06", YM(2018, 3), YM(2020, 6), False),
    ("Summer 2019 – Fall 2020", YM(2019, 6), YM(2020, 9), False),
    ("Jan – Mar 2019", YM(2019, 1), YM(2019, 3), False),
    ("Nov - Feb 2019", YM(2018, 11), YM(2019, 2), False),
    ("May 2019 – Today", YM(2019, 5), PRESENT, True),
    ("2016 to date", YM(2016), PRESENT, True),
    ("2016 till date", YM(2016), PRESENT, True),
    ("(2012–2016)", YM(2012), YM(2016), False),
    ("Oct 2010 → Dec 2012", YM(2010, 10), YM(2012, 12), False),
    ("1/2015 - 3/2016", YM(2015, 1), YM(2016, 3), False),
    ("2014 - Ongoing", YM(2014), PRESENT, True),
    ("Dec 2019 - 2021", YM(2019, 12), YM(2021), False),
    ("from 2011 through 2013", YM(2011), YM(2013), False),
    ("06.2012 – 09.2014", YM(2012, 6), YM(2014, 9), False),
    ("February, 2020 -- Currently", YM(2020, 2), PRESENT, True),
    ("JUNE 2008 TO MAY 2010", YM(2008, 6), YM(2010, 5), False),
    ("Freelance developer since 2019", YM(2019), PRESENT, True),
])
def test_date_range_formats(line, start, end, current):
    entries = parse_timeline(f"Experience\nDeveloper, Acme Corp, {line}\n", NOW)
    assert len(entries) == 1, line
    entry = entries[0]
    assert (entry.start, entry.end, entry.current) == (start, end, current)


@pytest.mark.parametrize("line", [
    "• Led the migration in 2019 – 2020 of all our services to the new cloud platform for the team",
    "Call me on +1 415-555-2019 or 415 555 2019",
    "GPA 3.9/4.0, Dean's list",
    "Managed a budget of 2,000 - 3,000 USD per month",
    "Released version 2.0 to 5 million users",
])
def test_lines_that_are_not_entries(line):
    assert parse_timeline(f"Experience\n{line}\n", NOW) == []


@pytest.mark.parametrize("text, p", [
    ("Jan 2019", YM(2019, 1)), ("Sept. 2015", YM(2015, 9)), ("03/2018", YM(2018, 3)),
    ("2018-03", YM(2018, 3)), ("Mar '18", YM(2018, 3)), ("Summer 2019", YM(2019, 6)),
    ("present", PRESENT), ("2019", YM(2019)), ("Winter 2018", YM(2018)), ("January, 2020", YM(2020, 1)),
    ("Dec '99", YM(1999, 12)), ("nonsense", None),
])
def test_parse_date(text, p):
    assert parse_date(text, NOW) == p


def test_precision_intervals():
    assert (YM(2019).lo, YM(2019).hi) == (2019 * 12, 2019 * 12 + 11)
    assert YM(2019, 3).lo == YM(2019, 3).hi == 2019 * 12 + 2
    assert str(YM(2019, 3)) == "2019-03" and str(YM(2019)) == "2019"


RESUME = """Jane Roe
Austin, TX | jane.roe@example.com | +1 415 555 0100 | github.com/janeroe
https://janeroe.dev

SUMMARY
Backend engineer. Since 2019 I have led teams of five to eight engineers across three time zones.

WORK EXPERIENCE
Senior Software Engineer, Acme Corp — Jan 2019 – Present
• Built a payments platform on Kubernetes
• Led a team of six engineers
Globex Inc
Backend Developer | 03/2016 to 12/2018
- Designed REST APIs
Initech LLC | Software Engineer | 2012-2016
Web Developer at Hooli, Sept. 2010 — Aug. 2012
Contract developer, Pied Piper\t2011 – now
Senior Engineer
Umbrella Group, Remote
Mar 2008 – Jun 2010
  Wrote the billing service.

Volunteer Experience
Mentor, Code Club, 2015 – 2016

## Education
B.Sc. Computer Science, University of Texas, 2003 – 2007
M.Sc. Data Science
MIT, 2008
"""


def entries():
    return parse_timeline(RESUME, NOW)


def test_sections_and_labels():
    got = [(e.section, e.title, e.employer) for e in entries()]
    assert got == [  # "Since 2019 I have led..." in the summary is prose, not an entry
        ("experience", "Senior Software Engineer", "Acme Corp"),
        ("experience", "Backend Developer", "Globex Inc"),
        ("experience", "Software Engineer", "Initech LLC"),
        ("experience", "Web Developer", "Hooli"),
        ("experience", "Contract developer", "Pied Piper"),
        ("experience", "Senior Engineer", "Umbrella Group"),
        ("other", "Mentor", "Code Club"),
        ("education", "B.Sc. Computer Science", "University of Texas"),
        ("education", "M.Sc. Data Science", "MIT"),
    ]


def test_context_lines_bodies_and_full_time():
    by_employer = {e.employer: e for e in entries()}
    acme, globex = by_employer["Acme Corp"], by_employer["Globex Inc"]
    umbrella = by_employer["Umbrella Group"]
    assert acme.body == ("• Built a payments platform on Kubernetes", "• Led a team of six engineers")
    assert globex.context == ("Globex Inc",) and globex.body == ("- Designed REST APIs",)
    assert umbrella.context == ("Senior Engineer", "Umbrella Group, Remote")
    assert umbrella.body == ("Wrote the billing service.",)
    assert acme.line_no == 9 and acme.evidence.startswith("Senior Software Engineer, Acme Corp")
    assert not by_employer["Pied Piper"].full_time and acme.full_time
    assert not by_employer["Code Club"].full_time  # a mentor role
    masters = by_employer["MIT"]
    assert masters.start is None and masters.end == YM(2008) and masters.start_lo == YM(2008).lo


def test_employer_key_drops_legal_form():
    by_employer = {e.employer: e for e in entries()}
    assert by_employer["Initech LLC"].employer_key == "initech"
    assert by_employer["Acme Corp"].employer_key == "acme"


def test_headings_without_sections_fall_back_to_keywords():
    text = "B.Sc. Physics, University of Lagos, 2001 - 2005\nAnalyst, Contoso Ltd, 2006 - 2010\n"
    assert [e.section for e in parse_timeline(text, NOW)] == ["education", "experience"]


def test_facts():
    facts = Facts(RESUME)
    assert facts.emails == ("jane.roe@example.com",)
    assert facts.phones == ("+1 415 555 0100",)
    assert facts.urls == ("github.com/janeroe", "https://janeroe.dev")  # scheme-less URLs too
    assert set(facts.domains) == {"janeroe.dev", "example.com", "github.com"}
    assert facts.name_lines == ("Jane Roe",)
    assert facts.location_lines == ("Austin, TX",)


def test_facts_more_shapes():
    text = ("JOHN Q. SMITH\nLocation: Lisbon, Portugal\n"
            "Mobile: (020) 7946 0958 · Email: J.Smith@Mail.Example.co.uk\n"
            "Skills: Node.js, ASP.NET, Vue.js; B.Sc 2010 - 2014\nwww.smith.example.org/cv.\n")
    facts = Facts(text)
    assert facts.name_lines == ("JOHN Q. SMITH",)
    assert facts.location_lines == ("Lisbon, Portugal",)
    assert facts.emails == ("j.smith@mail.example.co.uk",)
    assert facts.phones == ("(020) 7946 0958",)
    assert facts.urls == ("www.smith.example.org/cv",)
    assert set(facts.domains) == {"example.co.uk", "example.org"}


def test_hostile_text_is_fast():
    import time

    text = ("a" * 200_000) + "@" + ("b." * 5000) + "\n" + ("2019 - " * 20000) + "\n" + "-" * 100_000
    start = time.monotonic()
    parse_timeline(text, NOW)
    facts = Facts(text)
    facts.emails, facts.phones, facts.domains, facts.location_lines  # noqa: B018
    assert time.monotonic() - start < 3


def test_entries_are_capped_so_the_rules_stay_bounded():
    import time

    from checks.resume import rules
    from checks.resume.timeline import MAX_ENTRIES

    text = "\n".join(f"Engineer {i}, Acme {i} Corp, 2011 – 2013" for i in range(5000))
    start = time.monotonic()
    entries = parse_timeline(text, NOW)
    rules.evaluate(text, entries, {}, "Jane Roe", NOW)
    assert len(entries) == MAX_ENTRIES
    assert time.monotonic() - start < 2
