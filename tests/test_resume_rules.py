"""Each rule on a text resume that breaks it, and on near-misses that must stay silent."""
from datetime import UTC, datetime

import pytest

from checks import Severity
from checks.model import Confidence
from checks.resume import rules
from checks.resume.timeline import parse_timeline

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def run(text, metadata=None, name="Jane Roe"):
    return rules.evaluate(text, parse_timeline(text, NOW), metadata or {}, name, NOW)


def titles(findings):
    return {f.title: f for f in findings}


CLEAN = """Jane Roe
Experience
Senior Engineer, Acme Corp, Jan 2020 – Present
• Runs the Kubernetes platform and the Terraform modules for 40 services
Engineer, Globex Inc, Mar 2016 – Dec 2019
• Built React front ends and GraphQL APIs
Junior Developer, Initech LLC, 2013 – 2016
• Maintained the PHP billing system and its reports
Education
B.Sc. Computer Science, University of Leeds, 2009 – 2013
"""


def test_a_consistent_resume_has_no_findings():
    assert run(CLEAN) == []


def test_overlapping_full_time_roles_are_medium_with_both_lines():
    text = CLEAN.replace("Globex Inc, Mar 2016 – Dec 2019", "Globex Inc, Mar 2016 – Dec 2021")
    (finding,) = run(text)
    assert finding.title == "Overlapping full-time roles"
    assert finding.severity == Severity.MEDIUM
    (pair,) = finding.evidence["overlaps"]
    assert pair["months"] == 24
    assert pair["first"].startswith("L3: Senior Engineer, Acme Corp") and "Globex" in pair["second"]


@pytest.mark.parametrize("replacement", [
    "Engineer, Globex Inc, Mar 2016 – Mar 2020",            # a three-month transition
    "Engineer, Globex Inc, 2016 – 2020",                    # year precision: not certainly overlapping
    "Freelance engineer, Globex Inc, Mar 2016 – Dec 2021",  # not full-time
    "Engineer, Acme Corporation, Mar 2016 – Dec 2021",      # the same employer
])
def test_overlaps_that_are_not_flagged(replacement):
    text = CLEAN.replace("Engineer, Globex Inc, Mar 2016 – Dec 2019", replacement)
    assert "Overlapping full-time roles" not in titles(run(text))


def test_a_company_line_above_its_roles_is_not_an_overlap():
    text = ("Experience\nAcme Corp   2015 – Present\nSenior Engineer   2019 – Present\n"
            "Engineer   2015 – 2019\n")
    assert run(text) == []


def test_end_before_start_and_future_dates():
    text = (CLEAN + "Experience\nAnalyst, Contoso Ltd, 2012 – 2009\n"
            "Architect, Fabrikam Inc, Mar 2027 – Present\n")
    found = titles(run(text))
    backwards = found["Dates that end before they start"]
    assert backwards.severity == Severity.LOW and backwards.confidence == Confidence.HIGH
    assert backwards.evidence["lines"] == ["L12: Analyst, Contoso Ltd, 2012 – 2009"]
    future = found["Work dates in the future"]
    assert future.evidence["lines"] == ["L13: Architect, Fabrikam Inc, Mar 2027 – Present"]
    assert future.evidence["today"] == "2026-11"


def test_expected_graduation_is_not_a_future_date():
    text = CLEAN.replace("2009 – 2013", "2024 – 2027").replace("2013 – 2016", "2023 – 2024")
    assert "Work dates in the future" not in titles(run(text))


def test_long_gaps_are_low_unless_study_covers_them():
    text = CLEAN.replace("Mar 2016 – Dec 2019", "Mar 2016 – Dec 2017")
    (gap,) = run(text)
    assert (gap.title, gap.severity) == ("Long gaps between roles", Severity.LOW)
    (item,) = gap.evidence["gaps"]
    assert (item["from"], item["to"], item["months"]) == ("2018-01", "2019-12", 24)
    assert "Globex" in item["after"] and "Acme" in item["before"]
    studied = text + "M.Sc. Data Science, University of York, 2018 – 2019\n"
    assert run(studied) == []


def test_education_contradicting_work():
    text = CLEAN.replace("Junior Developer, Initech LLC, 2013", "Senior Developer, Initech LLC, 2010")
    text += "M.Sc. Computing, University of Leeds, 2006 – 2008\n"
    (finding,) = run(text)
    assert finding.title == "Education dates contradict the work history"
    assert finding.severity == Severity.LOW
    lines = finding.evidence["lines"]
    assert any("M.Sc. Computing" in line and "finished before" in line for line in lines)
    assert any("Senior Developer" in line and "held during" in line for line in lines)


@pytest.mark.parametrize("claim, flagged", [
    ("20+ years of experience in backend systems.", True),
    ("Over twenty years of professional experience.", True),
    ("17 yrs experience.", True),
    ("16+ years of experience.", False),  # 13.9 dated years: within the slack of 3
    ("10 years of experience.", False),
])
def test_claimed_experience_vs_timeline(claim, flagged):
    found = titles(run(claim + "\n" + CLEAN))
    finding = found.get("Claimed experience exceeds the dated roles")
    assert bool(finding) == flagged
    if finding:
        assert finding.severity == Severity.LOW and finding.evidence["dated_years"] == 13.9


SHORT = "Jane Roe\nExperience\nEngineer, Acme Corp, Jun 2023 – Present\n• Runs the billing service\n"  # 3.5 y


@pytest.mark.parametrize("claim, years", [
    ("10+ years in software development.", 10),
    ("10+ years building web applications.", 10),
    ("Backend developer (12+ years)", 12),
    ("Over 15 years in the industry.", 15),
    ("Twelve years as a backend developer.", 12),
    ("A 15-year career in fintech.", 15),
    ("Total experience: 11 years", 11),
    ("Engineer with more than 10 years' experience.", 10),
])
def test_claim_phrasings_are_flagged_against_a_short_timeline(claim, years):
    finding = titles(run(claim + "\n" + SHORT))["Claimed experience exceeds the dated roles"]
    assert finding.evidence["claimed_years"] == years and finding.evidence["dated_years"] == 3.5
    assert finding.evidence["claim"] in claim


@pytest.mark.parametrize("text", [
    "All laptops come with a 10 years warranty.",
    "Promoted to lead within 12 years of joining the company.",
    "Mentored students aged 18 years and over.",
    "I am 25 years old.",
    "Founded 10 years ago in the industry's first wave.",
    "Acme, a firm with over 50 years in the industry.",
    "Lived 15 years in Germany.",
    "Employee of the month 9 years in a row.",
    "Maintained a 15-year-old codebase.",
    "Engineer with 15+ years\nExperience",  # a number, then a heading on the next line: no line crossing
    "Led a team of six with 40 years of combined experience.",
    "Joined a team with 30 years of experience in payments.",
    "The group brings 25 years of collective experience to clients.",
])
def test_numbers_of_years_that_are_not_experience_claims(text):
    assert "Claimed experience exceeds the dated roles" not in titles(run(text + "\n" + SHORT))


def test_claims_in_hostile_text_are_linear():
    import time

    start = time.monotonic()
    assert rules.experience_claims(("10 years " * 6000)[:50000]) == []
    assert time.monotonic() - start < 1


@pytest.mark.parametrize("text, fragment", [
    ("Summary: 15 years of Kubernetes in production.", "'15 years of Kubernetes'"),
    ("8+ years of hands-on experience with LangChain", "LangChain exists since 2022"),
    ("Skills: Docker (16 years), Python (20 years)", "'Docker (16 years)'"),
])
def test_technology_claims_longer_than_it_exists(text, fragment):
    found = titles(run(CLEAN + text + "\n"))
    finding = found["Technology claimed before it existed"]
    assert finding.severity == Severity.MEDIUM and finding.confidence == Confidence.HIGH
    assert any(fragment in line for line in finding.evidence["lines"])


def test_technology_in_a_role_that_ended_before_it_existed():
    text = CLEAN.replace("Maintained the PHP billing system", "Moved the billing system to Kubernetes")
    text = text.replace("2013 – 2016", "2010 – 2013")
    finding = titles(run(text))["Technology claimed before it existed"]
    assert finding.confidence == Confidence.MEDIUM
    (line,) = finding.evidence["lines"]
    assert line.startswith("L7: Junior Developer, Initech LLC, 2010 – 2013 mentions Kubernetes")


@pytest.mark.parametrize("text", [
    "5 years of Kubernetes, since its first release.",          # possible
    "10 years of experience, the last 3 with Kubernetes.",     # the 10 is not about Kubernetes
    "12 years of experience building systems with Docker and React.",
    "Steered the ship; a swift react to incidents and 20 years of docker work at the port",  # words
])
def test_technology_near_misses(text):
    assert "Technology claimed before it existed" not in titles(run(CLEAN + text + "\n"))


def test_tech_table_is_data_with_sources():
    table = rules.tech_table()
    assert len(table) >= 40
    assert all(t["source"] and 1990 < t["year"] <= NOW.year and t["aliases"] for t in table)


BULLET = "• Designed and built the event-driven order pipeline processing 2 million messages a day"


def test_repeated_bullets_low_then_medium():
    text = CLEAN.replace("• Built React front ends and GraphQL APIs", BULLET).replace(
        "• Maintained the PHP billing system and its reports", BULLET.replace("2", "3"))
    (finding,) = run(text)
    assert (finding.title, finding.severity) == ("Same bullet text repeated across roles", Severity.LOW)
    assert [len(b["roles"]) for b in finding.evidence["bullets"]] == [2]
    extras = ("• Owned the quarterly capacity planning for every production cluster\n"
              "• Mentored four junior engineers through their first production releases\n")
    templated = text.replace(BULLET + "\n", BULLET + "\n" + extras).replace(
        "Education", extras.replace("•", "-") + "Education")
    finding = titles(run(templated))["Same bullet text repeated across roles"]
    assert finding.severity == Severity.MEDIUM and len(finding.evidence["bullets"]) == 3


def test_same_bullet_at_the_same_employer_is_fine():
    text = ("Experience\nSenior Engineer, Acme Corp, 2019 – Present\n" + BULLET + "\n"
            "Engineer, Acme Corp, 2015 – 2019\n" + BULLET + "\n")
    assert run(text) == []


@pytest.mark.parametrize("metadata, severity", [
    ({"author": "Lena Fischer"}, Severity.LOW),
    ({"author": "Lena Fischer", "last_modified_by": "lena fischer"}, Severity.MEDIUM),
    ({"author": "Lena Fischer", "last_modified_by": "Jane Roe"}, Severity.LOW),
    ({"author": "J. Roe"}, None),            # the surname matches
    ({"author": "Roe, Jane"}, None),
    ({"author": "Microsoft Office User"}, None),
    ({"author": "jroe"}, None),              # an account name, not a person's name
    ({"author": "Canva"}, None),
    ({}, None),
])
def test_metadata_author(metadata, severity):
    found = rules.metadata_author(metadata, "Jane Roe")
    assert (found[0].severity if found else None) == severity
    if found:
        assert found[0].evidence["author"] == "Lena Fischer"
        assert found[0].evidence["compared_with"] == "Jane Roe"


def test_metadata_author_without_any_name_is_silent():
    assert rules.metadata_author({"author": "Lena Fischer"}, "") == []
    assert rules.metadata_author({"author": "Lena Fischer"}, "!!!") == []
