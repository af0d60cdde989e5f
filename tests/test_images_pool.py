"""The worker pool: forkserver workers hold none of the caller's files, and a killed build
leaves no orphan worker behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from tests.conftest import write_tree
from tests.images_helpers import Maker, image_config, to_bytes

SCRIPT = textwrap.dedent("""\
    import os, signal, sys
    from assetpipe import build
    from assetpipe.imaging import pool

    if __name__ == "__main__":
        secret = open(sys.argv[2], "rb")  # an fd the workers must not inherit
        build(sys.argv[1])
        pids = sorted(pool._pool._processes)  # the persistent pool's workers
        fds = {pid: sorted(os.listdir(f"/proc/{pid}/fd")) for pid in pids}
        leaked = [pid for pid in pids
                  if any(os.path.realpath(f"/proc/{pid}/fd/{fd}") == sys.argv[2]
                         for fd in fds[pid] if os.path.exists(f"/proc/{pid}/fd/{fd}"))]
        print(" ".join(map(str, pids)), "|", " ".join(map(str, leaked)), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # a crash: no atexit, no pool shutdown
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_killed_build_leaves_no_worker_and_no_inherited_file(make_site: Maker) -> None:
    from PIL import Image

    root = make_site(image_config(widths="[64]"))
    write_tree(
        root,
        {
            f"site/img/p{i}.png": to_bytes(Image.new("RGB", (80, 60), (i, 9, 9)), "PNG")
            for i in range(3)
        },
    )
    secret = root / "secret.txt"
    secret.write_text("not for workers\n")
    (root / "run.py").write_text(SCRIPT)
    proc = subprocess.run(
        [sys.executable, str(root / "run.py"), str(root / "pipeline.yaml"), str(secret.resolve())],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )
    assert proc.returncode == -9, proc.stderr
    pids_text, _, leaked_text = proc.stdout.strip().partition("|")
    pids = [int(p) for p in pids_text.split()]
    assert len(pids) >= 2
    assert leaked_text.strip() == ""
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _alive(p)], "orphan image workers outlived the build"


UNGUARDED = textwrap.dedent("""\
    import sys
    from assetpipe import build

    print("script ran", flush=True)
    result = build(sys.argv[1])
    print("built", len(result.manifest), flush=True)
""")


def test_a_script_without_a_main_guard_builds_once(make_site: Maker) -> None:
    """multiprocessing would re-run an unguarded caller script in every worker (and break the
    pool); the workers are prepared from an empty module instead."""
    from PIL import Image

    root = make_site(image_config(widths="[64]"))
    write_tree(
        root,
        {
            f"site/img/p{i}.png": to_bytes(Image.new("RGB", (80, 60), (i, 9, 9)), "PNG")
            for i in range(3)
        },
    )
    (root / "build_assets.py").write_text(UNGUARDED)
    proc = subprocess.run(
        [sys.executable, str(root / "build_assets.py"), str(root / "pipeline.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["script ran", "built 3"]
