"""TRON histories from TronGrid's v1 API.

Two listings per address, read together: ``/v1/accounts/{a}/transactions/trc20`` (TRC-20 transfers:
USDT lives here; addresses in base58, ``token_info`` names the contract) and
``/v1/accounts/{a}/transactions`` (native TRX in ``TransferContract``; addresses in hex ``41…``).
Both are newest first and paged with ``meta.fingerprint``; ``meta.links.next`` is never followed
(only the configured base URL is called). ``block_timestamp`` is in milliseconds. ``TRON_API_KEY``
goes in the ``TRON-PRO-API-KEY`` header. ``{"success": false, "error": …}`` is an error.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import base58

from checks.errors import BadResponse, SourceError
from checks.sources.chains.base import (
    IN,
    OUT,
    History,
    Transfer,
    TxRecord,
    decimals_or_none,
    epoch,
    host_allowlist,
    read_listings,
    scaled,
)
from checks.sources.http import HttpClient

MAX_PAGE = 200  # TronGrid's largest ``limit``
_HEX41 = re.compile(r"41[0-9a-fA-F]{40}")
_HEX0X = re.compile(r"0x[0-9a-fA-F]{40}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def tron_address(value: Any) -> str:
    """Base58check form of a TRON address given as base58, hex ``41…`` or ``0x…``."""
    text = str(value or "").strip()
    if _HEX41.fullmatch(text):
        return _base58(text.lower())
    if _HEX0X.fullmatch(text):
        return _base58("41" + text[2:].lower())
    return text


@lru_cache(maxsize=4096)  # the wallet is in every TRX row, counterparties repeat; base58 is slow
def _base58(hex41: str) -> str:
    return base58.b58encode_check(bytes.fromhex(hex41)).decode()


class TronGridAdapter:
    family = "tron"

    def __init__(self, http: HttpClient, base_url: str, *, api_key: str = "", max_tx: int = 500,
                 page_size: int = MAX_PAGE, chain: str = "tron"):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.max_tx = max(1, int(max_tx))
        self.page_size = min(MAX_PAGE, max(1, int(page_size)))
        self.chain = chain
        self.symbol = "TRX"
        self.source = urlsplit(base_url).netloc or base_url
        self._hosts, self._scheme = host_allowlist(self.base_url)

    def __repr__(self) -> str:
        return f"TronGridAdapter(chain={self.chain!r}, source={self.source!r})"

    def history(self, address: str, *, deadline: float | None = None) -> History:
        address = tron_address(address)
        return read_listings(self.chain, self.max_tx, self.source,
                             lambda: self._listing("trc20", address, deadline),
                             lambda: self._listing("trx", address, deadline))

    def _listing(self, kind: str, address: str,
                 deadline: float | None) -> tuple[list[TxRecord], bool, int, SourceError | None]:
        wanted = self.max_tx + 1
        path = f"/v1/accounts/{quote(address, safe='')}/transactions" + ("/trc20" if kind == "trc20" else "")
        parse = self._trc20 if kind == "trc20" else self._trx
        records: list[TxRecord] = []
        requests, fingerprint, seen = 0, "", set()
        headers = {"TRON-PRO-API-KEY": self.api_key} if self.api_key else {}
        while True:
            params = {"limit": str(self.page_size)}
            if kind == "trx":
                params["search_internal"] = "false"
            if fingerprint:
                params["fingerprint"] = fingerprint
            try:
                body = self.http.get_json(f"{self.base_url}{path}?{urlencode(params)}", headers=headers,
                                          deadline=deadline, allowed_hosts=self._hosts,
                                          allowed_scheme=self._scheme)[1]
                rows, fingerprint = self._page(body, address)
            except SourceError as exc:
                return records, False, requests + 1, exc
            requests += 1
            records += [parse(row, address) for row in rows]
            if not fingerprint or not rows or fingerprint in seen:
                return records, True, requests, None
            if len(records) >= wanted:
                return records, False, requests, None
            seen.add(fingerprint)

    def _page(self, body: Any, address: str) -> tuple[list, str]:
        if not isinstance(body, dict):
            raise BadResponse(f"{self.source} sent an unexpected answer")
        if body.get("success") is False or "data" not in body:
            text = body.get("error") or body.get("Error") or body.get("message") or "no message"
            text = _CONTROL.sub(" ", str(text)).replace(address, "<wallet>").strip()[:160]
            raise SourceError(f"{self.source} answered with an error: {text}")
        data, meta = body.get("data"), body.get("meta")
        if not isinstance(data, list):
            raise BadResponse(f"{self.source} sent an unexpected transaction list")
        fingerprint = meta.get("fingerprint") if isinstance(meta, dict) else None
        return data, fingerprint if isinstance(fingerprint, str) else ""

    def _side(self, sender: str, receiver: str, address: str) -> tuple[str, str] | None:
        if sender == address and receiver != address:
            return OUT, receiver
        if receiver == address and sender != address:
            return IN, sender
        return None

    def _trc20(self, row: Any, address: str) -> TxRecord:
        if not isinstance(row, dict) or not isinstance(row.get("transaction_id"), str):
            raise BadResponse(f"{self.source} sent a transfer without transaction_id")
        txid = row["transaction_id"]
        when = epoch(row.get("block_timestamp"), "block_timestamp", self.source, millis=True)
        side = self._side(tron_address(row.get("from")), tron_address(row.get("to")), address)
        if side is None or not side[1] or str(row.get("type") or "Transfer") != "Transfer":
            return TxRecord(txid, when)
        info = row.get("token_info") if isinstance(row.get("token_info"), dict) else {}
        decimals = decimals_or_none(info.get("decimals"))
        amount = scaled(row.get("value"), decimals or 0, "token value", self.source)
        contract = tron_address(info.get("address")) or "unknown"
        symbol = _CONTROL.sub("", str(info.get("symbol") or "?"))[:24] or "?"
        return TxRecord(txid, when, (Transfer(self.chain, txid, when, side[0], side[1], symbol, amount,
                                              contract),))

    def _trx(self, row: Any, address: str) -> TxRecord:
        if not isinstance(row, dict) or not isinstance(row.get("txID"), str):
            raise BadResponse(f"{self.source} sent a transaction without txID")
        txid = row["txID"]
        when = epoch(row.get("block_timestamp"), "block_timestamp", self.source, millis=True)
        raw = row.get("raw_data") if isinstance(row.get("raw_data"), dict) else {}
        contracts = raw.get("contract") if isinstance(raw.get("contract"), list) else []
        ret = row.get("ret") if isinstance(row.get("ret"), list) else []
        failed = any(isinstance(r, dict) and r.get("contractRet") not in (None, "SUCCESS") for r in ret)
        transfers = []
        for contract in contracts:
            if failed or not isinstance(contract, dict):
                continue
            kind = contract.get("type")
            value = (contract.get("parameter") or {}).get("value") if isinstance(
                contract.get("parameter"), dict) else None
            if kind not in ("TransferContract", "TransferAssetContract") or not isinstance(value, dict):
                continue
            side = self._side(tron_address(value.get("owner_address")), tron_address(value.get("to_address")),
                              address)
            if side is None or not side[1]:
                continue
            if kind == "TransferContract":
                amount = scaled(value.get("amount"), 6, "amount", self.source)
                transfers.append(Transfer(self.chain, txid, when, side[0], side[1], self.symbol, amount))
            else:  # TRC-10: the explorer gives no decimals; never a known stablecoin
                asset = _CONTROL.sub("", str(value.get("asset_name") or "?"))[:24]
                amount = scaled(value.get("amount"), 0, "amount", self.source)
                transfers.append(Transfer(self.chain, txid, when, side[0], side[1], f"TRC10:{asset}", amount,
                                          f"trc10:{asset}"))
        return TxRecord(txid, when, tuple(transfers))
