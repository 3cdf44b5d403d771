"""Comprehensively sanctioned jurisdictions: the table's types, and its loading and validation.

The table (``checks/data/sanctioned_jurisdictions.json``) is a compliance fact from a dated, sourced
file: which E.164 number ranges belong to a jurisdiction under comprehensive U.S. sanctions. The cached
accessor is ``places.sanctioned_jurisdictions()``. This module is not a check.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class SanctionedJurisdiction:
    name: str
    region: str
    prefixes: tuple[str, ...]  # E.164 prefixes, "+850"
    programme: str


@dataclass(frozen=True)
class SanctionsTable:
    as_of: str
    source: str
    jurisdictions: tuple[SanctionedJurisdiction, ...]

    def match(self, e164_digits: str) -> tuple[SanctionedJurisdiction, str] | None:
        """The jurisdiction whose number range holds ``e164_digits`` ("850..."), with the prefix."""
        for jurisdiction in self.jurisdictions:
            for prefix in jurisdiction.prefixes:
                if e164_digits.startswith(prefix[1:]):
                    return jurisdiction, prefix
        return None


def load_sanctions_table(path: Path) -> SanctionsTable:
    """Loads and validates the table; raises ``ValueError``/``OSError`` when it is missing or bad."""
    data = json.loads(path.read_text(encoding="utf-8"))
    as_of = datetime.strptime(data["as_of"], "%Y-%m-%d").date().isoformat()
    rows = []
    for row in data["jurisdictions"]:
        prefixes = tuple(row["prefixes"])
        if not prefixes or not all(re.fullmatch(r"\+[1-9]\d{0,6}", p) for p in prefixes):
            raise ValueError(f"bad prefixes for {row.get('name')!r} in {path.name}")
        rows.append(SanctionedJurisdiction(row["name"], row["region"], prefixes, row["programme"]))
    if not data.get("source"):
        raise ValueError(f"{path.name} names no source")
    return SanctionsTable(as_of, data["source"], tuple(rows))
