"""Does ``redis.asyncio`` pay for the ASGI response cache's Redis lookups? CPU and wall time per
lookup (the backend's near-cache pipeline: GET, PTTL, HGETALL, PTTL) made from an event loop,
either with the synchronous client in ``asyncio.to_thread`` (what the ASGI middleware does for a
lookup the near cache cannot answer) or with ``redis.asyncio``, one at a time and 32 at once.

    python bench/_api_redis_async.py [--lookups 3000]

Starts its own redis-server on a free loopback port (skipped without one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.api_load import start_redis  # noqa: E402


async def compare(url: str, lookups: int) -> None:
    import redis
    import redis.asyncio as aredis

    sync = redis.Redis.from_url(url)
    concurrent = aredis.Redis.from_url(url)
    sync.hset("e", mapping={"m": b"{}", "br": b"x" * 2000})
    sync.set("i", b"[]")

    def pipeline() -> Any:
        p = sync.pipeline(transaction=False)
        p.get("i")
        p.pttl("i")
        p.hgetall("e")
        p.pttl("e")
        return p.execute()

    async def in_thread() -> Any:
        return await asyncio.to_thread(pipeline)

    async def on_loop() -> Any:
        p = concurrent.pipeline(transaction=False)
        p.get("i")
        p.pttl("i")
        p.hgetall("e")
        p.pttl("e")
        return await p.execute()

    ways: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("sync client in asyncio.to_thread", in_thread),
        ("redis.asyncio on the loop", on_loop),
    ]
    print(f"load average {os.getloadavg()[0]:.2f}; {lookups:,} lookups per cell\n")
    print("| client | at once | CPU per lookup | wall per lookup |\n|---|---:|---:|---:|")
    for _round in range(2):  # interleaved, twice
        for name, way in ways:
            for at_once in (1, 32):
                await asyncio.gather(*(way() for _ in range(at_once)))  # warm the pools
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for _ in range(lookups // at_once):
                    await asyncio.gather(*(way() for _ in range(at_once)))
                cpu = (time.process_time() - cpu0) / lookups * 1e6
                wall = (time.perf_counter() - wall0) / lookups * 1e6
                print(f"| {name} | {at_once} | {cpu:.0f} µs | {wall:.0f} µs |", flush=True)
    await concurrent.aclose()
    sync.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assetpipe-redis-async-") as tmp:
        proc, url = start_redis(Path(tmp))
        if proc is None or url is None:
            print("skipped: no redis-server")
            return
        try:
            asyncio.run(compare(url, args.lookups))
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
