"""Persisting and refreshing the OFAC SDN index.

The cache is one file, ``<data_dir>/sanctions/index.jsonl``, with two JSON lines:
1. the header — metadata (publish date, source, ETag / Last-Modified, SHA-256 of the download,
   fetched_at, checked_at, the index schema) and the address entries with their profiles' names,
   programs and designation dates (a schema-1 file has no dates and still loads);
2. the SDN individuals' names, parsed only when name screening first asks for them, so start-up
   reads a few KB of JSON.
It is replaced atomically (temp file + ``os.replace``): a crash or a failed refresh leaves the
previous edition in place.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from checks.errors import BadResponse, SourceError
from checks.sources.http import HttpClient
from checks.sources.ofac_xml import SdnName, parse_file
from checks.sources.sanctions import (
    DEFAULT_OFAC_SDN_URL,
    INDEX_SCHEMA,
    Listing,
    SanctionsIndex,
    address_key,
)

INDEX_FILE = "index.jsonl"
CACHE_FORMAT = 1
MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024
STALE_TEMP_S = 6 * 3600
_RERUN = "run `vetcandidate sanctions update`"
_USER_AGENT_HINT = ("set VETCANDIDATE_USER_AGENT to a descriptive User-Agent "
                    "(e.g. \"yourcompany-vetcandidate/1.0 (security@yourcompany.example)\") and retry")


@dataclass(frozen=True)
class SourceMeta:
    """Validators of the stored download, sent back as a conditional request."""
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class RefreshOutcome:
    status: str                               # "updated" | "not_modified" | "failed"
    reason: str = ""
    index: SanctionsIndex | None = None       # the edition in effect afterwards (None: none stored)
    previous_publish_date: date | None = None
    added: int = 0                            # address entries added / removed vs the previous edition
    removed: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


class SanctionsStore:
    def __init__(self, data_dir: Path | str):
        self.dir = Path(data_dir).expanduser() / "sanctions"
        self.path = self.dir / INDEX_FILE
        self._cache: tuple[tuple[int, int, int], SanctionsIndex, SourceMeta] | None = None

    def load(self) -> SanctionsIndex | None:
        """The stored edition, or None. Re-reads only when the file changed. A damaged file
        raises ``BadResponse``."""
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1]
            data = self.path.read_bytes()
        except FileNotFoundError:
            self._cache = None
            return None
        except OSError as exc:
            raise BadResponse(f"cannot read the sanctions cache ({exc.strerror})") from None
        index, meta = _decode(data)
        self._cache = (stamp, index, meta)
        return index

    def meta(self) -> SourceMeta | None:
        return self._cache[2] if self.load() is not None and self._cache else None

    def save(self, index: SanctionsIndex, meta: SourceMeta) -> None:
        names = json.dumps([[p.profile_id, p.name, list(p.aliases), list(p.programs)]
                            for p in index.individuals], ensure_ascii=False, separators=(",", ":"))
        self._write(_header(index, meta), names.encode())

    def mark_checked(self, when: datetime, meta: SourceMeta | None = None) -> SanctionsIndex:
        """Record a successful check that found no new edition (HTTP 304, or the same bytes);
        ``meta`` replaces the stored validators (a server may send a new ETag for the same file)."""
        data = self.path.read_bytes()
        head, _, names = data.partition(b"\n")
        header = json.loads(head)
        header["checked_at"] = when.isoformat()
        if meta is not None:
            header.update(etag=meta.etag, last_modified=meta.last_modified, sha256=meta.sha256)
        self._write(header, names)
        if (index := self.load()) is None:
            raise BadResponse("the sanctions cache vanished while it was being updated")
        return index

    def _write(self, header: dict, names: bytes) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        body = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + names
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
            dir_fd = os.open(self.dir, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def profile_rows(index: SanctionsIndex) -> dict[str, list]:
    """profile -> [entity, programs, entity designated (ISO date or None)], as both stores keep them."""
    profiles: dict[str, list] = {}
    for x in index.listings:
        profiles.setdefault(x.profile_id, [x.entity, list(x.programs),
                                           x.entity_designated.isoformat() if x.entity_designated else None])
    return profiles


def listings_from_rows(profiles: dict, entries: list) -> list[Listing]:
    """The inverse of ``profile_rows`` plus the entries; a profile row of an older schema has no
    date. Raises ValueError/KeyError/TypeError on anything else."""
    parties = {pid: (row[0], tuple(row[1]), date.fromisoformat(row[2]) if len(row) > 2 and row[2] else None)
               for pid, row in profiles.items()}
    return [Listing(a, t, pid, *parties[pid]) for a, t, pid in entries]


def _header(index: SanctionsIndex, meta: SourceMeta) -> dict:
    profiles = profile_rows(index)
    return {"format": CACHE_FORMAT, "schema": index.schema, "list_format": index.list_format,
            "party_count": index.party_count,
            "publish_date": index.publish_date.isoformat(), "source": index.source,
            "fetched_at": index.fetched_at.isoformat(), "checked_at": index.checked_at.isoformat(),
            "etag": meta.etag, "last_modified": meta.last_modified, "sha256": meta.sha256,
            "profiles": profiles, "entries": [[x.address, x.ticker, x.profile_id] for x in index.listings]}


def _decode(data: bytes) -> tuple[SanctionsIndex, SourceMeta]:
    head, _, names = data.partition(b"\n")
    try:
        h = json.loads(head)
        if h.get("format") != CACHE_FORMAT:
            raise ValueError(f"unknown cache format {h.get('format')!r}")
        listings = listings_from_rows(h["profiles"], h["entries"])
        index = SanctionsIndex(listings, publish_date=date.fromisoformat(h["publish_date"]),
                               fetched_at=datetime.fromisoformat(h["fetched_at"]),
                               checked_at=datetime.fromisoformat(h["checked_at"]), source=h["source"],
                               individuals=lambda: _decode_names(names), list_format=h["list_format"],
                               party_count=h.get("party_count", 0), schema=int(h.get("schema", 1)))
        meta = SourceMeta(h.get("etag"), h.get("last_modified"), h.get("sha256"))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadResponse(f"sanctions cache is damaged ({exc}); {_RERUN}") from None
    return index, meta


def _decode_names(data: bytes) -> list[SdnName]:
    try:
        return [SdnName(pid, name, tuple(aliases), tuple(programs), True)
                for pid, name, aliases, programs in json.loads(data)]
    except (ValueError, TypeError) as exc:
        raise BadResponse(f"sanctions cache is damaged ({exc}); {_RERUN}") from None


# -- refresh ------------------------------------------------------------------------------------
def refresh(store: SanctionsStore, http: HttpClient, source: str = DEFAULT_OFAC_SDN_URL, *,
            now: datetime, force: bool = False, max_bytes: int = MAX_DOWNLOAD_BYTES) -> RefreshOutcome:
    """Fetch, parse and store the SDN list from an http(s) URL, a ``file://`` URL or a path
    (``.xml``, ``.xml.gz``, ``.xml.bz2``). Never raises for source trouble: a failure is reported
    in the outcome and the stored edition stays untouched. An edition older than the stored one, or
    listing less than half of its addresses, is refused unless ``force``; one with no address at all
    always is (``parse_file`` rejects it)."""
    try:
        previous = store.load()
    except SourceError:
        previous = None  # a damaged cache is simply replaced
    prev_date = previous.publish_date if previous else None
    same_source = previous is not None and previous.source == source
    # an edition stored by an older parser is fetched and parsed again even if the file is the same
    known = store.meta() if same_source and previous.schema >= INDEX_SCHEMA else None

    def outcome(status: str, reason: str = "", index: SanctionsIndex | None = previous,
                added: int = 0, removed: int = 0) -> RefreshOutcome:
        return RefreshOutcome(status, reason, index, prev_date, added, removed)

    tmp: Path | None = None
    try:
        etag = last_modified = None
        if urlsplit(source).scheme in ("http", "https"):
            tmp = _temp_path(store)
            status, etag, last_modified = _download(http, source, tmp, known, max_bytes)
            if status == 304:
                if previous is None or known is None:
                    return outcome("failed", "server answered 304 Not Modified but no edition is stored")
                return outcome("not_modified", "server: not modified", store.mark_checked(now))
            path = tmp
        else:
            path = _local_path(source)
        digest = _sha256(path)
        if previous is not None and known is not None and known.sha256 == digest:
            meta = SourceMeta(etag or known.etag, last_modified or known.last_modified, digest)
            return outcome("not_modified", "content unchanged", store.mark_checked(now, meta))
        parsed = parse_file(path)
        if prev_date is not None and parsed.publish_date < prev_date and not force:
            return outcome("failed", f"downloaded edition {parsed.publish_date} is older than the stored "
                                     f"{prev_date}; kept the stored one")
        index = SanctionsIndex.from_parsed(parsed, source=source, fetched_at=now, checked_at=now)
        new, old = index.unique_addresses, previous.unique_addresses if previous else 0
        if new * 2 < old and not force:
            return outcome("failed", f"downloaded edition {parsed.publish_date} lists {new} digital currency "
                                     f"addresses, less than half of the {old} in the stored edition of "
                                     f"{prev_date}; kept the stored one (if OFAC really delisted them, "
                                     "accept it with `vetcandidate sanctions update --force`)")
        store.save(index, SourceMeta(etag, last_modified, digest))
        added, removed = _diff(previous, index)
        return outcome("updated", f"{parsed.format} list of {parsed.publish_date}", index, added, removed)
    except SourceError as exc:
        return outcome("failed", str(exc))
    except OSError as exc:
        return outcome("failed", f"cannot store the sanctions list ({exc.strerror or exc})")
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _temp_path(store: SanctionsStore) -> Path:
    store.dir.mkdir(parents=True, exist_ok=True)
    for stale in store.dir.glob(".*.tmp"):  # left behind by a run that was killed
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < time.time() - STALE_TEMP_S:
                stale.unlink()
    fd, name = tempfile.mkstemp(dir=store.dir, prefix=".download-", suffix=".tmp")
    os.close(fd)
    return Path(name)


def _download(http: HttpClient, url: str, dest: Path, known: SourceMeta | None,
              max_bytes: int) -> tuple[int, str | None, str | None]:
    headers = {}
    if known and known.etag:
        headers["If-None-Match"] = known.etag
    if known and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    with open(dest, "wb") as sink:
        response = http.get(url, headers=headers, ok_statuses=(200, 304, 401, 403), sink=sink,
                            max_bytes=max_bytes)
    if response.status in (401, 403):
        host = urlsplit(response.url or url).hostname or url
        where = "" if host.endswith(("treas.gov", "treasury.gov")) else f" from {host}"
        raise SourceError(f"OFAC refused the download (HTTP {response.status}){where}; {_USER_AGENT_HINT}")
    return response.status, response.headers.get("ETag"), response.headers.get("Last-Modified")


def _local_path(source: str) -> Path:
    parts = urlsplit(source)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise SourceError(f"cannot read {source}: only local file:// URLs are supported")
        path = Path(url2pathname(parts.path))
    elif parts.scheme and len(parts.scheme) > 1:
        raise SourceError(f"unsupported sanctions source scheme {parts.scheme!r} "
                          "(use http(s), file:// or a path)")
    else:
        path = Path(source).expanduser()
    if not path.is_file():
        raise SourceError(f"sanctions list file not found: {path}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _diff(previous: SanctionsIndex | None, current: SanctionsIndex) -> tuple[int, int]:
    def entries(index: SanctionsIndex | None) -> Counter:
        return Counter((address_key(x.address), x.ticker, x.profile_id) for x in index.listings) \
            if index else Counter()
    old, new = entries(previous), entries(current)
    return sum((new - old).values()), sum((old - new).values())
