"""The source-cache lifetimes and the wallet-exposure minimums in Settings: defaults, 0 turns a cache
off, and every bad value is a ConfigError naming its variable."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.config import ConfigError, Settings


def test_defaults():
    s = Settings.from_env({})
    ttls = (s.rdap_cache_ttl_s, s.phone_lookup_cache_ttl_s, s.wallet_history_cache_ttl_s)
    assert ttls == (86400, 86400, 600)
    assert s.wallet_exposure_minimums == {}
    assert Settings().wallet_history_cache_ttl_s == 600 and Settings().rdap_cache_ttl_s == 86400


def test_values_and_zero():
    s = Settings.from_env({"RDAP_CACHE_TTL_S": "3600", "PHONE_LOOKUP_CACHE_TTL_S": "0",
                           "WALLET_HISTORY_CACHE_TTL_S": " 90.5 ",
                           "WALLET_EXPOSURE_MINIMUMS": "usdt=25, ETH=0.01,TRX=10"})
    assert (s.rdap_cache_ttl_s, s.phone_lookup_cache_ttl_s, s.wallet_history_cache_ttl_s) == (3600, 0, 90.5)
    assert s.wallet_exposure_minimums == {"USDT": Decimal(25), "ETH": Decimal("0.01"), "TRX": Decimal(10)}


@pytest.mark.parametrize(("name", "value"), [
    ("RDAP_CACHE_TTL_S", "-1"), ("RDAP_CACHE_TTL_S", "a day"), ("PHONE_LOOKUP_CACHE_TTL_S", "inf"),
    ("WALLET_HISTORY_CACHE_TTL_S", "nan"), ("WALLET_EXPOSURE_MINIMUMS", "USDT"),
    ("WALLET_EXPOSURE_MINIMUMS", "USDT=-1"), ("WALLET_EXPOSURE_MINIMUMS", "ETH=lots"),
    ("WALLET_EXPOSURE_MINIMUMS", "=1"),
])
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
