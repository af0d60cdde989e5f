"""The two static-file apps ``bench/serve.py --socket`` runs under gunicorn (factories reading
the build output from ``ASSETPIPE_BENCH_OUTPUT``): assetpipe's ``AssetMiddleware`` and WhiteNoise
configured as its docs say for hashed files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("404 Not Found", [("Content-Length", "0")])
    return [b""]


def assetpipe_app() -> Any:
    from assetpipe.serve import AssetMiddleware

    return AssetMiddleware(_not_found, os.environ["ASSETPIPE_BENCH_OUTPUT"], "/static/")


def whitenoise_app() -> Any:
    from whitenoise import WhiteNoise

    from assetpipe.hashing import is_hashed

    public = Path(os.environ["ASSETPIPE_BENCH_OUTPUT"]).resolve() / "public"
    return WhiteNoise(
        _not_found,
        root=str(public),
        prefix="static/",
        max_age=31536000,
        immutable_file_test=lambda p, url: is_hashed(url),
    )
