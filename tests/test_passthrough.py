"""Every middleware layer answers an attribute it lacks from the app it wraps (calibre-web reads
``app.wsgi_app.script_name`` through whatever wraps its own WSGI callable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assetpipe.serve import asgi, wsgi
from assetpipe.serve.etag import ETagMiddleware
from assetpipe.serve.rcache import ResponseCache
from assetpipe.serve.rcache.asgi import ResponseCacheMiddleware as AsgiCache
from assetpipe.serve.rcache.wsgi import ResponseCacheMiddleware as WsgiCache


class _App:
    script_name = "/calibre"

    def __call__(self, *args: Any) -> Any:  # pragma: no cover - never called here
        raise AssertionError


@pytest.mark.parametrize(
    "make",
    [
        lambda app, out: wsgi.AssetMiddleware(app, out),
        lambda app, out: wsgi.CompressMiddleware(app),
        lambda app, out: asgi.AssetMiddleware(app, out),
        lambda app, out: asgi.CompressMiddleware(app),
        lambda app, out: ETagMiddleware(app),
        lambda app, out: WsgiCache(app, ResponseCache(), {}),
        lambda app, out: AsgiCache(app, ResponseCache(), {}),
    ],
    ids=[
        "wsgi-assets",
        "wsgi-compress",
        "asgi-assets",
        "asgi-compress",
        "etag",
        "wsgi-rcache",
        "asgi-rcache",
    ],
)
def test_a_layer_answers_what_it_lacks_from_the_app_it_wraps(make: Any, tmp_path: Path) -> None:
    layer = make(_App(), tmp_path / "dist")
    outer = wsgi.CompressMiddleware(layer)  # two layers deep
    assert layer.script_name == outer.script_name == "/calibre"
    assert not hasattr(outer, "no_such_attribute")
    with pytest.raises(AttributeError, match="no_such_attribute"):
        _ = layer.no_such_attribute
