"""Encodings behind wallet addresses: base58 (Bitcoin, Ripple and Monero block variants), the BCH
checksum shared by bech32/bech32m and cashaddr, bit regrouping, Keccak-256. Pure functions."""
from __future__ import annotations

import hashlib

from Crypto.Hash import keccak

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
RIPPLE_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST, BECH32M_CONST = 1, 0x2BC830A3
BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
CASHADDR_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def _dsha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def b58decode(s: str, alphabet: str = B58_ALPHABET) -> bytes | None:
    """Plain base58 decode; ``None`` if a character is outside the alphabet."""
    n = 0
    for ch in s:
        if (i := alphabet.find(ch)) < 0:
            return None
        n = n * 58 + i
    zeros = len(s) - len(s.lstrip(alphabet[0]))
    return b"\0" * zeros + n.to_bytes((n.bit_length() + 7) // 8, "big")


_XMR_BLOCK_CHARS = (0, 2, 3, 5, 6, 7, 9, 10, 11)  # encoded width of a block of 0..8 bytes


def encode_monero(data: bytes) -> str:
    """Monero base58: 8-byte blocks, each encoded to a fixed width (11 chars for a full block)."""
    out = []
    for i in range(0, len(data), 8):
        block = data[i:i + 8]
        n, chars = int.from_bytes(block, "big"), ""
        while n:
            n, r = divmod(n, 58)
            chars = B58_ALPHABET[r] + chars
        out.append(chars.rjust(_XMR_BLOCK_CHARS[len(block)], B58_ALPHABET[0]))
    return "".join(out)


def _decode_monero(s: str) -> bytes | None:
    if len(s) % 11 not in _XMR_BLOCK_CHARS:
        return None
    out = bytearray()
    for i in range(0, len(s), 11):
        size = _XMR_BLOCK_CHARS.index(len(s[i:i + 11]))
        block = b58decode(s[i:i + 11])
        if block is None or len(block.lstrip(b"\0")) > size:
            return None
        out += block.lstrip(b"\0").rjust(size, b"\0")
    return bytes(out)


def polymod(values: list[int], gen: tuple[int, ...], width: int) -> int:
    """BCH checksum shared by bech32 (width 30) and cashaddr (width 40)."""
    chk, shift = 1, width - 5
    for v in values:
        top, chk = chk >> shift, ((chk & ((1 << shift) - 1)) << 5) ^ v
        for i, g in enumerate(gen):
            if (top >> i) & 1:
                chk ^= g
    return chk


def hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def convertbits(data: list[int] | bytes, frombits: int, tobits: int, pad: bool) -> list[int] | None:
    acc = bits = 0
    out: list[int] = []
    maxv, keep = (1 << tobits) - 1, (1 << (frombits + tobits - 1)) - 1
    for v in data:
        acc, bits = ((acc << frombits) | v) & keep, bits + frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        return None
    return out
