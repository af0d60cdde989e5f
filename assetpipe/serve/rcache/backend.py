"""Where the response cache keeps its entries: the ``Backend`` protocol and ``MemoryBackend``
(this process only; the Redis one, shared by every worker and machine, is in
``redis_backend.py``).

Layout, the same in every backend: under a request's *base key* (the resource) an index records
which request headers the response varies on (its ``Vary``, less Accept-Encoding); each variant
(base key + the user part + those headers' values) holds an ``Entry``. A base key's variants are
invalidated together; each tag names a set of variant keys. Single flight: ``acquire`` a key's
lock (one holder, expiring after ``timeout`` seconds even if its holder dies), ``release`` it;
others ``wait`` for the release, then look again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Protocol

from .entry import Entry


class Backend(Protocol):
    #: whether calls do network I/O (the ASGI middleware then runs them in a worker thread)
    blocking: bool

    def lookup(
        self, base: str, key: str, accept: str | None = None
    ) -> tuple[tuple[str, ...] | None, Entry | None]:
        """(the base key's vary list or None, the entry at ``key`` or None), in one trip; the
        entry holds at least the body a request with this ``Accept-Encoding`` gets."""
        ...

    def fetch(self, key: str, accept: str | None = None) -> Entry | None: ...

    def store(self, base: str, key: str, entry: Entry, ttl: float) -> int:
        """Store ``entry`` at ``key`` and its vary list at ``base``; returns entries evicted."""
        ...

    def invalidate(self, base: str) -> int: ...

    def invalidate_tag(self, tag: str) -> int: ...

    def acquire(self, key: str, timeout: float) -> str | None:
        """A token when this caller now holds ``key``'s lock, else None."""
        ...

    def release(self, key: str, token: str) -> None: ...

    def wait(self, key: str, timeout: float) -> bool:
        """Block until ``key``'s lock is released (True) or ``timeout`` passes (False)."""
        ...

    def clear(self) -> None: ...

    def size(self) -> int: ...


class MemoryBackend:
    """In this process: LRU past ``maxsize`` entries or ``max_bytes`` of bodies; thread-safe."""

    blocking = False

    def __init__(self, maxsize: int = 4096, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, Entry]] = OrderedDict()
        self._index: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._variants: dict[str, set[str]] = {}
        self._tags: dict[str, set[str]] = {}
        self._locks: dict[str, tuple[str, float, threading.Event]] = {}
        self._bytes = 0

    def lookup(
        self, base: str, key: str, accept: str | None = None
    ) -> tuple[tuple[str, ...] | None, Entry | None]:
        now = time.monotonic()
        idx = self._index.get(base)
        vary = idx[1] if idx is not None and idx[0] > now else None
        return vary, self._get(key, now)

    def fetch(self, key: str, accept: str | None = None) -> Entry | None:
        return self._get(key, time.monotonic())

    def _get(self, key: str, now: float) -> Entry | None:
        """The live entry at ``key``. Reads take no lock (each dict and ``OrderedDict`` call is
        atomic in CPython, with str keys): under 32 threads a hit that waited for the lock
        while its holder waited for the GIL cost more than the lookup. Only dropping an expired
        entry locks; a read racing with a store or an invalidation sees the entry just before
        or just after it, as it would have queued before or after it for the lock."""
        item = self._entries.get(key)
        if item is None:
            return None
        if item[0] <= now:
            with self._lock:
                if self._entries.get(key) is item:
                    self._drop(key)
            return None
        try:  # noqa: SIM105 (contextlib.suppress costs a call on every hit)
            self._entries.move_to_end(key)  # LRU order
        except KeyError:
            pass  # dropped in between
        return item[1]

    def _drop(self, key: str) -> None:
        item = self._entries.pop(key, None)
        if item is not None:
            self._forget(key, item[1])

    def _forget(self, key: str, entry: Entry) -> None:
        """Account for ``entry``, just removed from ``_entries`` at ``key``."""
        self._bytes -= entry.size
        for tag in entry.tags:
            self._tags.get(tag, set()).discard(key)

    def store(self, base: str, key: str, entry: Entry, ttl: float) -> int:
        expires = time.monotonic() + ttl
        evicted = 0
        with self._lock:
            self._drop(key)
            self._entries[key] = (expires, entry)
            self._bytes += entry.size
            self._index[base] = (expires, entry.vary)
            self._variants.setdefault(base, set()).add(key)
            for tag in entry.tags:
                self._tags.setdefault(tag, set()).add(key)
            while len(self._entries) > 1 and (
                len(self._entries) > self.maxsize or self._bytes > self.max_bytes
            ):
                # popitem, one atomic call: ``next(iter(...))`` raised "mutated during
                # iteration" when a lock-free reader's move_to_end ran between its two steps
                oldest, (_, old) = self._entries.popitem(last=False)
                self._forget(oldest, old)
                evicted += 1
        return evicted

    def invalidate(self, base: str) -> int:
        with self._lock:
            self._index.pop(base, None)
            keys = self._variants.pop(base, set())
            n = sum(1 for k in keys if k in self._entries)
            for k in keys:
                self._drop(k)
            return n

    def invalidate_tag(self, tag: str) -> int:
        with self._lock:
            keys = self._tags.pop(tag, set())
            n = sum(1 for k in keys if k in self._entries)
            for k in keys:
                self._drop(k)
            return n

    def acquire(self, key: str, timeout: float) -> str | None:
        now = time.monotonic()
        with self._lock:
            held = self._locks.get(key)
            if held is not None and held[1] > now:
                return None
            token = uuid.uuid4().hex
            self._locks[key] = (token, now + timeout, threading.Event())
            return token

    def release(self, key: str, token: str) -> None:
        with self._lock:
            held = self._locks.get(key)
            if held is None or held[0] != token:
                return
            del self._locks[key]
        held[2].set()

    def wait(self, key: str, timeout: float) -> bool:
        with self._lock:
            held = self._locks.get(key)
        if held is None:
            return True
        remaining = min(timeout, max(held[1] - time.monotonic(), 0.0))
        return held[2].wait(remaining) or held[1] <= time.monotonic()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._index.clear()
            self._variants.clear()
            self._tags.clear()
            self._bytes = 0

    def size(self) -> int:
        return len(self._entries)
