"""``assetpipe.starlette.AssetPipe`` makes its layers at the first request, not at the
lifespan's start: under uvicorn (``--lifespan auto``, its default) the lifespan scope is the first
to pass the middleware, before an app that mounts its ``StaticFiles`` in its lifespan (as LNbits
adds its routes there) has mounted it, so the build was served at the config's
``public_path`` instead of the mount's, and every hashed URL under the mount was a 404. Real
build, real uvicorn with the lifespan on, real HTTP."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytest.importorskip("starlette")

from pathlib import Path

from assetpipe.audit.server import serve_asgi
from tests.conftest import load_module, run_cli, write_tree

APP = """\
import contextlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent


@contextlib.asynccontextmanager
async def lifespan(app):
    app.mount("/assets", StaticFiles(directory=str(HERE / "public")), name="static")
    yield


app = Starlette(lifespan=lifespan)
from assetpipe.starlette import AssetPipe
AssetPipe(app, config=str(HERE / "pipeline.yaml"))
"""


def test_a_mount_made_in_the_lifespan_serves_the_build(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: public\noutput: dist\nstatic: {include: ['**']}\n",
            "public/app.js": "window.ran = 1;\n" * 40,
            "server.py": APP,
        },
    )
    assert run_cli("build", "--strict", cwd=tmp_path).code == 0
    hashed = json.loads((tmp_path / "dist/manifest.json").read_text())["app.js"]["file"]
    app = load_module(tmp_path / "server.py", "lifespan_mount_app").app
    with serve_asgi(app) as url:
        r = urllib.request.urlopen(f"{url}/assets/{hashed}")
        assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
        r.close()
