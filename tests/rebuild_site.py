"""The small site the rebuild tests share (test_rebuild_memo, test_build_reuse,
test_build_edit): images, a script importing a module, a stylesheet, static icons, a layout and
six pages, its sources older than the racy window; building it, and spies on what a build opens
and starts."""

from __future__ import annotations

import builtins
import io
import multiprocessing.process
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from assetpipe import build, load_config
from assetpipe.pipeline.result import BuildResult
from tests.conftest import write_tree

#: the record of the last build (``assetpipe.pipeline.reuse``)
RECORD = ".assetpipe/last-build.json"

CONFIG = """\
source: site
output: dist
templates:
  dirs: [templates]
images:
  include: ["img/**/*.png"]
  widths: [16, 32]
  formats: [original, webp]
scripts:
  entries: ["js/main.js"]
styles:
  entries: ["css/app.css"]
static:
  include: ["icons/**"]
"""


def png(w: int, h: int, colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), colour).save(buf, "PNG")
    return buf.getvalue()


def page(n: int) -> str:
    return (
        "{% extends 'base.html' %}{% block body %}\n"
        f"<img src=\"{{{{ url_for('static', filename='img/p{n % 2}.png') }}}}\" alt=\"\">\n"
        f'<img src="/static/icons/i.svg" alt="" width="8" height="8"><p>{n}</p>\n'
        "{% endblock %}\n"
    )


def age(root: Path) -> None:
    """Every source older than the racy window, as on a real project between saves."""
    old = time.time_ns() - 10**10
    for path in (root / "site").rglob("*"):
        os.utime(path, ns=(old, old))


def write_site(root: Path) -> Path:
    """The site under ``root`` (module docstring); returns ``root``."""
    write_tree(
        root,
        {
            "pipeline.yaml": CONFIG,
            "site/img/p0.png": png(40, 30, (200, 10, 10)),
            "site/img/p1.png": png(30, 40, (10, 200, 10)),
            "site/icons/i.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
            "site/js/main.js": 'import { f } from "./lib.js";\nconsole.log(f());\n',
            "site/js/lib.js": "export const f = () => 42;\n",
            "site/css/app.css": "body { color: #123; }\n",
            "site/templates/base.html": '<html><head><link rel="stylesheet" '
            'href="/static/css/app.css"></head><body>{% block body %}{% endblock %}'
            '<script type="module" src="/static/js/main.js"></script></body></html>\n',
            **{f"site/templates/pages/t{n}.html": page(n) for n in range(6)},
        },
    )
    age(root)
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path)


def build_site(root: Path, **kwargs: bool) -> BuildResult:
    """``build()`` of ``root/pipeline.yaml``, the config read afresh."""
    return build(load_config(root / "pipeline.yaml"), **kwargs)


@contextmanager
def opened_files() -> Iterator[list[str]]:
    """Every path opened through ``open``/``io.open`` meanwhile (Path.read_bytes and the
    hashing helpers use them)."""
    seen: list[str] = []
    real = io.open

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)):
            seen.append(os.path.abspath(os.fspath(file)))
        return real(file, *args, **kwargs)

    saved = builtins.open, io.open
    builtins.open = io.open = spy
    try:
        yield seen
    finally:
        builtins.open, io.open = saved


@contextmanager
def started_processes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every process started meanwhile: subprocesses (esbuild), multiprocessing workers
    (the image pool), forks and spawns."""
    seen: list[str] = []

    def wrap(owner: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            seen.append(f"{getattr(owner, '__name__', owner)}.{name}")
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, spy)

    wrap(subprocess.Popen, "__init__")
    wrap(multiprocessing.process.BaseProcess, "start")
    wrap(os, "fork")
    wrap(os, "posix_spawn")
    yield seen
