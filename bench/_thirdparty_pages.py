"""Three third-party pages for ``bench/audit_agreement.py``, assembled at bench time from the
package registries only (npm and PyPI, pinned versions; nothing third-party is committed), into a
cache folder, and served on 127.0.0.1.

- ``/docs/quickstart.html``: a docs site. Flask 3.0.3's own Sphinx docs (``docs/`` of its PyPI
  sdist) built with its own theme and extensions (pallets-sphinx-themes, sphinx-tabs,
  sphinxcontrib-log-cabinet, sphinx-notfound-page, installed into the cache with
  ``pip --target``); intersphinx is switched off (no network at build time).
- ``/photos/index.html``: a page with large images. Start Bootstrap's "Creative" theme 7.0.7
  (npm ``startbootstrap-creative``, its ``dist/``: a 518 KB hero photo and six portfolio
  photos), its CDN scripts and styles taken from the same npm packages and versions
  (bootstrap 5.2.3, bootstrap-icons 1.5.0; SimpleLightbox 2.1.0 is not on npm, 2.14.3 is used);
  Google Fonts and the Start Bootstrap forms script are dropped (not on a registry).
- ``/swagger/index.html``: a JS-heavy page. swagger-ui-dist 5.17.14's ``index.html`` as
  shipped (1.45 MB bundle + 230 KB preset, rendered client-side by React), pointed at a local
  OpenAPI document instead of the petstore URL.

Served with gzip for text types (as a production server would), HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PAGES = {
    "docs": "/docs/quickstart.html",
    "large images": "/photos/index.html",
    "JS-heavy": "/swagger/index.html",
}
NPM = {
    "startbootstrap-creative": "7.0.7",
    "bootstrap": "5.2.3",
    "bootstrap-icons": "1.5.0",
    "simplelightbox": "2.14.3",
    "swagger-ui-dist": "5.17.14",
}
FLASK = "3.0.3"
SPHINX_PLUGINS = (
    "pallets-sphinx-themes==2.5.0",
    "sphinx-tabs==3.5.0",
    "sphinxcontrib-log-cabinet==1.0.1",
    "sphinx-notfound-page==1.1.0",
)
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".txt")


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assetpipe" / "bench-thirdparty"


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=900, check=False, env=env
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {(proc.stderr or proc.stdout)[-800:]}")


def _npm_package(name: str, dl: Path) -> Path:
    """The unpacked ``package/`` folder of ``name@NPM[name]`` (``npm pack``, cached)."""
    version = NPM[name]
    out = dl / f"{name}-{version}"
    if not (out / "package").is_dir():
        tgz = dl / f"{name}-{version}.tgz"
        if not tgz.is_file():
            _run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=dl)
        tmp = dl / f".{name}-{version}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(tgz) as tf:
            tf.extractall(tmp, filter="data")
        tmp.rename(out)
    return out / "package"


def _swagger(site: Path, dl: Path) -> None:
    pkg = _npm_package("swagger-ui-dist", dl)
    dest = site / "swagger"
    shutil.copytree(pkg, dest, ignore=shutil.ignore_patterns("*.map", "*es-bundle*"))
    init = dest / "swagger-initializer.js"
    text = init.read_text(encoding="utf-8")
    init.write_text(
        text.replace("https://petstore.swagger.io/v2/swagger.json", "openapi.json"),
        encoding="utf-8",
    )
    (dest / "openapi.json").write_text(json.dumps(_openapi()), encoding="utf-8")


def _openapi() -> dict[str, object]:
    """An OpenAPI 3 document for Swagger UI to render: a small inventory API (tags, CRUD paths,
    schemas), about the size of the petstore example it replaces."""
    paths: dict[str, object] = {}
    schemas: dict[str, object] = {}
    for noun in ("item", "order", "customer", "supplier", "warehouse", "invoice"):
        cap = noun.capitalize()
        schemas[cap] = {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "name": {"type": "string", "example": f"{noun} name"},
                "status": {"type": "string", "enum": ["active", "archived", "pending"]},
                "created": {"type": "string", "format": "date-time"},
            },
        }
        ref = {"$ref": f"#/components/schemas/{cap}"}
        ok = {"description": "OK", "content": {"application/json": {"schema": ref}}}
        by_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
        paths[f"/{noun}s"] = {
            "get": {
                "tags": [noun],
                "summary": f"List {noun}s",
                "responses": {"200": ok},
            },
            "post": {
                "tags": [noun],
                "summary": f"Create a {noun}",
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": {"201": ok},
            },
        }
        paths[f"/{noun}s/{{id}}"] = {
            "get": {"tags": [noun], "summary": f"Get a {noun}", "parameters": by_id},
            "put": {"tags": [noun], "summary": f"Replace a {noun}", "parameters": by_id},
            "delete": {"tags": [noun], "summary": f"Delete a {noun}", "parameters": by_id},
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Inventory API",
            "version": "1.0.0",
            "description": "Items, orders, customers, suppliers, warehouses and invoices.",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


# The CDN references of the Creative theme's index.html -> the same files from npm packages.
_CDN = {
    "https://cdn.jsdelivr.net/npm/bootstrap-icons@1.5.0/font/bootstrap-icons.css": (
        "bootstrap-icons",
        "font",
        "vendor/bootstrap-icons/bootstrap-icons.css",
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.3/dist/js/bootstrap.bundle.min.js": (
        "bootstrap",
        "dist/js/bootstrap.bundle.min.js",
        "vendor/bootstrap.bundle.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/SimpleLightbox/2.1.0/simpleLightbox.min.css": (
        "simplelightbox",
        "dist/simple-lightbox.min.css",
        "vendor/simple-lightbox.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/SimpleLightbox/2.1.0/simpleLightbox.min.js": (
        "simplelightbox",
        "dist/simple-lightbox.min.js",
        "vendor/simple-lightbox.min.js",
    ),
}


def _photos(site: Path, dl: Path) -> None:
    dest = site / "photos"
    shutil.copytree(_npm_package("startbootstrap-creative", dl) / "dist", dest)
    html = (dest / "index.html").read_text(encoding="utf-8")
    for url, (pkg, src, target) in _CDN.items():
        origin = _npm_package(pkg, dl) / src
        out = dest / target
        if origin.is_dir():
            shutil.copytree(origin, out.parent)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, out)
        html = html.replace(url, target)
    # Not on any registry: Google Fonts (the theme falls back to its system font stack) and the
    # Start Bootstrap forms script.
    html = re.sub(r'\s*<link href="https://fonts\.googleapis\.com[^>]*>', "", html)
    html = re.sub(r'\s*<script src="https://cdn\.startbootstrap\.com[^>]*></script>', "", html)
    if re.search(r'(src|href)="https?://(?!startbootstrap\.com)[^"]*\.(js|css)"', html):
        raise RuntimeError("photos/index.html still loads a resource from the internet")
    (dest / "index.html").write_text(html, encoding="utf-8")


def _docs(site: Path, dl: Path, cache: Path) -> None:
    py = sys.executable
    sdist = dl / f"flask-{FLASK}.tar.gz"
    if not sdist.is_file():
        cmd = [py, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps"]
        _run([*cmd, "-d", str(dl), f"flask=={FLASK}"], cwd=dl)
    plugins = cache / "sphinx-plugins"
    if not plugins.is_dir():
        tmp = cache / ".sphinx-plugins.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [py, "-m", "pip", "install", "-q", "--no-deps", "--target", str(tmp)]
        _run([*cmd, *SPHINX_PLUGINS], cwd=cache)
        tmp.rename(plugins)
    src = cache / f"flask-{FLASK}"
    shutil.rmtree(src, ignore_errors=True)
    with tarfile.open(sdist) as tf:
        tf.extractall(cache, filter="data")
    conf = src / "docs" / "conf.py"
    conf.rename(src / "docs" / "_upstream_conf.py")
    conf.write_text(
        'exec(open("_upstream_conf.py").read())\nintersphinx_mapping = {}\n', encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugins), str(src / "src")])}
    _run([py, "-m", "sphinx", "-b", "html", "-q", "docs", str(site / "docs")], cwd=src, env=env)


def assemble(cache: Path | None = None) -> Path:
    """The site folder holding the three pages (see ``PAGES``), assembled once per cache."""
    cache = (cache or default_cache()).resolve()
    site = cache / "site"
    if (site / ".complete").is_file():
        return site
    dl = cache / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir()
    _swagger(site, dl)
    _photos(site, dl)
    _docs(site, dl, cache)
    (site / ".complete").write_text("\n".join(f"{k} {v}" for k, v in PAGES.items()))
    return site


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not accepts_gzip or path.suffix not in COMPRESSIBLE:
            super().do_GET()
            return
        body = _gzipped(str(path), path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@functools.lru_cache(maxsize=256)
def _gzipped(path: str, _mtime: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6)


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) from a child process; yields the base URL.

    Not a thread of the caller: the audit's loads run a Playwright client in the calling
    process (every CDP event crosses to Python) while Lighthouse's runs leave it idle, so a
    server sharing the caller's GIL would answer the two tools at different speeds."""
    child = subprocess.Popen(
        [sys.executable, __file__, str(site)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        base = child.stdout.readline().strip()
        if not base.startswith("http://"):
            raise RuntimeError(f"the page server did not start (exit {child.poll()})")
        yield base
    finally:
        child.terminate()
        child.wait(timeout=10)


def _serve_forever(site: Path) -> None:
    """The child of ``serve``: print the base URL, then serve until terminated."""
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    _serve_forever(Path(sys.argv[1]))
