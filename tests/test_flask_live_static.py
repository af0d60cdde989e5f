"""A static folder the app writes while it runs. Flask-Admin's ``FileAdmin`` over ``static/`` (its
documented use) edits, deletes and replaces files there; the build is a snapshot taken before.
Answered from it, the unhashed URL of an edited file kept the build's old bytes, and a file the
admin deleted stayed public (200, where Flask answered 404). A source file removed or modified
since the build is now the app's to answer, as before adoption; an untouched one is still the
build's (its ETag, compressed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template_string

from assetpipe import build, load_config
from assetpipe.flask import AssetPipe
from assetpipe.serve.freshness import SourceFreshness
from tests.conftest import write_tree
from tests.test_serve_support import asgi_server, request, wsgi_server


def _site(root: Path) -> None:
    write_tree(
        root,
        {
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['notes/**']}\n",
            "static/notes/a.txt": "first version\n",
            "static/notes/b.txt": "to be deleted\n",
            "static/notes/c.txt": "left alone\n",
        },
    )
    build(load_config(root / "pipeline.yaml"))


def _after_build(path: Path, root: Path) -> None:
    """Date ``path`` after the build's manifest, as an edit made while the app runs is."""
    built = os.stat(root / "dist" / "manifest.json").st_mtime
    os.utime(path, (built + 5, built + 5))


def _app(root: Path) -> Flask:
    app = Flask("live", root_path=str(root))
    AssetPipe(app)

    @app.get("/page/<name>")
    def page(name: str) -> str:  # a name computed at run time, as Flask-Admin's fields do
        return render_template_string("{{ url_for('static', filename='notes/' ~ n) }}", n=name)

    return app


def test_an_edited_or_deleted_source_is_served_as_the_app_serves_it(tmp_path: Path) -> None:
    _site(tmp_path)
    app = _app(tmp_path)
    with wsgi_server(app) as port:
        before = request(port, "/static/notes/a.txt")
        assert before.body == b"first version\n"
        assert request(port, "/static/notes/b.txt").status == 200
        (tmp_path / "static/notes/a.txt").write_text("edited by an admin\n")
        _after_build(tmp_path / "static/notes/a.txt", tmp_path)
        (tmp_path / "static/notes/b.txt").unlink()
        edited = request(port, "/static/notes/a.txt")
        assert edited.status == 200 and edited.body == b"edited by an admin\n"
        assert request(port, "/static/notes/b.txt").status == 404  # as plain Flask answers
        untouched = request(port, "/static/notes/c.txt", headers={"Accept-Encoding": "identity"})
        built_etag = app.extensions["assetpipe"].middleware.table.get("/static/notes/c.txt")
        assert untouched.body == b"left alone\n"
        assert untouched.headers["etag"] == built_etag.identity.etag  # still the build's


def test_url_for_names_an_edited_file_unhashed(tmp_path: Path) -> None:
    _site(tmp_path)
    app = _app(tmp_path)
    with wsgi_server(app) as port:
        hashed = request(port, "/page/a.txt").body.decode()
        assert hashed.startswith("/static/notes/a-") and request(port, hashed).status == 200
        (tmp_path / "static/notes/a.txt").write_text("edited by an admin\n")
        _after_build(tmp_path / "static/notes/a.txt", tmp_path)
        url = request(port, "/page/a.txt").body.decode()
        assert url == "/static/notes/a.txt"
        assert request(port, url).body == b"edited by an admin\n"
        assert request(port, "/page/c.txt").body.decode().startswith("/static/notes/c-")


def test_a_deployment_without_its_sources_is_answered_by_the_build(tmp_path: Path) -> None:
    """The build shipped without the source folder: nothing counts as deleted."""
    _site(tmp_path)
    fresh = SourceFreshness(tmp_path / "gone", tmp_path / "dist")
    assert not fresh.changed("notes/a.txt")
    fresh = SourceFreshness(tmp_path / "static", tmp_path / "dist")
    assert not fresh.changed("notes/a.txt")
    (tmp_path / "static/notes/b.txt").unlink()
    assert fresh.changed("notes/b.txt")


def test_the_asgi_middleware_leaves_a_changed_source_to_the_app(tmp_path: Path) -> None:
    """``source=`` with ``fallback``: a changed or deleted source goes on to the wrapped app (a
    Starlette-like app serving the folder as it is); an untouched one is the build's."""
    from assetpipe.serve import asgi

    _site(tmp_path)

    async def live(scope: Any, receive: Any, send: Any) -> None:
        path = tmp_path / "static" / scope["path"].removeprefix("/static/")
        found = path.is_file()
        body = path.read_bytes() if found else b"gone"
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"x-from", b"app")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    app = asgi.AssetMiddleware(live, tmp_path / "dist", source=tmp_path / "static", fallback=True)
    with asgi_server(app) as port:
        assert "x-from" not in request(port, "/static/notes/a.txt").headers
        (tmp_path / "static/notes/a.txt").write_text("edited\n")
        _after_build(tmp_path / "static/notes/a.txt", tmp_path)
        (tmp_path / "static/notes/b.txt").unlink()
        edited = request(port, "/static/notes/a.txt")
        assert edited.body == b"edited\n" and edited.headers["x-from"] == "app"
        assert request(port, "/static/notes/b.txt").status == 404
        assert "x-from" not in request(port, "/static/notes/c.txt").headers
