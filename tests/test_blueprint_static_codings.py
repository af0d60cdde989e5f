"""A blueprint static file's first request makes only the coding it negotiated: making brotli,
zstd and gzip at their highest levels for every file a first page loads (0.14 s for jQuery,
0.21 s for Bootstrap's CSS) held bukuserver's first page back by ~1.5 s on a one-thread server
(gunicorn's default sync worker), and its ``setTimeout(() => $(...), 500)`` ran before jQuery
had come: ``$ is not defined``, a console error and an unfocused search box."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import brotli
import pytest

import assetpipe.blueprint_static as bs
from assetpipe.serve.compress import compress_all
from tests.test_blueprint_static import SHOP_CSS, make_app


def test_only_the_negotiated_coding_is_made_and_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    def counting(policy: Any, coding: str, data: bytes) -> bytes:
        made.append(coding)
        return compress_all(policy, coding, data)

    monkeypatch.setattr(bs, "compress_all", counting)
    app = make_app(tmp_path)
    client = app.test_client()
    css = re.search(r'href="([^"]+\.css)"', client.get("/").get_data(as_text=True))
    assert css
    url = css.group(1)
    first = client.get(url, headers={"Accept-Encoding": "br, gzip, zstd"})
    assert first.headers["Content-Encoding"] == "br"
    assert brotli.decompress(first.get_data()).decode() == SHOP_CSS
    assert made == ["br"]
    assert first.headers["Vary"] == "Accept-Encoding"
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and made == ["br", "gzip"]
    assert gz.headers["ETag"] != first.headers["ETag"]
    client.get(url, headers={"Accept-Encoding": "br"})
    plain = client.get(url)
    assert plain.get_data(as_text=True) == SHOP_CSS and "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    assert made == ["br", "gzip"]  # kept: neither made again, identity never compressed
    # a 304 for the negotiated coding needs no body at all
    again = client.get(
        url,
        headers={"Accept-Encoding": "zstd", "If-None-Match": f'{plain.headers["ETag"][:-1]}-zstd"'},
    )
    assert again.status_code == 304 and made == ["br", "gzip"]


def test_a_coding_that_is_not_smaller_sends_the_file_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bs, "compress_all", lambda policy, coding, data: data + b"x")
    app = make_app(tmp_path)
    client = app.test_client()
    css = re.search(r'href="([^"]+\.css)"', client.get("/").get_data(as_text=True))
    assert css
    for _ in range(2):  # made once, then remembered as not worth it
        got = client.get(css.group(1), headers={"Accept-Encoding": "br"})
        assert got.get_data(as_text=True) == SHOP_CSS
        assert "Content-Encoding" not in got.headers
        assert got.headers["ETag"] == client.get(css.group(1)).headers["ETag"]
