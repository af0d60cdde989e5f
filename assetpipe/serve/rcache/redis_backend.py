"""``RedisBackend``: the response cache shared by every worker process and machine that point at
one Redis (the ``redis`` client; ``pip install 'assetpipe[redis]'``).

- An entry is a Redis hash under ``<prefix>e:<hash>`` (field ``m``: ``Entry.meta()``, JSON; one
  field per stored encoding: the bytes), with the TTL as the key's expiry; the base key's vary
  list under ``<prefix>i:<hash>``; a base key's variants and a tag's members are Redis sets
  (``v:``/``t:``), so invalidation reaches every process at once.
- A hit is one round trip that fetches only the representation the request will get (the
  client's first acceptable encoding; a second trip only when that one was not stored): a few
  KB of brotli, not the identity body as well.
- Single flight across processes: ``SET <prefix>l:<hash> <token> NX PX <timeout>``; the holder
  deletes it with a compare-and-delete script, and a crashed holder's lock expires after the
  timeout. Waiters poll the lock every few milliseconds (up to their wait timeout).
- Keys are hashed (blake2b), so any header value makes a short, safe Redis key.
- A near cache (``near.py``, on unless ``near_seconds=0``) keeps what this process read from
  Redis for up to ``near_seconds`` (5): a repeated hit costs no round trip; then one small
  round trip checks the copy's stored meta and keeps it if unchanged. Every store and
  invalidation is published on ``<prefix>near`` and drops the copies in every process at once;
  a copy outlives a change only if that message is lost, and then by ``near_seconds`` at most.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

from ..negotiate import ranked
from .entry import Entry
from .near import NearCache

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _first_choice(accept: str | None) -> str:
    """The encoding to fetch with the entry: the client's favourite among those stored."""
    for coding in ranked(accept):
        if coding in ("br", "gzip", "identity"):
            return coding
    return "identity"


#: recent keys' hashes (a bounded memo: a hit hashes two keys, which cost as much as the rest
#: of a near-cache hit)
_HASHES: dict[str, str] = {}
_HASHES_MAX = 8192


def _h(text: str) -> str:
    found = _HASHES.get(text)
    if found is None:
        found = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        if len(text) <= 1024:
            if len(_HASHES) >= _HASHES_MAX:
                _HASHES.clear()
            _HASHES[text] = found
    return found


class RedisBackend:
    """See the module doc. ``client`` is a ``redis.Redis`` (or give ``url``); ``near_seconds``
    and ``near_max_bytes`` bound the near cache (0 seconds: none)."""

    blocking = True

    def __init__(
        self,
        client: Any = None,
        *,
        url: str | None = None,
        prefix: str = "assetpipe:rc:",
        poll_interval: float = 0.005,
        near_seconds: float = 5.0,
        near_max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        if client is None:
            import redis

            client = redis.Redis.from_url(url or "redis://127.0.0.1:6379/0")
        self.r = client
        self.prefix = prefix
        self.poll_interval = poll_interval
        self._release = self.r.register_script(_RELEASE)
        self.near = (
            NearCache(client, prefix + "near", near_seconds, near_max_bytes)
            if near_seconds > 0
            else None
        )

    def _k(self, kind: str, name: str) -> str:
        return f"{self.prefix}{kind}:{_h(name)}"

    def lookup(
        self, base: str, key: str, accept: str | None = None
    ) -> tuple[tuple[str, ...] | None, Entry | None]:
        ek = self._k("e", key)
        near = self.near
        if near is not None:
            ik = self._k("i", base)
            found = self._from_near(near, ik, ek)
            if found is None and near.live and self._recheck(near):
                found = self._from_near(near, ik, ek)
            if found is not None:
                return found
            if near.live:
                return self._near_lookup(near, ik, ek)
        first = _first_choice(accept)
        p = self.r.pipeline(transaction=False)
        p.get(self._k("i", base))
        p.hmget(ek, "m", first)
        index, (meta, body) = p.execute()
        vary = tuple(json.loads(index)) if index is not None else None
        return vary, self._entry(ek, meta, first, body, accept)

    @staticmethod
    def _from_near(
        near: NearCache, ik: str, ek: str
    ) -> tuple[tuple[str, ...] | None, Entry | None] | None:
        """What the near cache answers for a lookup (None: it cannot)."""
        vary = near.get(ik)
        if vary:
            return vary, None  # the entry is at a variant key: core fetches it
        if vary is not None:
            entry = near.get(ek)
            if entry is not None:
                return vary, entry
        return None

    def _recheck(self, near: NearCache) -> bool:
        """Check against Redis, in one round trip, every copy whose time to answer has ended
        or ends within ``near_seconds / 2`` (up to 512): the stored meta of an entry, the vary
        list of an index, and the TTLs. Unchanged copies answer for ``near_seconds`` more;
        changed ones are dropped. At most once every ``near_seconds / 10``, one thread at a
        time (the others go on as if nothing were due). Whether anything was checked.

        Without it, each copy cost its own round trip every ``near_seconds``: most of what a
        Redis hit cost beyond an in-process one."""
        now = time.monotonic()
        if now < near.next_recheck or not near.recheck_lock.acquire(blocking=False):
            return False
        try:
            near.next_recheck = now + near.seconds / 10
            due = near.due(near.seconds / 2, 512)
            if not due:
                return False
            generation = near.generation()
            p = self.r.pipeline(transaction=False)
            for key, value in due:
                if isinstance(value, Entry):
                    p.hget(key, "m")
                else:
                    p.get(key)
                p.pttl(key)
            results = p.execute()
            changed: list[str] = []
            for i, (key, value) in enumerate(due):
                got, ttl = results[2 * i], results[2 * i + 1]
                if isinstance(value, Entry):
                    if got is not None and got == value.raw_meta:
                        near.put(key, value, value.size, ttl, generation)
                        continue
                elif got is not None and tuple(json.loads(got)) == value:
                    near.put(key, value, 64, ttl, generation)
                    continue
                changed.append(key)
            if changed:
                near.forget(changed)
            return True
        finally:
            near.recheck_lock.release()

    def peek_index(self, base: str) -> tuple[str, ...] | None:
        """The base key's vary list if the near cache holds it (no I/O), else None."""
        near = self.near
        if near is None or not near.live:
            return None
        return near.get(self._k("i", base))  # type: ignore[no-any-return]

    def peek(self, key: str) -> Entry | None:
        """The entry at ``key`` if the near cache holds it (no I/O), else None."""
        near = self.near
        if near is None or not near.live:
            return None
        return near.get(self._k("e", key))  # type: ignore[no-any-return]

    def _near_lookup(
        self, near: NearCache, ik: str, ek: str
    ) -> tuple[tuple[str, ...] | None, Entry | None]:
        """One round trip for the index and the entry, kept near (see ``_near_entry``)."""
        generation = near.generation()
        old = near.stale(ek)
        p = self.r.pipeline(transaction=False)
        p.get(ik)
        p.pttl(ik)
        self._queue_entry(p, ek, old)
        index, index_ttl, got, entry_ttl = p.execute()
        vary = tuple(json.loads(index)) if index is not None else None
        if vary is not None:
            near.put(ik, vary, 64, index_ttl, generation)
        return vary, self._near_entry(near, ek, old, got, entry_ttl, generation)

    def _near_fetch(self, near: NearCache, ek: str) -> Entry | None:
        generation = near.generation()
        old = near.stale(ek)
        p = self.r.pipeline(transaction=False)
        self._queue_entry(p, ek, old)
        got, entry_ttl = p.execute()
        return self._near_entry(near, ek, old, got, entry_ttl, generation)

    @staticmethod
    def _queue_entry(p: Any, ek: str, old: Entry | None) -> None:
        """Queue the entry's read: the whole hash, or only its meta when a copy past
        ``near_seconds`` is at hand (is it still the same entry?); then its TTL."""
        if old is not None and old.raw_meta is not None:
            p.hget(ek, "m")
        else:
            p.hgetall(ek)
        p.pttl(ek)

    def _near_entry(
        self,
        near: NearCache,
        ek: str,
        old: Entry | None,
        got: Any,
        entry_ttl: int,
        generation: int,
    ) -> Entry | None:
        """The entry from what ``_queue_entry``'s commands returned, kept near: a copy whose
        stored meta (its body hash, sizes, headers, tags) is unchanged is kept again as it is
        (a few hundred bytes read instead of every body); a changed one is read whole."""
        if old is not None and old.raw_meta is not None:
            if got is None:
                return None  # gone
            if got == old.raw_meta:
                near.put(ek, old, old.size, entry_ttl, generation)
                return old
            p = self.r.pipeline(transaction=False)
            p.hgetall(ek)
            p.pttl(ek)
            got, entry_ttl = p.execute()
        entry = self._whole(got)
        if entry is not None:
            near.put(ek, entry, entry.size, entry_ttl, generation)
        return entry

    @staticmethod
    def _whole(fields: dict[bytes, bytes]) -> Entry | None:
        meta = fields.get(b"m")
        if meta is None:
            return None
        bodies = {k.decode(): v for k, v in fields.items() if k != b"m"}
        try:
            entry = Entry.from_meta(meta, bodies)
        except (ValueError, KeyError, TypeError):
            return None  # another version's entry: a miss
        entry.raw_meta = meta
        return entry if set(bodies) == set(entry.sizes) else None

    def fetch(self, key: str, accept: str | None = None) -> Entry | None:
        ek = self._k("e", key)
        near = self.near
        if near is not None:
            entry = near.get(ek)
            if entry is None and near.live and self._recheck(near):
                entry = near.get(ek)
            if entry is not None:
                return entry  # type: ignore[no-any-return]
            if near.live:
                return self._near_fetch(near, ek)
        first = _first_choice(accept)
        meta, body = self.r.hmget(ek, "m", first)
        return self._entry(ek, meta, first, body, accept)

    def _entry(
        self, ek: str, meta: bytes | None, first: str, body: bytes | None, accept: str | None
    ) -> Entry | None:
        if meta is None:
            return None
        try:
            entry = Entry.from_meta(meta, {first: body} if body is not None else {})
        except (ValueError, KeyError, TypeError):
            return None  # another version's entry: a miss
        enc = entry.choose(accept)
        if enc not in entry.bodies:
            other = self.r.hget(ek, enc)
            if other is None:
                return None  # expired in between
            entry.bodies[enc] = other
        return entry

    def store(self, base: str, key: str, entry: Entry, ttl: float) -> int:
        ms = max(int(ttl * 1000), 1)
        ek = self._k("e", key)
        p = self.r.pipeline(transaction=False)
        p.delete(ek)
        p.hset(ek, mapping={"m": entry.meta(), **entry.bodies})
        p.pexpire(ek, ms)
        p.set(self._k("i", base), json.dumps(list(entry.vary)), px=ms)
        vk = self._k("v", base)
        p.sadd(vk, ek)
        p.pexpire(vk, ms + 60_000)
        for tag in entry.tags:
            p.sadd(self._k("t", tag), ek)
        changed = [ek, self._k("i", base)]
        if self.near is not None:
            self.near.announce(p, changed)
        p.execute()
        if self.near is not None:
            self.near.forget(changed)
        return 0  # Redis evicts by its own maxmemory policy (see its INFO evicted_keys)

    def _drop_set(self, set_key: str, *extra: str) -> int:
        members = [m.decode() if isinstance(m, bytes) else m for m in self.r.smembers(set_key)]
        p = self.r.pipeline(transaction=False)
        if members:
            p.delete(*members)
        p.delete(set_key, *extra)
        if self.near is not None:
            self.near.announce(p, [*members, *extra])
        results = p.execute()
        if self.near is not None:
            self.near.forget([*members, *extra])
        return int(results[0]) if members else 0

    def invalidate(self, base: str) -> int:
        return self._drop_set(self._k("v", base), self._k("i", base))

    def invalidate_tag(self, tag: str) -> int:
        return self._drop_set(self._k("t", tag))

    def acquire(self, key: str, timeout: float) -> str | None:
        token = uuid.uuid4().hex
        ok = self.r.set(self._k("l", key), token, nx=True, px=max(int(timeout * 1000), 1))
        return token if ok else None

    def release(self, key: str, token: str) -> None:
        self._release(keys=[self._k("l", key)], args=[token])

    def wait(self, key: str, timeout: float) -> bool:
        lk = self._k("l", key)
        deadline = time.monotonic() + timeout
        delay = self.poll_interval / 4
        while self.r.exists(lk):
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, self.poll_interval)
        return True

    def clear(self) -> None:
        keys = list(self.r.scan_iter(match=self.prefix + "*", count=1000))
        for i in range(0, len(keys), 500):
            self.r.delete(*keys[i : i + 500])
        if self.near is not None:
            p = self.r.pipeline(transaction=False)
            self.near.announce(p, None)
            p.execute()
            self.near.forget(None)

    def close(self) -> None:
        """Stop the near cache's listener (the client is the caller's to close)."""
        if self.near is not None:
            self.near.close()

    def size(self) -> int:
        return sum(1 for _ in self.r.scan_iter(match=self.prefix + "e:*", count=1000))
