"""Slash-command text -> candidate fields, with specific errors.

    name="Jane Roe" email=jane@example.com phone=+14155550100 location="Austin, TX" resume=F0123ABCD

``key=value`` pairs (straight or curly quotes for spaces); bare tokens that are clearly an email,
phone, wallet, GitHub link or Slack file are recognised; Slack's link markup (``<mailto:…|…>``,
``<tel:…|…>``, ``<https://…|…>``) is unwrapped. Bare words form the name when no ``name=`` is given,
otherwise they are an error. Every problem is reported at once (``InputError``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.slack.errors import InputError, quote
from checks.crypto_address import analyse

KEYS = ("name", "email", "phone", "location", "wallet", "github", "resume")
MAX_TEXT = 2000
MAX_VALUE = {"name": 200, "location": 200, "email": 320, "phone": 40, "wallet": 200, "github": 200,
             "resume": 300}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_SPECIAL = re.compile(r"<([@#!][^>]*)>")  # user/channel mentions, <!here>, <!subteam^…>
_LINK = re.compile(r"<((?:mailto:|tel:|https?://)[^|>]*)(?:\|[^>]*)?>")
_TOKEN = re.compile(r"""(?P<key>[A-Za-z][A-Za-z0-9_-]*)="""
                    r"""(?:"(?P<kq>[^"]*)"|'(?P<ks>[^']*)'(?=\s|$)|(?P<kv>\S*))"""
                    r"""|"(?P<q>[^"]*)"|(?P<bare>\S+)""")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[\d().\-]+")
FILE_ID = re.compile(r"F[A-Z0-9]{6,20}")
_PERMALINK = re.compile(r"https?://[^/\s]+/files/[^/\s]+/(F[A-Z0-9]{6,20})(?:/|$)", re.IGNORECASE)
_GITHUB = re.compile(r"https?://(?:www\.)?github\.com/[A-Za-z0-9-]+/?", re.IGNORECASE)
_NAME_PUNCT = str.maketrans("", "", "'-.,")


@dataclass(frozen=True)
class ParsedCommand:
    fields: dict[str, str] = field(default_factory=dict)  # name/email/phone/location/wallet/github
    resume_file_id: str = ""

    @property
    def name(self) -> str:
        return self.fields.get("name", "")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _unwrap(match: re.Match) -> str:
    target = match.group(1)
    for prefix in ("mailto:", "tel:"):
        if target.lower().startswith(prefix):
            return target[len(prefix):]
    return target


def _classify(token: str) -> str | None:
    """The field a bare token clearly belongs to, or None."""
    if _EMAIL.fullmatch(token):
        return "email"
    digits = sum(c.isdigit() for c in token)
    if _PHONE.fullmatch(token) and 7 <= digits <= 15:
        return "phone"
    if _GITHUB.fullmatch(token):
        return "github"
    if FILE_ID.fullmatch(token) or _PERMALINK.match(token):
        return "resume"
    if len(token) >= 25 and analyse(token).chain is not None:
        return "wallet"
    return None


def _is_name_word(token: str) -> bool:
    return token.translate(_NAME_PUNCT).isalpha()


def file_id(value: str) -> str:
    """A Slack file ID from ``F…`` or a file permalink; "" when it is neither."""
    value = value.strip()
    if FILE_ID.fullmatch(value):
        return value
    match = _PERMALINK.match(value)
    return match.group(1).upper() if match else ""


def _prepare(text: str, problems: list[str]) -> str:
    text = text.translate(_QUOTES)
    if _SPECIAL.search(text):
        problems.append("mentions and channel links are not candidate details; remove them")
        text = _SPECIAL.sub(" ", text)
    return unescape(_LINK.sub(_unwrap, text))


def validate_fields(fields: dict[str, str], problems: list[str]) -> None:
    for key, value in fields.items():
        if len(value) > MAX_VALUE[key]:
            problems.append(f"{key} is {len(value)} characters long; the limit is {MAX_VALUE[key]}")


def parse_command(text: str) -> ParsedCommand:
    """Parse the slash command's text. Raises ``InputError`` listing every problem."""
    text = text or ""
    if len(text) > MAX_TEXT:
        raise InputError([f"the text is {len(text)} characters long; the limit is {MAX_TEXT}"])
    problems: list[str] = []
    text = _prepare(text, problems)
    fields: dict[str, str] = {}
    words: list[str] = []
    leftovers: list[str] = []
    unknown: list[str] = []

    def put(key: str, value: str, origin: str) -> None:
        if key in fields:
            problems.append(f"{key} is given twice ({origin}); give it once")
        else:
            fields[key] = value

    for match in _TOKEN.finditer(text):
        if match.group("key") is not None:
            key = match.group("key").lower()
            value = next((v for v in (match.group("kq"), match.group("ks"), match.group("kv"))
                          if v is not None), "").strip()
            if key not in KEYS:
                unknown.append(match.group("key"))
            elif value.startswith(('"', "'")):
                problems.append(f"the quote after {key}= is not closed")
            elif not value:
                problems.append(f"{key}= has no value")
            else:
                put(key, value, f"{key}=")
            continue
        token = (match.group("q") if match.group("q") is not None else match.group("bare")).strip()
        if not token:
            continue
        if token.startswith('"'):
            problems.append("a quote is not closed")
            token = token.strip('"')
        kind = None if " " in token else _classify(token)
        if kind:
            put(kind, token, f"as {quote(token, 24)}")
        elif all(_is_name_word(w) for w in token.split()):
            words.extend(token.split())
        else:
            leftovers.append(token)

    if unknown:
        problems.append("unknown key" + ("s " if len(unknown) > 1 else " ")
                        + ", ".join(quote(k + "=", 24) for k in unknown))
    if leftovers:
        problems.append("not an email, phone, wallet, GitHub link or Slack file: "
                        + ", ".join(quote(t) for t in leftovers[:5])
                        + (" (values with spaces need quotes, e.g. phone=\"+1 415 555 0100\")"
                           if any(any(c.isdigit() for c in t) for t in leftovers) else ""))
    if words:
        if "name" in fields:
            problems.append(f"unexpected words {quote(' '.join(words))}: with name= given, "
                            "everything else must be key=value")
        else:
            fields["name"] = " ".join(words)
    resume = fields.pop("resume", "")
    resume_id = file_id(resume) if resume else ""
    if resume and not resume_id:
        problems.append("resume= takes a Slack file ID (F…) or a Slack file link")
    validate_fields(fields, problems)
    if not fields and not resume_id and not problems:
        problems.append("nothing to check: give at least one of name, email, phone, location, wallet, "
                        "github or resume")
    if problems:
        raise InputError(problems)
    return ParsedCommand(fields=fields, resume_file_id=resume_id)


_LINE_KEY = re.compile(r"^\s*[*_]*(name|email|e-mail|phone|location|wallet|github)[*_]*\s*[:=]\s*[*_]*"
                       r"\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def extract_details(text: str) -> ParsedCommand:
    """Lenient: what can be recognised in a free-form message (for the message shortcut, whose
    result the user reviews in the form). Never raises; ignores what it does not recognise."""
    found: dict[str, str] = {}
    text = _prepare((text or "")[:MAX_TEXT * 2], [])
    for match in _LINE_KEY.finditer(text):
        key = match.group(1).lower().replace("e-mail", "email")
        found.setdefault(key, match.group(2).strip().strip('"'))
    for match in _TOKEN.finditer(text):
        if match.group("key") is not None and match.group("key").lower() in KEYS:
            value = next((v for v in (match.group("kq"), match.group("ks"), match.group("kv")) if v), "")
            if value:
                found.setdefault(match.group("key").lower(), value.strip())
            continue
        token = (match.group("bare") or "").strip(".,;()")
        kind = _classify(token) if token else None
        if kind:
            found.setdefault(kind, token)
    resume = found.pop("resume", "")
    fields = {k: v[:MAX_VALUE[k]] for k, v in found.items()}
    return ParsedCommand(fields=fields, resume_file_id=file_id(resume) if resume else "")
