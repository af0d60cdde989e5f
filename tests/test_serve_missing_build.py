"""A wrong ``output`` is not silent: ``AssetMiddleware`` (WSGI and ASGI) started where there is no
manifest logs one WARNING naming the absolute path it looked at and what to check — at start-up,
or (following builds, as ``assetpipe watch`` does before its first build) at the first request
that finds no file while there is still no build — and never once per request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.serve import AssetMiddleware
from assetpipe.serve import asgi as asgi_mod
from tests.test_serve_support import asgi_server, make_site, request, wsgi_server

Make = Callable[..., Any]
KINDS: dict[str, tuple[Make, Callable[[Any], Any]]] = {
    "wsgi": (AssetMiddleware, wsgi_server),
    "asgi": (asgi_mod.AssetMiddleware, asgi_server),
}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING
        and r.name.startswith("assetpipe")
        and "no build" in r.message
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_relative_output_warns_once_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    build(make_site(tmp_path / "project"))  # the build is in project/dist ...
    monkeypatch.chdir(tmp_path)  # ... and the app runs from the folder above it
    make, serve = KINDS[kind]
    caplog.set_level(logging.WARNING)
    mw = make(None, output="dist")
    (record,) = _warnings(caplog)
    looked_at = str(tmp_path / "dist" / "manifest.json")
    assert looked_at in record.message
    assert "output" in record.message and "working directory" in record.message
    assert str(tmp_path) in record.message  # the working directory it was relative to
    assert "pipeline.yaml" in record.message
    with serve(mw) as port:
        for _ in range(3):
            assert request(port, "/static/js/app.js").status == 404
    assert len(_warnings(caplog)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_absolute_output_without_build_names_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.WARNING)
    KINDS[kind][0](None, output=tmp_path / "nowhere")
    (record,) = _warnings(caplog)
    assert str(tmp_path / "nowhere" / "manifest.json") in record.message
    assert "working directory" not in record.message  # it was not relative


@pytest.mark.parametrize("kind", KINDS)
def test_a_build_is_quiet(tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str) -> None:
    build(make_site(tmp_path))
    caplog.set_level(logging.WARNING)
    make, serve = KINDS[kind]
    with serve(make(None, output=tmp_path / "dist")) as port:
        assert request(port, "/static/nothing.js").status == 404
    assert _warnings(caplog) == []


@pytest.mark.parametrize("kind", KINDS)
def test_following_before_the_first_build_is_quiet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    """``assetpipe watch``: the server starts, then the first build lands: nothing to warn."""
    config = make_site(tmp_path)
    caplog.set_level(logging.WARNING)
    make, serve = KINDS[kind]
    mw = make(None, output=tmp_path / "dist", dev=True)
    assert _warnings(caplog) == []
    build(config)
    with serve(mw) as port:
        assert request(port, "/static/robots.txt").status == 200
        assert request(port, "/static/nothing.js").status == 404
    assert _warnings(caplog) == []


@pytest.mark.parametrize("kind", KINDS)
def test_following_without_a_build_warns_once_at_the_first_miss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.WARNING)
    make, serve = KINDS[kind]
    mw = make(None, output=tmp_path / "dist", autorefresh=True)
    assert _warnings(caplog) == []
    with serve(mw) as port:
        for _ in range(3):
            assert request(port, "/static/app.js").status == 404
    (record,) = _warnings(caplog)
    assert str(tmp_path / "dist" / "manifest.json") in record.message


def test_reported_once_per_path(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A second middleware on the same missing build (an app factory, a second worker app in
    one process) does not repeat it; another path is reported."""
    caplog.set_level(logging.WARNING)
    AssetMiddleware(None, output=tmp_path / "dist")
    asgi_mod.AssetMiddleware(None, output=tmp_path / "dist")
    assert len(_warnings(caplog)) == 1
    AssetMiddleware(None, output=tmp_path / "other")
    assert len(_warnings(caplog)) == 2
