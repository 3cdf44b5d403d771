"""What a resume's text states: dated entries (the timeline).

``parse_timeline`` finds experience and education entries by their date ranges ("Jan 2019 –
Present", "2017-2020", "03/2018 to 06/2021", "Sept. 2015 — Aug. 2016", "2019 – now", "Mar '18 -
Jun '20", "2015-17", "since 2019") and keeps the title and employer when the line or the lines
just above name them. Dates keep their precision: a bare year is the interval Jan..Dec, so rules
can ask for what is *certain* (an overlap of "2017-2020" and "2020-2022" is not).

Contact facts (e-mails, phones, URLs, name and location lines) are ``checks.resume.facts.Facts``.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from checks import normalize

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "oct": 10, "nov": 11, "dec": 12, "spring": 3, "summer": 6, "fall": 9, "autumn": 9}
_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|fall|autumn|winter)")
_YEAR = r"(?:19[4-9]\d|20\d\d)"
_DATE = (rf"(?:{_MON}\.?,?\s?(?:{_YEAR}|['’]\d\d)|(?:0?[1-9]|1[0-2])\s?[/.]\s?{_YEAR}"
         rf"|(?:0?[1-9]|1[0-2])-{_YEAR}|{_YEAR}\s?[/.-]\s?(?:0[1-9]|1[0-2])(?!\d)|{_YEAR})")
_OPEN = r"(?:present|current(?:ly)?|now|today|ongoing|date)"
_SEP = r"(?:-{1,2}|[–—‒―~→]|to|until|till|through|thru)"
_RANGE = re.compile(rf"(?<![\w/.])(?:from\s+)?(?P<a>{_DATE}|{_MON}\.?)\s*{_SEP}\s*"
                    rf"(?P<b>{_DATE}|{_OPEN}|\d\d)(?![\w/])", re.I)
_SINCE = re.compile(rf"\bsince\s+(?P<a>{_DATE})(?![\w/])", re.I)
_SINGLE = re.compile(rf"(?<![\w/.]){_DATE}(?![\w/])", re.I)

_HEADINGS = (  # checked in this order against a whole, de-decorated line
    ("other", r"(?:volunteer(?:ing)?(?: experience| work)?|(?:personal |side |key )?projects?|"
              r"(?:technical |core )?skills|certifications?|awards|honou?rs|publications|languages|"
              r"interests|summary|profile|objective|references|achievements|activities|courses|"
              r"contact|about(?: me)?)"),
    ("experience", r"(?:(?:relevant|professional|work|working|employment|career|industry|technical)\s+)*"
                   r"(?:experience|employment|history|career)(?:\s+history)?"),
    ("education", r"(?:education|academic background|academics|academic history|qualifications|"
                  r"education (?:and|&) (?:training|certifications?|qualifications))"),
)
_BULLET = re.compile(r"^\s*(?:[•·▪◦●■○►▶✓✔*>+\-–—]|\d{1,2}[.)]|[^\w\s(\[\"'@+])\s+")
_SCHOOL = re.compile(r"\b(?:university|universit\w*|college|institute|school|academy|polytechnic|"
                     r"hochschule|[eé]cole)\b", re.I)
_DEGREE = re.compile(r"\b(?:b\.?\s?sc|m\.?\s?sc|b\.?\s?s|m\.?\s?s|b\.?\s?a|m\.?\s?a|b\.?\s?eng|m\.?\s?eng|"
                     r"b\.?\s?tech|m\.?\s?tech|ph\.?\s?d|mba|bachelor\w*|master\w*|doctor\w*|diploma|degree|"
                     r"a-levels|high school)\b", re.I)
_TITLE = re.compile(r"\b(?:engineer|developer|programmer|architect|manager|lead|director|analyst|"
                    r"consultant|intern|designer|scientist|administrator|specialist|officer|head|vp|"
                    r"president|founder|co-founder|cto|ceo|cio|owner|tester|qa|devops|sre|technician|"
                    r"coordinator|assistant|associate|contractor|freelancer|researcher|professor|lecturer|"
                    r"teacher|instructor|writer|editor|accountant|representative|executive|principal|"
                    r"staff|senior|junior|trainee|apprentice|fellow|partner|advis[oe]r|volunteer|mentor|tutor|coach)\b",
                    re.I)
_ORG = re.compile(r"\b(?:inc|llc|ltd|limited|gmbh|corp|corporation|co|company|technologies|tech|solutions|"
                  r"labs?|group|systems|software|services|consulting|holdings|bank|agency|studios?|"
                  r"plc|ag|bv|pty|s\.?a|srl|oy|ab)\b\.?", re.I)
_NOT_ORG = re.compile(r"^(?:remote|hybrid|on-?site|full[- ]time|part[- ]time|contract|freelance|"
                      r"[A-Z][a-z]+(?: [A-Z][a-z]+)?,? [A-Z]{2})$")
_NOT_FULL_TIME = re.compile(r"\b(?:part[- ]time|freelanc\w*|contract(?:or)?|consult(?:ant|ing)|volunteer\w*|"
                            r"intern(?:ship)?|advis[oe]r|board member|mentor|teaching assistant|"
                            r"research assistant|side project|open[- ]source|self[- ]employed|adjunct|"
                            r"co-?op|apprentice\w*|student|fellowship|founder|co-founder|moonlight\w*)\b",
                            re.I)
MAX_ENTRIES = 150
_SPLIT = re.compile(r"\s+(?:at|@)\s+|\s*[|•·,;]\s*|\s+[-–—]\s+|\t+|\s{3,}")


@dataclass(frozen=True)
class YM:
    """A year, with the month when the text gives one; ``lo``/``hi`` are month indices."""

    year: int
    month: int | None = None

    @property
    def lo(self) -> int:
        return self.year * 12 + (self.month or 1) - 1

    @property
    def hi(self) -> int:
        return self.year * 12 + (self.month or 12) - 1

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)


@dataclass(frozen=True)
class Entry:
    section: str                  # "experience" | "education" | "other"
    start: YM | None              # None when only one date is given (a graduation year)
    end: YM                       # "present" is the current month
    current: bool
    line_no: int                  # 1-based, in the extracted text
    line: str                     # the line carrying the dates
    title: str = ""               # or the degree, for education
    employer: str = ""            # or the institution, for education
    context: tuple[str, ...] = ()  # lines just above that name the title or employer
    body: tuple[str, ...] = ()    # lines below, up to the next entry or heading
    full_time: bool = True

    @property
    def start_lo(self) -> int:
        return (self.start or self.end).lo

    @property
    def start_hi(self) -> int:
        return (self.start or self.end).hi

    @property
    def evidence(self) -> str:
        return " / ".join((*self.context, self.line))

    @cached_property
    def employer_key(self) -> str:
        """The employer's comparison form: folded, legal-form words dropped ("" when unknown)."""
        try:
            folded = normalize.name(_ORG.sub(" ", self.employer))
        except ValueError:
            return ""
        return folded


def parse_date(text: str, now: datetime) -> YM | None:
    s = text.strip().lower()
    if re.fullmatch(_OPEN, s):
        return YM(now.year, now.month)
    year = re.search(r"(?<!\d)(19|20)\d\d(?!\d)", s)
    short = re.search(r"['’](\d\d)", s)
    if year:
        y = int(year.group())
        rest = s[:year.start()] + " " + s[year.end():]
    elif short:
        y = 2000 + int(short.group(1))
        y = y if y <= now.year + 5 else y - 100
        rest = s[:short.start()]
    else:
        return None
    word = re.search(r"[a-z]{3,}", rest)
    number = re.search(r"\d{1,2}", rest)
    if word:
        month = _MONTHS.get(word.group()) or _MONTHS.get(word.group()[:3])
    else:
        month = int(number.group()) if number else None
    return YM(y, month if month and 1 <= month <= 12 else None)


def _range(match: re.Match, now: datetime) -> tuple[YM, YM, bool] | None:
    a, b = match.group("a"), match.group("b")
    end = parse_date(b, now)
    current = bool(re.fullmatch(_OPEN, b.strip(), re.I))
    if end is None and re.fullmatch(r"\d\d", b) and re.fullmatch(_YEAR, a):  # "2015-17"
        short = int(a[:2]) * 100 + int(b)
        end = YM(short) if short > int(a) else None
    start = parse_date(a, now)
    if start is None and end is not None and re.fullmatch(_MON + r"\.?", a.strip(), re.I):  # "Jan - Mar 2019"
        month = _MONTHS.get(a.strip(". ").lower()[:3])
        start = YM(end.year - (1 if month and end.month and month > end.month else 0), month)
    return (start, end, current) if start and end else None


def _heading(line: str) -> str:
    text = re.sub(r"\s+", " ", line.strip().strip("#*=_-:•|. ").lower())
    if not text or len(text) > 48:
        return ""
    for section, pattern in _HEADINGS:
        if re.fullmatch(pattern, text):
            return section
    return ""


def _label(parts: list[str], section: str) -> tuple[str, str]:
    parts = [p.strip(" ()[]-–—:,|") for p in parts]
    parts = [p for p in parts if len(re.sub(r"[\W\d_]", "", p)) >= 2]
    if section == "education":
        school = next((p for p in parts if _SCHOOL.search(p)), "")
        degree = next((p for p in parts if _DEGREE.search(p)), "")
        return degree, school or next((p for p in parts if p != degree), "")
    title = next((p for p in parts if _TITLE.search(p)), "")
    employer = next((p for p in parts if p != title and _ORG.search(p)), "") or next(
        (p for p in parts if p != title and not _NOT_ORG.match(p) and not _TITLE.search(p)), "")
    return title, employer


def _dated(line: str, kind: str, now: datetime) -> list[tuple[YM | None, YM, bool, str]]:
    """The date ranges of one line, each with the rest of the line (title, employer)."""
    words = len(line.split())
    if words > 16 or (words > 6 and _BULLET.match(line)):  # prose, not an entry line
        return []
    spans = [(m.span(), _range(m, now)) for m in _RANGE.finditer(line)]
    spans += [(m.span(), (parse_date(m.group("a"), now), YM(now.year, now.month), True))
              for m in _SINCE.finditer(line) if words <= 8]
    dated = [(span, r) for span, r in spans if r and r[0] is not None]
    if not dated and kind == "education":  # "B.Sc., 2012": a graduation date alone
        single = list(_SINGLE.finditer(line))
        end = parse_date(single[-1].group(), now) if single else None
        dated = [(single[-1].span(), (None, end, False))] if end else []
    return [(start, end, current, (line[:lo] + "  " + line[hi:]).strip())
            for (lo, hi), (start, end, current) in dated[:2]]


def parse_timeline(text: str, now: datetime) -> list[Entry]:
    lines = text.splitlines()
    found: list[tuple[int, str, YM | None, YM, bool, str]] = []
    headings: set[int] = set()
    section = ""
    for i, line in enumerate(lines):
        head = _heading(line) if len(line) < 60 else ""
        if head:
            section = head
            headings.add(i)
            continue
        kind = section or ("education" if _SCHOOL.search(line) or _DEGREE.search(line) else "experience")
        found += [(i, kind, *d) for d in _dated(line[:400], kind, now)]
        if len(found) >= MAX_ENTRIES:  # no real resume has more; keeps the rules' pairwise work bounded
            break
    dated_lines = {f[0] for f in found}
    labelled = []
    for i, kind, *_, rest in found:
        context: list[str] = []
        j = i - 1
        while j >= 0 and len(context) < 2 and j not in dated_lines and j not in headings:
            above = lines[j].strip()
            if not above or _BULLET.match(lines[j]) or len(above.split()) > 10:
                break
            context.insert(0, above)
            j -= 1
        own = [p for p in _SPLIT.split(rest) if p]
        title, employer = _label(own, kind)
        if not (title and employer) and context:
            title, employer = _label([p for c in context for p in _SPLIT.split(c)] + own, kind)
        else:
            context = []
        labelled.append((i - len(context), title, employer, context))
    entries: list[Entry] = []
    ordered_headings = sorted(headings)
    for n, (i, kind, start, end, current, rest) in enumerate(found):
        _, title, employer, context = labelled[n]
        after = bisect.bisect_right(ordered_headings, i)
        stop = min([*ordered_headings[after:after + 1], *(f[0] for f in labelled[n + 1:n + 3] if f[0] > i),
                    len(lines)])
        body = tuple(ln.strip() for ln in lines[i + 1:stop] if ln.strip())
        full_time = not _NOT_FULL_TIME.search(" ".join((*context, rest)))
        entries.append(Entry(kind, start, end, current, i + 1, lines[i].strip(), title, employer,
                             tuple(context), body, full_time))
    return entries


def __getattr__(name: str) -> object:
    """``Facts`` moved to ``checks.resume.facts``; importing it from here still works."""
    if name == "Facts":
        from checks.resume.facts import Facts

        return Facts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
