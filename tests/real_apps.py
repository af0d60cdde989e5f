"""The real-app corpus: open-source Flask apps installed as test extras, copied into tmp_path
and adopted as a user would (``assetpipe init`` → ``assetpipe build`` → ``AssetPipe(app)``),
then compared in real Chromium with the same app served plainly by Flask.

Each app runs in its own Python process (``serve``): two copies of one package cannot live in
one interpreter, and an app's prints and globals stay out of the test's. The process serves
the app with werkzeug on a free 127.0.0.1 port; with ``adopt`` it first runs the two lines
``assetpipe init`` prints (``from assetpipe.flask import AssetPipe`` / ``AssetPipe(app)``).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import REPO, adopt_and_build, write_tree

SERVER = """\
import os, sys
sys.path.insert(0, {project!r})
{setup}
if {adopt!r}:
    from assetpipe.flask import AssetPipe
    AssetPipe(app)
from werkzeug.serving import make_server
server = make_server("127.0.0.1", {port}, app, threaded=True)
print("ready", flush=True)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(
    project: Path, setup: str, *, adopt: bool, log: Path, cwd: Path | None = None
) -> Iterator[str]:
    """Serve the app that ``setup`` (Python code defining ``app``, run in ``cwd`` with
    ``project`` first on ``sys.path``) makes; yields the base URL."""
    port = free_port()
    code = SERVER.format(project=str(project), setup=textwrap.dedent(setup), adopt=adopt, port=port)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=cwd or project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        try:
            assert proc.stdout is not None
            seen = []
            while (line := proc.stdout.readline()) and line.strip() != "ready":
                seen.append(line)  # whatever the app prints while starting
            assert line.strip() == "ready", (
                f"the app did not start:\n{''.join(seen)}{proc.wait(10) and log.read_text()}"
            )
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


def serves_hashed_stylesheet(
    project: Path, files: dict[str, str | bytes], setup: str, prefix: str
) -> None:
    """Write ``files`` (an app calling ``AssetPipe(app)``) into ``project``, run ``init`` and
    ``build --strict`` there, and serve the app ``setup`` makes (``project`` first on the path,
    as the project runs it): its page links the stylesheet by a hashed name under ``prefix``
    (``/static/css/site-``), answered ``immutable``."""
    write_tree(project, files)
    adopt_and_build(project)
    assert (project / "pipeline.yaml").is_file()
    with serve(project, setup, adopt=False, log=project / "app.log") as base:
        page = urllib.request.urlopen(base + "/").read().decode()
        href = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert href.startswith(prefix) and href.endswith(".css"), page
        with urllib.request.urlopen(base + href) as css:
            assert "immutable" in css.headers["Cache-Control"]


SCROLL = """async () => {
  const step = Math.max(200, Math.floor(window.innerHeight / 2));
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 60));
  }
  window.scrollTo(0, 0);
}"""

IMAGES = """() => Array.from(document.images).map((img, i) => {
  const r = img.getBoundingClientRect();
  return {i, src: img.currentSrc || img.src, nw: img.naturalWidth, nh: img.naturalHeight,
          w: r.width, h: r.height, complete: img.complete,
          fit: getComputedStyle(img).objectFit};
})"""

IMAGE_BYTES = r"""() => Object.fromEntries(performance.getEntriesByType("resource")
  .filter(e => /\.(png|jpe?g|webp|avif|gif)([?#]|$)/i.test(e.name))
  .map(e => [e.name, e.encodedBodySize]))"""

#: Body bytes over the wire (compressed as sent) of the page and every resource it loaded
BODY_BYTES = """() => [...performance.getEntriesByType("navigation"),
  ...performance.getEntriesByType("resource")].reduce((n, e) => n + e.encodedBodySize, 0)"""


@dataclass
class PageView:
    """What one page load showed."""

    url: str
    requested: list[str] = field(default_factory=list)  # every URL of the app's origin
    bad_responses: list[tuple[int, str]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    missing_globals: list[str] = field(default_factory=list)
    image_bytes: dict[str, int] = field(default_factory=dict)  # image URL → body bytes
    body_bytes: int = 0  # the page's and its resources' bodies as sent (``BODY_BYTES``)
    screenshot: bytes = field(default=b"", repr=False)

    def undecoded(self) -> list[str]:
        """Rendered ``<img>``s (a box on the page) whose picture did not decode."""
        return [i["src"] for i in self.images if i["w"] > 0 and i["h"] > 0 and i["nw"] == 0]

    def distorted(self, tolerance: float = 0.05) -> list[str]:
        """``<img>``s whose rendered aspect ratio differs from the natural one by more than
        ``tolerance`` (Lighthouse's image-aspect-ratio check; ``object-fit`` other than
        ``fill`` crops or letterboxes instead of stretching, so it is exempt there too)."""
        out = []
        for i in self.images:
            if min(i["w"], i["h"], i["nw"], i["nh"]) <= 0 or i["fit"] not in ("fill", ""):
                continue
            rendered, natural = i["w"] / i["h"], i["nw"] / i["nh"]
            if abs(rendered - natural) / natural > tolerance:
                out.append(
                    f"{i['src']} rendered {i['w']:.0f}x{i['h']:.0f}, natural {i['nw']}x{i['nh']}"
                )
        return out


def view(browser: Any, base: str, path: str, globals_: tuple[str, ...]) -> PageView:
    """Load ``base + path`` in a fresh context (1280x800, no motion), scroll through it so lazy
    images load, and record responses, console errors, images, globals and a full-page shot."""
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 800}, device_scale_factor=1, reduced_motion="reduce"
    )
    try:
        page = ctx.new_page()
        pv = PageView(url=base + path)

        def on_response(r: Any) -> None:
            if r.url.startswith(base + "/"):
                pv.requested.append(r.url)
            if r.status >= 400 and r.url.startswith(base + "/"):
                pv.bad_responses.append((r.status, r.url))

        def on_console(m: Any) -> None:
            if m.type == "error":
                pv.console_errors.append(m.text)

        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda e: pv.console_errors.append(f"uncaught: {e}"))
        page.goto(pv.url, wait_until="networkidle")
        page.evaluate(SCROLL)
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "() => Array.from(document.images).every(i => i.complete)", timeout=15000
        )
        page.evaluate("() => document.fonts.ready")
        pv.images = page.evaluate(IMAGES)
        pv.image_bytes = page.evaluate(IMAGE_BYTES)
        pv.body_bytes = page.evaluate(BODY_BYTES)
        pv.missing_globals = [
            g for g in globals_ if page.evaluate(f"() => typeof window[{g!r}]") == "undefined"
        ]
        pv.screenshot = page.screenshot(full_page=True, animations="disabled")
        return pv
    finally:
        ctx.close()


def pixel_difference(a: bytes, b: bytes, tolerance: int = 40) -> float:
    """The fraction of pixels that differ by more than ``tolerance`` (0-255) in any channel,
    over the larger of the two screenshots (a size difference counts as different pixels).
    The tolerance absorbs image re-encoding (WebP at quality 80) and resampling; a moved or
    stretched element differs by far more."""
    from PIL import Image, ImageChops

    ia, ib = (Image.open(io.BytesIO(x)).convert("RGB") for x in (a, b))
    w, h = max(ia.width, ib.width), max(ia.height, ib.height)
    ca, cb = Image.new("RGB", (w, h), (255, 0, 255)), Image.new("RGB", (w, h), (0, 255, 0))
    ca.paste(ia)
    cb.paste(ib)
    r, g, bl = ImageChops.difference(ca, cb).split()
    worst = ImageChops.lighter(ImageChops.lighter(r, g), bl)  # per pixel: the largest channel
    return sum(worst.histogram()[tolerance + 1 :]) / (w * h)


def run_cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m assetpipe ARGS`` with this checkout first on the path."""
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    return subprocess.run(
        [sys.executable, "-m", "assetpipe", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
