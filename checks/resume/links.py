"""Hyperlink targets of a document: PDF link annotations (``/A /URI``) and DOCX hyperlinks (``w:hyperlink``
through the part's relationships, and ``HYPERLINK`` field codes). A resume's "GitHub" or "E-mail me"
label often shows no address: the target is the only place it is written.

These run inside the sandbox's child with the parsers. Counts and lengths are bounded; a malformed
annotation costs its links, never the text.
"""
from __future__ import annotations

import re
from typing import Any

MAX_LINKS = 200            # link targets kept per document
MAX_LINK_CHARS = 1000      # longer targets are dropped (no profile or mailbox needs more)
MAX_ANNOTS = 1000          # annotations looked at per PDF page
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_HYPERLINK, _W_INSTR, _W_FLD = _W + "hyperlink", _W + "instrText", _W + "fldSimple"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_FIELD = re.compile(r'\s*HYPERLINK\s+"([^"]{1,1000})"')


def clean_links(raw: object) -> tuple[str, ...]:
    """Link targets as kept in a ``ResumeDoc``: printable strings, stripped, unique, bounded."""
    out: list[str] = []
    for item in raw if isinstance(raw, (list, tuple)) else ():
        text = "".join(ch for ch in str(item) if ch.isprintable()).strip()
        if text and len(text) <= MAX_LINK_CHARS and text not in out:
            out.append(text)
        if len(out) >= MAX_LINKS:
            break
    return tuple(out)


def _keep(target: Any, links: list[str]) -> None:
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    if isinstance(target, str) and 0 < len(target.strip()) <= MAX_LINK_CHARS and len(links) < MAX_LINKS:
        links.append(target.strip())


def pdf_links(page: Any, links: list[str]) -> None:
    """The /URI targets of a page's link annotations (at most MAX_ANNOTS looked at per page)."""
    if len(links) >= MAX_LINKS:
        return
    try:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else []
        for ref in annots[:MAX_ANNOTS] if isinstance(annots, list) else ():
            annot = ref.get_object()
            if not isinstance(annot, dict) or annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if isinstance(action, dict) and action.get("/S") == "/URI":
                _keep(action.get("/URI"), links)
    except MemoryError:
        raise
    except Exception:  # a malformed annotation costs its links, never the text
        return


def docx_links(part: Any, links: list[str]) -> None:
    """External hyperlink targets of one part (body, header or footer), in document order: ``w:hyperlink``
    elements through the part's relationships, and ``HYPERLINK "…"`` field codes."""
    try:
        rels = part.rels
        for element in part.element.iter(_W_HYPERLINK, _W_INSTR, _W_FLD):
            if len(links) >= MAX_LINKS:
                return
            if element.tag == _W_HYPERLINK:
                rel = rels.get(element.get(_R_ID) or "")
                if rel is not None and rel.is_external:
                    _keep(rel.target_ref, links)
            else:
                code = element.text if element.tag == _W_INSTR else element.get(_W + "instr")
                field = _FIELD.match(code or "")
                if field:
                    _keep(field.group(1), links)
    except MemoryError:
        raise
    except Exception:  # a malformed relationship costs its links, never the text
        return
