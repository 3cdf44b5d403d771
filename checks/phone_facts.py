"""What the offline metadata (libphonenumber) says about one phone number, and which line kinds are signals.

``parse_phone(raw, location)`` gives ``PhoneFacts``: E.164 form, validity, region(s), number type,
allocated carrier and time zones; a number without "+" is read in the claimed location's country.
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
# A label before the number ("Mobile: +44 ..."), which libphonenumber skips. After the number it would
# read the word as digits, so a trailing label is not tolerated.
_LABEL = re.compile(r"^\s*(?:mobile|mob|cell(?:ular)?|phone|tel|home|work|office|whatsapp)\s*[:.]?\s*"
                    r"(?=[+(\d])", re.I)
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

    @property
    def kind(self) -> str:
        kind = _OFFLINE_KINDS.get(self.number_type, self.number_type.lower())
        return kind if kind in LINE_SIGNALS else ""

    def international_digits(self) -> str:
        """E.164 digits, or the raw digits when the text was written internationally but not parsed."""
        return self.e164[1:] if self.e164 else _intl_digits(self.raw)


def _intl_digits(raw: str) -> str:
    text = re.sub(r"^tel:", "", raw.strip(), flags=re.I)
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
    text = _EXTENSION.sub("", _LABEL.sub("", text)).strip()
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
    written_intl = bool(re.match(r"^(?:tel:)?\s*(?:\+|00)", raw, flags=re.I))
    default = "" if written_intl or place is None else _default_region(place)
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
                      carrier.name_for_number(number, "en"), zones, default, "", place)


def _default_region(place: Place) -> str:
    """The claimed country, or, for ambiguous text whose readings share one calling code ("Vancouver":
    Canada or the US, both +1), a reading's country: a number without "+" reads the same in either."""
    codes = {phonenumbers.country_code_for_region(r.country) for r in place.readings}
    return place.country or (place.readings[0].country if len(codes) == 1 and 0 not in codes else "")


def _why_invalid(number: phonenumbers.PhoneNumber) -> str:
    v = phonenumbers.ValidationResult
    texts = {v.TOO_SHORT: "too short", v.TOO_LONG: "too long", v.INVALID_COUNTRY_CODE: "no valid country",
             v.INVALID_LENGTH: "a length no number there has"}
    why = phonenumbers.is_possible_number_with_reason(number)
    return texts.get(why, "not in any range assigned to a carrier")
