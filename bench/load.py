"""Load test: ``assetpipe serve`` under Locust (the original plan's load tool), on loopback.

    python bench/load.py                              # 1,000 users, 30 s, the bundled example
    python bench/load.py --users 200 --seconds 10     # smaller
    python bench/load.py --json load.json

What it does, bounded: builds a temp copy of the bundled example, starts ``assetpipe serve`` on
127.0.0.1 (port 0; nothing else is ever targeted), and runs Locust headless with ``FastHttpUser``
(geventhttpclient, so the generator is not the bottleneck): ``--users`` users (at most 2,000),
each requesting the example's small hashed JS entry with Chrome's ``Accept-Encoding`` once per
second (``constant_throughput(1)``) over keep-alive connections, for ``--seconds`` (at most 120).
A response counts as an error unless it is a 200 with ``Content-Encoding: br``.

Reports Locust's p50/p95/p99 and max (whole run, ramp-up included), requests and errors, the
achieved rate, and the CPU the load generator and the server each used (CPU seconds / wall
seconds, from ``getrusage`` and ``/proc``), plus the server's own ``/__assetpipe/stats``.
Needs the bench extra: ``pip install -e '.[bench]'`` (locust).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"
MAX_USERS, MAX_SECONDS = 2000, 120
CHROME_AE = "gzip, deflate, br, zstd"

LOCUSTFILE = textwrap.dedent("""
    import os
    from locust import FastHttpUser, constant_throughput, task

    ASSET = os.environ["ASSETPIPE_BENCH_ASSET"]
    HEADERS = {"Accept-Encoding": os.environ["ASSETPIPE_BENCH_AE"]}

    class AssetUser(FastHttpUser):
        wait_time = constant_throughput(1)
        connection_timeout = 10.0
        network_timeout = 10.0

        @task
        def hashed_asset(self):
            with self.client.get(ASSET, headers=HEADERS, catch_response=True,
                                 name="hashed asset") as r:
                if r.status_code != 200 or r.headers.get("Content-Encoding") != "br":
                    r.failure(f"got {r.status_code} {r.headers.get('Content-Encoding')}")
""")


def build_example(workdir: Path) -> Path:
    from assetpipe import build

    shutil.copytree(REPO / "examples", workdir / "examples")
    shutil.copy(REPO / "pipeline.yaml", workdir / "pipeline.yaml")
    build(workdir / "pipeline.yaml")
    return workdir / "pipeline.yaml"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


BASELINE_APP = textwrap.dedent("""
    # The floor: uvicorn answering the same bytes and headers from a constant, no middleware.
    import json, os
    BODY = open(os.environ["ASSETPIPE_BENCH_BODY"], "rb").read()
    HEADERS = [(k.encode(), v.encode())
               for k, v in json.loads(os.environ["ASSETPIPE_BENCH_HEADERS"])]

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": BODY})
""")


def _start(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """Start a server that logs ``http://127.0.0.1:PORT``; returns it and its port."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **env},
    )
    lines: list[str] = []
    port: list[int] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if m and m.group(1) != "0" and not port:
                port.append(int(m.group(1)))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(30) or not port:
        proc.kill()
        proc.wait()
        raise SystemExit(f"{cmd[2:4]} did not start:\n" + "".join(lines))
    return proc, port[0]


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def locust(
    base: str, asset: str, server_pid: int, users: int, seconds: int, spawn_rate: int
) -> dict[str, Any]:
    """One headless Locust run against ``base``; latency, errors and CPU."""
    with tempfile.TemporaryDirectory(prefix="assetpipe-load-") as tmp:
        locustfile = Path(tmp) / "locustfile.py"
        locustfile.write_text(LOCUSTFILE)
        csv_prefix = Path(tmp) / "run"
        env = {**os.environ, "ASSETPIPE_BENCH_ASSET": asset, "ASSETPIPE_BENCH_AE": CHROME_AE}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu0 = _cpu_seconds(server_pid)
        t0 = time.monotonic()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(locustfile),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(spawn_rate),
                "--run-time",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        wall = time.monotonic() - t0
        server_cpu = _cpu_seconds(server_pid) - server_cpu0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        gen_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        if proc.returncode != 0:
            raise SystemExit(f"locust failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        with open(f"{csv_prefix}_stats.csv", newline="") as f:
            agg = {row["Name"]: row for row in csv.DictReader(f)}["Aggregated"]
    return {
        "requests": int(agg["Request Count"]),
        "errors": int(agg["Failure Count"]),
        "rps": round(float(agg["Requests/s"]), 1),
        "p50_ms": float(agg["50%"]),
        "p95_ms": float(agg["95%"]),
        "p99_ms": float(agg["99%"]),
        "max_ms": round(float(agg["Max Response Time"]), 1),
        "generator_cpu_pct": round(100 * gen_cpu / wall, 1),
        "server_cpu_pct": round(100 * server_cpu / wall, 1),
        "wall_seconds": round(wall, 1),
        "generator_warnings": [ln for ln in proc.stderr.splitlines() if "CPU usage" in ln],
    }


def lean_client(port: int, asset: str, users: int, seconds: int, server_pid: int) -> dict[str, Any]:
    """A cross-check, not the headline: the same load from a minimal asyncio client (one
    keep-alive connection per user, one request per second each, phases spread over the first
    second), in this process. Its latency next to Locust's shows how much of Locust's figure is
    the generator's own queueing on a busy machine rather than the server."""
    import asyncio
    import random

    request = (
        f"GET {asset} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: {CHROME_AE}\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors = [0]

    async def user(deadline: float) -> None:
        await asyncio.sleep(random.random())
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            errors[0] += 1
            return
        due = time.monotonic()
        try:
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                await reader.readexactly(length)
                if (
                    not head.startswith(b"HTTP/1.1 200")
                    or b"content-encoding: br" not in head.lower()
                ):
                    errors[0] += 1
                latencies.append(time.monotonic() - t0)
                due += 1
                await asyncio.sleep(max(0.0, due - time.monotonic()))
        except (OSError, asyncio.IncompleteReadError):
            errors[0] += 1
        finally:
            writer.close()
            await writer.wait_closed()

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(user(deadline) for _ in range(users)))

    cpu0, server0, wall0 = time.process_time(), _cpu_seconds(server_pid), time.monotonic()
    asyncio.run(main())
    wall = time.monotonic() - wall0
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * latencies[-1], 1),
        "generator_cpu_pct": round(100 * (time.process_time() - cpu0) / wall, 1),
        "server_cpu_pct": round(100 * (_cpu_seconds(server_pid) - server0) / wall, 1),
        "generator_warnings": [],
    }


def run(users: int, seconds: int, spawn_rate: int, config: Path, baseline: bool) -> dict[str, Any]:
    from assetpipe.config import load_config

    manifest = json.loads((load_config(config).output / "manifest.json").read_text())
    asset = "/static/" + manifest["js/dashboard.js"]["file"]
    result: dict[str, Any] = {
        "users": users,
        "seconds": seconds,
        "spawn_rate": spawn_rate,
        "asset": asset,
    }
    server, port = _start(
        [
            sys.executable,
            "-m",
            "assetpipe",
            "serve",
            "--config",
            str(config),
            "--host",
            HOST,
            "--port",
            "0",
        ],
        config.parent,
        {},
    )
    base = f"http://{HOST}:{port}"
    try:
        req = urllib.request.Request(base + asset, headers={"Accept-Encoding": CHROME_AE})
        with urllib.request.urlopen(req) as r:  # the server answers before we load it
            body, headers = (
                r.read(),
                [(k, v) for k, v in r.getheaders() if k.lower() not in ("date", "server")],
            )
        result["assetpipe"] = locust(base, asset, server.pid, users, seconds, spawn_rate)
        if baseline:
            result["lean"] = lean_client(port, asset, users, min(seconds, 15), server.pid)
        with urllib.request.urlopen(base + "/__assetpipe/stats") as r:
            result["server_stats"] = json.loads(r.read())["assets"]
    finally:
        _stop(server)
    if baseline:
        with tempfile.TemporaryDirectory(prefix="assetpipe-baseline-") as tmp:
            (Path(tmp) / "baseline_app.py").write_text(BASELINE_APP)
            (Path(tmp) / "body").write_bytes(body)
            server, port = _start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "baseline_app:app",
                    "--host",
                    HOST,
                    "--port",
                    "0",
                    "--no-access-log",
                    "--lifespan",
                    "off",
                    "--backlog",
                    "4096",
                    "--timeout-keep-alive",
                    "15",
                    "--no-server-header",
                ],
                Path(tmp),
                {
                    "ASSETPIPE_BENCH_BODY": str(Path(tmp) / "body"),
                    "ASSETPIPE_BENCH_HEADERS": json.dumps(headers),
                },
            )
            try:
                result["baseline"] = locust(
                    f"http://{HOST}:{port}", asset, server.pid, users, seconds, spawn_rate
                )
            finally:
                _stop(server)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--spawn-rate", type=int, default=500)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--config",
        type=Path,
        help="an already built project's pipeline.yaml (default: build a temp "
        "copy of the bundled example)",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the same-run baseline (a bare uvicorn app, same bytes)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness for the server and the generator (negative needs root: "
        "shields the measurement from other work on a shared machine)",
    )
    args = parser.parse_args()
    if args.nice:
        try:
            os.nice(args.nice)  # inherited by both child processes
        except PermissionError:
            print(
                f"warning: cannot set niceness {args.nice}; running at the default", file=sys.stderr
            )
    if not (1 <= args.users <= MAX_USERS and 1 <= args.seconds <= MAX_SECONDS):
        raise SystemExit(f"bounded: 1..{MAX_USERS} users, 1..{MAX_SECONDS} seconds")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * args.users + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # inherited by both children
    with tempfile.TemporaryDirectory(prefix="assetpipe-load-site-") as tmp:
        config = args.config.resolve() if args.config else build_example(Path(tmp))
        result = run(args.users, args.seconds, args.spawn_rate, config, not args.no_baseline)
    result["nice"] = os.nice(0)
    result["loadavg_after"] = os.getloadavg()[0]
    print(
        f"## assetpipe serve under Locust: {result['users']} users x 1 req/s, "
        f"{result['seconds']} s, {result['asset']} (niceness {result['nice']}, "
        f"load average {result['loadavg_after']:.1f} after the run)\n"
    )
    print(
        "| server | requests | errors | req/s | p50 | p95 | p99 | max | generator CPU "
        "| server CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, label in (
        ("assetpipe", "`assetpipe serve`"),
        ("baseline", "baseline: bare uvicorn app, same bytes"),
        ("lean", "cross-check: `assetpipe serve`, minimal asyncio client"),
    ):
        r = result.get(name)
        if r is None:
            continue
        print(
            f"| {label} | {r['requests']:,} | {r['errors']} | {r['rps']} | "
            f"{r['p50_ms']:g} ms | {r['p95_ms']:g} ms | {r['p99_ms']:g} ms | "
            f"{r['max_ms']:g} ms | {r['generator_cpu_pct']}% | {r['server_cpu_pct']}% |"
        )
        for w in r["generator_warnings"]:
            print(f"\nlocust ({name}): {w.strip()}")
    s = result["server_stats"]
    print(
        f"\nserver /__assetpipe/stats: {s['requests']:,} asset requests, "
        f"{s['bytes_sent']:,} B sent, {s['bytes_saved']:,} B saved by precompression, "
        f"by status {s['by_status']}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
