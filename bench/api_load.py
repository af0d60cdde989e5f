"""Load test: a Flask JSON API under gunicorn, with and without a response cache.

    python bench/api_load.py                                   # 100 and 1,000 users, 60 s each
    python bench/api_load.py --users 1000 --seconds 20 --configs assetpipe,flask-caching
    python bench/api_load.py --json api.json
    python bench/api_load.py --users 1000 --seconds 60 --repeat 5   # every config 5 times, interleaved

The API (``bench/_api_app.py``): a 500-item list, a detail and a search with a query string,
each behind a simulated 20-50 ms query. It runs under gunicorn, 2 workers x 32 threads
(``gthread``), on 127.0.0.1 (a free port; nothing else is ever targeted), in four
configurations, one after the other in the same run:

- ``none``: no cache, no compression;
- ``flask-caching``: flask-caching (``SimpleCache``, ``@cache.cached(timeout=60,
  query_string=True)``) + flask-compress, as their docs show them;
- ``assetpipe``: ``assetpipe.serve``'s response cache in process, the Flask decorator
  (``@cached(cache, ttl=60)``);
- ``assetpipe-mw``: the same cache as WSGI middleware by path (``{"/api/": Rule(ttl=60)}``):
  a hit is answered before Flask runs;
- ``assetpipe-redis``: the middleware, shared by both workers through a local redis-server
  (started here on a free port; the config is skipped if ``redis-server`` is missing);
- ``floor``: no Flask, no cache: each URL's bytes from a table (what a hit costs at least under
  this server: gunicorn's own work per request), to read the others' CPU against.

``--repeat N`` runs the whole set N times, interleaved (run 1: every user count and
configuration, then run 2, ...), so that a change of the machine's load hits every configuration
alike; the output has each run's row and, per cached configuration, in how many runs each target
held (``bench/_api_report.py``).

**The load generator** is open-loop and asyncio, in this process: each of ``--users`` users
holds one keep-alive connection and sends one request per second at fixed times (a random
phase each), whatever the server's speed; latency is measured from the time the request was
*due*, so a slow server's queueing is counted (no coordinated omission: a closed-loop client
would send less when the server slows and hide the delay). Why not Locust: its runner adds its
own queueing at 1,000 users on this machine (see the README's ``bench/load.py`` figures); an
asyncio client with a minimal HTTP/1.1 parser offers 1,000 requests/s from one process at a
fraction of a core, and its CPU is reported so that can be checked.
Request mix: 50 % the list, 35 % a detail (ids 1-100), 15 % a search (20 words).
``Accept-Encoding: br, gzip`` on every request. The first ``--warmup`` seconds are not counted.

Reported per configuration and user count: requests/s, average, p50/p95/p99/max latency,
errors (non-200, timeouts after 10 s, broken connections), hit rate (1 - simulated queries /
requests), server CPU per request (gunicorn's processes, and redis-server's for the Redis
configuration, from ``/proc``, from the first request to the last response, over every request
sent, warm-up included; the window opens once both workers have loaded the app: before session
4 it opened while they were still importing it, which charged each configuration its imports:
0.1 s of CPU per worker for flask-caching's, 0.2-0.3 s for assetpipe's, 15-50 µs per request
of a 13 s row), the generator's own CPU, and the load average. Needs the bench
extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._api_report import table, verdicts  # noqa: E402
from bench._servers import HOST, cpu_seconds, free_port, gunicorn, tree  # noqa: E402

CONFIGS = ("none", "floor", "flask-caching", "assetpipe", "assetpipe-mw", "assetpipe-redis")
WORDS = [
    "sturdy",
    "kitchen",
    "garden",
    "tools",
    "ships",
    "last",
    "item",
    "made",
    "days",
    "number",
    "1",
    "2",
    "3",
    "4",
    "5",
    "12",
    "42",
    "99",
    "100",
    "7",
]
MAX_USERS, MAX_SECONDS, MAX_REPEAT = 2000, 120, 10


def pick_path(rng: random.Random) -> bytes:
    r = rng.random()
    if r < 0.50:
        return b"/api/items"
    if r < 0.85:
        return b"/api/items/%d" % rng.randint(1, 100)
    return b"/api/search?q=" + rng.choice(WORDS).encode()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        low = name.strip().lower()
        if low == b"content-length":
            length = int(value)
        elif low == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def user(
    port: int, start: float, end: float, warm_end: float, seed: int, out: dict[str, Any]
) -> None:
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    phase = rng.random()
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    k = 0
    while True:
        due = start + phase + k
        k += 1
        if due >= end:
            break
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 10)
            assert reader is not None and writer is not None
            writer.write(
                b"GET " + pick_path(rng) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Accept-Encoding: br, gzip\r\n\r\n"
            )
            status = await asyncio.wait_for(_read_response(reader), 10)
            ok = status == 200
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            ok = False
            if writer is not None:
                writer.close()
            reader = writer = None
        out["sent"] += 1
        if due >= warm_end:
            out["latencies"].append(loop.time() - due)
            if not ok:
                out["errors"] += 1
    if writer is not None:
        writer.close()


async def generate(
    port: int, users: int, seconds: float, warmup: float, server_pids: list[int]
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5
    warm_end = start + warmup
    end = warm_end + seconds
    out: dict[str, Any] = {"latencies": [], "errors": 0, "sent": 0}
    # CPU from the first request to the last response (warm-up and cache fills included): a
    # window that closed at the last request's due time would miss the work a saturated
    # server does after it, and flatter the slowest configuration
    out["loadavg_start"] = os.getloadavg()
    cpu0, srv0, t0 = time.process_time(), cpu_seconds(server_pids), loop.time()
    await asyncio.gather(*(user(port, start, end, warm_end, i, out) for i in range(users)))
    out["generator_cpu"] = (time.process_time() - cpu0) / (loop.time() - t0)
    out["server_cpu_seconds"] = cpu_seconds(server_pids) - srv0
    out["server_seconds"] = loop.time() - t0
    out["loadavg"] = os.getloadavg()
    return out


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(int(len(sorted_values) * p), len(sorted_values) - 1)]


def run_one(
    config: str,
    users: int,
    seconds: float,
    warmup: float,
    redis_url: str | None,
    workdir: Path,
    redis_pid: int | None = None,
    run: int = 1,
) -> dict[str, Any]:
    counts = workdir / f"counts-{config}-{users}-{run}"
    counts.mkdir()
    ready = workdir / f"ready-{config}-{users}-{run}"
    ready.mkdir()
    env = {
        "ASSETPIPE_BENCH_MODE": config,
        "ASSETPIPE_BENCH_COUNTS": str(counts),
        "ASSETPIPE_BENCH_READY": str(ready),
        "ASSETPIPE_BENCH_REDIS": redis_url or "",
    }
    if config == "assetpipe-redis" and redis_url:
        import redis

        r = redis.Redis.from_url(redis_url)
        r.flushdb()
        r.close()
    with gunicorn(
        "bench._api_app:app",
        workers=2,
        threads=32,
        env=env,
        extra=["-c", str(REPO / "bench" / "_api_gunicorn.py")],
        log=workdir / f"gunicorn-{config}-{users}-{run}.log",
    ) as (port, proc):
        # the master accepts connections before the workers have imported the app: wait for
        # both (their imports are start-up, not the cost of a request)
        deadline = time.monotonic() + 60
        while len(list(ready.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = tree(proc.pid)
        if config == "assetpipe-redis" and redis_pid is not None:
            pids.append(redis_pid)  # the shared cache's CPU is the server's too
        res = asyncio.run(generate(port, users, seconds, warmup, pids))
    queries = sum(int(p.read_text()) for p in counts.iterdir())
    lat = sorted(res["latencies"])
    n = len(lat)
    total_requests = res["sent"]  # the warm-up requests reached the server too
    return {
        "config": config,
        "users": users,
        "run": run,
        "seconds": seconds,
        "requests": n,
        "errors": res["errors"],
        "rps": round(n / seconds, 1),
        "avg_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "p50_ms": round(_pct(lat, 0.50) * 1000, 1),
        "p95_ms": round(_pct(lat, 0.95) * 1000, 1),
        "p99_ms": round(_pct(lat, 0.99) * 1000, 1),
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "hit_rate": round(1 - queries / max(total_requests, 1), 4) if config != "none" else 0.0,
        "server_cpu_ms_per_request": round(
            res["server_cpu_seconds"] / max(total_requests, 1) * 1000, 3
        ),
        "server_cpu_share": round(res["server_cpu_seconds"] / res["server_seconds"], 3),
        "generator_cpu_share": round(res["generator_cpu"], 3),
        "loadavg_start": [round(x, 2) for x in res["loadavg_start"]],
        "loadavg": [round(x, 2) for x in res["loadavg"]],
    }


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes] | None, str | None]:
    exe = shutil.which("redis-server")
    if exe is None:
        return None, None
    port = free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    url = f"redis://{HOST}:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    return proc, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="100,1000", help="comma-separated user counts")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument(
        "--repeat", type=int, default=1, help="run the whole set this many times, interleaved"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",")]
    if max(users) > MAX_USERS or args.seconds > MAX_SECONDS or args.repeat > MAX_REPEAT:
        parser.error(f"at most {MAX_USERS} users, {MAX_SECONDS} s and {MAX_REPEAT} repeats")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    configs = [c for c in args.configs.split(",") if c]
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configs {', '.join(unknown)} (known: {', '.join(CONFIGS)})")
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="assetpipe-api-load-") as tmp:
        workdir = Path(tmp)
        redis_proc, redis_url = (
            start_redis(workdir) if "assetpipe-redis" in configs else (None, None)
        )
        if "assetpipe-redis" in configs and redis_url is None:
            print("skipping assetpipe-redis: no redis-server", file=sys.stderr)
        try:
            for run in range(1, args.repeat + 1):
                for n in users:
                    for config in configs:
                        if config == "assetpipe-redis" and redis_url is None:
                            continue
                        row = run_one(
                            config,
                            n,
                            args.seconds,
                            args.warmup,
                            redis_url,
                            workdir,
                            redis_proc.pid if redis_proc is not None else None,
                            run,
                        )
                        rows.append(row)
                        print(json.dumps(row), file=sys.stderr, flush=True)
        finally:
            if redis_proc is not None:
                redis_proc.terminate()
                redis_proc.wait(10)
    print(table(rows, args.seconds, args.warmup))
    print(verdicts(rows))
    print(f"\nWall time {time.monotonic() - started:,.0f} s.")
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "python": sys.version.split()[0]}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
