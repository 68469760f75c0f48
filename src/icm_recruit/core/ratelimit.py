"""Fixed-window rate limiting, in Redis (shared by all workers) or in memory (demo)."""

import threading
import time

import redis
from flask import current_app


class MemoryCounter:
    def __init__(self):
        self._lock = threading.Lock()
        self._hits: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._hits.get(key, (0, now + window))
            if now >= expires:
                count, expires = 0, now + window
            self._hits[key] = (count + 1, expires)
            return count + 1

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def give_back(self, key: str) -> None:
        with self._lock:
            count, expires = self._hits.get(key, (0, 0.0))
            if count > 0 and time.monotonic() < expires:
                self._hits[key] = (count - 1, expires)


class RedisCounter:
    def __init__(self, url: str):
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        # Only a window still counting, above zero: a lone DECR of an expired key would
        # leave one without expiry.
        self._give_back = self._client.register_script(
            "local n = tonumber(redis.call('GET', KEYS[1]) or '0') "
            "if n > 0 then return redis.call('DECR', KEYS[1]) end return 0")

    def incr(self, key: str, window: int) -> int:
        pipe = self._client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def reset(self, key: str) -> None:
        self._client.delete(key)

    def give_back(self, key: str) -> None:
        self._give_back(keys=[key])


def init_rate_limiter(app) -> None:
    if app.config["RATELIMIT_STORAGE"] == "redis":
        app.extensions["rate_counter"] = RedisCounter(app.config["REDIS_URL"])
    else:
        app.extensions["rate_counter"] = MemoryCounter()


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt; return True while the attempt is within the limit."""
    counter = current_app.extensions["rate_counter"]
    prefix = current_app.config["RATELIMIT_PREFIX"]
    return counter.incr(f"{prefix}:{scope}:{key}", window) <= limit


def give_back(scope: str, key: str) -> None:
    """Take one counted attempt back (one that turned out to be no abuse)."""
    prefix = current_app.config["RATELIMIT_PREFIX"]
    current_app.extensions["rate_counter"].give_back(f"{prefix}:{scope}:{key}")


def reset(scope: str, key: str) -> None:
    prefix = current_app.config["RATELIMIT_PREFIX"]
    current_app.extensions["rate_counter"].reset(f"{prefix}:{scope}:{key}")
