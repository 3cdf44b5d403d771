"""The one normal form of every identifier kind, shared by every check that compares them.

Each function takes raw user text and returns the comparison form, or raises ``ValueError`` with
a short, data-free reason when the value cannot be normalised. Sanctions screening does NOT use
these (it matches the trimmed raw value first: the list itself holds values that fail strict
validation)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
import tldextract

_GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_GITHUB_URL = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/", re.I)
# First path segments of github.com that are GitHub's own pages (reserved: no account has them).
_GITHUB_PAGES = frozenset({"about", "apps", "collections", "contact", "enterprise", "explore", "features",
                           "issues", "join", "login", "marketplace", "new", "notifications", "organizations",
                           "orgs", "pricing", "pulls", "search", "settings", "site", "sponsors", "topics",
                           "trending"})


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # Offline: the bundled Public Suffix List snapshot, never a download at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def domain(value: str) -> str:
    """Lower-case ASCII (IDNA) host name without a trailing dot."""
    host = value.strip().rstrip(".").lower()
    if not host or " " in host:
        raise ValueError("empty or malformed domain")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("domain is not a valid internationalised name") from None
    if len(host) > 253 or any(not label or len(label) > 63 for label in host.split(".")):
        raise ValueError("domain has an empty or over-long label")
    return host


def registrable_domain(value: str) -> str:
    """The domain a registrant owns (``mail.corp.example.co.uk`` -> ``example.co.uk``); "" when
    the name is itself a public suffix or has none."""
    host = domain(value)
    parts = _extractor()(host)
    getter = getattr(parts, "top_domain_under_public_suffix", None)
    return getter if isinstance(getter, str) else parts.registered_domain


def email(value: str) -> str:
    """``local@domain`` with the domain normalised and the local part lower-cased (providers
    treat it case-insensitively in practice; comparing case-sensitively would miss reuse)."""
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    local, sep, host = value.rpartition("@")
    if not sep or not local or not host:
        raise ValueError("not an email address")
    return f"{unicodedata.normalize('NFC', local).lower()}@{domain(host)}"


_PHONE_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "no valid country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}


# Words around a number that are not part of it. Before it ("Mobile: +44 ..."); after it, a known label
# word ("+1 415 555 0100 cell", "..., WhatsApp") or any short parenthesised phrase in any script
# ("(mobile)", "(Büro)", "[WhatsApp only]", full-width "（携帯）"). libphonenumber would read trailing letters
# as vanity digits.
_LABEL_WORD = (r"(?:mobile?(?:\s*phone)?|mob|cell(?:ular|\s*phone)?|(?:tele)?phone|tel|home|work|office|"
               r"whats\s*app|signal|telegram|viber)")
_LEADING_LABEL = re.compile(rf"^\s*{_LABEL_WORD}\s*[:.]{{0,2}}\s*(?=[+(\d])", re.I)
_TRAILING_LABEL = re.compile(r"\s*[(\[\uff08]\s*[^\W\d_](?:[^\W\d_]|[\s/&.'-]){0,19}[)\]\uff09]\s*$"
                             rf"|(?:\s+|\s*[,;/|]\s*)(?:[-\u2013\u2014:]\s*)?{_LABEL_WORD}\.?\s*$", re.I)


def phone_text(value: str) -> str:
    """The part of phone text that is the number: without a label before it or after it (at most
    three trailing ones). An extension ("x12", "ext. 12") and a ``tel:`` scheme are left alone."""
    text = _LEADING_LABEL.sub("", value.strip())
    for _ in range(3):
        shorter = _TRAILING_LABEL.sub("", text)
        if shorter == text or not any(ch.isdigit() for ch in shorter):
            break
        text = shorter
    return text.strip()


def phone_number(value: str, region: str | None = None) -> phonenumbers.PhoneNumber:
    """The parsed number behind ``phone``: accepts ``tel:`` URIs, labels around the number
    (``phone_text``) and the international prefix ``00`` written instead of ``+``. Numbers without
    ``+`` need ``region``. The result may still be invalid (check ``phonenumbers.is_valid_number``);
    ``ValueError`` when it cannot be parsed."""
    text = value.strip()
    if text[:4].lower() == "tel:":
        text = text[4:].split(";", 1)[0]
    labelled, text = text, phone_text(text)
    parsed = _parse_phone(text, region)
    if labelled != text and not phonenumbers.is_valid_number(parsed):
        try:  # a vanity number whose letters spell a label word ("1 800 555 HOME"): letters are digits
            whole = _parse_phone(labelled, region)
        except ValueError:
            return parsed
        parsed = whole if phonenumbers.is_valid_number(whole) else parsed
    return parsed


def _parse_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber:
    if not text or len(text) > 100:
        raise ValueError("not a phone number")
    parsed, reason = None, "not a phone number"
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reason = _PHONE_PARSE_ERRORS.get(exc.error_type, reason)
    if text.startswith("00") and (parsed is None or not phonenumbers.is_valid_number(parsed)):
        try:
            written_intl = phonenumbers.parse("+" + text[2:], None)
        except phonenumbers.NumberParseException:
            written_intl = None
        if written_intl is not None and (parsed is None or phonenumbers.is_valid_number(written_intl)):
            parsed = written_intl
    if parsed is None:
        raise ValueError(reason)
    return parsed


def phone(value: str, region: str | None = None) -> str:
    """E.164 (``+14155550100``). Numbers without ``+`` need ``region``."""
    return phonenumbers.format_number(phone_number(value, region), phonenumbers.PhoneNumberFormat.E164)


def wallet(value: str) -> str:
    """Comparison form of a payout address: EVM lower-cased, bech32/cashaddr lower-cased,
    others exactly as given (base58 is case-sensitive)."""
    from checks.crypto_address import analyse

    raw = value.strip()
    if not raw:
        raise ValueError("empty wallet")
    return analyse(raw).normalized or raw


def name(value: str) -> str:
    """Case- and accent-folded, punctuation-free, single-spaced; token order kept."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]", " ", text.casefold())
    text = " ".join(text.replace("_", " ").split())
    if not text:
        raise ValueError("empty name")
    return text


def github_login(value: str) -> str:
    """``https://github.com/Octo-Cat/`` / ``@octo-cat`` / ``octo-cat`` -> ``octo-cat``. In a URL,
    ``?query`` and ``#fragment`` are dropped, ``orgs/NAME`` and ``sponsors/NAME`` name the account
    NAME, and GitHub's own pages (``/features``, ``/settings``, ...) are not accounts."""
    text = value.strip()
    url = _GITHUB_URL.match(text)
    if url:
        parts = [p for p in re.split(r"[?#]", text[url.end():], maxsplit=1)[0].split("/") if p]
        if len(parts) >= 2 and parts[0].lower() in ("orgs", "sponsors"):
            parts = parts[1:]
        elif parts and parts[0].lower() in _GITHUB_PAGES:
            raise ValueError("a GitHub page, not a GitHub account")
        text = parts[0] if parts else ""
    text = re.split(r"[/?#]", text.lstrip("@"), maxsplit=1)[0]
    if not _GITHUB_LOGIN.match(text):
        raise ValueError("not a GitHub login")
    return text.lower()
