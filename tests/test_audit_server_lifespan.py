"""The audit's server (``audit.server.serve_asgi``, what ``assetpipe audit --app`` serves an ASGI
app with) runs the app's lifespan as ``uvicorn app:app`` does: an app that adds its routes in
its lifespan (LNbits' FastAPI) answered every page 404 with it off. Real uvicorn on 127.0.0.1,
real HTTP."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import pytest

pytest.importorskip("starlette")

from starlette.applications import Starlette

from assetpipe.audit.server import serve_asgi
from assetpipe.errors import UsageError
from tests.test_asgiwsgi_lifespan import lnbits_shaped


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return bytes(r.read())


def test_routes_and_state_from_the_lifespan_are_served() -> None:
    with serve_asgi(lnbits_shaped()) as url:
        assert _get(url + "/wallet") == b"wallet on sqlite"


def test_an_app_without_lifespan_support_is_served() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with serve_asgi(app) as url:
        assert _get(url + "/") == b"ok"


def test_a_failed_startup_is_a_usage_error() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    with (
        pytest.raises(UsageError, match="lifespan startup failed"),
        serve_asgi(Starlette(lifespan=lifespan)),
    ):
        pass
