"""``ASGIInWSGI`` (what ``assetpipe watch --app`` runs an ASGI app with) runs
the app's lifespan startup, met on LNbits: its ``FastAPI`` registers every route in its
``lifespan`` (``init_core_routers(app)`` in ``startup()``), so ``watch --app
lnbits.__main__:app`` answered each page ``404 Not Found`` where uvicorn served it."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from werkzeug.test import Client

from assetpipe.serve.asgiwsgi import ASGIInWSGI


def lnbits_shaped() -> Starlette:
    """Routes added and a connection opened in the lifespan, as LNbits' ``create_app()``."""

    async def wallet(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"wallet on {request.state.db}")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        app.add_route("/wallet", wallet)
        yield {"db": "sqlite"}

    return Starlette(lifespan=lifespan)


def test_routes_and_state_from_the_lifespan_are_served() -> None:
    """Before, the lifespan never ran: ``/wallet`` was a 404 (and ``request.state.db`` unset)."""
    app = ASGIInWSGI(lnbits_shaped())
    try:
        resp = Client(app).get("/wallet")
        assert resp.status_code == 200 and resp.get_data(as_text=True) == "wallet on sqlite"
    finally:
        app.close()


def test_an_app_without_lifespan_support_is_served() -> None:
    """A bare ASGI app that rejects the lifespan scope is served as before."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    wrapped = ASGIInWSGI(app)
    assert Client(wrapped).get("/").get_data() == b"ok"
    wrapped.close()


def test_a_failed_startup_is_an_error() -> None:
    """``lifespan.startup.failed`` stops it, as uvicorn stops: the message is in the error."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    with pytest.raises(RuntimeError, match="no database"):
        ASGIInWSGI(Starlette(lifespan=lifespan))


APP = """\
import contextlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

HERE = Path(__file__).parent


async def home(request):
    return PlainTextResponse("home")


@contextlib.asynccontextmanager
async def lifespan(app):
    (HERE / "started").write_text("yes")
    yield
    (HERE / "stopped").write_text("yes")


app = Starlette(routes=[Route("/", home)], lifespan=lifespan)
"""


def test_watch_runs_the_apps_shutdown_when_it_stops(tmp_path: Path) -> None:
    """``assetpipe watch --app`` ran an ASGI app's lifespan startup but never its shutdown: the
    app's shutdown handlers (closing a database, LNbits' background tasks) did not run when
    the watcher stopped, and the lifespan task was dropped still waiting ("Task was destroyed
    but it is pending!" at exit)."""
    from assetpipe.dev.watch import Watcher
    from tests.conftest import write_tree
    from tests.test_serve_support import request

    name = f"lifespan_app_{time.time_ns()}"
    write_tree(
        tmp_path,
        {
            f"{name}.py": APP,
            "static/site.css": "body { margin: 0 }\n",
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['**']}\n",
        },
    )
    w = Watcher(tmp_path / "pipeline.yaml", port=0, on_line=lambda *a: None, app=f"{name}:app")
    w.start()
    try:
        assert request(w.server.port, "/").body == b"home"
        assert (tmp_path / "started").exists() and not (tmp_path / "stopped").exists()
    finally:
        w.close()
        sys.modules.pop(name, None)
    assert (tmp_path / "stopped").read_text() == "yes"
