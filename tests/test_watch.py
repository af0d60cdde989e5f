"""``assetpipe watch``: a real watchdog observer, real file edits, real esbuild, real HTTP.

Never asserts on time: every wait is "until this happens" with a generous timeout (latency
figures are bench/watch.py's job).
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from assetpipe.config import load_config
from assetpipe.dev.apply import Outcome
from assetpipe.dev.watch import Watcher, WatchError
from assetpipe.errors import AssetpipeError, ConfigError
from assetpipe.manifest import Manifest
from tests.conftest import write_tree

pytestmark = pytest.mark.node

CONFIG = """\
source: site
output: dist
public_path: /static/
scripts:
  entries: ["js/app.js"]
styles:
  entries: ["css/app.css"]
static:
  include: ["icons/**"]
pages:
  - {path: /, template: index.html}
  - {path: /other, template: other.html}
"""

SITE: dict[str, str | bytes] = {
    "site/css/app.css": "body { color: rgb(1, 2, 3); }\n",
    "site/js/app.js": 'import { mark } from "./lib.js";\nmark();\n',
    "site/js/lib.js": 'export function mark() { document.body.dataset.js = "ran"; }\n',
    "site/icons/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    "site/templates/index.html": (
        "<!doctype html>\n<html><head><title>index</title>\n"
        '<link rel="stylesheet" href="/static/css/app.css">\n</head>\n'
        '<body><p id="p">hello</p>\n<script type="module" src="/static/js/app.js"></script>\n'
        "</body></html>\n"
    ),
    "site/templates/other.html": (
        "<!doctype html>\n<html><head><title>other</title></head>\n"
        '<body><img src="/static/icons/logo.svg" alt="">\n'
        '<script type="module" src="/static/js/app.js"></script>\n</body></html>\n'
    ),
    "site/templates/plain.html": "<!doctype html>\n<p>no assets</p>\n",
    "site/data/notes.txt": "not an input of any stage\n",
}
#: an images section (one 32 px WebP per image under img/), and the config with it
IMAGES_SECTION = 'images:\n  include: ["img/**"]\n  widths: [32]\n  formats: [webp]\n'
IMAGES_CONFIG = CONFIG.replace("static:\n", IMAGES_SECTION + "static:\n")


class Recorder:
    """Collects the watcher's terminal lines and outcomes; waits on them."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.outcomes: list[Outcome] = []
        self.cond = threading.Condition()

    def line(self, kind: str, text: str, hint: str | None) -> None:
        with self.cond:
            self.lines.append((kind, text))
            self.cond.notify_all()

    def outcome(self, out: Outcome) -> None:
        with self.cond:
            self.outcomes.append(out)
            self.cond.notify_all()

    def wait(self, pred: Callable[[], bool], timeout: float = 30.0) -> None:
        with self.cond:
            assert self.cond.wait_for(pred, timeout), f"timed out; lines: {self.lines}"


class SSE:
    """A real SSE client on a thread: collects (event, data) pairs."""

    def __init__(self, url: str, origin: str | None = None) -> None:
        self.events: list[tuple[str, Any]] = []
        self.cond = threading.Condition()
        host_port = url.split("//", 1)[1].split("/", 1)[0]
        self.conn = http.client.HTTPConnection(host_port, timeout=60)
        headers = {"Accept": "text/event-stream"}
        if origin:
            headers["Origin"] = origin
        self.conn.request("GET", "/__assetpipe/events", headers=headers)
        self.resp = self.conn.getresponse()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event, data = "message", ""
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data += line[6:]
                elif line == "" and data:
                    with self.cond:
                        self.events.append((event, json.loads(data)))
                        self.cond.notify_all()
                    event, data = "message", ""
        except (OSError, ValueError):
            pass

    def wait(self, event: str, timeout: float = 30.0) -> Any:
        with self.cond:
            assert self.cond.wait_for(lambda: any(e == event for e, _ in self.events), timeout), (
                f"no {event!r} event; got {self.events}"
            )
            return next(d for e, d in self.events if e == event)

    def close(self) -> None:
        self.conn.close()


def make_project(tmp_path: Path) -> Path:
    write_tree(tmp_path, {**SITE, "pipeline.yaml": CONFIG})
    return tmp_path


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def manifest(root: Path) -> Manifest:
    return Manifest.read(root / "dist" / "manifest.json")


def edit(path: Path, text: str) -> None:
    """An editor-like save: the whole file rewritten."""
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def _watch(root: Path) -> Iterator[tuple[Watcher, Recorder, Path]]:
    """A started watcher on ``root``'s pipeline.yaml with a recorder; closed afterwards."""
    rec = Recorder()
    w = Watcher(root / "pipeline.yaml", port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    try:
        yield w, rec, root
    finally:
        w.close()


@pytest.fixture
def watching(project: Path) -> Any:
    yield from _watch(project)


@pytest.fixture
def watching_with_image(tmp_path: Path) -> Any:
    """The site plus a processed image shown by index.html (so "no image work" means
    something)."""
    cfg = IMAGES_CONFIG
    index = str(SITE["site/templates/index.html"]).replace(
        '<p id="p">hello</p>', '<p id="p">hello</p><img src="/static/img/a.png" alt="">'
    )
    write_tree(
        tmp_path,
        {
            **SITE,
            "pipeline.yaml": cfg,
            "site/img/a.png": _png((5, 5, 5)),
            "site/templates/index.html": index,
        },
    )
    yield from _watch(tmp_path)


def test_css_edit_rebuilds_only_css_and_the_templates_linking_it(watching_with_image: Any) -> None:
    w, rec, root = watching_with_image
    before = manifest(root)
    assert "img/a.png" in before
    build_dir = (root / "dist").resolve()
    sse = SSE(w.url)
    try:
        assert w.broker.wait_for_clients(1)
        n = len(rec.outcomes)
        edit(root / "site/css/app.css", "body { color: rgb(200, 0, 0); }\n")
        rec.wait(
            lambda: (
                manifest(root)["css/app.css"]["file"] != before["css/app.css"]["file"]
                and len(rec.outcomes) > n
            )
        )
        swap = sse.wait("css")
    finally:
        sse.close()
    done: dict[str, int] = {}
    for out in rec.outcomes[n:]:
        assert not out.full
        for name, s in out.stages.items():
            done[name] = done.get(name, 0) + s.files
    # no image, JS or static work; exactly the one template that links the stylesheet
    assert set(done) == {"styles", "templates"}, done
    assert done["templates"] == 1
    after = manifest(root)
    for key in ("js/app.js", "icons/logo.svg", "img/a.png"):
        assert after[key] == before[key]
    new_css = after["css/app.css"]
    public = root / "dist" / "public"
    assert (
        b"rgb(200, 0, 0)" in (public / new_css["file"]).read_bytes()
        or b"#c80000" in (public / new_css["file"]).read_bytes()
    )
    # the output was updated in place (same build folder), every manifest file exists
    assert (root / "dist").resolve() == build_dir
    assert all((public / f).is_file() for f in after.files())
    index = (root / "dist/templates/index.html").read_text()
    assert f"/static/{new_css['file']}" in index
    assert swap == {
        "old": "/static/" + before["css/app.css"]["file"],
        "new": "/static/" + new_css["file"],
        "integrity": None,  # templates.integrity is off: the swapped <link> gets none either
        "source": "/static/css/app.css",  # a <link> by the unhashed URL is swapped too
        "prefix": "/static/",  # a <link> to the hashed file in another folder is swapped too
    }
    ok_lines = [t for k, t in rec.lines if k == "ok"]
    assert any(t.startswith("css/app.css: styles") and "css swap" in t for t in ok_lines)


def test_template_edit_rebuilds_that_template_and_reloads(watching: Any) -> None:
    w, rec, root = watching
    sse = SSE(w.url)
    try:
        assert w.broker.wait_for_clients(1)
        n = len(rec.outcomes)
        edit(root / "site/templates/plain.html", "<!doctype html>\n<p>edited</p>\n")
        rec.wait(
            lambda: (
                b"edited" in (root / "dist/templates/plain.html").read_bytes()
                and len(rec.outcomes) > n
            )
        )
        sse.wait("reload")
    finally:
        sse.close()
    stages = {name for out in rec.outcomes[n:] for name in out.stages}
    assert stages == {"templates"}
    assert sum(o.stages["templates"].files for o in rec.outcomes[n:]) == 1
    status, _body = get(w.url + "/other")
    assert status == 200  # pages render from the output


def test_js_import_edit_rebuilds_scripts_and_templates_using_it(watching: Any) -> None:
    _w, rec, root = watching
    before = manifest(root)
    n = len(rec.outcomes)
    edit(root / "site/js/lib.js", 'export function mark() { document.body.dataset.js = "v2"; }\n')
    rec.wait(lambda: manifest(root)["js/app.js"]["file"] != before["js/app.js"]["file"])
    stages = {name for out in rec.outcomes[n:] for name in out.stages}
    assert "styles" not in stages and "static" not in stages
    assert {"scripts", "templates"} <= stages
    new_js = manifest(root)["js/app.js"]["file"]
    for name in ("index.html", "other.html"):
        assert f"/static/{new_js}" in (root / "dist/templates" / name).read_text()


def test_broken_js_is_reported_old_output_served_then_recovers(watching: Any) -> None:
    w, rec, root = watching
    good = manifest(root)
    old_js = good["js/app.js"]["file"]
    sse = SSE(w.url)
    try:
        assert w.broker.wait_for_clients(1)
        edit(root / "site/js/app.js", 'import { mark } from "./lib.js";\nmark(;\n')
        rec.wait(lambda: w.last_error is not None)
        err = sse.wait("error")
        assert "site/js/app.js:2:" in err["message"]
        assert any(k == "error" and "site/js/app.js:2:" in t for k, t in rec.lines)
        # the last good build is still what is served
        assert manifest(root)["js/app.js"] == good["js/app.js"]
        status, body = get(f"{w.url}/static/{old_js}")
        assert status == 200 and b"dataset" in body
        status, page = get(w.url + "/")
        assert status == 200 and f"/static/{old_js}".encode() in page
        # a page opened now gets the error at once
        late = SSE(w.url)
        try:
            assert "site/js/app.js:2:" in late.wait("error")["message"]
        finally:
            late.close()
        # the fix recovers: new output, error cleared, the page reloads
        edit(root / "site/js/app.js", 'import { mark } from "./lib.js";\nmark();\nmark();\n')
        rec.wait(lambda: w.last_error is None and manifest(root)["js/app.js"]["file"] != old_js)
        sse.wait("reload")
    finally:
        sse.close()
    new_js = manifest(root)["js/app.js"]["file"]
    status, body = get(f"{w.url}/static/{new_js}")
    assert status == 200 and body.count(b"dataset") == 1


def test_broken_pipeline_yaml_is_reported_and_watching_goes_on(watching: Any) -> None:
    w, rec, root = watching
    cfg = root / "pipeline.yaml"
    good = cfg.read_text()
    edit(cfg, good.replace("public_path: /static/", "public_path: /static/\nimagez: {}"))
    rec.wait(lambda: isinstance(w.last_error, ConfigError))
    errors = [t for k, t in rec.lines if k == "error"]
    assert any("pipeline.yaml:4:1" in t and "imagez" in t for t in errors), errors
    # still watching, with the last valid config
    edit(root / "site/templates/plain.html", "<!doctype html>\n<p>still here</p>\n")
    rec.wait(lambda: b"still here" in (root / "dist/templates/plain.html").read_bytes())
    # a fixed, changed config is taken (full build)
    edit(
        cfg,
        good.replace(
            "  - {path: /other, template: other.html}\n",
            "  - {path: /other, template: other.html}\n  - {path: /plain, template: plain.html}\n",
        ),
    )
    rec.wait(lambda: w.last_error is None and len(w.config.pages) == 3)
    status, body = get(w.url + "/plain")
    assert status == 200 and b"still here" in body


def test_page_context_or_unrelated_file_does_not_rebuild(watching: Any) -> None:
    _w, rec, root = watching
    n = len(rec.outcomes)
    edit(root / "site/data/notes.txt", "changed\n")
    edit(root / "site/templates/plain.html", "<!doctype html>\n<p>marker</p>\n")
    rec.wait(lambda: b"marker" in (root / "dist/templates/plain.html").read_bytes())
    stages = {name for out in rec.outcomes[n:] for name in out.stages}
    assert stages == {"templates"}


def test_no_serve_serves_only_the_event_stream(project: Path) -> None:
    w = Watcher(project / "pipeline.yaml", port=0, serve=False, on_line=lambda *a: None)
    w.start()
    try:
        status, _ = get(w.url + "/")
        assert status == 404
        sse = SSE(w.url, origin="http://localhost:5000")
        try:
            assert sse.resp.status == 200
            assert sse.resp.getheader("Access-Control-Allow-Origin") == "http://localhost:5000"
            assert sse.resp.getheader("Content-Type", "").startswith("text/event-stream")
            assert w.broker.wait_for_clients(1)
            edit(project / "site/templates/plain.html", "<p>x</p>\n")
            sse.wait("reload")
        finally:
            sse.close()
    finally:
        w.close()


def test_watch_holds_the_build_lock(watching: Any) -> None:
    from assetpipe import build
    from assetpipe.config import load_config
    from assetpipe.errors import LockError

    _w, _rec, root = watching
    cfg = load_config(root / "pipeline.yaml")
    cfg = type(cfg)(**{**cfg.__dict__, "lock_timeout": 0.2})
    with pytest.raises(LockError):
        build(cfg)


def test_inotify_limit_gives_the_poll_hint(project: Path, monkeypatch: Any) -> None:
    # The kernel's inotify limit cannot be lowered here without affecting the whole machine:
    # make the observer's start fail the way it does at the limit (ENOSPC).
    from watchdog.observers import inotify

    def full(self: Any, *a: Any, **k: Any) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(inotify.InotifyObserver, "start", full)
    w = Watcher(project / "pipeline.yaml", port=0, poll=False, on_line=lambda *a: None)
    with pytest.raises(WatchError) as ei:
        w.start()
    assert "inotify limit" in str(ei.value) and "--poll" in (ei.value.hint or "")
    # the lock was freed: polling works
    rec = Recorder()
    w = Watcher(
        project / "pipeline.yaml", port=0, poll=True, on_line=rec.line, on_outcome=rec.outcome
    )
    w.start()
    try:
        edit(project / "site/templates/plain.html", "<p>polled</p>\n")
        rec.wait(lambda: b"polled" in (project / "dist/templates/plain.html").read_bytes())
    finally:
        w.close()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                kids = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                for k in map(int, kids):
                    if k not in out:
                        out.add(k)
                        todo.append(k)
        except OSError:
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return False


def test_cli_ctrl_c_shuts_down_cleanly(project: Path) -> None:
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group (the esbuild service
    and the image workers included). Exit 0, no traceback, no process left."""
    cfg = project / "pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("static:\n", IMAGES_SECTION + "static:\n"))
    write_tree(project, {"site/img/a.png": _png((1, 1, 1)), "site/img/b.png": _png((2, 2, 2))})
    env = {**os.environ, "NO_COLOR": "1"}
    # ``python -m assetpipe`` as a terminal's shell starts it, with SIGINT at its default: a
    # test run started in the background (``cmd &`` in a script) passes SIGINT down ignored,
    # and Python then never raises KeyboardInterrupt (the watch went on waiting, and this test
    # failed after 60 s). And SIGUSR1 dumps every thread's stack to stderr, so a hang after
    # Ctrl-C says where it is.
    main = (
        "import faulthandler, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "faulthandler.register(signal.SIGUSR1, all_threads=True); "
        "from assetpipe.cli import main; main()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", main, "watch", "--port", "0"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "watching" in line:
                break
        assert any("start: full build" in x for x in lines), lines
        url = lines[-1].split("serving ", 1)[1].split(" ", 1)[0]
        edit(project / "site/css/app.css", "body { color: rgb(9, 9, 9); }\n")
        for line in proc.stderr:
            lines.append(line)
            if line.split(" ", 1)[-1].startswith("css/app.css:"):
                break
        assert get(url + "/")[0] == 200
        kids = _children(proc.pid)
        assert kids  # the esbuild service, the fork server and its image workers
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            exited = proc.poll()  # the process, or only a child holding its pipes open?
            alive = {k: _cmdline(k) for k in kids | _children(proc.pid) if _alive(k)}
            if exited is None:
                os.kill(proc.pid, signal.SIGUSR1)  # its threads' stacks, then the kill
                time.sleep(2)
            proc.kill()
            for k in alive:
                with contextlib.suppress(OSError):
                    os.kill(k, signal.SIGKILL)
            _out, err = proc.communicate()
            raise AssertionError(
                f"no exit 60 s after Ctrl-C (exit code {exited}; alive: {alive}); its stderr:\n"
                f"{err[-6000:]}"
            ) from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    # a rebuild thread that outlives close()'s wait logs where it is: that is the failure
    assert "has not stopped" not in err, err
    # the fork server notices its parent is gone on its own, a moment after the exit
    deadline = time.monotonic() + 20
    while [k for k in kids if _alive(k)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [k for k in kids if _alive(k)] == []
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/", timeout=5)


def test_cli_bad_config_at_start_exits_2(project: Path) -> None:
    from tests.conftest import run_cli

    (project / "pipeline.yaml").write_text("source: site\nwatch: {debounce_ms: -1}\n")
    res = run_cli("watch", "--port", "0", cwd=project, timeout=60)
    assert res.code == 2
    assert "pipeline.yaml:2:" in res.err and "watch.debounce_ms" in res.err


def test_error_during_start_build_then_fixed(project: Path) -> None:
    edit(project / "site/js/app.js", "mark(;\n")
    rec = Recorder()
    w = Watcher(project / "pipeline.yaml", port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    try:
        assert isinstance(w.last_error, AssetpipeError)
        assert not (project / "dist").exists()
        edit(project / "site/js/app.js", "console.log(1);\n")
        rec.wait(lambda: w.last_error is None and (project / "dist/manifest.json").exists())
        assert rec.outcomes[-1].full
    finally:
        w.close()


def test_burst_of_saves_is_debounced_into_one_rebuild(watching: Any) -> None:
    w, rec, root = watching
    start = w.rebuilds
    path = root / "site/templates/plain.html"
    for i in range(5):
        edit(path, f"<p>burst {i}</p>\n")
    rec.wait(lambda: b"burst 4" in (root / "dist/templates/plain.html").read_bytes())
    time.sleep(0.3)  # let any straggling event batch settle (not a timing assertion)
    assert w.rebuilds - start <= 2


def test_js_rebuilds_reuse_one_esbuild_context(watching: Any) -> None:
    w, rec, root = watching
    contexts = w.esbuild.contexts
    assert contexts is not None  # the start build ran through the watcher's session
    svc = contexts.service
    pid, made, rebuilds = svc._proc.pid, contexts.contexts_made, contexts.rebuilds
    for i in range(2):
        before = manifest(root)["js/app.js"]["file"]
        edit(
            root / "site/js/lib.js",
            f'export function mark() {{ document.body.dataset.js = "v{i}"; }}\n',
        )
        rec.wait(lambda b=before: manifest(root)["js/app.js"]["file"] != b)
    assert svc._proc.pid == pid and svc._proc.poll() is None  # the same Node process
    assert w.esbuild.contexts is contexts
    assert contexts.contexts_made == made  # no new context: esbuild's incremental rebuild()
    assert contexts.rebuilds >= rebuilds + 2


def _png(color: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def _red_a_blue_b() -> dict[str, str | bytes]:
    """Two images the incremental tests tell apart: img/a.png red, img/b.png blue."""
    return {"site/img/a.png": _png((255, 0, 0)), "site/img/b.png": _png((0, 0, 255))}


@contextmanager
def watcher_on(root: Path, files: dict[str, str | bytes]) -> Iterator[tuple[Watcher, Recorder]]:
    """A started watcher (no dev server port) on ``files`` written under ``root`` (a
    ``pipeline.yaml`` among them); yields the watcher and its recorder, and closes the watcher."""
    write_tree(root, files)
    rec = Recorder()
    w = Watcher(root / "pipeline.yaml", port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    try:
        yield w, rec
    finally:
        w.close()


def _watching_images(
    root: Path, files: dict[str, str | bytes]
) -> AbstractContextManager[tuple[Watcher, Recorder]]:
    """``watcher_on`` the site with the images section, img/a.png red and img/b.png blue, plus
    ``files``."""
    return watcher_on(root, {**SITE, "pipeline.yaml": IMAGES_CONFIG, **_red_a_blue_b(), **files})


def test_image_edit_rebuilds_that_image_and_the_templates_showing_it(tmp_path: Path) -> None:
    with _watching_images(
        tmp_path,
        {
            "site/css/app.css": ".x { background: url(../img/b.png); }\n",
            "site/templates/pics.html": '<img src="/static/img/a.png" alt="a">\n'
            '<img src="/static/img/b.png" alt="b">\n',
            "site/templates/only_b.html": '<img src="/static/img/b.png" alt="b">\n',
        },
    ) as (_w, rec):
        before = manifest(tmp_path)
        n = len(rec.outcomes)
        (tmp_path / "site/img/a.png").write_bytes(_png((0, 255, 0)))
        rec.wait(lambda: manifest(tmp_path)["img/a.png"]["file"] != before["img/a.png"]["file"])
        done = _stage_files(rec.outcomes[n:])
        assert set(done) == {"images", "templates"}, done
        assert done["templates"] == 1  # pics.html; only_b.html does not show a.png
        after = manifest(tmp_path)
        assert after["img/b.png"] == before["img/b.png"]
        assert (
            f"/static/{after['img/a.png']['file']}"
            in (tmp_path / "dist/templates/pics.html").read_text()
        )
        public = tmp_path / "dist/public"
        assert all((public / f).is_file() for f in after.files())
        # b.png is also a url() of the stylesheet: that is rebuilt too, pointing at the new file
        n = len(rec.outcomes)
        (tmp_path / "site/img/b.png").write_bytes(_png((9, 9, 9)))
        rec.wait(
            lambda: (
                manifest(tmp_path)["img/b.png"]["file"] != before["img/b.png"]["file"]
                and manifest(tmp_path)["css/app.css"] != before["css/app.css"]
            )
        )
        done = _stage_files(rec.outcomes[n:])
        assert set(done) == {"images", "styles", "templates"}, done
        after = manifest(tmp_path)
        css = (public / after["css/app.css"]["file"]).read_text()
        assert f"../{after['img/b.png']['file']}" in css


def _stage_files(outcomes: list[Outcome]) -> dict[str, int]:
    done: dict[str, int] = {}
    for out in outcomes:
        assert not out.full
        for name, s in out.stages.items():
            done[name] = done.get(name, 0) + s.files
    return done


def test_development_profile_build(project: Path) -> None:
    from tests.cli_support import invoke_cli

    prod = invoke_cli("build", "--json", cwd=project)
    assert prod.code == 0, prod.err
    prod_manifest = manifest(project)
    dev = invoke_cli("build", "--profile", "development", "--json", cwd=project)
    assert dev.code == 0, dev.err
    assert json.loads(dev.out)["profile"] == "development"
    dev_manifest = manifest(project)
    # the same layout and manifest keys; no precompression; linked sourcemaps; not minified
    assert set(dev_manifest) == set(prod_manifest)
    assert {p.name for p in (project / "dist").iterdir()} >= {
        "public",
        "templates",
        "manifest.json",
        "report.json",
    }
    public = project / "dist/public"
    assert not [p for p in public.rglob("*") if p.suffix in (".br", ".gz", ".zst")]
    assert all("encodings" not in e for e in dev_manifest.entries.values())
    js = dev_manifest["js/app.js"]
    body = (public / js["file"]).read_text()
    assert body.rstrip().splitlines()[-1] == f"//# sourceMappingURL=/static/{js['map']}"
    assert (public / js["map"]).is_file()
    assert "\n  " in body  # readable, not minified


def test_pages_see_a_rebuild_at_once_through_asset_tags(project: Path) -> None:
    write_tree(project, {"site/templates/tags.html": "{{ asset_tags('css/app.css') }}\n"})
    cfg = project / "pipeline.yaml"
    cfg.write_text(cfg.read_text() + "  - {path: /tags, template: tags.html}\n")
    rec = Recorder()
    w = Watcher(cfg, port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    try:
        old = manifest(project)["css/app.css"]["file"]
        assert f"/static/{old}".encode() in get(w.url + "/tags")[1]
        edit(project / "site/css/app.css", "body { color: rgb(7, 7, 7); }\n")
        rec.wait(lambda: manifest(project)["css/app.css"]["file"] != old)
        new = manifest(project)["css/app.css"]["file"]
        status, body = get(w.url + "/tags")
        assert status == 200 and f"/static/{new}".encode() in body
    finally:
        w.close()


def test_atomic_rename_save_is_one_css_rebuild(watching: Any) -> None:
    _w, rec, root = watching
    before = manifest(root)["css/app.css"]["file"]
    n = len(rec.outcomes)
    # how many editors save: a temp file beside the original, renamed over it
    tmp = root / "site/css/.app.css.tmp123"
    tmp.write_text("body { color: rgb(4, 5, 6); }\n")
    os.replace(tmp, root / "site/css/app.css")
    rec.wait(lambda: manifest(root)["css/app.css"]["file"] != before)
    assert set(_stage_files(rec.outcomes[n:])) == {"styles", "templates"}


def test_cli_port_in_use_exits_2(project: Path) -> None:
    import socket

    from tests.conftest import run_cli

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = run_cli("watch", "--port", str(port), cwd=project, timeout=60)
    assert res.code == 2, res.err
    assert f"cannot serve on 127.0.0.1:{port}" in res.err and "--port" in res.err


def test_removed_folder_means_a_full_build(watching: Any) -> None:
    import shutil

    _w, rec, root = watching
    n = len(rec.outcomes)
    (root / "site/templates/other.html").write_text("<p>no icon</p>\n")
    rec.wait(lambda: len(rec.outcomes) > n)
    n = len(rec.outcomes)
    shutil.move(root / "site/icons", root / "icons-elsewhere")
    rec.wait(lambda: "icons/logo.svg" not in manifest(root))
    assert any(o.full for o in rec.outcomes[n:])


def test_a_save_with_the_same_content_reloads_nothing(watching: Any) -> None:
    w, rec, root = watching
    sse = SSE(w.url)
    try:
        assert w.broker.wait_for_clients(1)
        n, sent = len(rec.outcomes), w.broker.sent
        path = root / "site/css/app.css"
        path.write_text(path.read_text())  # saved again, unchanged
        rec.wait(lambda: len(rec.outcomes) > n)
        out = rec.outcomes[-1]
        assert not out.reload and not out.css and "no change" in out.summary()
        assert w.broker.sent == sent
    finally:
        sse.close()


def test_lcp_hints_change_rewrites_templates_and_subsets_stay_quiet(watching: Any) -> None:
    _w, rec, root = watching
    n = len(rec.outcomes)
    (root / "lcp-hints.json").write_text(
        json.dumps({"version": 1, "hints": [{"template": "other.html", "line": 3}]})
    )
    rec.wait(lambda: any(o.changed[:1] == ("lcp-hints.json",) for o in rec.outcomes[n:]))
    assert 'fetchpriority="high"' in (root / "dist/templates/other.html").read_text()
    # a later edit of another template alone: the hint is still seen as used (no warning)
    n = len(rec.outcomes)
    edit(root / "site/templates/plain.html", "<p>after hints</p>\n")
    rec.wait(
        lambda: (
            b"after hints" in (root / "dist/templates/plain.html").read_bytes()
            and len(rec.outcomes) > n
        )
    )
    report = json.loads((root / "dist/report.json").read_text())
    assert not [w for w in report["warnings"] if "stale hint" in w["message"]]
    assert not [t for k, t in rec.lines if k == "error"]


def test_static_edit_rebuilds_it_and_what_references_it(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **SITE,
            "pipeline.yaml": CONFIG,
            "site/css/app.css": ".logo { background: url(../icons/logo.svg); }\n",
        },
    )
    rec = Recorder()
    w = Watcher(tmp_path / "pipeline.yaml", port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    try:
        before = manifest(tmp_path)
        n = len(rec.outcomes)
        edit(
            tmp_path / "site/icons/logo.svg",
            '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>\n',
        )
        rec.wait(lambda: manifest(tmp_path)["css/app.css"] != before["css/app.css"])
        done = _stage_files(rec.outcomes[n:])
        assert set(done) == {"static", "styles", "templates"}, done
        after = manifest(tmp_path)
        logo = after["icons/logo.svg"]["file"]
        assert logo != before["icons/logo.svg"]["file"]
        assert f"../{logo}" in (tmp_path / "dist/public" / after["css/app.css"]["file"]).read_text()
        assert f"/static/{logo}" in (tmp_path / "dist/templates/other.html").read_text()
        assert after["js/app.js"] == before["js/app.js"]
    finally:
        w.close()


def test_incremental_output_equals_a_full_build_of_the_same_sources(tmp_path: Path) -> None:
    """After a series of edits, the watched output (manifest and templates) is what a fresh
    full development build of the same tree produces, byte for byte."""
    import shutil

    from assetpipe import build
    from assetpipe.config import load_config

    project = tmp_path / "watched"
    with _watching_images(
        project,
        {
            "site/css/app.css": ".a { background: url(../img/a.png); }\n"
            ".l { background: url(../icons/logo.svg); }\n",
            "site/templates/pics.html": '<img src="/static/img/a.png" alt="a">\n',
        },
    ) as (w, rec):
        steps: list[tuple[str, str | bytes]] = [
            (
                "site/css/app.css",
                ".a { background: url(../img/a.png); color: red; }\n"
                ".l { background: url(../icons/logo.svg); }\n",
            ),
            ("site/js/lib.js", 'export function mark() { document.body.dataset.js = "x"; }\n'),
            ("site/img/a.png", _png((1, 2, 3))),
            ("site/icons/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="3"/>\n'),
            (
                "site/templates/other.html",
                '<img src="/static/icons/logo.svg" alt="">\n'
                '<script type="module" src="/static/js/app.js">'
                "</script>\n",
            ),
        ]
        for rel, content in steps:
            n = len(rec.outcomes)
            path = project / rel
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                edit(path, content)
            rec.wait(lambda n=n: len(rec.outcomes) > n and w.last_error is None)  # type: ignore[misc]
        watched = manifest(project)
        watched_report = json.loads((project / "dist/report.json").read_text())
        watched_templates = {
            p.name: p.read_bytes() for p in (project / "dist/templates").rglob("*.html")
        }
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copytree(project / "site", fresh / "site")
    shutil.copy(project / "pipeline.yaml", fresh / "pipeline.yaml")
    build(load_config(fresh / "pipeline.yaml"), profile="development")
    assert manifest(fresh).entries == watched.entries
    fresh_report = json.loads((fresh / "dist/report.json").read_text())
    assert fresh_report == watched_report
    assert {
        p.name: p.read_bytes() for p in (fresh / "dist/templates").rglob("*.html")
    } == watched_templates


def test_a_reader_always_sees_a_whole_manifest_whose_files_exist(watching: Any) -> None:
    _w, rec, root = watching
    public = root / "dist/public"
    problems: list[str] = []
    reads = 0
    stop = threading.Event()

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                m = Manifest.read(root / "dist/manifest.json")  # never half a file
            except (OSError, ValueError) as exc:
                problems.append(f"manifest unreadable: {exc}")
                continue
            problems.extend(f for f in m.files() if not (public / f).is_file())
            reads += 1
            time.sleep(0.002)  # leave the GIL to the watcher now and then

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(6):
            n = len(rec.outcomes)
            edit(root / "site/css/app.css", f"body {{ color: rgb({i}, 0, 0); }}\n")
            edit(
                root / "site/js/lib.js",
                f'export function mark() {{ document.body.dataset.js = "{i}"; }}\n',
            )
            rec.wait(lambda n=n: len(rec.outcomes) > n)
    finally:
        stop.set()
        t.join()
    assert reads > 0 and problems == []


def test_a_kept_name_file_edited_in_place_is_served_new(tmp_path: Path) -> None:
    """``keep_names`` files have no hash: a rebuild replaces them in place, and the dev server
    must serve the new bytes (it re-reads its table when the manifest changes)."""
    cfg = CONFIG.replace(
        '  include: ["icons/**"]\n',
        '  include: ["icons/**", "robots.txt"]\n  keep_names: ["robots.txt"]\n',
    )
    write_tree(tmp_path, {**SITE, "pipeline.yaml": cfg, "site/robots.txt": "v1\n"})
    rec = Recorder()
    w = Watcher(tmp_path / "pipeline.yaml", port=0, on_line=rec.line, on_outcome=rec.outcome)
    w.start()
    try:
        assert get(w.url + "/static/robots.txt") == (200, b"v1\n")
        before = manifest(tmp_path)["robots.txt"]
        edit(tmp_path / "site/robots.txt", "v2\n")  # same size
        rec.wait(lambda: manifest(tmp_path)["robots.txt"] != before)
        assert get(w.url + "/static/robots.txt") == (200, b"v2\n")
    finally:
        w.close()


def test_start_warms_up_the_selector_engine_in_the_background(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first template save must not pay soupsieve compiling its patterns: the watcher
    compiles the configured selectors in a background thread once the first build is done."""
    from assetpipe.rewrite import select

    compiled: list[str] = []
    done = threading.Event()
    real = select.check_selector

    def spy(sel: str) -> str | None:
        compiled.append(sel)
        done.set()
        return real(sel)

    monkeypatch.setattr(select, "check_selector", spy)
    w = Watcher(project / "pipeline.yaml", port=0, serve=False, on_line=lambda *a: None)
    w.start()
    try:
        assert done.wait(30)
        deadline = time.monotonic() + 30
        while not set(load_config(project / "pipeline.yaml").templates.eager) <= set(compiled):
            assert time.monotonic() < deadline, compiled
            time.sleep(0.01)
    finally:
        w.close()


def test_a_rebuild_thread_that_does_not_stop_is_reported_with_its_stack() -> None:
    """``close()`` waits ``SLOW_STOP`` seconds for the rebuild thread, then logs where it is
    (``_stack_of``): a Ctrl-C that takes long says why instead of hanging silently."""
    import threading

    from assetpipe.dev.watch import _stack_of

    gate = threading.Event()

    def stuck_in_a_build() -> None:
        gate.wait(30)

    t = threading.Thread(target=stuck_in_a_build)
    t.start()
    try:
        time.sleep(0.05)
        stack = _stack_of(t)
        assert "stuck_in_a_build" in stack and "gate.wait(30)" in stack, stack
    finally:
        gate.set()
        t.join()
    assert _stack_of(t) == ""
