"""Our part of a cache hit: CPU per hit of each assetpipe configuration of ``bench/api_load.py``,
in process (the WSGI app called directly with a gunicorn-like environ; no socket, no server),
so that a change to the hit path can be measured without the server's own, much larger, cost.

    python bench/_api_hits.py                      # assetpipe, assetpipe-mw, assetpipe-redis
    python bench/_api_hits.py --hits 50000 --profile assetpipe-redis

Each configuration runs in its own process (the app module reads its mode at import). The
Redis one needs ``redis-server`` (started here on a free loopback port, then stopped).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PATHS = [("/api/items", ""), ("/api/items/5", ""), ("/api/search", "q=kitchen")]


def _environ(path: str, query: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": "br, gzip",
        "REMOTE_ADDR": "127.0.0.1",
        "RAW_URI": path + ("?" + query if query else ""),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def measure(mode: str, hits: int, profile: bool) -> None:
    """In this process: fill the cache, then time ``hits`` hits (CPU time)."""
    os.environ["ASSETPIPE_BENCH_MODE"] = mode
    sys.path.insert(0, str(REPO))
    import bench._api_app

    app: Any = bench._api_app.app

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        assert status.startswith("200"), status

    def call(i: int) -> None:
        result = app(_environ(*PATHS[i % len(PATHS)]), start_response)
        for _ in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()

    for i in range(len(PATHS)):
        call(i)  # the fills
    time.sleep(0.3)  # the Redis near cache's listener subscribes
    for i in range(len(PATHS) * 2):
        call(i)  # Redis: the near copies
    t0 = time.process_time()
    for i in range(hits):
        call(i)
    per_hit = (time.process_time() - t0) / hits
    print(f"| {mode} | {per_hit * 1e6:.1f} µs |", flush=True)
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for i in range(hits):
            call(i)
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "configs", nargs="*", default=["assetpipe", "assetpipe-mw", "assetpipe-redis"]
    )
    parser.add_argument("--hits", type=int, default=30000)
    parser.add_argument("--profile", action="store_true", help="cProfile the hits (stderr)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child: measure this config
    args = parser.parse_args()
    if args.one:
        measure(args.one, args.hits, args.profile)
        return
    sys.path.insert(0, str(REPO))
    from bench.api_load import start_redis

    print(f"load average {os.getloadavg()[0]:.2f}; CPU per hit, {args.hits:,} hits, in process\n")
    print("| config | CPU per hit |\n|---|---:|", flush=True)
    with tempfile.TemporaryDirectory(prefix="assetpipe-api-hits-") as tmp:
        redis_proc, url = (
            start_redis(Path(tmp)) if "assetpipe-redis" in args.configs else (None, None)
        )
        try:
            for config in args.configs:
                if config == "assetpipe-redis" and url is None:
                    print("| assetpipe-redis | skipped: no redis-server |")
                    continue
                env = {**os.environ, "ASSETPIPE_BENCH_REDIS": url or ""}
                extra = ["--profile"] if args.profile else []
                subprocess.run(
                    [sys.executable, __file__, "--one", config, "--hits", str(args.hits), *extra],
                    env=env,
                    check=True,
                )
        finally:
            if redis_proc is not None:
                redis_proc.terminate()
                redis_proc.wait(10)


if __name__ == "__main__":
    main()
