"""Recognise and validate crypto payout wallet addresses; ``analyse()`` never raises.

Every format detector gets a look; the first that finds a *valid* address wins, otherwise the first
(most plausible) detector that claimed the string reports its problem. Checksums are verified for every
format that has one. Zcash unified addresses: bech32m checksum and length only (F4Jumble not undone).
"""
from __future__ import annotations

import string
from dataclasses import dataclass, replace

from checks.address_codecs import (
    BECH32_CHARSET,
    BECH32_CONST,
    BECH32M_CONST,
    RIPPLE_ALPHABET,
    b58decode,
    bech32_polymod,
    cashaddr_polymod,
    convertbits,
    decode_monero,
    dsha256,
    hrp_expand,
    keccak256,
)

TESTNET = "testnet address (not payable on mainnet)"
UNRECOGNISED = "unrecognised address format"
BAD_CHARS = "mixed alphabets/invalid characters"
MAX_LEN = 512  # the longest real format (a Zcash unified address) stays well below this


@dataclass(frozen=True)
class AddressInfo:
    raw: str
    chain: str | None
    kind: str
    valid: bool
    problem: str
    network: str
    privacy: bool
    normalized: str
    checksummed: bool


def _info(raw: str, chain: str | None, kind: str, problem: str = "", network: str = "mainnet", *,
          privacy: bool = False, normalized: str | None = None, checksummed: bool = False) -> AddressInfo:
    if not problem and network == "testnet":
        problem = TESTNET
    return AddressInfo(raw, chain, kind, not problem, problem, network, privacy,
                       raw if normalized is None else normalized, checksummed)


# --- detectors: each returns None (not this format) or an AddressInfo --------------------------------

def _evm(s: str) -> AddressInfo | None:
    if s[:2] not in ("0x", "0X"):
        return None
    body = s[2:]
    norm = "0x" + body.lower()
    if not all(c in string.hexdigits for c in body):
        return _info(s, "evm", "evm", f"{BAD_CHARS}: EVM addresses are hex", "", normalized=norm)
    if len(body) != 40:
        problem = f"wrong length: EVM addresses have 40 hex digits (got {len(body)})"
        return _info(s, "evm", "evm", problem, "", normalized=norm)
    if body in (body.lower(), body.upper()):
        return _info(s, "evm", "evm", "", "", normalized=norm)
    digest = keccak256(body.lower().encode()).hex()
    if any(c.isalpha() and c.isupper() != (int(h, 16) >= 8) for c, h in zip(body, digest[:40], strict=True)):
        return _info(s, "evm", "evm", "EIP-55 checksum mismatch", "", normalized=norm)
    return _info(s, "evm", "evm", "", "", normalized=norm, checksummed=True)


def _hexlike(s: str) -> AddressInfo | None:
    if not all(c in string.hexdigits for c in s):
        return None
    if len(s) == 64:
        return _info(s, None, "", "64 hex characters: a transaction hash or key, not a wallet address", "")
    if len(s) == 40:
        return _info(s, "evm", "evm", "missing 0x prefix", "", normalized="0x" + s.lower())
    return None


_CASH_PREFIXES = {"bitcoincash": "mainnet", "bchtest": "testnet", "bchreg": "testnet"}
_CASH_SIZES = (20, 24, 28, 32, 40, 48, 56, 64)


def _cashaddr(s: str) -> AddressInfo | None:
    low = s.lower()
    prefix, _, payload = low.rpartition(":")
    if prefix and prefix not in _CASH_PREFIXES:
        return None
    if not prefix and (len(low) not in (42, 61) or low[0] not in "qp" or set(low) - set(BECH32_CHARSET)):
        return None
    prefix = prefix or "bitcoincash"
    net, norm = _CASH_PREFIXES[prefix], f"{prefix}:{payload}"
    kind, problem = "", ""
    data = [BECH32_CHARSET.find(c) for c in payload]
    body = convertbits(data[:-8], 5, 8, False) if len(data) >= 10 and -1 not in data else None
    if s not in (low, s.upper()):
        problem = "mixed case (cashaddr must be all lower or all upper case)"
    elif -1 in data:
        problem = f"{BAD_CHARS} for cashaddr"
    elif len(data) < 10:
        problem = "wrong length for cashaddr"
    elif cashaddr_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 1:
        problem = "cashaddr checksum invalid"
    elif not body or body[0] & 0x80 or body[0] >> 3 not in (0, 1):
        problem = "unsupported cashaddr type or padding"
    elif len(body) - 1 != _CASH_SIZES[body[0] & 7]:
        problem = "wrong length for cashaddr hash"
    else:
        kind = "cashaddr_p2sh" if body[0] >> 3 else "cashaddr_p2pkh"
    return _info(s, "bitcoin_cash", kind, problem, net, normalized=norm)


_BECH32_HRPS = {
    "bc": ("bitcoin", "mainnet"), "tb": ("bitcoin", "testnet"), "bcrt": ("bitcoin", "testnet"),
    "ltc": ("litecoin", "mainnet"), "tltc": ("litecoin", "testnet"), "rltc": ("litecoin", "testnet"),
    "zs": ("zcash", "mainnet"), "ztestsapling": ("zcash", "testnet"),
    "u": ("zcash", "mainnet"), "utest": ("zcash", "testnet"),
}


def _bech32_kind(hrp: str, values: list[int], is_m: bool) -> tuple[str, str]:
    """(kind, problem) for a checksum-verified bech32 data part, checksum removed."""
    if _BECH32_HRPS[hrp][0] == "zcash":
        unified = hrp.startswith("u")
        kind, prog = ("unified" if unified else "shielded"), convertbits(values, 5, 8, False)
        if is_m != unified:
            return kind, f"{'bech32m' if unified else 'bech32'} required for Zcash {kind} addresses"
        if prog is None or (len(prog) < 48 if unified else len(prog) != 43):
            return kind, f"wrong length for Zcash {kind} address"
        return kind, ""
    ver, prog = (values[0], convertbits(values[1:], 5, 8, False)) if values else (0, None)
    if ver > 16:
        return "", "invalid witness version"
    if prog is None:
        return "", "invalid bech32 padding"
    if not 2 <= len(prog) <= 40 or (ver == 0 and len(prog) not in (20, 32)):
        return "", "wrong length for segwit program"
    if ver == 0:
        kind = "p2wpkh" if len(prog) == 20 else "p2wsh"
        return kind, "bech32 required for witness version 0" if is_m else ""
    kind = "p2tr" if ver == 1 and len(prog) == 32 else f"segwit_v{ver}"
    return kind, "" if is_m else "bech32m required for witness version 1+"


def _bech32(s: str) -> AddressInfo | None:
    low = s.lower()
    pos = low.rfind("1")
    if pos < 1 or (hrp := low[:pos]) not in _BECH32_HRPS:
        return None
    chain, net = _BECH32_HRPS[hrp]
    data = [BECH32_CHARSET.find(c) for c in low[pos + 1:]]
    kind, problem = "", ""
    if s not in (low, s.upper()):
        problem = "mixed case (bech32 must be all lower or all upper case)"
    elif -1 in data:
        problem = f"{BAD_CHARS} for bech32"
    elif len(data) < 7 or (len(s) > 90 and hrp not in ("u", "utest")):
        problem = "wrong length for bech32 address"
    elif (const := bech32_polymod(hrp_expand(hrp) + data)) not in (BECH32_CONST, BECH32M_CONST):
        problem = "bech32 checksum invalid"
    else:
        kind, problem = _bech32_kind(hrp, data[:-6], const == BECH32M_CONST)
    return _info(s, chain, kind, problem, net, privacy=chain == "zcash", normalized=low)


def _xrp(s: str) -> AddressInfo | None:
    if not s.startswith("r") or not 25 <= len(s) <= 35 or (data := b58decode(s, RIPPLE_ALPHABET)) is None:
        return None
    if len(data) != 25 or data[0] != 0:
        return _info(s, "xrp", "classic", "wrong length for XRP address", "")
    problem = "" if dsha256(data[:-4])[:4] == data[-4:] else "base58check checksum invalid"
    return _info(s, "xrp", "classic", problem, "")


# (version prefix, chain, kind, network, payload length); two-byte prefixes first
_B58_VERSIONS = (
    (b"\x1c\xb8", "zcash", "transparent_p2pkh", "mainnet", 20),
    (b"\x1c\xbd", "zcash", "transparent_p2sh", "mainnet", 20),
    (b"\x1d\x25", "zcash", "transparent_p2pkh", "testnet", 20),
    (b"\x1c\xba", "zcash", "transparent_p2sh", "testnet", 20),
    (b"\x16\x9a", "zcash", "shielded_sprout", "mainnet", 64),
    (b"\x16\xb6", "zcash", "shielded_sprout", "testnet", 64),
    (b"\x00", "bitcoin", "p2pkh", "mainnet", 20), (b"\x05", "bitcoin", "p2sh", "mainnet", 20),
    (b"\x6f", "bitcoin", "p2pkh", "testnet", 20), (b"\xc4", "bitcoin", "p2sh", "testnet", 20),
    (b"\x41", "tron", "base58check", "", 20),
    (b"\x30", "litecoin", "p2pkh", "mainnet", 20), (b"\x32", "litecoin", "p2sh", "mainnet", 20),
    (b"\x3a", "litecoin", "p2sh", "testnet", 20),
    (b"\x1e", "dogecoin", "p2pkh", "mainnet", 20), (b"\x16", "dogecoin", "p2sh", "mainnet", 20),
    (b"\x71", "dogecoin", "p2pkh", "testnet", 20),
    (b"\x4c", "dash", "p2pkh", "mainnet", 20), (b"\x10", "dash", "p2sh", "mainnet", 20),
    (b"\x8c", "dash", "p2pkh", "testnet", 20), (b"\x13", "dash", "p2sh", "testnet", 20),
)
# leading characters of mainnet base58 addresses (and their usual length, 0 = varies), to name the
# chain of a broken one
_B58_GUESS = (("t1", "zcash", 35), ("t3", "zcash", 35), ("1", "bitcoin", 0), ("3", "bitcoin", 34),
              ("T", "tron", 34), ("L", "litecoin", 34), ("M", "litecoin", 34), ("D", "dogecoin", 34),
              ("A", "dogecoin", 34), ("9", "dogecoin", 34), ("X", "dash", 34), ("7", "dash", 34),
              ("r", "xrp", 0))


def _guess(s: str) -> tuple[str, int] | tuple[None, int]:
    return next(((chain, n) for lead, chain, n in _B58_GUESS if s.startswith(lead)), (None, 0))


def _base58check(s: str) -> AddressInfo | None:
    if not 25 <= len(s) <= 100 or (data := b58decode(s)) is None:
        return None
    for prefix, chain, kind, net, size in _B58_VERSIONS:
        if data.startswith(prefix) and len(data) == len(prefix) + size + 4:
            problem = "" if dsha256(data[:-4])[:4] == data[-4:] else "base58check checksum invalid"
            return _info(s, chain, kind, problem, net, privacy=kind == "shielded_sprout")
    chain, nchars = _guess(s)
    if chain is None or len(s) > 36:
        return None
    if nchars and len(s) != nchars:
        return _info(s, chain, "", f"wrong length for {chain} address ({nchars} characters expected)", "")
    if len(data) in (25, 26):
        return _info(s, chain, "", f"unknown base58check version byte for {chain}", "")
    return _info(s, chain, "", f"wrong length for {chain} address (decodes to {len(data)} bytes)", "")


# prefix byte -> (kind, network): mainnet, testnet, stagenet (reported as testnet)
_XMR_PREFIXES = {18: ("standard", "mainnet"), 19: ("integrated", "mainnet"), 42: ("subaddress", "mainnet"),
                 53: ("standard", "testnet"), 54: ("integrated", "testnet"), 63: ("subaddress", "testnet"),
                 24: ("standard", "testnet"), 25: ("integrated", "testnet"), 36: ("subaddress", "testnet")}


def _monero(s: str) -> AddressInfo | None:
    if len(s) not in (95, 106) or b58decode(s) is None:
        return None
    kind, net, problem = "", "", ""
    if (data := decode_monero(s)) is None:
        problem = "invalid Monero base58 block"
    elif not (kind_net := _XMR_PREFIXES.get(data[0])):
        problem = "unknown Monero network prefix"
    else:
        kind, net = kind_net
        if len(data) != (77 if kind == "integrated" else 69):
            problem = f"wrong length for Monero {kind} address"
        elif keccak256(data[:-4])[:4] != data[-4:]:
            problem = "Monero checksum invalid"
    return _info(s, "monero", kind, problem, net, privacy=True)


def _solana(s: str) -> AddressInfo | None:
    if not 32 <= len(s) <= 44 or (data := b58decode(s)) is None:
        return None
    problem = "" if len(data) == 32 else "wrong length: Solana addresses decode to 32 bytes"
    return _info(s, "solana", "base58", problem, "")


def _bad_chars(s: str) -> AddressInfo | None:
    """Last resort: roughly the shape of a base58 format, but broken."""
    if 25 <= len(s) <= 36 and (chain := _guess(s)[0]):
        return _info(s, chain, "", f"{BAD_CHARS} (not valid base58)", "")
    if 90 <= len(s) <= 110 and s[0] in "48":
        problem = f"{BAD_CHARS} (not base58)" if len(s) in (95, 106) else "wrong length for Monero address"
        return _info(s, "monero", "", problem, "", privacy=True)
    return None


_DETECTORS = (_evm, _hexlike, _cashaddr, _bech32, _xrp, _base58check, _monero, _solana, _bad_chars)


def _detect(s: str) -> AddressInfo:
    first_invalid = None
    for detector in _DETECTORS:
        if (info := detector(s)) is not None:
            if info.valid:
                return info
            first_invalid = first_invalid or info
    return first_invalid or _info(s, None, "", UNRECOGNISED, "")


def analyse(address: str) -> AddressInfo:
    """Recognise and validate a payout address. Never raises."""
    raw = address.strip() if isinstance(address, str) else ""
    if not raw:
        return _info(raw, None, "", "empty address", "")
    if len(raw) > MAX_LEN:
        return _info(raw, None, "", f"{UNRECOGNISED} (too long)", "")
    if not any(c.isspace() for c in raw):
        return _detect(raw)
    inner = _detect("".join(raw.split()))  # judge the address the spaces hide, but never pass it
    if inner.chain is None:
        return _info(raw, None, "", UNRECOGNISED, "")
    problem = "contains whitespace" + ("" if inner.valid else f"; {inner.problem}")
    return replace(inner, raw=raw, valid=False, problem=problem)
