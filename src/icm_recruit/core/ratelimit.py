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


class RedisCounter:
    def __init__(self, url: str):
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def incr(self, key: str, window: int) -> int:
        pipe = self._client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def reset(self, key: str) -> None:
        self._client.delete(key)


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


def reset(scope: str, key: str) -> None:
    prefix = current_app.config["RATELIMIT_PREFIX"]
    current_app.extensions["rate_counter"].reset(f"{prefix}:{scope}:{key}")
