"""The legacy ``SDN.XML`` layout (``sdnList`` / ``sdnEntry``), for operators who point
``OFAC_SDN_URL`` at it: digital currency addresses are ``idList/id`` entries whose ``idType`` starts
with "Digital Currency Address - ". The streaming driver is ``checks.sources.ofac_xml``."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from checks.errors import BadResponse
from checks.sources.ofac_xml import DIGITAL_CURRENCY_PREFIX, AddressEntry, ParsedList, _result, _text


@dataclass
class Legacy:
    issued: date | None = None
    entries: list[AddressEntry] = field(default_factory=list)
    raw: dict[str, tuple[str, list[str], bool]] = field(default_factory=dict)
    programs: dict[str, set[str]] = field(default_factory=dict)
    party_count: int = 0

    def handle(self, name: str, el: etree._Element) -> None:
        if name == "Publish_Date":
            text = _text(el)
            for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
                with contextlib.suppress(ValueError):
                    self.issued = datetime.strptime(text, fmt).date()
                    return
            raise BadResponse(f"OFAC list has an unreadable Publish_Date {text[:20]!r}")
        if name != "sdnEntry":
            return
        self.party_count += 1
        uid = _text(el.find("{*}uid"))
        self.programs[uid] = {p for p in (_text(x) for x in el.iterfind("{*}programList/{*}program")) if p}
        for ident in el.iterfind("{*}idList/{*}id"):
            kind = _text(ident.find("{*}idType"))
            number = (ident.findtext("{*}idNumber") or "").strip()
            if kind.startswith(DIGITAL_CURRENCY_PREFIX) and number:
                self.entries.append(AddressEntry(number, kind[len(DIGITAL_CURRENCY_PREFIX):].strip(), uid))
        aliases = [legacy_name(aka) for aka in el.iterfind("{*}akaList/{*}aka")
                   if _text(aka.find("{*}category")).lower() != "weak"]
        individual = _text(el.find("{*}sdnType")).lower() == "individual"
        self.raw[uid] = (legacy_name(el), aliases, individual)

    def finish(self) -> ParsedList:
        return _result("legacy", self.issued, self.entries, self.party_count, self.raw, self.programs)


def legacy_name(el: etree._Element) -> str:
    # Same order as the advanced file's name parts: last name, then first name.
    return " ".join(t for t in (_text(el.find("{*}lastName")), _text(el.find("{*}firstName"))) if t)
