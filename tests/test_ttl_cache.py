from checks.sources.ttl_cache import TtlCache


def test_expiry_eviction_and_disabling():
    now = [0.0]
    cache = TtlCache(ttl_s=10, max_entries=2, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1          # "a" is now the most recently used
    cache.put("c", 3)                   # evicts "b", the least recently used
    assert (cache.get("b"), cache.get("a"), cache.get("c")) == (None, 1, 3)
    now[0] = 10.0
    assert cache.get("a") is None and len(cache) == 1
    off = TtlCache(ttl_s=0)
    off.put("a", 1)
    assert off.get("a") is None
