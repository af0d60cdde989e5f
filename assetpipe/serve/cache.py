"""``ttl_cache(seconds, maxsize=1024, wait_timeout=30)``: an app-level memo with expiry, for sync
and async functions, with hit-rate statistics.

    @ttl_cache(30)
    def dashboard_totals(team_id: int) -> dict: ...

    @ttl_cache(5, maxsize=256)
    async def fetch_prices(symbol: str) -> list[float]: ...

    dashboard_totals.stats()   # {"hits": .., "misses": .., "hit_rate": .., "size": .., ...}
    dashboard_totals.clear()

- Thread-safe; least-recently-used eviction past ``maxsize``; entries expire ``seconds`` after
  they were computed (``time.monotonic``).
- No dog-pile: under concurrency one caller (the leader) computes a missing key and the others
  wait for its result (threads on an ``Event``; coroutines on a future of their event loop).
  Waiters are counted as ``waits``, apart from ``hits`` and ``misses``: ``hit_rate`` is
  hits / (hits + misses + waits), so a cold burst where every caller paid the miss's latency
  does not look like a warm cache.
- A failure is shared: when the leader raises, the callers waiting on it get the same exception
  at once (no retrying one after another); it is not cached, the next call computes again.
- A waiter waits at most ``wait_timeout`` seconds; then it computes the value itself (counted in
  ``timeouts`` and ``misses``), so one stuck call cannot hold every caller of that key.
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

from . import observe

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


class _Flight:
    """One computation in progress: its waiters block on ``event`` (threads) or ``future``
    (coroutines of ``loop``); the outcome is ``(True, value)`` or ``(False, exception)``."""

    __slots__ = ("event", "future", "loop", "outcome")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.event = threading.Event()
        self.loop = loop
        self.future: asyncio.Future[None] | None = loop.create_future() if loop else None
        self.outcome: tuple[bool, Any] = (False, RuntimeError("no result"))

    def finish(self, ok: bool, value: Any) -> None:
        self.outcome = (ok, value)
        self.event.set()
        if self.future is not None and not self.future.done():
            self.future.set_result(None)

    def result(self) -> Any:
        ok, value = self.outcome
        if not ok:
            raise value
        return value


class _TTLCache:
    def __init__(self, seconds: float, maxsize: int, name: str, wait_timeout: float = 30.0) -> None:
        if seconds <= 0 or maxsize <= 0:
            raise ValueError("ttl_cache needs seconds > 0 and maxsize > 0")
        self.seconds = seconds
        self.maxsize = maxsize
        self.name = name
        self.wait_timeout = wait_timeout
        self.lock = threading.Lock()
        self.data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self.inflight: dict[Hashable, _Flight] = {}
        self.ainflight: dict[Hashable, _Flight] = {}
        self.hits = self.misses = self.waits = self.timeouts = self.errors = self.evictions = 0

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """(found, value) for a fresh entry; counts a hit. Call with the lock held."""
        item = self.data.get(key)
        if item is not None:
            if item[0] > time.monotonic():
                self.data.move_to_end(key)
                self.hits += 1
                observe.cache(self.name, "hit")
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
            observe.cache(self.name, "eviction")

    def stats(self) -> dict[str, Any]:
        with self.lock:
            total = self.hits + self.misses + self.waits
            return {
                "hits": self.hits,
                "misses": self.misses,
                "waits": self.waits,
                "timeouts": self.timeouts,
                "errors": self.errors,
                "hit_rate": round(self.hits / total, 4) if total else 0.0,
                "size": len(self.data),
                "maxsize": self.maxsize,
                "ttl": self.seconds,
                "evictions": self.evictions,
            }

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.hits = self.misses = self.waits = self.timeouts = self.errors = 0
            self.evictions = 0

    def _join(
        self, key: Hashable, table: dict[Hashable, _Flight], loop: asyncio.AbstractEventLoop | None
    ) -> tuple[bool, Any, _Flight | None, bool]:
        """Under the lock: (found, value) of a fresh entry, else the flight to lead or join."""
        with self.lock:
            found, value = self.lookup(key)
            if found:
                return True, value, None, False
            flight = table.get(key)
            if flight is None or flight.loop is not loop:
                new = _Flight(loop)
                if flight is None:
                    table[key] = new
                self.misses += 1
                observe.cache(self.name, "miss")
                return False, None, new, True
            self.waits += 1
            observe.cache(self.name, "wait")
            return False, None, flight, False

    def _settle(
        self, key: Hashable, table: dict[Hashable, _Flight], flight: _Flight, ok: bool, value: Any
    ) -> None:
        with self.lock:
            if ok:
                self.store(key, value)
            else:
                self.errors += 1
                observe.cache(self.name, "error")
            if table.get(key) is flight:
                del table[key]
        flight.finish(ok, value)

    def _timed_out(self) -> None:
        with self.lock:
            self.timeouts += 1
            self.misses += 1
        observe.cache(self.name, "timeout")
        observe.cache(self.name, "miss")

    def call_sync(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        key = _key(args, kwargs)
        found, value, flight, leader = self._join(key, self.inflight, None)
        if found:
            return value
        assert flight is not None
        if not leader:
            if flight.event.wait(self.wait_timeout):
                return flight.result()
            self._timed_out()
            return fn(*args, **kwargs)
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:
            self._settle(key, self.inflight, flight, False, exc)
            raise
        self._settle(key, self.inflight, flight, True, value)
        return value

    async def call_async(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        key = _key(args, kwargs)
        loop = asyncio.get_running_loop()
        found, value, flight, leader = self._join(key, self.ainflight, loop)
        if found:
            return value
        assert flight is not None and flight.future is not None
        if not leader:
            try:
                await asyncio.wait_for(asyncio.shield(flight.future), self.wait_timeout)
            except TimeoutError:
                self._timed_out()
                return await fn(*args, **kwargs)
            return flight.result()
        try:
            value = await fn(*args, **kwargs)
        except BaseException as exc:
            self._settle(key, self.ainflight, flight, False, exc)
            raise
        self._settle(key, self.ainflight, flight, True, value)
        return value


def ttl_cache(seconds: float, maxsize: int = 1024, wait_timeout: float = 30.0) -> Callable[[F], F]:
    """Decorator: cache a sync or async function's results for ``seconds`` (see module doc).
    The wrapper has ``.stats()``, ``.clear()`` and ``.cache_name``."""
    if seconds <= 0 or maxsize <= 0:
        raise ValueError("ttl_cache needs seconds > 0 and maxsize > 0")

    def decorate(fn: F) -> F:
        name = f"{fn.__module__}.{fn.__qualname__}"
        cache = _TTLCache(seconds, maxsize, name, wait_timeout)
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
