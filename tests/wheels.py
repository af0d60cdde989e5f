"""Building assetpipe's wheel from a copy of the checkout's packaging inputs (building in the
checkout itself writes build/ and *.egg-info there, which two xdist workers would share)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

#: the files ``npm ci`` needs and the wheel carries as ``assetpipe/_node/``
NODE_FILES = ("package.json", "package-lock.json", "service.mjs")


def build_wheel(out: Path) -> Path:
    """Build the wheel into ``out`` (pip, isolated build: the setuptools pyproject.toml asks for)
    from a copy that keeps ``assetpipe/_node`` a symlink to ``node/``, as in the checkout."""
    src = out / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, src / name)
    shutil.copytree(
        REPO / "assetpipe",
        src / "assetpipe",
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (src / "node").mkdir()
    for name in NODE_FILES:
        shutil.copyfile(REPO / "node" / name, src / "node" / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return next(out.glob("assetpipe-*.whl"))
