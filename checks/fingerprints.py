"""Keyed fingerprints of a candidate for the cross-candidate reuse index: pure functions shared by the
``reuse`` check (lookup) and the store (recording), so both always agree.

Nothing here holds plain personal data: every identifier is reduced to its normal form
(``checks.normalize``) and then to an HMAC-SHA256 keyed with the deployment's secret; the resume
becomes a keyed MinHash signature (one-permutation hashing, densified by rotation) and LSH band
digests. Without the secret none of it can be linked back to a value, and changing the secret makes
every stored fingerprint unmatchable.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from checks import normalize, places
from checks.model import Candidate

VERSION = 1
#: identifier kinds taken from the candidate's fields, and the normal form of each
IDENTIFIER_KINDS = ("email", "phone", "wallet", "github")
#: kinds of identifiers printed in the resume (matched against the same families)
RESUME_CONTACT_KINDS = {"email": "resume_email", "phone": "resume_phone"}
NAME_TOKEN = "name_token"
RESUME_BAND = "resume_band"
SIGNATURE_BINS = 128
BAND_ROWS = 4                       # 32 bands of 4 bins: J=0.6 is a candidate with p~0.99
SHINGLE_WORDS = 5
MIN_SHINGLES = 40                   # shorter texts say too little to call two resumes duplicates
MAX_SHINGLES = 20000
NEAR_DUPLICATE = 0.6                # estimated Jaccard similarity of 5-word shingles
_MASK = (1 << 57) - 1
_WORD = re.compile(r"\w+")
_NORMALISERS = {"email": normalize.email, "phone": normalize.phone, "wallet": normalize.wallet,
                "github": normalize.github_login}


@dataclass(frozen=True)
class Fingerprints:
    """What the reuse index stores for one vetting (and looks up)."""

    #: (kind, digest) of the candidate's own fields; kind in IDENTIFIER_KINDS
    identifiers: tuple[tuple[str, str], ...] = ()
    #: (kind, digest) of contacts printed in the resume; kind "resume_email" | "resume_phone"
    resume_contacts: tuple[tuple[str, str], ...] = ()
    #: keyed digests of the name's tokens (to tell a re-vetting from another person)
    name_tokens: frozenset[str] = frozenset()
    #: keyed MinHash of the resume text; empty without enough text
    resume_signature: tuple[int, ...] = field(default=(), repr=False)
    resume_bands: tuple[str, ...] = field(default=(), repr=False)

    @property
    def empty(self) -> bool:
        return not (self.identifiers or self.resume_contacts or self.resume_signature)

    def lookup_digests(self) -> dict[str, str]:
        """digest -> our kind, for every value that may match a stored fingerprint."""
        out = {d: k for k, d in self.resume_contacts}
        out.update({d: k for k, d in self.identifiers})
        return out


@dataclass(frozen=True)
class ReuseMatch:
    """An earlier vetting that shares something with this one. Carries no detail of that person."""

    kind: str                    # ours: email|phone|wallet|github|resume_email|resume_phone|resume
    vetting_id: str
    created_at: datetime
    requested_by: str
    same_name: bool | None       # None: a name is missing on either side
    other_kind: str = ""         # theirs, when it differs (e.g. our phone was printed in their resume)
    similarity: float | None = None  # resume matches only


class ReuseIndex(Protocol):
    """What the ``reuse`` check receives as ``ctx.source("reuse")`` (built by the store)."""

    def fingerprint(self, candidate: Candidate, resume_text: str = "",
                    resume_contacts: Iterable[str] = ()) -> Fingerprints: ...

    def matches(self, fingerprints: Fingerprints, exclude_vetting_id: str = "") -> list[ReuseMatch]: ...


def derive_key(secret: bytes | str, purpose: str) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, f"vetcandidate/{purpose}/v{VERSION}".encode(), hashlib.sha256).digest()


def digest(key: bytes, family: str, normal: str) -> str:
    """HMAC-SHA256 of a normalised value, separated by family ("email", "phone", ...)."""
    return hmac.new(key, f"{family}\x00{normal}".encode(), hashlib.sha256).hexdigest()


def identifier_digest(key: bytes, kind: str, value: str, region: str | None = None) -> str | None:
    """The keyed digest of one identifier, or None when it has no normal form."""
    family = kind.removeprefix("resume_")
    try:
        normal = normalize.phone(value, region) if family == "phone" else _NORMALISERS[family](value)
    except ValueError:
        return None
    return digest(key, family, normal)


def name_tokens(key: bytes, name: str) -> frozenset[str]:
    try:
        tokens = normalize.name(name).split()
    except ValueError:
        return frozenset()
    return frozenset(digest(key, "name", t)[:32] for t in tokens)


def same_person(ours: frozenset[str], theirs: frozenset[str]) -> bool | None:
    """Same name (token order, a middle name or initial aside)? None when either is unknown."""
    if not ours or not theirs:
        return None
    return ours <= theirs or theirs <= ours


def phone_e164(phone: str, location: str | None = None) -> str | None:
    """The candidate's phone in E.164 exactly as the phone check reads it
    (``checks.phone_facts.parse_phone``: without "+", in the claimed location's country); None when
    it has no normal form."""
    from checks.phone_facts import parse_phone

    return parse_phone(phone, location or None).e164 or None


def _phone_region(e164: str | None) -> str | None:
    import phonenumbers

    if e164 is None:
        return None
    try:
        region = phonenumbers.region_code_for_number(normalize.phone_number(e164))
    except ValueError:
        return None
    return region if region and region != "001" else None


def compute(candidate: Candidate, key: bytes, resume_text: str = "",
            resume_contacts: Iterable[str] = ()) -> Fingerprints:
    """All fingerprints of ``candidate``. ``key`` comes from ``derive_key(secret, "reuse")``."""
    identifiers = []
    e164 = phone_e164(candidate.phone, candidate.location) if candidate.phone else None
    for kind in IDENTIFIER_KINDS:
        value = e164 if kind == "phone" else getattr(candidate, kind)
        if value and (d := identifier_digest(key, kind, value)) is not None:
            identifiers.append((kind, d))
    # Phones printed in the resume without "+": read in the candidate's phone's region, else the
    # claimed location's country.
    region = _phone_region(e164) or (places.resolve(candidate.location).country or None
                                     if candidate.location else None)
    contacts: dict[tuple[str, str], None] = {}
    for raw in resume_contacts:
        kind = RESUME_CONTACT_KINDS["email" if "@" in raw else "phone"]
        if (d := identifier_digest(key, kind, raw, region)) is not None:
            contacts[(kind, d)] = None
    signature = minhash(key, resume_text) if resume_text else ()
    return Fingerprints(identifiers=tuple(identifiers), resume_contacts=tuple(contacts),
                        name_tokens=name_tokens(key, candidate.name), resume_signature=signature,
                        resume_bands=bands(key, signature))


def shingles(text: str) -> set[str]:
    """Word 5-grams of the case- and accent-folded text."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    words = _WORD.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))
    grams = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(0, len(words) - SHINGLE_WORDS + 1))}
    return grams if len(grams) <= MAX_SHINGLES else set(sorted(grams)[:MAX_SHINGLES])


def minhash(key: bytes, text: str) -> tuple[int, ...]:
    """Keyed one-permutation MinHash with rotation densification; () for too little text."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return ()
    hash_key = derive_key(key, "resume-minhash")
    bins: list[int | None] = [None] * SIGNATURE_BINS
    for gram in grams:
        h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8, key=hash_key).digest(), "big")
        slot, value = h % SIGNATURE_BINS, (h // SIGNATURE_BINS) & _MASK
        current = bins[slot]
        if current is None or value < current:
            bins[slot] = value
    out = []
    for i in range(SIGNATURE_BINS):  # an empty bin borrows from the next filled one, offset by distance
        step = 0
        while bins[(i + step) % SIGNATURE_BINS] is None:
            step += 1
        out.append(bins[(i + step) % SIGNATURE_BINS] + step * (_MASK + 1))
    return tuple(out)


def bands(key: bytes, signature: tuple[int, ...]) -> tuple[str, ...]:
    if not signature:
        return ()
    out = []
    for start in range(0, len(signature), BAND_ROWS):
        rows = ",".join(str(v) for v in signature[start:start + BAND_ROWS])
        out.append(digest(key, f"band{start // BAND_ROWS}", rows))
    return tuple(out)


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two signatures (0.0 when either is missing)."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def pack_signature(signature: tuple[int, ...]) -> bytes:
    return b"".join(v.to_bytes(8, "big") for v in signature)


def unpack_signature(data: bytes) -> tuple[int, ...]:
    return tuple(int.from_bytes(data[i:i + 8], "big") for i in range(0, len(data), 8))
