"""A new build's file table is built off the request path (and off the event loop) and swapped in:
while a big table is being scanned, a request for a hashed file the old table holds is answered at
once from it, and a request for a path only the new build has waits for the swap."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.serve import AssetMiddleware
from assetpipe.serve import asgi as asgi_mod
from tests.test_serve_builds import _manifest
from tests.test_serve_support import asgi_server, make_site, request, wsgi_server

FILES = 6_000  # a big public/: scanning and hashing it takes seconds here


def _big_build(root: Path) -> None:
    """A copy of the current build with FILES more files, flipped in as the output link."""
    current = (root / "dist").resolve()
    big = current.parent / (current.name + "-big")
    shutil.copytree(current, big, symlinks=True)
    extra = big / "public" / "extra"
    extra.mkdir()
    for i in range(FILES):
        (extra / f"f{i}.txt").write_bytes(b"x" * 2048 + str(i).encode())
    (big / "public" / "only-new.txt").write_bytes(b"new build\n")
    manifest = big / "manifest.json"
    manifest.write_bytes(manifest.read_bytes())  # a new mtime: a new stamp
    os.utime(manifest, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    link = root / "dist"
    tmp = root / "dist.tmp"
    os.symlink(big, tmp)
    os.replace(tmp, link)


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_requests_during_a_big_rebuild_are_answered_promptly(tmp_path: Path, kind: str) -> None:
    build(make_site(tmp_path))
    hashed = "/static/" + _manifest(tmp_path)["js/app.js"]["file"]
    app: Any
    if kind == "wsgi":
        app = AssetMiddleware(None, tmp_path / "dist", autorefresh=True)
        server = wsgi_server(app)
    else:
        app = asgi_mod.AssetMiddleware(None, tmp_path / "dist", autorefresh=True)
        server = asgi_server(app)
    with server as port:
        assert request(port, hashed).status == 200
        _big_build(tmp_path)
        t0 = time.monotonic()
        r = request(port, hashed)  # notices the new manifest, starts the rebuild
        answered = time.monotonic() - t0
        assert r.status == 200
        rebuilding = getattr(app.holder, "_pending", None) is not None
        assert request(port, "/static/only-new.txt").body == b"new build\n"  # waits for it
        rebuilt = time.monotonic() - t0
        # the old code scanned the new build inside this request: it took the whole rebuild
        assert rebuilding, "the table was swapped before the old one answered"
        assert answered < 1.0 and answered < rebuilt / 3, (answered, rebuilt)
        assert len(app.holder.table) > FILES
        assert request(port, hashed).status == 200


def test_a_count_just_after_the_swap_is_not_lost(tmp_path: Path) -> None:
    """A request that found its file in the old table may count on it after the swap retired
    that table: the count still reaches the stats."""
    from assetpipe.serve import STATS, build_table

    build(make_site(tmp_path))
    table = build_table(tmp_path / "dist")
    STATS.register(table)  # as the middleware's TableHolder does with each table it loads
    rep = next(iter(table.files.values())).identity
    before = STATS.snapshot()["assets"]["requests"]
    next(rep.served)
    STATS.retire(table)  # the swap
    next(rep.served)  # the request that raced it
    assert STATS.snapshot()["assets"]["requests"] - before == 2
    later = build_table(tmp_path / "dist")
    STATS.register(later)
    STATS.retire(later)  # a later swap folds the counts for good
    assert STATS.snapshot()["assets"]["requests"] - before == 2


def test_counts_of_a_dropped_middleware_are_kept(tmp_path: Path) -> None:
    """The process's totals never go down: a middleware (and its table) garbage-collected
    without a swap leaves its requests in the stats (they vanished, and a later snapshot
    showed fewer requests than an earlier one)."""
    import gc

    from assetpipe.serve import STATS

    build(make_site(tmp_path))
    mw = AssetMiddleware(None, tmp_path / "dist")
    url = next(u for u, f in mw.holder.table.wsgi_files.items() if f.immutable)
    before = STATS.snapshot()["assets"]["requests"]
    for _ in range(3):
        assert b"".join(mw({"PATH_INFO": url, "REQUEST_METHOD": "GET"}, lambda *a: None))
    assert STATS.snapshot()["assets"]["requests"] - before == 3
    del mw
    gc.collect()
    assert STATS.snapshot()["assets"]["requests"] - before == 3
