"""The response cache for dynamic endpoints (WSGI, ASGI, a Flask decorator), in process or
shared through Redis. See ``core`` for the flow; ``rules`` for keys and what may be shared;
``entry`` for what is stored; ``backend``, ``redis_backend`` and ``near`` for where."""

from __future__ import annotations

from .backend import Backend, MemoryBackend
from .core import ResponseCache, all_response_cache_stats
from .entry import Entry
from .redis_backend import RedisBackend
from .rules import Request, Rule
from .wsgi import ResponseCacheMiddleware

__all__ = [
    "Backend",
    "Entry",
    "MemoryBackend",
    "RedisBackend",
    "Request",
    "ResponseCache",
    "ResponseCacheMiddleware",
    "Rule",
    "all_response_cache_stats",
]
