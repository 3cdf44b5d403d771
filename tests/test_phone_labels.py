"""Labels written around a phone number ("(mobile)", "(Büro)", "cell", "Mobile: ...") are not part of it:
the phone check reads the number, and every comparison (reuse fingerprints, watchlist matching and
import) gets the same normal form from ``checks.normalize``. Extensions keep working; words that are no
label ("call me") still make the field "not a phone number"."""
from datetime import UTC, datetime

import pytest

from bot.watchlist_import import normal_form
from checks import Candidate, Severity, normalize
from checks.context import CheckContext
from checks.fingerprints import identifier_digest, phone_e164
from checks.phone import Phone, parse_phone
from checks.watchlist import identifiers

SUMMER = datetime(2026, 7, 1, 12, tzinfo=UTC)
NOT_A_NUMBER = "Phone field is not a phone number"

LABELLED = [
    ("+44 7400 123456 (mobile)", "+447400123456"),
    ("+49 30 1234567 (B\u00fcro)", "+49301234567"),
    ("+7 912 345 67 89 (\u043c\u043e\u0431\u0438\u043b\u044c\u043d\u044b\u0439)", "+79123456789"),  # Cyrillic
    ("+81 90-1234-5678\uff08\u643a\u5e2f\uff09", "+819012345678"),        # full-width brackets, Japanese
    ("+44 7400 123456 [WhatsApp only]", "+447400123456"),
    ("+44 7400 123456 (mobile) (WhatsApp)", "+447400123456"),
    ("+1 415 555 0100 cell", "+14155550100"),
    ("+1 415 555 0100 Cellphone", "+14155550100"),
    ("+44 7400 123456, WhatsApp", "+447400123456"),
    ("+44 7400 123456 - Signal", "+447400123456"),
    ("+44 7400 123456 / telegram", "+447400123456"),
    ("+44 7400 123456 mob.", "+447400123456"),
    ("+44 20 7946 0958 home", "+442079460958"),
    ("+44 20 7946 0958 (work)", "+442079460958"),
    ("+44 20 7946 0958 office", "+442079460958"),
    ("Mobile: +44 7400 123456", "+447400123456"),
    ("Tel.: +44 20 7946 0958", "+442079460958"),
    ("WhatsApp +44 7400 123456 (mobile)", "+447400123456"),
    ("+1 415 555 0100 ext. 12 (work)", "+14155550100"),
]


def findings(phone, location=""):
    return Phone().run(Candidate(name="Jane Roe", phone=phone, location=location),
                       CheckContext(clock=lambda: SUMMER))


@pytest.mark.parametrize("text, e164", LABELLED)
def test_a_label_around_a_number_is_not_part_of_it(text, e164):
    facts = parse_phone(text)
    assert facts.valid and facts.e164 == e164 and not facts.problem
    found = findings(text)
    assert not [f for f in found if f.title == NOT_A_NUMBER]
    assert found[0].evidence["phone"] == e164


@pytest.mark.parametrize("text, e164", LABELLED)
def test_every_comparison_uses_the_same_normal_form(text, e164):
    assert normalize.phone(text) == e164
    assert normal_form("phone", text) == e164                      # watchlist import
    assert phone_e164(text) == e164                                # reuse fingerprints and purge
    key = b"k" * 32
    assert identifier_digest(key, "phone", text) == identifier_digest(key, "phone", e164)
    assert ("phone", e164, "phone field") in identifiers(Candidate(phone=text), None)  # watchlist check


def test_a_label_on_a_national_number_is_read_in_the_claimed_country():
    facts = parse_phone("07400 123456 (mobile)", "London")        # ambiguous: read where it is valid
    assert facts.valid and facts.e164 == "+447400123456"
    assert parse_phone("(415) 555-0100 cell", "Austin, TX").e164 == "+14155550100"


@pytest.mark.parametrize("text", ["+1 415 555 0100 x12", "+1 415 555 0100 ext. 12", "+1 415 555 0100 #12",
                                  "tel:+1-415-555-0100;ext=12", "+1 415 555 0100 x12 (office)"])
def test_extensions_still_work(text):
    facts = parse_phone(text)
    assert facts.valid and facts.e164 == "+14155550100"
    assert normalize.phone_number(text).extension in ("12", None)  # tel: parameters are dropped


@pytest.mark.parametrize("text", ["call me", "+44 7400 123456 call me", "(mobile)", "mobile",
                                  "+44 7400 123456 (call me maybe at home)",  # longer than 20 letters
                                  "+44 7400 123456 please text"])
def test_words_that_are_no_label_still_make_it_not_a_number(text):
    facts = parse_phone(text)
    assert not facts.valid and facts.problem.startswith("not a phone number")
    junk = [f for f in findings(text) if f.title == NOT_A_NUMBER]
    assert len(junk) == 1 and junk[0].severity == Severity.MEDIUM


def test_a_vanity_number_spelling_a_label_word_keeps_its_letters():
    assert parse_phone("1 800 555 HOME", "Austin, TX").e164 == "+18005554663"
    assert parse_phone("1-800-FLOWERS", "Austin, TX").e164 == "+18003569377"
