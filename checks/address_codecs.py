"""Encodings behind wallet addresses, from maintained libraries: base58 (``base58``; Bitcoin and
Ripple alphabets), the bech32 checksum, HRP expansion and bit regrouping (``bech32``), Keccak-256
(``pycryptodome``). Only the glue is written here: the bech32m constant (BIP-350), the cashaddr
checksum (bech32's BCH code widened to 40 bits, which the ``bech32`` package does not offer) and
Monero's block-wise base58. Pure functions."""
from __future__ import annotations

import hashlib

import base58
from bech32 import CHARSET as BECH32_CHARSET
from bech32 import bech32_hrp_expand as hrp_expand
from bech32 import bech32_polymod, convertbits
from Crypto.Hash import keccak

__all__ = ["B58_ALPHABET", "BECH32M_CONST", "BECH32_CHARSET", "BECH32_CONST", "RIPPLE_ALPHABET",
           "b58decode", "bech32_polymod", "cashaddr_polymod", "convertbits", "decode_monero", "dsha256",
           "encode_monero", "hrp_expand", "keccak256"]

B58_ALPHABET = base58.BITCOIN_ALPHABET.decode()
RIPPLE_ALPHABET = base58.XRP_ALPHABET.decode()
#: what ``bech32_polymod`` leaves over a valid bech32 (BIP-173) or bech32m (BIP-350) string
BECH32_CONST, BECH32M_CONST = 1, 0x2BC830A3
_CASHADDR_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def dsha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def b58decode(s: str, alphabet: str = B58_ALPHABET) -> bytes | None:
    """Plain base58 decode; ``None`` if a character is outside the alphabet (the library would also
    forgive trailing whitespace: an address with any is not this encoding)."""
    if s != s.rstrip():
        return None
    try:
        return base58.b58decode(s, alphabet=alphabet.encode())
    except ValueError:  # a character outside the alphabet, or not ASCII
        return None


# -- Monero: base58 in 8-byte blocks, each to a fixed width ------------------------------------------
_XMR_BLOCK_CHARS = (0, 2, 3, 5, 6, 7, 9, 10, 11)  # encoded width of a block of 0..8 bytes


def encode_monero(data: bytes) -> str:
    """Monero base58: 8-byte blocks, each encoded to a fixed width (11 chars for a full block)."""
    out = []
    for i in range(0, len(data), 8):
        block = data[i:i + 8]
        chars = base58.b58encode_int(int.from_bytes(block, "big"), default_one=False).decode()
        out.append(chars.rjust(_XMR_BLOCK_CHARS[len(block)], B58_ALPHABET[0]))
    return "".join(out)


def decode_monero(s: str) -> bytes | None:
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


# -- cashaddr ---------------------------------------------------------------------------------------
def cashaddr_polymod(values: list[int]) -> int:
    """The cashaddr checksum: bech32's BCH code over 40 bits (1 over a valid address)."""
    chk = 1
    for v in values:
        top, chk = chk >> 35, ((chk & 0x07FFFFFFFF) << 5) ^ v
        for i, g in enumerate(_CASHADDR_GEN):
            if (top >> i) & 1:
                chk ^= g
    return chk
