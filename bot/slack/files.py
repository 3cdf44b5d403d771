"""Fetch a resume shared in Slack: ``files.info`` for its metadata, then its ``url_private_download``
with the bot token -- only from hosts in ``SLACK_FILE_HOSTS`` (scheme from ``SLACK_API_URL``), on
every redirect hop, with size and type limits. The token never leaves those hosts."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.errors import ResumeError
from checks.errors import SourceError
from checks.sources.http import HttpClient, host_allowed

log = logging.getLogger(__name__)

MAX_RESUME_BYTES = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT_S = 15.0
#: Slack filetype -> extension the resume extractor understands
ACCEPTED = {"pdf": "pdf", "docx": "docx", "text": "txt", "txt": "txt", "markdown": "md", "md": "md",
            "rtf": "rtf", "doc": "doc"}


@dataclass(frozen=True)
class Resume:
    data: bytes
    filename: str


@dataclass(frozen=True)
class FileFetcher:
    client: WebClient
    http: HttpClient
    token: str
    allowed_hosts: tuple[str, ...]
    scheme: str
    max_bytes: int = MAX_RESUME_BYTES

    def fetch(self, file_id: str, *, vetting_id: str = "") -> Resume:
        try:
            info = self.client.files_info(file=file_id)["file"]
        except SlackApiError as exc:
            error = exc.response.get("error", "") if exc.response is not None else ""
            log.info("files.info failed for vetting %s: %s", vetting_id, error)
            if error in ("file_not_found", "file_deleted"):
                raise ResumeError("that file does not exist or I can't see it (share it in this "
                                  "channel first)") from None
            raise ResumeError(f"Slack would not describe the file ({error or 'error'})") from None
        filetype = str(info.get("filetype", "")).lower()
        if filetype not in ACCEPTED:
            raise ResumeError(f"files of type {filetype or 'unknown'} are not supported")
        size = int(info.get("size") or 0)
        if size > self.max_bytes:
            raise ResumeError(f"the file is larger than {self.max_bytes // (1024 * 1024)} MB")
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        if not host_allowed(url, self.allowed_hosts, self.scheme):
            log.warning("refused resume download from a host outside SLACK_FILE_HOSTS (vetting %s)",
                        vetting_id)
            raise ResumeError("the file is hosted somewhere I am not allowed to download from")
        try:
            response = self.http.get(url, headers={"Authorization": f"Bearer {self.token}"},
                                     allowed_hosts=self.allowed_hosts, allowed_scheme=self.scheme,
                                     max_bytes=self.max_bytes,
                                     deadline=time.monotonic() + DOWNLOAD_TIMEOUT_S)
        except SourceError as exc:
            log.warning("resume download failed (vetting %s): %s", vetting_id, type(exc).__name__)
            reason = "the download was redirected to a host I am not allowed to use" \
                if "not allowed" in str(exc) else "the download failed"
            raise ResumeError(reason) from None
        content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
        if content_type.lower().startswith("text/html"):
            raise ResumeError("Slack sent a web page instead of the file (is the bot allowed to read it?)")
        name = str(info.get("name") or f"{file_id}.{ACCEPTED[filetype]}")
        return Resume(data=response.content, filename=name.replace("/", "_")[:200])


def scheme_of(api_url: str) -> str:
    return urlsplit(api_url).scheme or "https"
