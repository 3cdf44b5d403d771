"""checks.crypto_address: real listed values, published test vectors, and property tests that build
addresses with encoders independent of the module (the ``base58`` and ``bech32`` packages, local EIP-55
and cashaddr helpers) and check that random single-character substitutions are caught."""
from __future__ import annotations

import dataclasses

import base58
import pytest
from bech32 import bech32_hrp_expand, bech32_polymod, convertbits
from Crypto.Hash import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.address_codecs import encode_monero
from checks.crypto_address import TESTNET, AddressInfo, analyse

B58 = base58.BITCOIN_ALPHABET.decode()
RIPPLE = base58.RIPPLE_ALPHABET.decode()
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONERO_FUND = ("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98u"
               "Nbr2VBBEt7f2wfn3RVGQBEP3A")  # Monero general fund donation address


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def b58check(payload: bytes, alphabet: bytes = base58.BITCOIN_ALPHABET) -> str:
    return base58.b58encode_check(payload, alphabet=alphabet).decode()


def bech32_address(hrp: str, data5: list[int], bech32m: bool) -> str:
    const = 0x2BC830A3 if bech32m else 1
    mod = bech32_polymod(bech32_hrp_expand(hrp) + data5 + [0] * 6) ^ const
    return hrp + "1" + "".join(BECH32[d] for d in data5 + [(mod >> 5 * (5 - i)) & 31 for i in range(6)])


def segwit_address(hrp: str, version: int, program: bytes) -> str:
    return bech32_address(hrp, [version] + convertbits(program, 8, 5), bech32m=version > 0)


def eip55(body: str) -> str:
    digest = _keccak(body.lower().encode()).hex()
    pairs = zip(body.lower(), digest[:40], strict=True)
    return "0x" + "".join(c.upper() if int(h, 16) >= 8 else c for c, h in pairs)


def cashaddr(prefix: str, version: int, hash_: bytes) -> str:
    gens = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
    data = convertbits(bytes([version]) + hash_, 8, 5)
    chk = 1
    for v in [ord(c) & 31 for c in prefix] + [0] + data + [0] * 8:
        top, chk = chk >> 35, ((chk & 0x07FFFFFFFF) << 5) ^ v
        for i, g in enumerate(gens):
            if (top >> i) & 1:
                chk ^= g
    chk ^= 1
    return prefix + ":" + "".join(BECH32[d] for d in data + [(chk >> 5 * (7 - i)) & 31 for i in range(8)])


def monero_address(prefix: int, body: bytes) -> str:
    payload = bytes([prefix]) + body
    return encode_monero(payload + _keccak(payload)[:4])


def mutate(address: str, alphabet: str, data: st.DataObject, start: int = 0) -> str:
    """Substitute one character (from ``start`` on) with a different one from ``alphabet``."""
    i = data.draw(st.integers(start, len(address) - 1), label="index")
    shift = data.draw(st.integers(1, len(alphabet) - 1), label="shift")
    return address[:i] + alphabet[(alphabet.index(address[i]) + shift) % len(alphabet)] + address[i + 1:]


# --- real listed values and published vectors ----------------------------------------------------

REAL = [
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "evm", "evm", None),
    ("0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c", "evm", "evm", None),
    ("1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ", "bitcoin", "p2pkh", None),
    ("1GcKLUUXodTQcLcPD7VLMgvCc4hs5Q775", "bitcoin", "p2pkh", None),
    ("bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd", "bitcoin", "p2wsh", None),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bitcoin", "p2tr", None),
    ("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz", "tron", "base58check", None),
    ("LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw6", "litecoin", "p2pkh", None),
    ("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66", "xrp", "classic", None),
    ("42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoHi", "solana", "base58", None),
    ("qq3vlashthktqpeppuv7trmw070e3mydgq63zq348v", "bitcoin_cash", "cashaddr_p2pkh",
     "bitcoincash:qq3vlashthktqpeppuv7trmw070e3mydgq63zq348v"),
    ("t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJy", "zcash", "transparent_p2pkh", None),
    ("XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2", "dash", "p2pkh", None),
    (MONERO_FUND, "monero", "standard", None),
    ("11111111111111111111111111111111", "solana", "base58", None),  # the System Program id
]


@pytest.mark.parametrize(("address", "chain", "kind", "normalized"), REAL)
def test_real_values_are_valid(address, chain, kind, normalized):
    info = analyse(f"  {address}\n")
    assert (info.chain, info.kind, info.valid, info.problem) == (chain, kind, True, "")
    assert info.raw == address
    assert info.normalized == (normalized or (address.lower() if chain == "evm" else address))
    assert info.privacy == (chain == "monero")
    assert info.checksummed == (address == REAL[0][0])


@pytest.mark.parametrize(("address", "kind"), [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "p2wpkh"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "segwit_v1"),
    ("BC1SW50QGDZ25J", "segwit_v16"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "segwit_v2"),
])
def test_bip173_bip350_valid_vectors(address, kind):
    info = analyse(address)
    assert (info.chain, info.kind, info.valid, info.network) == ("bitcoin", kind, True, "mainnet")
    assert info.normalized == address.lower()


@pytest.mark.parametrize(("address", "problem"), [
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bech32 checksum invalid"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32m required for witness"),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bech32m required"),
    ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "invalid witness version"),
    ("bc1rw5uspcuh", "wrong length"),
    ("bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "wrong length"),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "wrong length"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "padding"),
    ("bc1gmk9yu", "wrong length"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixed case"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb", "invalid characters"),
])
def test_bip173_bip350_invalid_vectors(address, problem):
    info = analyse(address)
    assert info.chain == "bitcoin" and not info.valid and problem in info.problem


@pytest.mark.parametrize("address", ["tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
                                     "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut"])
def test_unknown_bech32_hrp_is_unrecognised(address):
    assert analyse(address).chain is None


@pytest.mark.parametrize(("address", "problem"), [
    ("1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfK", "base58check checksum invalid"),
    ("TA3941uFAvmVibSkQ6fMJXxmaSNovX86my", "base58check checksum invalid"),
    ("LeKvNdNEzgQkzVVnRdV3fAu2DSF1nLsNw7", "base58check checksum invalid"),
    ("t1g7wowvQ8gn2v8jrU1biyJ26sieNqNsBJz", "base58check checksum invalid"),
    ("XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz3", "base58check checksum invalid"),
    ("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh67", "base58check checksum invalid"),
    ("qq3vlashthktqpeppuv7trmw070e3mydgq63zq348w", "cashaddr checksum invalid"),
    ("bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecc", "bech32 checksum invalid"),
    (MONERO_FUND[:-1] + "B", "Monero checksum invalid"),
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2F96", "EIP-55 checksum mismatch"),
])
def test_bad_checksums(address, problem):
    info = analyse(address)
    assert not info.valid and info.problem == problem and info.chain is not None


@pytest.mark.parametrize(("address", "chain"), [
    (b58check(b"\x6f" + bytes(range(20))), "bitcoin"),
    (b58check(b"\xc4" + bytes(20)), "bitcoin"),
    (b58check(b"\x1d\x25" + bytes(20)), "zcash"),
    (b58check(b"\x8c" + bytes(20)), "dash"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "bitcoin"),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "bitcoin"),
    ("bcrt1qqqqsyqcyq5rqwzqfpg9scrgwpugpzysnard0ew", "bitcoin"),
    (segwit_address("tltc", 0, bytes(20)), "litecoin"),
    (cashaddr("bchtest", 0, bytes(20)), "bitcoin_cash"),
    (monero_address(53, bytes(64)), "monero"),
])
def test_testnet_addresses_are_flagged(address, chain):
    info = analyse(address)
    assert (info.chain, info.valid, info.network, info.problem) == (chain, False, "testnet", TESTNET)
    assert info.kind


@pytest.mark.parametrize(("address", "chain", "problem"), [
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2f9", "evm", "wrong length: EVM addresses have 40 hex digits"),
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2f960", "evm", "wrong length: EVM addresses have 40 hex digits"),
    ("0x", "evm", "wrong length"),
    ("098b716b8aaf21512996dc57eb0615e2383e2f96", "evm", "missing 0x prefix"),
    ("TA3941uFAvmVibSkQ6fMJXxmaSNovX86m", "tron", "wrong length for tron address"),
    ("1D6gG9iKEhPitTcWRJiniuj1jYM2h", "bitcoin", "wrong length for bitcoin address"),
    ("42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoH", "solana", "wrong length: Solana"),
    (MONERO_FUND[:-1], "monero", "wrong length for Monero address"),
    (cashaddr("bitcoincash", 0, bytes(19)), "bitcoin_cash", "wrong length"),
])
def test_wrong_lengths(address, chain, problem):
    info = analyse(address)
    assert info.chain == chain and not info.valid and info.problem.startswith(problem)


@pytest.mark.parametrize(("address", "chain"), [
    ("1D6gG9iKEhPitTcWRJiniuj1jYM2hNe\u0410fJ", "bitcoin"),  # Cyrillic A
    ("1D6gG9iKEhPitTcWRJiniuj1jYM2hNeOfJ", "bitcoin"),  # O is not base58
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2f9\u0435", "evm"),  # Cyrillic e
    ("0x098B716B8Aaf21512996dC57EB0615e2383E2fgg", "evm"),
    ("TA3941uFAvmVibSkQ6fMJXxmaSNovX86m0", "tron"),
    ("bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecI", "bitcoin"),
    ("bitcoincash:qq3vlashthktqpeppuv7trmw070e3mydgq63zq348b", "bitcoin_cash"),
    (MONERO_FUND[:50] + "0" + MONERO_FUND[51:], "monero"),
])
def test_mixed_alphabets(address, chain):
    info = analyse(address)
    assert info.chain == chain and not info.valid
    assert "invalid characters" in info.problem or "mixed case" in info.problem


def test_eip55_lower_upper_mixed():
    mixed = REAL[0][0]
    lower, upper = "0x" + mixed[2:].lower(), "0x" + mixed[2:].upper()
    assert analyse(lower).valid and not analyse(lower).checksummed
    assert analyse(upper).valid and not analyse(upper).checksummed
    assert analyse(mixed).checksummed and analyse(mixed).normalized == lower
    assert analyse("0X" + mixed[2:]).valid
    assert eip55(mixed[2:].lower()) == mixed


def test_legacy_lookalikes_report_as_bitcoin():
    # legacy BCH and Litecoin "3..." addresses share bitcoin's version bytes
    assert analyse(b58check(b"\x05" + bytes(20))).chain == "bitcoin"
    assert analyse(b58check(b"\x05" + bytes(20))).kind == "p2sh"


def test_whitespace_inside_is_flagged_but_recognised():
    info = analyse("1D6gG9iKEh PitTcWRJiniuj1jYM2hNeAfJ")
    assert (info.chain, info.valid, info.problem) == ("bitcoin", False, "contains whitespace")
    assert info.normalized == "1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ"
    assert analyse("0x098B716B8Aaf2151 2996dC57EB0615e2383E2F96").problem.endswith("EIP-55 checksum mismatch")


def test_hex_64_is_not_an_address():
    info = analyse("ab" * 32)
    assert info.chain is None and not info.valid and "64 hex" in info.problem


@pytest.mark.parametrize("garbage", ["", "   ", "\n\t", "hello", "not an address", "x" * 100_000, "\x00",
                                     "\U0001f4b0" * 40, "bc1", "0x0x", "1" * 34, "u1", ":", "bitcoincash:",
                                     "\ud800" * 3, "r" * 30])
def test_garbage_never_raises(garbage):
    info = analyse(garbage)
    assert isinstance(info, AddressInfo) and not info.valid and info.problem
    assert info.kind == "" or info.chain is not None


def test_non_string_input_does_not_raise():
    assert not analyse(None).valid  # type: ignore[arg-type]


def test_result_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        analyse(REAL[0][0]).valid = False  # type: ignore[misc]


def test_zcash_shielded_and_unified_are_private():
    sapling = bech32_address("zs", convertbits(bytes(range(43)), 8, 5), bech32m=False)
    unified = bech32_address("u", convertbits(bytes(range(100)), 8, 5), bech32m=True)
    for address, kind in ((sapling, "shielded"), (unified, "unified")):
        info = analyse(address)
        assert (info.chain, info.kind, info.valid, info.privacy) == ("zcash", kind, True, True)
    assert "bech32m required" in analyse(bech32_address("u", convertbits(bytes(60), 8, 5), False)).problem
    assert not analyse(bech32_address("zs", convertbits(bytes(42), 8, 5), False)).valid


# --- property tests ---------------------------------------------------------------------------------

B58_FORMATS = [(b"\x00", "bitcoin", "p2pkh"), (b"\x05", "bitcoin", "p2sh"), (b"\x41", "tron", "base58check"),
               (b"\x30", "litecoin", "p2pkh"), (b"\x32", "litecoin", "p2sh"), (b"\x1e", "dogecoin", "p2pkh"),
               (b"\x16", "dogecoin", "p2sh"), (b"\x4c", "dash", "p2pkh"), (b"\x10", "dash", "p2sh"),
               (b"\x1c\xb8", "zcash", "transparent_p2pkh"), (b"\x1c\xbd", "zcash", "transparent_p2sh")]


@settings(PROPS, max_examples=500)
@given(fmt=st.sampled_from(B58_FORMATS), payload=st.binary(min_size=20, max_size=20), data=st.data())
def test_base58check_roundtrip_and_substitution(fmt, payload, data):
    version, chain, kind = fmt
    address = b58check(version + payload)
    info = analyse(address)
    assert (info.chain, info.kind, info.valid) == (chain, kind, True)
    assert info.network == ("" if chain == "tron" else "mainnet")
    assert not analyse(mutate(address, B58, data)).valid


@PROPS
@given(payload=st.binary(min_size=20, max_size=20), data=st.data())
def test_xrp_roundtrip_and_substitution(payload, data):
    address = b58check(b"\x00" + payload, base58.RIPPLE_ALPHABET)
    assert (analyse(address).chain, analyse(address).valid) == ("xrp", True)
    assert not analyse(mutate(address, RIPPLE, data)).valid


@st.composite
def segwit_parts(draw):
    version = draw(st.integers(0, 16))
    size = draw(st.sampled_from([20, 32])) if version == 0 else draw(st.integers(2, 40))
    return draw(st.sampled_from(["bc", "ltc"])), version, draw(st.binary(min_size=size, max_size=size))


@PROPS
@given(parts=segwit_parts(), data=st.data(), upper=st.booleans())
def test_segwit_roundtrip_and_substitution(parts, data, upper):
    hrp, version, program = parts
    address = segwit_address(hrp, version, program)
    info = analyse(address.upper() if upper else address)
    assert info.valid and info.chain == {"bc": "bitcoin", "ltc": "litecoin"}[hrp]
    assert info.normalized == address
    if version == 1 and len(program) == 32:
        assert info.kind == "p2tr"
    assert not analyse(mutate(address, BECH32, data, start=len(hrp) + 1)).valid
    wrong_spec = bech32_address(hrp, [version] + convertbits(program, 8, 5), bech32m=version == 0)
    assert "required" in analyse(wrong_spec).problem


@PROPS
@given(hash_=st.binary(min_size=20, max_size=20) | st.binary(min_size=32, max_size=32),
       p2sh=st.booleans(), prefixed=st.booleans(), data=st.data())
def test_cashaddr_roundtrip_and_substitution(hash_, p2sh, prefixed, data):
    full = cashaddr("bitcoincash", (8 if p2sh else 0) | (3 if len(hash_) == 32 else 0), hash_)
    address = full if prefixed else full.split(":", 1)[1]
    info = analyse(address)
    assert (info.chain, info.valid, info.normalized) == ("bitcoin_cash", True, full)
    assert info.kind == ("cashaddr_p2sh" if p2sh else "cashaddr_p2pkh")
    assert analyse(full.upper()).valid
    assert not analyse(mutate(full, BECH32, data, start=len("bitcoincash:"))).valid


@PROPS
@given(body=st.binary(min_size=64, max_size=64), payment_id=st.binary(min_size=8, max_size=8),
       kind=st.sampled_from(["standard", "subaddress", "integrated"]), data=st.data())
def test_monero_roundtrip_and_substitution(body, kind, payment_id, data):
    prefix = {"standard": 18, "subaddress": 42, "integrated": 19}[kind]
    address = monero_address(prefix, body + (payment_id if kind == "integrated" else b""))
    assert len(address) == (106 if kind == "integrated" else 95)
    info = analyse(address)
    assert (info.chain, info.kind, info.valid, info.privacy) == ("monero", kind, True, True)
    assert not analyse(mutate(address, B58, data)).valid


@PROPS
@given(body=st.binary(min_size=20, max_size=20), data=st.data())
def test_eip55_roundtrip_and_case_flip(body, data):
    address = eip55(body.hex())
    info = analyse(address)
    assert info.valid and info.normalized == "0x" + body.hex()
    letters = [i for i, c in enumerate(address) if c.isalpha() and i > 1]
    body_text = address[2:]
    if body_text.lower() != body_text and body_text.upper() != body_text:  # mixed case: checksummed
        assert info.checksummed
    if letters:
        i = data.draw(st.sampled_from(letters))
        flipped = address[:i] + address[i].swapcase() + address[i + 1:]
        flipped_body = flipped[2:]
        if flipped_body.lower() != flipped_body and flipped_body.upper() != flipped_body:
            # still mixed case, so it claims a checksum -- which no longer matches
            assert analyse(flipped).problem == "EIP-55 checksum mismatch"
        else:
            # one letter flipped into single case reads as an unchecksummed address
            assert analyse(flipped).valid and not analyse(flipped).checksummed


@PROPS
@given(program=st.binary(min_size=43, max_size=43), data=st.data())
def test_sapling_substitution(program, data):
    address = bech32_address("zs", convertbits(program, 8, 5), bech32m=False)
    assert analyse(address).valid
    assert not analyse(mutate(address, BECH32, data, start=3)).valid


@settings(max_examples=300, deadline=None)
@given(text=st.text() | st.text(alphabet=B58 + "0x: ", max_size=120))
def test_any_text_never_raises(text):
    info = analyse(text)
    assert isinstance(info, AddressInfo)
    assert info.valid == (info.problem == "") and (not info.valid or info.chain is not None)
