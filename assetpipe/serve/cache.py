"""``ttl_cache(seconds, maxsize=1024)``: an app-level memo with expiry, for sync and async
functions, with hit-rate statistics.

    @ttl_cache(30)
    def dashboard_totals(team_id: int) -> dict: ...

    @ttl_cache(5, maxsize=256)
    async def fetch_prices(symbol: str) -> list[float]: ...

    dashboard_totals.stats()   # {"hits": .., "misses": .., "hit_rate": .., "size": .., ...}
    dashboard_totals.clear()

- Thread-safe; least-recently-used eviction past ``maxsize``; entries expire ``seconds`` after
  they were computed (``time.monotonic``).
- No dog-pile: under concurrency one caller computes a missing key and the others wait for its
  result (threads on an ``Event``; coroutines on a future of their event loop). Waiters that get
  the leader's value count as hits. An exception is not cached: it propagates to the leader and
  the waiters retry (one of them becomes the next leader).
- Keys are built from the positional and keyword arguments (which must be hashable), like
  ``functools.lru_cache``.
- Every cache registers itself by the function's qualified name, so ``stats_app`` reports them.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: weakref.WeakValueDictionary[str, _TTLCache] = weakref.WeakValueDictionary()
_KWMARK = object()


def all_cache_stats() -> dict[str, dict[str, Any]]:
    """Statistics of every live ``ttl_cache``, by qualified function name."""
    return {name: cache.stats() for name, cache in sorted(_REGISTRY.items())}


def _key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Hashable:
    if not kwargs:
        return args if len(args) != 1 else (args[0],)
    return (*args, _KWMARK, *sorted(kwargs.items()))


class _TTLCache:
    def __init__(self, seconds: float, maxsize: int, name: str) -> None:
        if seconds <= 0 or maxsize <= 0:
            raise ValueError("ttl_cache needs seconds > 0 and maxsize > 0")
        self.seconds = seconds
        self.maxsize = maxsize
        self.name = name
        self.lock = threading.Lock()
        self.data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self.inflight: dict[Hashable, Any] = {}
        self.hits = self.misses = self.evictions = 0

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """(found, value) for a fresh entry; counts a hit. Call with the lock held."""
        item = self.data.get(key)
        if item is not None:
            if item[0] > time.monotonic():
                self.data.move_to_end(key)
                self.hits += 1
                return True, item[1]
            del self.data[key]
        return False, None

    def store(self, key: Hashable, value: Any) -> None:
        """Call with the lock held."""
        self.data[key] = (time.monotonic() + self.seconds, value)
        self.data.move_to_end(key)
        while len(self.data) > self.maxsize:
            self.data.popitem(last=False)
            self.evictions += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            total = self.hits + self.misses
            return {"hits": self.hits, "misses": self.misses,
                    "hit_rate": round(self.hits / total, 4) if total else 0.0,
                    "size": len(self.data), "maxsize": self.maxsize, "ttl": self.seconds,
                    "evictions": self.evictions}

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.hits = self.misses = self.evictions = 0

    def call_sync(self, fn: Callable[..., Any], args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
        key = _key(args, kwargs)
        while True:
            with self.lock:
                found, value = self.lookup(key)
                if found:
                    return value
                existing: threading.Event | None = self.inflight.get(key)
                leader = existing is None
                event = existing if existing is not None else threading.Event()
                if leader:
                    self.inflight[key] = event
                    self.misses += 1
            if not leader:
                event.wait()
                continue
            try:
                value = fn(*args, **kwargs)
                with self.lock:
                    self.store(key, value)
                return value
            finally:
                with self.lock:
                    self.inflight.pop(key, None)
                event.set()

    async def call_async(self, fn: Callable[..., Any], args: tuple[Any, ...],
                         kwargs: dict[str, Any]) -> Any:
        key = _key(args, kwargs)
        loop = asyncio.get_running_loop()
        while True:
            with self.lock:
                found, value = self.lookup(key)
                if found:
                    return value
                waiting: tuple[Any, asyncio.Future[None]] | None = self.inflight.get(key)
                leader = waiting is None or waiting[0] is not loop
                if leader:
                    future: asyncio.Future[None] = loop.create_future()
                    if waiting is None:
                        self.inflight[key] = (loop, future)
                    self.misses += 1
            if waiting is not None and not leader:
                await asyncio.shield(waiting[1])
                continue
            try:
                value = await fn(*args, **kwargs)
                with self.lock:
                    self.store(key, value)
                return value
            finally:
                with self.lock:
                    if self.inflight.get(key, (None, None))[1] is future:
                        del self.inflight[key]
                if not future.done():
                    future.set_result(None)


def ttl_cache(seconds: float, maxsize: int = 1024) -> Callable[[F], F]:
    """Decorator: cache a sync or async function's results for ``seconds`` (see module doc).
    The wrapper has ``.stats()``, ``.clear()`` and ``.cache_name``."""
    if seconds <= 0 or maxsize <= 0:
        raise ValueError("ttl_cache needs seconds > 0 and maxsize > 0")

    def decorate(fn: F) -> F:
        name = f"{fn.__module__}.{fn.__qualname__}"
        cache = _TTLCache(seconds, maxsize, name)
        wrapper: Any
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                return await cache.call_async(fn, args, kwargs)
            wrapper = async_wrapper
        else:
            @functools.wraps(fn)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                return cache.call_sync(fn, args, kwargs)
            wrapper = sync_wrapper
        wrapper.stats = cache.stats
        wrapper.clear = cache.clear
        wrapper.cache_name = name
        wrapper._ttl_cache = cache  # keeps the registry entry alive as long as the function
        _REGISTRY[name] = cache
        return cast(F, wrapper)

    return decorate
