"""Shared by the benches: run an app under gunicorn on 127.0.0.1 (a free port, never anything
else) and read the CPU time its processes used (master + workers, from ``/proc``)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (the ones still alive)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / TICK


@contextlib.contextmanager
def gunicorn(
    app: str,
    *,
    workers: int = 2,
    threads: int = 32,
    env: dict[str, str] | None = None,
    pythonpath: list[Path] | None = None,
    extra: list[str] | None = None,
    log: Path | None = None,
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``gunicorn -k gthread`` serving ``app`` ("module:callable") on 127.0.0.1; yields the port
    and the master process once it answers."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "-b",
        f"{HOST}:{port}",
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "--backlog",
        "4096",
        "--keep-alive",
        "30",
        "--worker-connections",
        "2000",
        "--log-level",
        "warning",
        *(extra or []),
        app,
    ]
    penv = {**os.environ, **(env or {})}
    paths = [str(p) for p in (pythonpath or [])] + [str(Path(__file__).resolve().parent.parent)]
    penv["PYTHONPATH"] = os.pathsep.join([*paths, penv.get("PYTHONPATH", "")])
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(args, env=penv, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}): {' '.join(args)}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    pass
                if len(tree(proc.pid)) > workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.1)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log and out is not subprocess.DEVNULL:
            out.close()  # type: ignore[union-attr]
