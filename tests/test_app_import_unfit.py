"""``watch --app`` / ``audit --app`` on a module that monkey-patches or starts a server when
imported, met adopting pywb 2.10: its WSGI module (and the one a user writes after it, to
wrap the app in ``AssetMiddleware`` for gunicorn) begins with ``from gevent.monkey import
patch_all; patch_all()``. ``assetpipe watch --app wsgi:application`` imported it into its
own process, where the dev server's thread was already running, and stopped with a
traceback from deep inside the import system (``RuntimeError: cannot release un-acquired
lock``); a module that starts its server on import (``make_server(...).serve_forever()``)
never returned, and the command hung. ``--app`` now reads such a module first and stops with
its file, line and call, and what to name instead. A module that only imports pywb's
``FrontEndApp`` is patched all the same (``pywb/apps/frontendapp.py`` begins with
``patch_all()``): the import failed on the import lock, and stopping the dev server raised
gevent's ``LoopExit`` over it; ``--app`` now says the process was monkey-patched, and to run
the app with its own server beside ``watch --no-serve``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

SITE: dict[str, str | bytes] = {
    "pipeline.yaml": "source: static\nstyles:\n  entries: [app.css]\n",
    "static/app.css": "body { color: #123; }\n",
    "templates/index.html": '<link rel="stylesheet" href="/static/app.css"><p>hi</p>\n',
    "devserver.py": """\
        from wsgiref.simple_server import make_server


        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<p>hi</p>"]


        make_server("127.0.0.1", 0, application).serve_forever()
        """,
}


def test_audit_app_names_a_module_that_serves_on_import(tmp_path: Path) -> None:
    write_tree(tmp_path, SITE)
    assert run_cli("build", cwd=tmp_path).code == 0
    done = run_cli(
        "audit", "--app", "devserver:application", "--page", "/", cwd=tmp_path, timeout=30
    )
    assert done.code == 2, done.out + done.err
    assert "devserver.py:9" in done.err and "serve_forever()" in done.err, done.err
    assert "Traceback" not in done.err


def test_watch_app_names_a_module_that_serves_on_import(tmp_path: Path) -> None:
    write_tree(tmp_path, SITE)
    done = run_cli(
        "watch", "--app", "devserver:application", "--port", "0", cwd=tmp_path, timeout=30
    )
    assert done.code == 2, done.out + done.err
    assert "devserver.py:9" in done.err and "serve_forever()" in done.err, done.err


#: pywb's shape: the module named imports one that patches on import
PATCHED: dict[str, str | bytes] = {
    "replayer.py": "from gevent.monkey import patch_all; patch_all()\n",
    "devapp.py": """\
        import replayer  # noqa: F401


        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<p>hi</p>"]
        """,
}


@pytest.mark.parametrize("command", ["watch", "audit"])
def test_app_says_an_import_monkey_patched_the_process(tmp_path: Path, command: str) -> None:
    pytest.importorskip("gevent")
    write_tree(tmp_path, {**SITE, **PATCHED})
    assert run_cli("build", cwd=tmp_path).code == 0
    more = ("--port", "0") if command == "watch" else ("--page", "/")
    done = run_cli(command, "--app", "devapp:application", *more, cwd=tmp_path, timeout=60)
    assert done.code == 2, done.out + done.err
    assert "importing 'devapp' monkey-patched this process (gevent" in done.err, done.err
    assert "--no-serve" in done.err and "Traceback" not in done.err, done.err
