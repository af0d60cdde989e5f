"""ttl_cache (sync and async, no dog-pile, expiry, LRU, stats) and stats_app."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from assetpipe.serve import stats_app, ttl_cache


def test_sync_hits_misses_and_stats() -> None:
    calls: list[int] = []

    @ttl_cache(60, maxsize=2)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    assert [square(2), square(2), square(3), square(2)] == [4, 4, 9, 4]
    assert calls == [2, 3]
    stats = square.stats()  # type: ignore[attr-defined]
    assert stats["hits"] == 2 and stats["misses"] == 2 and stats["hit_rate"] == 0.5
    assert stats["size"] == 2 and stats["maxsize"] == 2
    square(4)  # evicts the least recently used (3)
    assert square.stats()["evictions"] == 1  # type: ignore[attr-defined]
    square(3)
    assert calls == [2, 3, 4, 3]
    assert square(x=5) == 25 and square(x=5) == 25 and calls[-1] == 5 and len(calls) == 5


def test_entries_expire() -> None:
    calls: list[int] = []

    @ttl_cache(0.05)
    def f(x: int) -> int:
        calls.append(x)
        return x

    f(1)
    f(1)
    time.sleep(0.08)
    f(1)
    assert calls == [1, 1]


def test_exceptions_are_not_cached() -> None:
    calls: list[int] = []

    @ttl_cache(60)
    def flaky(x: int) -> int:
        calls.append(x)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return x

    with pytest.raises(RuntimeError):
        flaky(1)
    assert flaky(1) == 1 and flaky(1) == 1
    assert calls == [1, 1]


def test_no_dog_pile_threads() -> None:
    calls: list[int] = []
    gate = threading.Event()

    @ttl_cache(60)
    def slow(x: int) -> int:
        calls.append(x)
        gate.wait(5)
        return x * 10

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(slow(7))) for _ in range(20)]
    for t in threads:
        t.start()
    time.sleep(0.1)  # let every thread reach the cache
    gate.set()
    for t in threads:
        t.join(5)
    assert results == [70] * 20
    assert calls == [7]
    stats = slow.stats()  # type: ignore[attr-defined]
    # every caller paid the miss: waiters are not hits, and the hit rate says so
    assert stats["misses"] == 1 and stats["waits"] == 19 and stats["hits"] == 0
    assert stats["hit_rate"] == 0.0
    slow(7)
    assert slow.stats()["hits"] == 1 and slow.stats()["hit_rate"] == round(1 / 21, 4)  # type: ignore[attr-defined]


def test_no_dog_pile_async() -> None:
    calls: list[int] = []

    @ttl_cache(60)
    async def fetch(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0.05)
        return x + 1

    async def main() -> list[int]:
        return await asyncio.gather(*(fetch(1) for _ in range(50)), fetch(2))

    results = asyncio.run(main())
    assert results == [2] * 50 + [3]
    assert calls == [1, 2]
    assert fetch.stats()["waits"] == 49 and fetch.stats()["hits"] == 0  # type: ignore[attr-defined]


def test_async_failure_is_shared_with_the_waiters() -> None:
    calls: list[int] = []

    @ttl_cache(60)
    async def once_broken(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0.02)
        if len(calls) == 1:
            raise ValueError("boom")
        return x

    async def main() -> list[Any]:
        return await asyncio.gather(*(once_broken(3) for _ in range(5)), return_exceptions=True)

    results = asyncio.run(main())
    # one computation failed; its four waiters got the same failure instead of retrying in turn
    assert all(isinstance(r, ValueError) for r in results)
    assert len(calls) == 1
    assert asyncio.run(once_broken(3)) == 3  # not cached: the next call computes again
    assert once_broken.stats()["errors"] == 1  # type: ignore[attr-defined]


def test_sync_failure_is_shared_with_the_waiters() -> None:
    calls: list[int] = []
    gate = threading.Event()

    @ttl_cache(60)
    def broken(x: int) -> int:
        calls.append(x)
        gate.wait(5)
        raise RuntimeError("database down")

    errors: list[BaseException] = []

    def call() -> None:
        try:
            broken(1)
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(0.1)  # every thread is in: one leader, fifteen waiters
    gate.set()
    for t in threads:
        t.join(5)
    assert len(errors) == 16 and len(calls) == 1  # the old cache called it 16 times in turn
    stats = broken.stats()  # type: ignore[attr-defined]
    assert stats["errors"] == 1 and stats["waits"] == 15 and stats["misses"] == 1


def test_waiters_give_up_after_wait_timeout() -> None:
    gate = threading.Event()
    calls: list[str] = []

    @ttl_cache(60, wait_timeout=0.1)
    def stuck(x: int) -> str:
        calls.append("stuck" if not calls else "own")
        if len(calls) == 1:
            gate.wait(10)  # the leader hangs
        return "value"

    leader = threading.Thread(target=stuck, args=(1,))
    leader.start()
    time.sleep(0.05)
    assert stuck(1) == "value"  # computed by the waiter itself after 0.1 s, not after 10 s
    assert calls == ["stuck", "own"]
    stats = stuck.stats()  # type: ignore[attr-defined]
    assert stats["timeouts"] == 1 and stats["waits"] == 1
    gate.set()
    leader.join(5)


def test_async_waiters_give_up_after_wait_timeout() -> None:
    @ttl_cache(60, wait_timeout=0.05)
    async def slow(x: int) -> int:
        await asyncio.sleep(0.3 if x == 1 and not slow.stats()["misses"] > 1 else 0)  # type: ignore[attr-defined]
        return x

    async def main() -> list[int]:
        first = asyncio.create_task(slow(1))
        await asyncio.sleep(0.01)
        second = await slow(1)
        return [second, await first]

    assert asyncio.run(main()) == [1, 1]
    assert slow.stats()["timeouts"] == 1  # type: ignore[attr-defined]


def test_stats_app_reports_caches() -> None:
    @ttl_cache(60)
    def report_me(x: int) -> int:
        return x

    report_me(1)
    report_me(1)
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, dict(headers)

    body = b"".join(stats_app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, start_response))
    doc = json.loads(body)
    assert got["status"] == "200 OK"
    assert got["headers"]["Content-Type"] == "application/json"
    name = report_me.cache_name  # type: ignore[attr-defined]
    assert doc["caches"][name]["hits"] == 1 and doc["caches"][name]["hit_rate"] == 0.5
    assert {"requests", "bytes_sent", "bytes_saved"} <= set(doc["assets"])
    assert {"bytes_in", "bytes_out", "bytes_saved"} <= set(doc["compression"])
    b"".join(stats_app({"REQUEST_METHOD": "POST"}, start_response))
    assert got["status"].startswith("405")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        ttl_cache(0)
    with pytest.raises(ValueError):
        ttl_cache(1, maxsize=0)
