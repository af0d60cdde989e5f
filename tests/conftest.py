"""Shared fixtures: tiny real sites in tmp_path, a CLI runner over a real subprocess."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
# ../shared from the lead's checkout, ../../shared from a worktree under wt/
CORPUS = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "corpus"
    / "images"
)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> CliResult:
    """Run ``python -m assetpipe ARGS`` in ``cwd`` as a user would (no colours)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "assetpipe", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def fresh_python(code: str, *args: str, cwd: Path | None = None) -> CliResult:
    """Run ``python -c CODE ARGS`` in a new process with this checkout importable, as a user's
    one-shot process starts (nothing imported yet: what it loads is what the code loads)."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def adopt_and_build(root: Path) -> None:
    """``assetpipe init`` then ``assetpipe build --strict`` in ``root``, as a new user runs
    them; fails the test with the command's output when either exits non-zero."""
    for args in (("init",), ("build", "--strict")):
        done = run_cli(*args, cwd=root)
        assert done.code == 0, done.out + done.err


def build_warnings(root: Path) -> list[dict[str, Any]]:
    """``assetpipe build --json`` in ``root``: the build must succeed; its warnings."""
    res = run_cli("build", "--json", cwd=root)
    assert res.code == 0, res.err
    warnings: list[dict[str, Any]] = json.loads(res.out)["warnings"]
    return warnings


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    """Create files (text is dedented) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def load_module(path: Path, name: str) -> ModuleType:
    """The module in file ``path``, run under ``name`` (an app written by a test)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (following the output symlink) → its bytes."""
    out: dict[str, bytes] = {}
    base = root.resolve()
    for path in sorted(base.rglob("*")):
        if path.is_file():
            out[path.relative_to(base).as_posix()] = path.read_bytes()
    return out


TINY_CONFIG = """\
source: site
output: dist
static:
  include: ["icons/**", "robots.txt", "css/*.css"]
  keep_names: ["robots.txt"]
"""

TINY_SITE: dict[str, str | bytes] = {
    "site/icons/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    "site/icons/sub/arrow.svg": '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>\n',
    "site/robots.txt": "User-agent: *\nAllow: /\n",
    "site/css/site.css": "body { color: #123456; }\n",
    "site/templates/pages/index.html": "<!doctype html>\n<title>Hi</title>\n<p>Hello</p>\n",
    "site/templates/base.html": "<html>{% block body %}{% endblock %}</html>\n",
    "site/notes.md": "not listed anywhere: ignored\n",
}


def edited(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the file ``path`` (a settings line, as a user edits it);
    ``old`` must be there, so that a test cannot pass on an edit that never happened."""
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new))


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    """A tiny project: pipeline.yaml + site/ with static files and templates. Returns its root."""
    write_tree(tmp_path, {**TINY_SITE, "pipeline.yaml": TINY_CONFIG})
    return tmp_path


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Make a project from a config text and files, in a fresh folder under tmp_path."""
    counter = iter(range(1000))

    def make(
        config: str, files: dict[str, str | bytes] | None = None, name: str | None = None
    ) -> Path:
        root = tmp_path / (name or f"p{next(counter)}")
        root.mkdir(parents=True, exist_ok=True)
        write_tree(root, {**(files or {}), "pipeline.yaml": config})
        return root

    return make


def require_chromium() -> None:
    """Skip the calling test when no Chromium is installed, except in CI (CI set): fail there."""
    from assetpipe.audit.browser import find_chromium
    from assetpipe.errors import ExternalToolError

    try:
        find_chromium()
    except ExternalToolError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Chromium: {err}")


def require_lighthouse() -> None:
    """Skip the calling test when Lighthouse cannot be installed, except in CI: fail there."""
    from assetpipe.audit import lighthouse
    from assetpipe.errors import ExternalToolError

    try:
        lighthouse.ensure_installed()
    except ExternalToolError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Lighthouse unavailable: {err}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A real headless Chromium (found by assetpipe.audit.browser) for the module's tests. Skipped
    only outside CI when no Chromium is installed; in CI (CI set) a missing browser fails."""
    from assetpipe.audit.browser import launch

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def before_and_after(root: Path, serve: Callable[[Path], str]) -> dict[str, str]:
    """Serve a built site's ``index.html`` as written (``site/``) and as built (``dist/``),
    each with its static files under ``/static/``: ``{"before": url, "after": url}``."""
    urls = {}
    for side, static, templates in (
        ("before", root / "site", root / "site" / "templates"),
        ("after", root / "dist" / "public", root / "dist" / "templates"),
    ):
        www = root / "www" / side
        www.mkdir(parents=True)
        (www / "static").symlink_to(static.resolve())
        shutil.copyfile(templates / "index.html", www / "index.html")
        urls[side] = serve(www)
    return urls


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(folder)`` serves a folder as plain static files on 127.0.0.1 (stdlib server);
    returns its base URL. Servers stop at the end of the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Lighthouse runs first (minutes each, mostly waiting on a throttled page), the rest in
    file order: under xdist they start at once and the short tests fill the other worker,
    instead of one starting last and the suite waiting on it alone."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("lighthouse") else 1)  # stable


def claiming_stages(cfg_path: Path) -> dict[str, list[str]]:
    """Each file of the source folder of the config at ``cfg_path`` → the stages whose globs
    claim it (``assetpipe init``'s tests: every file claimed once, or on purpose by none)."""
    from assetpipe.config import load_config
    from assetpipe.pipeline.sources import globmatch

    cfg = load_config(cfg_path)
    out: dict[str, list[str]] = {}
    for f in sorted(q for q in cfg.source.rglob("*") if q.is_file()):
        key = f.relative_to(cfg.source).as_posix()
        out[key] = [
            name
            for name, pats in (
                ("images", cfg.images.include),
                ("scripts", cfg.scripts.entries),
                ("styles", cfg.styles.entries),
                ("static", cfg.static.include),
            )
            if globmatch(key, pats)
        ]
    return out
