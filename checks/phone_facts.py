"""What the offline metadata (libphonenumber) says about one phone number, and which line kinds are signals.

``parse_phone(raw, location)`` gives ``PhoneFacts``: E.164 form, validity, region(s), number type,
allocated carrier and time zones; a number without "+" is read in the claimed location's country (for
an ambiguous place, the one reading's country where it is a valid number as written).
``LINE_SIGNALS`` grades line kinds (VoIP, premium, toll-free...), offline and live alike. Shared by the
phone and consistency checks (``checks.phone`` re-exports these names); this module is not a check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, carrier
from phonenumbers import timezone as phone_timezone

from checks import normalize
from checks.model import Confidence, Severity
from checks.places import Place, resolve

NO_COUNTRY = "the number has no country code (+...) and the claimed location names no single country"
NOT_A_NUMBER = "not a phone number"  # ``PhoneFacts.problem`` starts with it when the text is no number at all
MIN_DIGITS = 4  # the shortest numbers anywhere (Niue, Saint Helena) have four digits
# An extension at the end ("x12", "ext. 12", "#12", ";ext=12") and a tel: URI's parameters are not the number.
_EXTENSION = re.compile(r"(?:;ext=|\bext(?:ension|n)?\.?|(?<![a-z])x|#)\s*\d{1,7}\s*#?\s*$", re.I)
# A vanity number: digits first, then capital letters standing for digits ("1-800-FLOWERS").
_VANITY = re.compile(r"^\+?\s*\(?\d[\d\s().\-/]*[A-Z][A-Z\d\s().\-/]*$")
_TYPE_NAMES = {value: name for name, value in vars(PhoneNumberType).items() if name.isupper()}
_OFFLINE_KINDS = {"PERSONAL_NUMBER": "personal", "PREMIUM_RATE": "premium"}  # others: the name lower-cased
S, C = Severity, Confidence
# line kind -> severity, confidence, title, why. Kinds are libphonenumber's (offline) and the live
# provider's (``LineInfo.line_type``). VoIP is medium per the severity guide; high is kept for
# direct evidence of fabrication, which no line type is on its own.
LINE_SIGNALS = {
    "voip": (S.MEDIUM, C.HIGH, "VoIP number", "A range the numbering plan reserves for VoIP: anyone can get "
             "one online, from any country. Common in remote-hiring fraud, and used by honest people too."),
    "non_fixed_voip": (S.MEDIUM, C.HIGH, "Non-fixed VoIP number (e.g. Google Voice, TextNow)",
                       "The carrier says non-fixed VoIP: obtainable online, anywhere, without an address. "
                       "The strongest phone signal, yet with innocent uses: ask for a mobile, verify it."),
    "fixed_voip": (S.LOW, C.HIGH, "Fixed VoIP line", "VoIP tied to a service address (cable or business "
                   "phone): common, and far weaker than non-fixed VoIP."),
    "personal": (S.MEDIUM, C.MEDIUM, "Personal (follow-me) number", "It forwards to any phone in any "
                 "country, so like VoIP it hides the real line and where it is."),
    "premium": (S.MEDIUM, C.HIGH, "Premium-rate number", "Nobody's own line is premium-rate (the caller "
                "pays): a typo, or not the candidate's phone."),
    "pager": (S.LOW, C.HIGH, "Pager number", "A pager cannot take a call: ask for a number that can."),
    "uan": (S.LOW, C.HIGH, "Company access number (UAN)", "A company's single number, not a personal line."),
    "toll_free": (S.LOW, C.HIGH, "Toll-free number", "A business service number: it reaches no one "
                  "directly and says nothing about where the candidate is."),
    "shared_cost": (S.LOW, C.HIGH, "Shared-cost number", "A business service number, not a personal line."),
    "voicemail": (S.LOW, C.HIGH, "Voicemail access number", "It reaches a mailbox, not a person."),
}


@dataclass(frozen=True)
class PhoneFacts:
    """What the offline metadata says about one number (shared with the consistency check)."""

    raw: str
    e164: str = ""                       # "" when the text could not be parsed at all
    valid: bool = False
    region: str = ""                     # ISO 3166-1 alpha-2; "001" a global service; "" unknown
    regions: tuple[str, ...] = ()        # every country it may belong to (NANP toll-free: all of +1)
    country_code: int = 0
    number_type: str = ""                # libphonenumber's name: "MOBILE", "VOIP", "FIXED_LINE_OR_MOBILE"...
    carrier: str = ""                    # carrier the range was allocated to (numbers may have been ported)
    timezones: tuple[str, ...] = ()
    default_region: str = ""             # region used because the number had no "+"
    problem: str = ""                    # why it is not parsed / not valid (free of the number itself)
    location: Place | None = None
    # Ambiguous location, no "+": labels of the readings where the number is not this valid number as
    # written (so it was read in ``default_region``).
    ruled_out: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        kind = _OFFLINE_KINDS.get(self.number_type, self.number_type.lower())
        return kind if kind in LINE_SIGNALS else ""

    def international_digits(self) -> str:
        """E.164 digits, or the raw digits when the text was written internationally but not parsed."""
        return self.e164[1:] if self.e164 else _intl_digits(self.raw)


def _bare(raw: str) -> str:
    """The number as written: no tel: scheme or URI parameters, no labels around it."""
    text = raw.strip()
    return normalize.phone_text(text[4:].split(";", 1)[0] if text[:4].lower() == "tel:" else text)


def written_international(raw: str) -> bool:
    """The number is written with its country code ("+", or "00" for it), labels aside."""
    return bool(re.match(r"^\s*(?:\+|00)", _bare(raw)))


def _intl_digits(raw: str) -> str:
    text = _bare(raw)
    digits = re.sub(r"\D", "", text)
    return digits[2:] if text.startswith("00") else digits if text.startswith("+") else ""


def _region_of(digits: str) -> str:
    """The region of an international number's country code (codes are prefix-free)."""
    codes = (phonenumbers.region_code_for_country_code(int(digits[:n])) for n in (1, 2, 3) if digits[n - 1:])
    return next((r for r in codes if r != "ZZ"), "")


def not_a_number(raw: str) -> str:
    """Why the text cannot be a phone number at all ("" when it might be one): no digits, too few,
    or words besides an extension. A plausible number that is merely invalid is not this."""
    text = re.sub(r"^tel:", "", raw.strip(), flags=re.I).split(";phone-context", 1)[0]
    text = _EXTENSION.sub("", normalize.phone_text(text)).strip()
    vanity = bool(_VANITY.match(text))
    digits = sum(ch.isdigit() or (vanity and ch.isalpha()) for ch in text)
    if not digits:
        return f"{NOT_A_NUMBER}: it has no digits"
    if digits < MIN_DIGITS:
        return f"{NOT_A_NUMBER}: it has only {digits} digit{'s' if digits > 1 else ''}"
    if any(ch.isalpha() for ch in text) and not vanity:
        return f"{NOT_A_NUMBER}: it has words or letters besides an extension"
    return ""


def parse_phone(raw: str, location: str | Place | None = None) -> PhoneFacts:
    """Parse offline; a number without "+" is read in the claimed location's country. Never raises."""
    raw = (raw or "").strip()
    place = location if isinstance(location, Place) else resolve(location) if location else None
    junk = not_a_number(raw)
    if junk:
        return PhoneFacts(raw, problem=junk, location=place)
    written_intl = written_international(raw)
    national = not written_intl and place is not None
    default, ruled_out, problem = _default_region(raw, place) if national and place else ("", (), "")
    if problem:
        return PhoneFacts(raw, problem=problem, location=place)
    try:
        number = normalize.phone_number(raw, default or None)
    except ValueError as exc:  # libphonenumber's NOT_A_NUMBER in any case; else the country is missing
        problem = str(exc) if str(exc) == NOT_A_NUMBER or written_intl or default else NO_COUNTRY
        return PhoneFacts(raw, region=default or _region_of(_intl_digits(raw)), default_region=default,
                          problem=problem, location=place)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number) or ""
    if not region or not phonenumbers.is_valid_number(number):
        return PhoneFacts(raw, e164, region=region or _region_of(e164[1:]), default_region=default,
                          country_code=number.country_code, problem=_why_invalid(number), location=place)
    regions: tuple[str, ...] = (region,)
    kind = phonenumbers.number_type(number)
    # A service number (NANP toll-free, a shared VoIP range) belongs to every region of its calling code;
    # a mobile is "non-geographical" only within its country: a Jamaican +1 876 mobile is Jamaica's.
    if region != "001" and kind != PhoneNumberType.MOBILE and not phonenumbers.is_number_geographical(number):
        regions = tuple(phonenumbers.region_codes_for_country_code(number.country_code)) or regions
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    zones = zones if len(zones) <= 8 else ()  # a whole numbering plan's zones say nothing
    return PhoneFacts(raw, e164, True, region, regions, number.country_code,
                      _TYPE_NAMES.get(kind, "UNKNOWN"),
                      carrier.name_for_number(number, "en"), zones, default, "", place, ruled_out)


def _default_region(raw: str, place: Place) -> tuple[str, tuple[str, ...], str]:
    """(region to read a number without "+" in, readings ruled out, problem). The claimed country; for
    ambiguous text ("London": England or Ontario), the reading whose country the number is valid in --
    written as numbers there are written, trunk prefix included, when that decides it ("07400 123456"
    is British; "(903) 555-1234" North American, though +44 903... exists). Valid in two countries: a
    problem naming both, never a guess. Valid in none: a reading's country when all readings share one
    calling code ("Vancouver": +1 either way, so the invalid number is reported), else no region."""
    if place.country or not place.readings:
        return place.country, (), ""
    read: dict[str, str] = {}  # reading country -> E.164 where the number is valid there
    as_written: set[str] = set()
    for country in dict.fromkeys(r.country for r in place.readings):
        try:
            number = normalize.phone_number(raw, country)
        except ValueError:
            continue
        if phonenumbers.is_valid_number(number):
            read[country] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if _written_nationally(raw, number, country):
                as_written.add(read[country])
    chosen = sorted(as_written or set(read.values()))
    if len(chosen) == 1:
        country = next(c for c, e164 in read.items() if e164 == chosen[0])
        return country, tuple(r.label for r in place.readings if read.get(r.country) != chosen[0]), ""
    if not chosen:
        codes = {phonenumbers.country_code_for_region(r.country) for r in place.readings}
        return (place.readings[0].country if len(codes) == 1 and 0 not in codes else ""), (), ""
    countries = [c for c, e164 in read.items() if e164 in chosen]
    labels = [r.label for r in place.readings if r.country in countries]
    return "", (), (f"{NO_COUNTRY}: as written it is a valid number in {' and in '.join(countries)} "
                    f"({' or '.join(labels)})")


def _written_nationally(raw: str, number: phonenumbers.PhoneNumber, country: str) -> bool:
    """True when the digits written are the number's national form in ``country`` (with or without an
    optional trunk prefix such as North America's "1")."""
    written = re.sub(r"\D", "", _EXTENSION.sub("", _bare(raw)))
    bare = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=number.national_number,
                                    italian_leading_zero=number.italian_leading_zero,
                                    number_of_leading_zeros=number.number_of_leading_zeros)
    national = re.sub(r"\D", "", phonenumbers.format_number(bare, phonenumbers.PhoneNumberFormat.NATIONAL))
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(country)
    prefix = (metadata.national_prefix if metadata else "") or ""
    return written in (national, prefix + national)


def _why_invalid(number: phonenumbers.PhoneNumber) -> str:
    v = phonenumbers.ValidationResult
    texts = {v.TOO_SHORT: "too short", v.TOO_LONG: "too long", v.INVALID_COUNTRY_CODE: "no valid country",
             v.INVALID_LENGTH: "a length no number there has"}
    why = phonenumbers.is_possible_number_with_reason(number)
    return texts.get(why, "not in any range assigned to a carrier")
