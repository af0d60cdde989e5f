"""Benchmark: the critical path of a cold ``assetpipe build`` of ``bench/real_npm_app.py``'s app,
as a timeline of one build per checkout per round, interleaved with the raw esbuild CLI.

    python bench/build_timeline.py [--rounds 10] [--against DIR] [--show]

Each build runs in a fresh process (``--timeline-child``) that wraps a few functions to note
when they start and end, in milliseconds from the process's first line (the interpreter's own
start is not in it): when the scripts stage's esbuild was spawned, when it returned, when the
stage's emit ended. Printed per checkout: medians (and per round) of the spawn time, of the
scripts stage's own work after esbuild (esbuild's return to the end of the emit), of the span
from the spawn to that end against the raw CLI's scripts invocation, of the whole build, and
the CPU seconds of the process and its children; the load average. Needs the app that
``bench/real_npm_app.py`` writes (run it once). ``--show`` prints one build's timeline.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
REPO = Path(__file__).resolve().parent.parent
APP = REPO / ".assetpipe" / "bench" / "real_npm_app" / "app"


def child(app: Path) -> None:
    """One cold build, in this process, printing its timeline and CPU seconds."""
    import resource
    import shutil

    events: list[tuple[float, str]] = []

    def mark(what: str) -> None:
        events.append(((time.perf_counter() - T0) * 1000, what))

    os.chdir(app)
    shutil.rmtree(".assetpipe/cache", ignore_errors=True)
    for record in Path(".assetpipe").rglob("last-build.json"):
        record.unlink()
    popen_init = subprocess.Popen.__init__
    communicate = subprocess.Popen.communicate

    def spawned(self: Any, args: Any, *a: Any, **k: Any) -> None:
        mark(f"spawn {Path(str(args[0])).name} {' '.join(map(str, args[1:3]))[:50]}")
        popen_init(self, args, *a, **k)

    def waited(self: Any, *a: Any, **k: Any) -> Any:
        out = communicate(self, *a, **k)
        mark(f"done {Path(str(self.args[0])).name}")
        return out

    subprocess.Popen.__init__ = spawned  # type: ignore[method-assign]
    subprocess.Popen.communicate = waited  # type: ignore[method-assign]
    from assetpipe.config import load_config

    cfg = load_config("pipeline.yaml")
    mark("config loaded")
    from assetpipe.pipeline import run
    from assetpipe.stages import bundling, compress

    def wrap(module: Any, name: str) -> None:
        fn: Callable[..., Any] = getattr(module, name)

        def timed(*a: Any, **k: Any) -> Any:
            mark(f"{name} >")
            try:
                return fn(*a, **k)
            finally:
                mark(f"{name} <")

        setattr(module, name, timed)

    for module, name in ((bundling, "cached_build"), (bundling, "emit"), (compress, "run")):
        wrap(module, name)
    run.build(cfg)
    mark("build returned")
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    for ms, what in events:
        print(f"{ms:8.1f} ms  {what}")
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    print(f"cpu {cpu:.3f}")


def one_build(checkout: Path, app: Path) -> tuple[dict[str, float], str]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, __file__, "--timeline-child", str(app)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout

    def at(pattern: str) -> float:
        found = re.search(rf"^\s*([\d.]+) ms  {pattern}", out, re.M)
        if found is None:
            raise SystemExit(f"no '{pattern}' in the timeline:\n{out}")
        return float(found.group(1))

    spawn, done, emitted = at("spawn esbuild js/"), at("done esbuild"), at("emit <")
    cpu = re.search(r"^cpu ([\d.]+)", out, re.M)
    return {
        "spawn": spawn,
        "after_esbuild": emitted - done,
        "span": emitted - spawn,
        "build": at("build returned"),
        "cpu": float(cpu.group(1)) if cpu else 0.0,
    }, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--against", type=Path, action="append", default=[])
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--timeline-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.timeline_child is not None:
        child(args.timeline_child)
        return
    if not (APP / "pipeline.yaml").is_file():
        raise SystemExit(f"no app in {APP}: run bench/real_npm_app.py once")
    sys.path.insert(0, str(REPO))
    from bench.real_npm_app import esbuild_commands

    raw_cmd, raw_env = esbuild_commands(APP)[0]
    checkouts = [REPO, *(p.resolve() for p in args.against)]
    runs: dict[Path, list[dict[str, float]]] = {c: [] for c in checkouts}
    raw: list[float] = []
    loads = []
    for r in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for checkout in checkouts[r % len(checkouts) :] + checkouts[: r % len(checkouts)]:
            build, out = one_build(checkout, APP)
            runs[checkout].append(build)
            if args.show and r == 0:
                print(f"{checkout}:\n{out}")
        t0 = time.perf_counter()
        subprocess.run(raw_cmd, cwd=APP / "src", env=raw_env, capture_output=True, check=True)
        raw.append((time.perf_counter() - t0) * 1000)
    loads.append(os.getloadavg()[0])
    raw_median = statistics.median(raw)
    print(
        f"{args.rounds} rounds, load average (1 min) {min(loads):.1f}-{max(loads):.1f}; "
        f"raw esbuild CLI, scripts: median {raw_median:.0f} ms"
    )
    for checkout, figures in runs.items():
        print(checkout)
        for key, label in (
            ("spawn", "scripts esbuild spawned at (ms)"),
            ("after_esbuild", "stage's work after esbuild (ms)"),
            ("span", "spawn to the stage's end (ms)"),
            ("build", "whole build (ms)"),
            ("cpu", "CPU seconds"),
        ):
            values = [f[key] for f in figures]
            per = ", ".join(f"{v:.0f}" if key != "cpu" else f"{v:.2f}" for v in values)
            print(f"  {label:<34} median {statistics.median(values):8.2f}   [{per}]")
        spans = [f["span"] / r for f, r in zip(figures, raw, strict=True)]
        print(
            f"  {'span / raw CLI, per round':<34} median {statistics.median(spans):8.2f}   "
            f"[{', '.join(f'{s:.2f}' for s in spans)}]"
        )


if __name__ == "__main__":
    main()
