"""A blueprint static file's first request is answered with a fast compression of the coding it
negotiated, and the highest level is made once the server is idle: making brotli, zstd and gzip
at their highest levels on the request path for every file a first page loads (0.14 s for
jQuery, 0.21 s for Bootstrap's CSS) held a fresh bukuserver process's first page back by ~2 s
on a one-thread server (gunicorn's default sync worker), and its
``setTimeout(() => $(...), 500)`` ran before jQuery had come: ``$ is not defined``, a console
error and an unfocused search box."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import brotli
import pytest

import assetpipe.hashed_folders as bs
from assetpipe.blueprint_static import BlueprintStatic
from assetpipe.serve.compress import compress_all
from tests.test_blueprint_static import SHOP_CSS, make_app


def _layer(app: Any) -> BlueprintStatic:
    layer = app.wsgi_app
    assert isinstance(layer, BlueprintStatic)
    return layer


def test_first_request_is_fast_and_the_best_body_follows_when_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[str, int]] = []

    def counting(policy: Any, coding: str, data: bytes) -> bytes:
        made.append((coding, policy.levels[coding]))
        return compress_all(policy, coding, data)

    monkeypatch.setattr(bs, "compress_all", counting)
    app = make_app(tmp_path)
    layer = _layer(app)
    layer.idle.idle = 0.3
    client = app.test_client()
    css = re.search(r'href="([^"]+\.css)"', client.get("/").get_data(as_text=True))
    assert css
    url = css.group(1)
    started = time.monotonic()
    first = client.get(url, headers={"Accept-Encoding": "br, gzip, zstd"})
    assert first.headers["Content-Encoding"] == "br" and first.headers["Vary"] == "Accept-Encoding"
    assert brotli.decompress(first.get_data()).decode() == SHOP_CSS
    assert made[0] == ("br", 5) and first.headers["ETag"].endswith('-br-fast"')
    plain = client.get(url)  # identity is never compressed
    assert plain.get_data(as_text=True) == SHOP_CSS and "Content-Encoding" not in plain.headers
    layer.idle.settle()
    assert time.monotonic() - started >= 0.3  # waited for a quiet server
    assert made == [("br", 5), ("br", 11)]  # gzip and zstd were never asked for
    best = client.get(url, headers={"Accept-Encoding": "br"})
    assert best.headers["ETag"] == f'{plain.headers["ETag"][:-1]}-br"'
    assert brotli.decompress(best.get_data()).decode() == SHOP_CSS
    assert made == [("br", 5), ("br", 11)]  # kept
    again = client.get(
        url, headers={"Accept-Encoding": "br", "If-None-Match": best.headers["ETag"]}
    )
    assert again.status_code == 304
    fast_copy = {"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    assert client.get(url, headers=fast_copy).status_code == 304  # as good a copy


def test_a_coding_that_is_not_smaller_sends_the_file_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bs, "compress_all", lambda policy, coding, data: data + b"x")
    app = make_app(tmp_path)
    _layer(app).idle.idle = 0.0
    client = app.test_client()
    css = re.search(r'href="([^"]+\.css)"', client.get("/").get_data(as_text=True))
    assert css
    for _ in range(2):  # fast, then the idle thread's verdict: not worth it
        got = client.get(css.group(1), headers={"Accept-Encoding": "br"})
        assert got.get_data(as_text=True) == SHOP_CSS
        assert "Content-Encoding" not in got.headers
        assert got.headers["ETag"] == client.get(css.group(1)).headers["ETag"]
        _layer(app).idle.settle()
