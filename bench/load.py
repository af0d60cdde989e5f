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

LOCUSTFILE = textwrap.dedent('''
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
''')


def build_example(workdir: Path) -> Path:
    from assetpipe.build import build

    shutil.copytree(REPO / "examples", workdir / "examples")
    shutil.copy(REPO / "pipeline.yaml", workdir / "pipeline.yaml")
    build(workdir / "pipeline.yaml")
    return workdir / "pipeline.yaml"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(config: Path) -> tuple[subprocess.Popen[str], int, list[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "assetpipe", "serve", "--config", str(config),
                             "--host", HOST, "--port", "0"], cwd=config.parent,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
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
        raise SystemExit("assetpipe serve did not start:\n" + "".join(lines))
    return proc, port[0], lines


def run(users: int, seconds: int, spawn_rate: int, config: Path) -> dict[str, Any]:
    manifest = json.loads((config.parent / "dist" / "manifest.json").read_text())
    asset = "/static/" + manifest["js/dashboard.js"]["file"]
    server, port, _ = start_server(config)
    base = f"http://{HOST}:{port}"
    try:
        with urllib.request.urlopen(base + asset) as r:  # the server answers before we load it
            assert r.status == 200
        with tempfile.TemporaryDirectory(prefix="assetpipe-load-") as tmp:
            locustfile = Path(tmp) / "locustfile.py"
            locustfile.write_text(LOCUSTFILE)
            csv_prefix = Path(tmp) / "run"
            env = {**os.environ, "ASSETPIPE_BENCH_ASSET": asset, "ASSETPIPE_BENCH_AE": CHROME_AE}
            before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
            server_cpu0 = _cpu_seconds(server.pid)
            t0 = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
                 "--users", str(users), "--spawn-rate", str(spawn_rate),
                 "--run-time", f"{seconds}s", "--host", base, "--csv", str(csv_prefix),
                 "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING",
                 "--exit-code-on-error", "0"],
                env=env, capture_output=True, text=True, timeout=seconds + 120)
            wall = time.monotonic() - t0
            server_cpu = _cpu_seconds(server.pid) - server_cpu0
            after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
            gen_cpu = (after_children.ru_utime - before_children.ru_utime
                       + after_children.ru_stime - before_children.ru_stime)
            if proc.returncode != 0:
                raise SystemExit(f"locust failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
            with open(f"{csv_prefix}_stats.csv", newline="") as f:
                rows = {row["Name"]: row for row in csv.DictReader(f)}
            with urllib.request.urlopen(base + "/__assetpipe/stats") as r:
                server_stats = json.loads(r.read())
        agg = rows["Aggregated"]
        warnings = [line for line in proc.stderr.splitlines() if "CPU usage" in line]
        return {
            "users": users, "seconds": seconds, "spawn_rate": spawn_rate, "asset": asset,
            "requests": int(agg["Request Count"]), "errors": int(agg["Failure Count"]),
            "rps": round(float(agg["Requests/s"]), 1),
            "p50_ms": float(agg["50%"]), "p95_ms": float(agg["95%"]),
            "p99_ms": float(agg["99%"]), "max_ms": round(float(agg["Max Response Time"]), 1),
            "generator_cpu_pct": round(100 * gen_cpu / wall, 1),
            "server_cpu_pct": round(100 * server_cpu / wall, 1),
            "wall_seconds": round(wall, 1), "generator_warnings": warnings,
            "server_stats": server_stats["assets"],
        }
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--spawn-rate", type=int, default=500)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness for the server and the generator (negative needs root: "
                             "shields the measurement from other work on a shared machine)")
    args = parser.parse_args()
    if args.nice:
        try:
            os.nice(args.nice)  # inherited by both child processes
        except PermissionError:
            print(f"warning: cannot set niceness {args.nice}; running at the default",
                  file=sys.stderr)
    if not (1 <= args.users <= MAX_USERS and 1 <= args.seconds <= MAX_SECONDS):
        raise SystemExit(f"bounded: 1..{MAX_USERS} users, 1..{MAX_SECONDS} seconds")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * args.users + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # inherited by both children
    with tempfile.TemporaryDirectory(prefix="assetpipe-load-site-") as tmp:
        config = build_example(Path(tmp))
        result = run(args.users, args.seconds, args.spawn_rate, config)
    result["nice"] = os.nice(0)
    result["loadavg_after"] = os.getloadavg()[0]
    print(f"## assetpipe serve under Locust: {result['users']} users x 1 req/s, "
          f"{result['seconds']} s, {result['asset']} (niceness {result['nice']}, "
          f"load average {result['loadavg_after']:.1f} after the run)\n")
    print("| requests | errors | req/s | p50 | p95 | p99 | max | generator CPU | server CPU |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {result['requests']:,} | {result['errors']} | {result['rps']} | "
          f"{result['p50_ms']:g} ms | {result['p95_ms']:g} ms | {result['p99_ms']:g} ms | "
          f"{result['max_ms']:g} ms | {result['generator_cpu_pct']}% | "
          f"{result['server_cpu_pct']}% |")
    for w in result["generator_warnings"]:
        print(f"\nlocust: {w.strip()}")
    s = result["server_stats"]
    print(f"\nserver /__assetpipe/stats: {s['requests']:,} asset requests, "
          f"{s['bytes_sent']:,} B sent, {s['bytes_saved']:,} B saved by precompression, "
          f"by status {s['by_status']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
