"""Local block explorers for tests: real HTTP on 127.0.0.1 (port 0), each API's real JSON shapes.
``EsploraFake().add(esplora_tx(...))`` (``url`` ends in /api like Blockstream's);
``EtherscanFake(require_key="K").add_native(evm_tx(...))`` / ``.add_token(token_tx(...))``;
``TronGridFake().add_trc20(trc20_row(...))`` / ``.add_trx(trx_row(...))``. Use them as context managers.

Each keeps ``requests`` (path, query, headers), adds ``latency`` to every answer, and ``fault(match,
*answers)`` gives the next requests whose URL (path and query) contains ``match`` those answers, one
each, in order (``always=True``: the last one forever).
"""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import base58


@dataclass
class Answer:
    status: int = 200
    body: Any = b""                 # bytes as is; anything else is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Seen(NamedTuple):
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class _Fake:
    def __init__(self, latency: float = 0.0):
        self.latency, self._lock = latency, threading.Lock()
        self.requests: list[Seen] = []
        self._faults: list[tuple[str, list[Answer], bool]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return "http://{}:{}".format(*self._server.server_address[:2])

    def fault(self, match: str, *answers: Answer, always: bool = False) -> None:
        with self._lock:
            self._faults.append((match, list(answers), always))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, target: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Answer:
        with self._lock:
            self.requests.append(Seen(path, query, headers))
            for match, answers, always in self._faults:
                if match in target and answers:
                    return answers[0] if always and len(answers) == 1 else answers.pop(0)
        return self.route(path, query, headers)

    def route(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Answer:
        raise NotImplementedError

    @staticmethod
    def _index(table: dict[str, list[dict]], row: dict, addrs: set[str], newest: Any) -> None:
        for addr in addrs:
            table.setdefault(addr, []).append(row)
            table[addr].sort(key=newest, reverse=True)


def _handler(fake: _Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            answer = fake._answer(self.path, unquote(parts.path), query, dict(self.headers.items()))
            if fake.latency or answer.delay:
                time.sleep(fake.latency + answer.delay)
            body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def _ts(when: datetime) -> int:
    return int(when.timestamp())


def btc_address(n: int) -> str:
    """A valid mainnet P2PKH address made from ``n`` (test data, nobody's wallet)."""
    return base58.b58encode_check(b"\x00" + bytes([n % 256]) * 20).decode()


def tron_address_of(n: int) -> str:
    return base58.b58encode_check(b"\x41" + bytes([n % 256]) * 20).decode()


def evm_address(n: int) -> str:
    return "0x" + f"{n % 256:02x}" * 20


# -- Esplora (Blockstream / mempool.space) --------------------------------------------------------
def esplora_tx(txid: str, when: datetime | None, inputs: list[tuple[str, int]],
               outputs: list[tuple[str, int]], height: int = 870_000) -> dict:
    def script(addr: str, value: int) -> dict:
        return {"scriptpubkey": "0014" + "ab" * 20, "scriptpubkey_asm": "OP_0 OP_PUSHBYTES_20 " + "ab" * 20,
                "scriptpubkey_type": "v0_p2wpkh", "scriptpubkey_address": addr, "value": value}
    vin = [{"txid": f"{i:064x}", "vout": 0, "prevout": script(a, v), "scriptsig": "", "scriptsig_asm": "",
            "witness": ["3044" + "00" * 70, "02" + "11" * 32], "is_coinbase": False, "sequence": 4294967293}
           for i, (a, v) in enumerate(inputs)]
    vout = [script(a, v) for a, v in outputs]
    fee = max(0, sum(v for _, v in inputs) - sum(v for _, v in outputs))
    status = ({"confirmed": True, "block_height": height, "block_hash": "00" * 32, "block_time": _ts(when)}
              if when else {"confirmed": False})
    return {"txid": txid, "version": 2, "locktime": 0, "vin": vin, "vout": vout, "size": 222, "weight": 561,
            "fee": fee, "status": status}


class EsploraFake(_Fake):
    PAGE, MEMPOOL_PAGE = 25, 50

    def __init__(self, latency: float = 0.0):
        super().__init__(latency)
        self.txs: dict[str, list[dict]] = {}

    @property
    def url(self) -> str:
        return self.base + "/api"

    def add(self, *txs: dict) -> None:
        for tx in txs:
            addrs = {s["prevout"]["scriptpubkey_address"] for s in tx["vin"]}
            addrs |= {s["scriptpubkey_address"] for s in tx["vout"]}
            self._index(self.txs, tx, addrs, lambda t: t["status"].get("block_time", 2**40))

    def route(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Answer:
        parts = path.split("/")
        if parts[:3] != ["", "api", "address"] or len(parts) < 4:
            return Answer(404, b"Not Found")
        txs = self.txs.get(parts[3], [])
        mempool = [t for t in txs if not t["status"]["confirmed"]]
        chain = [t for t in txs if t["status"]["confirmed"]]
        rest = parts[4:]
        if not rest:
            zero = {"funded_txo_count": 0, "funded_txo_sum": 0, "spent_txo_count": 0, "spent_txo_sum": 0}
            stats = {key: {**zero, "tx_count": len(items)}
                     for key, items in (("chain_stats", chain), ("mempool_stats", mempool))}
            return Answer(body={"address": parts[3], **stats})
        if rest == ["txs"]:
            return Answer(body=mempool[:self.MEMPOOL_PAGE] + chain[:self.PAGE])
        ids = [t["txid"] for t in chain]
        if rest[:2] == ["txs", "chain"] and (len(rest) == 2 or rest[2] in ids):
            start = ids.index(rest[2]) + 1 if len(rest) > 2 else 0
            return Answer(body=chain[start:start + self.PAGE])
        return Answer(404, b"Not Found")


# -- Etherscan-compatible (Etherscan, Blockscout) ---------------------------------------------------
def evm_tx(tx_hash: str, when: datetime, frm: str, to: str, wei: int, *, failed: bool = False) -> dict:
    return {"blockNumber": "19000000", "timeStamp": str(_ts(when)), "hash": tx_hash, "nonce": "7",
            "blockHash": "0x" + "cd" * 32, "transactionIndex": "12", "from": frm.lower(), "to": to.lower(),
            "value": str(wei), "gas": "21000", "gasPrice": "30000000000", "isError": "1" if failed else "0",
            "txreceipt_status": "0" if failed else "1", "input": "0x", "contractAddress": "",
            "cumulativeGasUsed": "1000000", "gasUsed": "21000", "confirmations": "1200",
            "methodId": "0x", "functionName": ""}


def token_tx(tx_hash: str, when: datetime, frm: str, to: str, contract: str, value: int, *,
             symbol: str = "USDT", decimals: int = 6, name: str = "Tether USD") -> dict:
    return {"blockNumber": "19000000", "timeStamp": str(_ts(when)), "hash": tx_hash, "nonce": "3",
            "blockHash": "0x" + "cd" * 32, "from": frm.lower(), "contractAddress": contract.lower(),
            "to": to.lower(), "value": str(value), "tokenName": name, "tokenSymbol": symbol,
            "tokenDecimal": str(decimals), "transactionIndex": "40", "gas": "65000",
            "gasPrice": "30000000000", "gasUsed": "46000", "cumulativeGasUsed": "9000000",
            "input": "deprecated", "confirmations": "1200"}


def _notok(text: str) -> Answer:
    return Answer(body={"status": "0", "message": "NOTOK", "result": text})


class EtherscanFake(_Fake):
    def __init__(self, latency: float = 0.0, require_key: str = ""):
        super().__init__(latency)
        self.require_key = require_key
        self.rows: dict[str, dict[str, list[dict]]] = {"txlist": {}, "tokentx": {}}

    @property
    def url(self) -> str:
        return self.base + "/api"

    def add_native(self, *rows: dict) -> None:
        for row in rows:
            self._index(self.rows["txlist"], row, {row["from"], row["to"]}, lambda r: int(r["timeStamp"]))

    def add_token(self, *rows: dict) -> None:
        for row in rows:
            self._index(self.rows["tokentx"], row, {row["from"], row["to"]}, lambda r: int(r["timeStamp"]))

    def route(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Answer:
        if path != "/api":
            return Answer(404, b"Not Found")
        if self.require_key and query.get("apikey") != self.require_key:
            return _notok("Missing/Invalid API Key")
        action = query.get("action")
        if query.get("module") != "account" or action not in self.rows:
            return _notok("Error! Missing Or invalid Module name")
        page, offset = int(query.get("page", "1")), int(query.get("offset", "10000"))
        if page * offset > 10000:
            return _notok("Result window is too large, PageNo x Offset size must be less than or equal "
                          "to 10000")
        rows = list(self.rows[action].get(query.get("address", "").lower(), []))
        if query.get("sort") == "asc":
            rows.reverse()
        chunk = rows[(page - 1) * offset: page * offset]
        if not chunk:
            what = "transactions" if action == "txlist" else "token transfers"
            return Answer(body={"status": "0", "message": f"No {what} found", "result": []})
        return Answer(body={"status": "1", "message": "OK", "result": chunk})


# -- TronGrid -----------------------------------------------------------------------------------------
TYPE_URL = "type.googleapis.com/protocol.TransferContract"


def tron_hex(address: str) -> str:
    return base58.b58decode_check(address).hex()


def trc20_row(txid: str, when: datetime, frm: str, to: str, contract: str, value: int, *,
              symbol: str = "USDT", decimals: int = 6, name: str = "Tether USD") -> dict:
    info = {"symbol": symbol, "address": contract, "decimals": decimals, "name": name}
    return {"transaction_id": txid, "token_info": info,
            "block_timestamp": _ts(when) * 1000 + 123, "from": frm, "to": to, "type": "Transfer",
            "value": str(value)}


def trx_row(txid: str, when: datetime, owner: str, to: str, sun: int, *, result: str = "SUCCESS") -> dict:
    value = {"amount": sun, "owner_address": tron_hex(owner), "to_address": tron_hex(to)}
    return {"ret": [{"contractRet": result, "fee": 1100000}], "signature": ["ab" * 65], "txID": txid,
            "net_usage": 0, "raw_data_hex": "0a02", "net_fee": 0, "energy_usage": 0, "blockNumber": 66000000,
            "block_timestamp": _ts(when) * 1000, "energy_fee": 0, "energy_usage_total": 0,
            "raw_data": {"contract": [{"parameter": {"value": value, "type_url": TYPE_URL},
                                       "type": "TransferContract"}],
                         "ref_block_bytes": "1a2b", "ref_block_hash": "0011223344556677",
                         "expiration": _ts(when) * 1000 + 60000, "timestamp": _ts(when) * 1000},
            "internal_transactions": []}


class TronGridFake(_Fake):
    def __init__(self, latency: float = 0.0, require_key: str = ""):
        super().__init__(latency)
        self.require_key = require_key
        self.rows: dict[str, dict[str, list[dict]]] = {"trc20": {}, "trx": {}}

    @property
    def url(self) -> str:
        return self.base

    def add_trc20(self, *rows: dict) -> None:
        for row in rows:
            self._index(self.rows["trc20"], row, {row["from"], row["to"]}, lambda r: r["block_timestamp"])

    def add_trx(self, *rows: dict) -> None:
        for row in rows:
            value = row["raw_data"]["contract"][0]["parameter"]["value"]
            addrs = {base58.b58encode_check(bytes.fromhex(value[k])).decode()
                     for k in ("owner_address", "to_address")}
            self._index(self.rows["trx"], row, addrs, lambda r: r["block_timestamp"])

    def route(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Answer:
        if self.require_key and headers.get("TRON-PRO-API-KEY") != self.require_key:
            return Answer(401, {"Error": "ApiKey not exists"})
        parts = path.split("/")
        if parts[:3] != ["", "v1", "accounts"] or len(parts) < 5 or parts[4] != "transactions":
            return Answer(404, {"success": False, "error": "Not Found", "statusCode": 404})
        kind = "trc20" if parts[5:] == ["trc20"] else "trx"
        limit = int(query.get("limit", "20"))
        if not 0 < limit <= 200:
            return Answer(400, {"success": False, "error": "limit must be in 1..200", "statusCode": 400})
        start = int(base64.b64decode(query["fingerprint"]).decode()) if query.get("fingerprint") else 0
        rows = self.rows[kind].get(parts[3], [])
        chunk = rows[start:start + limit]
        meta: dict[str, Any] = {"at": int(time.time() * 1000), "page_size": len(chunk)}
        if start + limit < len(rows):
            meta["fingerprint"] = base64.b64encode(str(start + limit).encode()).decode()
            meta["links"] = {"next": f"https://api.trongrid.io{path}?limit={limit}&fingerprint={meta['fingerprint']}"}
        return Answer(body={"data": chunk, "success": True, "meta": meta})
