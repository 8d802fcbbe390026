"""The Redis cache backend: Django's, with one client kept per connection pool (xinzhi/redis_cache.py)."""

from __future__ import annotations

import os

import pytest

from xinzhi.redis_cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")

# Needs the Redis server of the second CI pass, as the worker tests do.
pytestmark = pytest.mark.worker


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "xinzhi-test-redis-cache"})
    yield cache
    cache.clear()


def test_the_cache_stores_reads_and_deletes_through_one_client_per_pool(redis_cache):
    redis_cache.set("page", {"body": b"<p>\xe7\xbb\xbf</p>", "version": 3}, timeout=30)
    assert redis_cache.get("page") == {"body": b"<p>\xe7\xbb\xbf</p>", "version": 3}
    assert redis_cache.get_many(["page", "missing"]) == {
        "page": {"body": b"<p>\xe7\xbb\xbf</p>", "version": 3}
    }
    assert redis_cache.add("count", 1) and redis_cache.incr("count") == 2
    redis_cache.delete("page")
    assert redis_cache.get("page") is None

    client = redis_cache._cache
    assert client.get_client(write=True) is client.get_client(write=True) is client.get_client()
    assert len(client._clients) == 1
