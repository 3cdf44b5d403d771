"""What a resume says about how to reach its owner: e-mails, phones, URLs, domains, name and location
lines, from the text and from the document's link targets.

``Facts(text, links)`` is the one parser of these for every check (consistency, watchlist, reuse).
``links`` are the targets of the document's hyperlinks (PDF link annotations, DOCX hyperlink
relationships): a "GitHub" label linked to ``https://github.com/jane`` or an "E-mail me" linked to
``mailto:`` shows no address in the text. URLs are also recognised without a scheme
(``github.com/jane``, ``sites.google.com/view/jane``) when the host ends in a known public suffix,
and keep their full host so a listed ``sites.google.com`` matches label-wise.

``owner_lines`` picks the lines that state the owner's contacts: the header, a "Contact" or
"Personal details" section, and the last lines (a two-column template's sidebar, a DOCX footer) --
never a References section or a role's lines.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import unquote

from checks import normalize
from checks.resume.links import MAX_LINKS
from checks.resume.timeline import _TITLE, _heading

CONTACT_LINES = 8          # non-empty lines at the top, and at the bottom, that state the owner's contacts

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@(?:[\w-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"'|,;]{1,300}", re.I)
# host[/path] without a scheme; the suffix is checked against the Public Suffix List afterwards
_HOST_URL = re.compile(r"(?<![\w@./:%+-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}([a-z]{2,24}))"
                       r"(/[^\s<>()\"'|,;]{0,300})?(?=[\s,;)|\]>\"']|[.!?:]+(?:\s|$)|$)", re.I)
_NOT_HOSTS = {"asp.net", "vb.net", "ado.net"}
# Public suffixes that are also file extensions: "setup.py", "README.md", "main.tf" are files, not sites
# (a host with a path, "docs.example.py/x", still counts).
_FILE_SUFFIXES = frozenset("py md sh rs pl pm cc so zip mov ps ml tf mk".split())
_PHONE = re.compile(r"(?<![\w+/.-])(?:\+|00)?\(?\d[\d\s().-]{5,20}\d(?![\w/])")
_YEARS_ONLY = re.compile(r"\(?(?:19|20)\d\d\)?(?:\s*[-.]?\s*\(?(?:19|20)\d\d\)?)*")
_LOCATION_LABEL = re.compile(r"^\s*(?:location|address|based in|lives in|residence)\s*[:\-–]?\s*(.{2,80})$",
                             re.I)
_CITY = re.compile(r"^[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3}, ?[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,2}"
                   r"(?: \d{4,6})?$")
_CONTACT_HEADING = re.compile(r"(?:contacts?|contact (?:me|details|info(?:rmation)?)|personal (?:details|"
                              r"information|info|data|particulars)|get in touch)")
# A heading ("References", "Professional references", "Recommendations"), or "References: ..." inline.
_REFEREES = r"(?:references?|referees?|recommendations?|testimonials?)"
_REFERENCES = re.compile(rf"^\W*{_REFEREES}\b|^\W*(?:[a-z]+\s+){{1,2}}{_REFEREES}\W*$", re.I)


def _scheme(link: str) -> tuple[str, str]:
    scheme, sep, rest = link.partition(":")
    if sep and re.fullmatch(r"[a-z][a-z0-9+.-]{1,15}", scheme, re.I):
        return scheme.lower(), rest
    return "", link


def _text_urls(text: str) -> list[str]:
    """URLs with a scheme or "www.", then host/path ones whose suffix is public, in order of appearance."""
    found = [(m.start(), m.end(), m.group().rstrip(".:!?")) for m in _URL.finditer(text)]
    starts, ends = [a for a, _, _ in found], [b for _, b, _ in found]
    seen: dict[str, bool] = {}
    for m in _HOST_URL.finditer(text):
        inside = bisect.bisect_right(starts, m.start()) - 1
        if inside >= 0 and m.start() < ends[inside]:  # part of a URL found above ("www.…")
            continue
        host, tld, path = m.group(1), m.group(2), m.group(3) or ""
        if host.lower() in _NOT_HOSTS or (tld[0].isupper() and not host.isupper()):  # "…the product.Design"
            continue
        if not path and tld.lower() in _FILE_SUFFIXES:
            continue
        if host not in seen:
            try:
                registrable = normalize.registrable_domain(host)
            except ValueError:
                registrable = ""
            seen[host] = bool(registrable) and len(registrable.split(".", 1)[0]) >= 2  # not "U.S.Army"
        if seen[host]:
            found.append((m.start(), m.end(), (host + path).rstrip(".:!?")))
    return [url for _, _, url in sorted(found)]


@dataclass(frozen=True)
class Facts:
    """Contact details printed in the text, or targets of its links. Phones are raw strings as printed:
    normalising them needs a region, which the comparing check knows (``normalize.phone(raw, region)``)."""

    text: str = field(repr=False)
    links: tuple[str, ...] = field(default=(), repr=False)

    @cached_property
    def _link_parts(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(e-mail texts, phone texts, URLs) of the link targets."""
        mails, phones, urls = [], [], []
        for link in self.links[:MAX_LINKS]:
            scheme, rest = _scheme(link)
            if scheme == "mailto":
                mails.append(unquote(rest.split("?", 1)[0]).replace(",", " ").replace(";", " "))
            elif scheme in ("tel", "callto"):
                phones.append(unquote(rest.split(";", 1)[0]))
            elif scheme in ("http", "https") or (not scheme and link.lower().startswith("www.")):
                urls.append(link)
        return tuple(mails), tuple(phones), tuple(urls)

    @cached_property
    def emails(self) -> tuple[str, ...]:
        out = []
        for raw in _EMAIL.findall("\n".join((self.text, *self._link_parts[0]))):
            try:
                out.append(normalize.email(raw))
            except ValueError:
                continue
        return tuple(dict.fromkeys(out))

    @cached_property
    def phones(self) -> tuple[str, ...]:
        """Phone-like strings (7-15 digits; year ranges excluded), raw, in order of appearance."""
        out = []
        for raw in _PHONE.findall("\n".join((self.text, *self._link_parts[1]))):
            digits = re.sub(r"\D", "", raw)
            if 7 <= len(digits) <= 15 and not _YEARS_ONLY.fullmatch(raw.strip()):
                out.append(raw.strip())
        return tuple(dict.fromkeys(out))

    @cached_property
    def urls(self) -> tuple[str, ...]:
        """URLs as printed (scheme-less ones without a scheme), then the links' http(s) targets."""
        return tuple(dict.fromkeys([*_text_urls(self.text), *self._link_parts[2]]))

    @cached_property
    def domains(self) -> tuple[str, ...]:
        """Registrable domains of the URLs (bare host names, "acme.io", included) and e-mails."""
        hosts = [re.sub(r"^(?:https?://)?([^/:?#]+).*$", r"\1", u, flags=re.I) for u in self.urls]
        hosts += [e.rpartition("@")[2] for e in self.emails]
        out = []
        for host in hosts:
            try:
                registrable = normalize.registrable_domain(host)
            except ValueError:
                continue
            if registrable and registrable not in _NOT_HOSTS:
                out.append(registrable)
        return tuple(dict.fromkeys(out))

    @cached_property
    def name_lines(self) -> tuple[str, ...]:
        """Lines near the top that look like a person's name (2-4 capitalised words)."""
        head = [ln.strip() for ln in self.text.splitlines()[:12] if ln.strip()][:8]
        return tuple(ln for ln in head if 2 <= len(ln.split()) <= 4 and not re.search(r"[\d_@/|,:]", ln)
                     and all(w[0].isalpha() and not w[0].islower() for w in ln.split())
                     and not _heading(ln) and not _TITLE.search(ln))

    @cached_property
    def location_lines(self) -> tuple[str, ...]:
        """"Location: …" lines anywhere, and "City, Region" pieces of the header lines."""
        out = []
        for i, line in enumerate(self.text.splitlines()):
            labelled = _LOCATION_LABEL.match(line)
            if labelled:
                out.append(labelled.group(1).strip())
            elif i < 12:
                out += [p.strip() for p in re.split(r"\s*[|•·\t]\s*|\s{3,}", line) if _CITY.match(p.strip())]
        return tuple(dict.fromkeys(out))


def owner_lines(text: str, count: int = CONTACT_LINES) -> list[str]:
    """The non-empty lines that state the owner's own contacts: the first ``count``, those under a
    "Contact"/"Personal details" heading, and the last ``count`` unless they belong to References or
    to the work history (an employer's or a referee's contacts are not the owner's)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    keep = set(range(min(count, len(lines))))
    sections: list[str] = []
    section = ""
    for i, line in enumerate(lines):
        folded = re.sub(r"\s+", " ", line.strip("#*=_-:•|. ").lower())
        if _REFERENCES.match(line):
            section = "references"
        elif len(line) < 60 and _CONTACT_HEADING.fullmatch(folded):
            section = "contact"
        elif len(line) < 60 and (head := _heading(line)):
            section = head
        sections.append(section)
        if section == "contact":
            keep.add(i)
    keep |= {i for i in range(max(0, len(lines) - count), len(lines))
             if sections[i] not in ("references", "experience")}
    return [lines[i] for i in sorted(keep)]
