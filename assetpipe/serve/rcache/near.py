"""``NearCache``: this process's copies of what ``RedisBackend`` read from Redis, kept coherent
with every other process through a Redis pub/sub channel.

A hit from the near cache costs no round trip and no redis-server CPU. Every backend that
changes an entry (store, invalidation by key or tag, clear) publishes the Redis keys it changed
on ``<prefix>near``; each process's listener thread (started on first use, again after a fork)
drops its copies of those keys (the changing process drops its own at once, and ignores its
own message). Staleness:

- normally one pub/sub delivery (well under a millisecond on one host): the publisher sends
  after its Redis change, and a copy read before the change is dropped when the message
  arrives; a read racing with a message is not kept (the *generation* check: any message
  received while a read was in flight discards what that read brings back);
- at most ``seconds`` (default 5) if messages are lost unnoticed: a copy answers for
  ``seconds`` at most, and never past the Redis entry's own expiry; after that the backend
  checks it against Redis (``stale``: its stored meta, a few hundred bytes, still the same?)
  before it answers again, and reads the entry whole only when it changed. The first lookup
  that finds a copy past its time checks every copy that is due (``due``) in one round trip. While the listener is not subscribed (at
  start, after a lost connection) nothing is kept and every lookup goes to Redis; when it
  subscribes again the near cache starts empty.

Bounded by ``max_bytes`` of bodies (least recently used dropped first).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from typing import Any

log = logging.getLogger("assetpipe.serve")

#: every near cache of this process, told when it forks (a forked child has no listener yet)
_INSTANCES: weakref.WeakSet[NearCache] = weakref.WeakSet()


def _after_fork() -> None:
    for near in list(_INSTANCES):
        near._lock = threading.Lock()  # a parent thread may have held it at the fork
        near.live = False  # the parent's listener is not here: keep nothing until subscribed
        near._pid = None


class NearCache:
    """See the module doc. ``client``: the backend's ``redis.Redis``."""

    def __init__(
        self, client: Any, channel: str, seconds: float = 5.0, max_bytes: int = 64 * 1024 * 1024
    ) -> None:
        self.client = client
        self.channel = channel
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        #: key → (kept until, value, size, the Redis entry's own expiry)
        self._data: OrderedDict[str, tuple[float, Any, int, float]] = OrderedDict()
        self._bytes = 0
        self._generation = 0
        self.live = False  # subscribed: copies may be kept
        self._pid: int | None = None
        self._closed = False
        self._pubsub: Any = None
        self._sender = uuid.uuid4().hex
        #: one check of the due copies at a time, at most every ``seconds / 10``
        self.recheck_lock = threading.Lock()
        self.next_recheck = 0.0
        _INSTANCES.add(self)

    # -- the copies -----------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """The copy kept for ``key``, or None."""
        if self._pid is None:  # not started yet in this process (see _after_fork)
            self._start()
            return None
        # no lock on the way to a hit (each dict call is atomic in CPython): under many threads
        # a hit queued for it behind a holder that had lost the GIL
        item = self._data.get(key)
        if item is None:
            return None
        now = time.monotonic()
        if item[0] <= now:
            if item[3] <= now:
                with self._lock:
                    if self._data.get(key) is item:
                        self._pop(key)
            return None  # past ``seconds``: ``stale`` still gives it, to revalidate
        try:  # noqa: SIM105 (contextlib.suppress costs a call on every hit)
            self._data.move_to_end(key)  # LRU order
        except KeyError:
            pass  # dropped in between
        return item[1]

    def stale(self, key: str) -> Any:
        """The copy kept for ``key`` even past ``seconds`` (not past its Redis expiry), or
        None: what the backend checks against Redis (is it still the same entry?) instead of
        fetching it whole again. Never an answer by itself."""
        with self._lock:
            item = self._data.get(key)
            return item[1] if item is not None and item[3] > time.monotonic() else None

    def due(self, within: float, limit: int) -> list[tuple[str, Any]]:
        """Copies whose time to answer ends within ``within`` seconds (or has ended), short of
        their Redis expiry: (key, value), at most ``limit`` of them."""
        now = time.monotonic()
        with self._lock:
            found = [
                (key, item[1])
                for key, item in self._data.items()
                if item[0] < now + within and item[3] > now
            ]
        return found[:limit]

    def generation(self) -> int:
        """Take this before a Redis read; give it to ``put`` with what the read returned."""
        return self._generation

    def put(self, key: str, value: Any, size: int, ttl_ms: int, generation: int) -> None:
        """Keep ``value`` (``size`` bytes) for ``key``, whose Redis TTL is ``ttl_ms`` (Redis
        ``PTTL``: -1 none, -2 gone), unless a change was heard since ``generation``."""
        if ttl_ms == -2 or ttl_ms == 0 or size > self.max_bytes:
            return
        seconds = self.seconds if ttl_ms < 0 else min(self.seconds, ttl_ms / 1000)
        with self._lock:
            if not self.live or generation != self._generation:
                return
            self._pop(key)
            now = time.monotonic()
            expires = now + ttl_ms / 1000 if ttl_ms > 0 else float("inf")
            self._data[key] = (now + seconds, value, size, expires)
            self._bytes += size
            while self._bytes > self.max_bytes and self._data:
                self._pop(next(iter(self._data)))

    def _pop(self, key: str) -> None:
        item = self._data.pop(key, None)
        if item is not None:
            self._bytes -= item[2]

    def forget(self, keys: list[str] | None) -> None:
        """Drop these keys' copies (None: every copy), and start a new generation."""
        with self._lock:
            self._generation += 1
            if keys is None:
                self._data.clear()
                self._bytes = 0
            else:
                for key in keys:
                    self._pop(key)

    # -- telling the others ---------------------------------------------------------------
    def announce(self, pipe: Any, keys: list[str] | None) -> None:
        """Queue on ``pipe``, after the change, the message that drops ``keys`` (None:
        everything) in every process; call ``forget(keys)`` once ``pipe`` has run, so that
        this process reads its own change at once."""
        pipe.publish(self.channel, " ".join([self._sender, *(keys if keys is not None else "*")]))

    # -- listening ------------------------------------------------------------------------
    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() or self._closed:
                return
            self._pid = os.getpid()  # in a forked child: the parent's thread is not here
            self._sender = uuid.uuid4().hex
            self.live = False
            self._data.clear()
            self._bytes = 0
        threading.Thread(target=self._listen, name="assetpipe-near-cache", daemon=True).start()

    def _listen(self) -> None:
        while not self._closed:
            try:
                self._pubsub = pubsub = self.client.pubsub()
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    if self._closed:
                        break
                    kind = message.get("type")
                    if kind == "subscribe":
                        self.forget(None)  # what was missed while unsubscribed
                        self.live = True
                    elif kind == "message":
                        data = message["data"]
                        sender, *keys = (data.decode() if isinstance(data, bytes) else data).split()
                        if sender != self._sender:  # this process forgot its own already
                            self.forget(None if keys == ["*"] else keys)
            except Exception as exc:  # a lost connection: go to Redis until subscribed again
                self.live = False
                self.forget(None)
                if self._closed:
                    return
                log.debug("near cache: listener lost its connection (%s); retrying", exc)
                time.sleep(0.5)
        self.live = False

    def close(self) -> None:
        """Stop listening (copies are no longer kept)."""
        self._closed = True
        self.live = False
        self.forget(None)
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(Exception):  # a connection that may be gone already
                pubsub.close()


os.register_at_fork(after_in_child=_after_fork)
