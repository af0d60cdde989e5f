"""The build's files under a middleware the app adds after ``AssetPipe(app)``, met adopting
LNbits: ``create_app()`` makes its ``FastAPI``, where ``init`` puts the two lines, and then adds
``GZipMiddleware(minimum_size=1000)``, outside ``AssetPipe``'s layers. Starlette's gzip
responder edits the header list of the response it compresses in place; the ASGI layer sent
the list it keeps for the file, so the first gzipped answer left ``content-encoding: gzip`` and
the gzipped ``content-length`` in it, and every later answer of that file (to any
``Accept-Encoding``) sent the raw bytes under those headers: Chromium's
``net::ERR_CONTENT_LENGTH_MISMATCH`` on LNbits' ``favicon_qr_logo.png``, on every page."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")


from tests.conftest import load_module, run_cli, write_tree
from tests.test_serve_support import asgi_server
from tests.test_starlette import _get

#: a PDF: the build gives it no precompressed sibling (a format it takes as compressed) and
#: Starlette's GZipMiddleware gzips it (larger than its minimum_size, a type it does not skip;
#: the Starlette 0.48 that LNbits pins gzipped LNbits' PNG icon too)
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Page >> endobj\n" * 100

SERVER = '''\
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent


def create_app() -> Starlette:
    """As LNbits' create_app(): the two lines right after the app, then its middleware."""
    app = Starlette()
    from assetpipe.starlette import AssetPipe
    AssetPipe(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app
'''


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app built and served by uvicorn; its base URL and project folder."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: pkg/static\noutput: dist\nstatic: {include: ['**']}\n",
            "pkg/__init__.py": "",
            "pkg/server.py": SERVER,
            "pkg/static/docs/guide.pdf": PDF,
        },
    )
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    app = load_module(tmp_path / "pkg/server.py", "pkg.server").create_app()
    with asgi_server(app) as port:
        yield f"http://127.0.0.1:{port}/", tmp_path


def _body(headers: dict[str, str], body: bytes) -> bytes:
    """The file's bytes: ``body`` decoded as its ``Content-Encoding`` says, after checking
    its ``Content-Length``."""
    assert int(headers["content-length"]) == len(body), headers
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


def test_a_file_gzipped_outside_the_layer_answers_whole_every_time(
    served: tuple[str, Path],
) -> None:
    """The source path and the hashed name, each asked three times (gzip, identity, gzip):
    every answer's ``Content-Length`` is its body's, and the body is the file. Before, the
    second answer already said ``gzip`` and the gzipped length over the raw bytes."""
    base, root = served
    hashed = json.loads((root / "dist/manifest.json").read_text())["docs/guide.pdf"]["file"]
    for url in (base + "static/docs/guide.pdf", base + "static/" + hashed):
        for ae in ("gzip", "identity", "gzip"):
            status, headers, body = _get(url, **{"Accept-Encoding": ae})
            assert status == 200 and _body(headers, body) == PDF, (ae, headers)
            if ae == "identity":
                assert "content-encoding" not in headers, headers
