"""``AssetPipe(app)`` in the processes users run: ``flask run --debug`` beside ``assetpipe watch
--no-serve`` (an edited stylesheet is served under its new hashed URL at once, no 404), and
gunicorn after ``assetpipe build`` swaps builds in (issue 11, items 2 and 7). Real processes,
real HTTP on 127.0.0.1; each is stopped through its own process group."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.test_flask_extension import css_href, make_project
from tests.test_serve_support import decode, request

pytestmark = pytest.mark.node

APP = textwrap.dedent("""
    from flask import Flask, render_template
    from assetpipe.flask import AssetPipe

    app = Flask(__name__)
    AssetPipe(app)

    @app.route("/")
    def index():
        print("rendering / (app output)")
        return render_template("index.html", title="Hi")
""")


class Proc:
    """A process whose stderr is collected by a thread; ``wait_for`` a line matching a regex."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {
            **os.environ,
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        env.pop("FLASK_DEBUG", None)
        self.proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, pattern: str, start: int = 0, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines[start:]:
                    m = re.search(pattern, line)
                    if m:
                        return m
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no line matching {pattern!r}:\n" + "".join(self.lines))
                self.cond.wait(min(remaining, 0.5))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.thread.join(5)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


@contextmanager
def running(args: list[str], cwd: Path) -> Iterator[Proc]:
    proc = Proc(args, cwd)
    try:
        yield proc
    finally:
        proc.stop()


def _project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project")
    (project / "app/__init__.py").write_text(APP)
    return project


def test_flask_run_debug_with_watch(tmp_path: Path) -> None:
    """`flask run --debug` (reloader off: it only restarts on Python changes) and `assetpipe
    watch --no-serve` in two processes: each CSS save gives a page naming the new hashed
    stylesheet, served at once with the new rules."""
    project = _project(tmp_path)
    watch_cmd = [sys.executable, "-m", "assetpipe", "watch", "--no-serve", "--port", "0"]
    with running(watch_cmd, project) as watch:
        watch.wait_for(r"^watching ")
        flask_cmd = [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "run",
            "--debug",
            "--no-reload",
            "--port",
            "0",
        ]
        with running(flask_cmd, project) as flask:
            port = int(flask.wait_for(r"Running on http://127\.0\.0\.1:(\d+)").group(1))
            first = css_href(request(port, "/").body)
            assert request(port, first).status == 200
            seen = len(watch.lines)
            for n in range(3):
                (project / "app/css/site.css").write_text(f"body {{ margin: {n + 7}px; }}\n")
                watch.wait_for(r"css/site\.css: .*· (css swap|reload)", start=seen)
                seen = len(watch.lines)
                href = css_href(request(port, "/").body)
                assert href != first
                css = request(port, href)
                assert css.status == 200, href
                assert f"margin: {n + 7}px".encode() in css.body  # development: unminified
                first = href
            # an unhashed source path serves the current stylesheet (revalidated)
            plain = request(port, "/static/css/site.css")
            assert plain.status == 200 and b"margin: 9px" in plain.body
            assert plain.headers["cache-control"] == "no-cache"


def test_gunicorn_follows_assetpipe_build(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert run_cli("build", cwd=project).code == 0
    cmd = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0", "app:app"]
    with running(cmd, project) as server:
        port = int(server.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)").group(1))
        for n in range(3):
            page = request(port, "/", headers={"Accept-Encoding": "br"})
            assert page.status == 200 and page.headers.get("content-encoding") == "br"
            href = css_href(decode(page))
            css = request(port, href, headers={"Accept-Encoding": "br"})
            assert css.status == 200 and css.headers.get("content-encoding") == "br"
            assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
            (project / "app/css/site.css").write_text(
                f"body {{ margin: {n + 3}px; }}\n"
                + "".join(f".c{i} {{ color: #{i:06x}; }}\n" for i in range(60))
            )  # big enough for br
            assert run_cli("build", cwd=project).code == 0
            # both workers move to the new build (each request may land on either)
            for _ in range(4):
                new = css_href(decode(request(port, "/", headers={"Accept-Encoding": "br"})))
                assert new != href
                r = request(port, new, headers={"Accept-Encoding": "br"})
                assert r.status == 200 and f"margin:{n + 3}px".encode() in decode(r)
