"""EVM histories from an Etherscan-compatible API (Etherscan V1/V2, Blockscout, the *scan family).

Two listings per address, read together: ``module=account&action=txlist`` (native transfers) and
``action=tokentx`` (ERC-20 transfers: stablecoin payouts live there), each ``sort=desc`` and paged
with ``page``/``offset``. Query parameters of the configured URL are kept (Etherscan V2 needs
``chainid``); ``EVM_EXPLORER_API_KEY`` goes in ``apikey``. Each listing is read to ``max_tx + 1``
rows at most, so a history longer than the cap is known to be cut.

Envelopes: ``{"status": "1", "result": [...]}`` is data; ``{"status": "0", "message": "No
transactions found", "result": []}`` is an empty history; any other ``status "0"`` (``NOTOK`` with
a text in ``result``) is an error, and a rate-limit text is retried after a short wait while time
is left, then reported as ``RateLimited``.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from checks.errors import BadResponse, RateLimited, SourceError
from checks.sources.chains.base import (
    IN,
    OUT,
    History,
    LazyRecord,
    Transfer,
    as_int,
    decimals_or_none,
    epoch,
    host_allowlist,
    read_listings,
    scaled,
)
from checks.sources.http import HttpClient

#: chain name -> native symbol (18 decimals on all of them); other chains: the name in upper case
NATIVE = {"ethereum": "ETH", "bsc": "BNB", "arbitrum": "ETH", "optimism": "ETH", "base": "ETH",
          "polygon": "POL", "avalanche": "AVAX", "gnosis": "XDAI", "linea": "ETH", "scroll": "ETH",
          "zksync": "ETH", "ethereum_classic": "ETC", "fantom": "FTM", "celo": "CELO"}
ALIASES = {"eth": "ethereum", "mainnet": "ethereum", "bnb": "bsc", "binance": "bsc", "bnb_chain": "bsc",
           "arb": "arbitrum", "arbitrum_one": "arbitrum", "op": "optimism", "matic": "polygon",
           "avax": "avalanche", "etc": "ethereum_classic", "xdai": "gnosis"}
RESULT_WINDOW = 10_000  # Etherscan refuses page x offset beyond this
_OURS = {"module", "action", "address", "page", "offset", "sort"}
_RATE_WORDS = ("rate limit", "too many", "max calls", "throttl")
_EMPTY = re.compile(r"^no (transactions|token transfers|records)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def canonical_chain(name: str) -> str:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key, key)


class _EnvelopeRateLimit(SourceError):
    pass


class EtherscanAdapter:
    family = "evm"

    def __init__(self, http: HttpClient, base_url: str, *, chain: str = "ethereum", api_key: str = "",
                 max_tx: int = 500, page_size: int = 1000, rate_limit_retries: int = 2,
                 rate_limit_wait_s: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.http = http
        self.base_url = base_url.strip()
        self.chain = canonical_chain(chain)
        self.symbol = NATIVE.get(self.chain, self.chain.upper())
        self.api_key = api_key
        self.max_tx = max(1, int(max_tx))
        self.page_size = max(1, int(page_size))
        self.rate_limit_retries = rate_limit_retries
        self.rate_limit_wait_s = rate_limit_wait_s
        self._sleep = sleep
        self.source = urlsplit(self.base_url).netloc or self.base_url
        self._hosts, self._scheme = host_allowlist(self.base_url)

    def __repr__(self) -> str:
        return f"EtherscanAdapter(chain={self.chain!r}, source={self.source!r})"

    def history(self, address: str, *, deadline: float | None = None) -> History:
        address = address.strip().lower()
        return read_listings(self.chain, self.max_tx, self.source,
                             lambda: self._listing("txlist", address, deadline),
                             lambda: self._listing("tokentx", address, deadline))

    # -- one listing, paged --------------------------------------------------------------------
    def _listing(self, action: str, address: str,
                 deadline: float | None) -> tuple[list[LazyRecord], bool, int, SourceError | None]:
        """(records newest first, read to the end?, requests made, the error that stopped it)."""
        wanted = self.max_tx + 1
        offset = min(self.page_size, wanted)
        records: list[LazyRecord] = []
        requests, page = 0, 1
        parse = self._native if action == "txlist" else self._token
        while True:
            if page * offset > RESULT_WINDOW:
                return records, False, requests, None
            try:
                rows, made = self._fetch(action, address, page, offset, deadline)
            except SourceError as exc:
                return records, False, requests + getattr(exc, "requests", 1), exc
            requests += made
            records += [self._record(row, address, parse) for row in rows]
            if len(rows) < offset:
                return records, True, requests, None
            if len(records) >= wanted:
                return records, False, requests, None
            page += 1

    def _url(self, action: str, address: str, page: int, offset: int) -> str:
        parts = urlsplit(self.base_url)
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _OURS]
        params += [("module", "account"), ("action", action), ("address", address), ("page", str(page)),
                   ("offset", str(offset)), ("sort", "desc")]
        if self.api_key and not any(k.lower() == "apikey" for k, _ in params):
            params.append(("apikey", self.api_key))
        return urlunsplit(parts._replace(query=urlencode(params)))

    def _fetch(self, action: str, address: str, page: int, offset: int,
               deadline: float | None) -> tuple[list, int]:
        url = self._url(action, address, page, offset)
        for attempt in range(self.rate_limit_retries + 1):
            body = self.http.get_json(url, deadline=deadline, allowed_hosts=self._hosts,
                                      allowed_scheme=self._scheme)[1]
            try:
                return self._rows(body, address), attempt + 1
            except _EnvelopeRateLimit as exc:
                left = None if deadline is None else deadline - time.monotonic()
                out_of_time = left is not None and left <= self.rate_limit_wait_s
                if attempt == self.rate_limit_retries or out_of_time:
                    error = RateLimited(str(exc))
                    error.requests = attempt + 1  # type: ignore[attr-defined]
                    raise error from None
                self._sleep(self.rate_limit_wait_s)
        raise AssertionError("unreachable")  # pragma: no cover

    def _rows(self, body: Any, address: str) -> list:
        if not isinstance(body, dict):
            raise BadResponse(f"{self.source} sent an unexpected answer")
        status, message = str(body.get("status", "")), str(body.get("message") or "")
        result = body.get("result")
        if status == "1" and isinstance(result, list):
            return result
        if status == "0" and result in ([], None) and _EMPTY.match(message):
            return []
        text = result if isinstance(result, str) and result.strip() else message or "no message"
        text = self._clean(text, address)
        if any(word in text.lower() for word in _RATE_WORDS):
            raise _EnvelopeRateLimit(f"{self.source} rate limited: {text}")
        raise SourceError(f"{self.source} answered with an error: {text}")

    def _clean(self, text: str, address: str) -> str:
        """An explorer's message, safe to show: no wallet, no key, no control characters, short."""
        text = re.sub(re.escape(address), "<wallet>", text, flags=re.IGNORECASE)
        if self.api_key:
            text = text.replace(self.api_key, "<key>")
        text = _CONTROL.sub(" ", text).strip()
        return text[:160] + ("…" if len(text) > 160 else "")

    # -- rows ----------------------------------------------------------------------------------
    def _record(self, row: Any, address: str, transfers: Any) -> LazyRecord:
        """Id and time now; the transfer (direction, amount, token) only if the cap keeps the row."""
        if not isinstance(row, dict) or not isinstance(row.get("hash"), str) or not row["hash"]:
            raise BadResponse(f"{self.source} sent a transaction without hash")
        txid, when = row["hash"], epoch(row.get("timeStamp"), "timeStamp", self.source)
        return LazyRecord(txid, when, lambda: transfers(row, txid, when, address))

    @staticmethod
    def _direction(row: dict, address: str, *, creates: bool = False) -> tuple[str, str] | None:
        sender, receiver = str(row.get("from") or "").lower(), str(row.get("to") or "").lower()
        if creates and not receiver:  # a contract creation: the new contract is the other side
            receiver = str(row.get("contractAddress") or "").lower()
        if sender == address and receiver and receiver != address:
            return OUT, receiver
        if receiver == address and sender and sender != address:
            return IN, sender
        return None

    def _native(self, row: dict, txid: str, when: Any, address: str) -> tuple[Transfer, ...]:
        failed = str(row.get("isError", "0")) == "1" or str(row.get("txreceipt_status", "1")) == "0"
        side = self._direction(row, address, creates=True)
        if side is None or failed:
            return ()
        amount = scaled(row.get("value"), 18, "value", self.source)
        return (Transfer(self.chain, txid, when, side[0], side[1], self.symbol, amount),)

    def _token(self, row: dict, txid: str, when: Any, address: str) -> tuple[Transfer, ...]:
        side = self._direction(row, address)
        if side is None:
            return ()
        contract = str(row.get("contractAddress") or "").lower()
        decimals = decimals_or_none(row.get("tokenDecimal"))
        raw = as_int(row.get("value"), "token value", self.source)
        amount = scaled(raw, decimals, "token value", self.source) if decimals is not None else Decimal(raw)
        symbol = _CONTROL.sub("", str(row.get("tokenSymbol") or "?"))[:24] or "?"
        return (Transfer(self.chain, txid, when, side[0], side[1], symbol, amount, contract or "unknown"),)
