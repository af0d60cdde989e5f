"""``init``'s ``audit: app:`` hint for a factory that needs arguments, when the module that
calls it is no place to import the app from (Nyaa: ``create_app(config)``, called as
``app = create_app('config')`` by ``WSGI.py``, which first runs ``gevent.monkey.patch_all()``,
and by ``run.py``, which then starts Flask's server). ``init`` wrote ``WSGI:app``, and
``assetpipe audit`` stopped with Playwright's "using Playwright Sync API inside the asyncio
loop" (gevent's patching, in the audit's process); ``run:app`` would never have returned. The
hint is now the factory called with the entry's literal arguments, ``nyaa:create_app('config')``,
as gunicorn and ``flask --app`` take it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assetpipe.adopt import init
from tests.conftest import write_tree

NYAA_LIKE: dict[str, str | bytes] = {
    "WSGI.py": """\
        import gevent.monkey
        gevent.monkey.patch_all()

        from shop import create_app

        app = create_app('config')

        if __name__ == '__main__':
            import gevent.pywsgi
            gevent.pywsgi.WSGIServer(("localhost", 5000), app.wsgi_app).serve_forever()
        """,
    "run.py": "from shop import create_app\n\napp = create_app('config')\napp.run(port=5500)\n",
    "config.py": "SECRET_KEY = 'x'\n",
    "shop/__init__.py": """\
        import flask


        def create_app(config):
            app = flask.Flask(__name__)
            app.config.from_object(config)
            return app
        """,
    "shop/static/css/a.css": "p { color: red }\n",
    "shop/templates/index.html": (
        "<link rel=stylesheet href=\"{{ url_for('static', filename='css/a.css') }}\">"
    ),
}


def _forget() -> None:
    """Drop the modules this test imports: other tests import a ``shop`` and a ``config`` of
    their own in the same worker."""
    for name in [m for m in sys.modules if m in ("WSGI", "run", "config", "shop")]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    write_tree(tmp_path, NYAA_LIKE)
    _forget()
    yield tmp_path
    _forget()
    while str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def test_the_hint_calls_the_factory_rather_than_import_a_patching_module(project: Path) -> None:
    from assetpipe.serve.userapp import import_app

    assert "#   app: \"shop:create_app('config')\"" in init(project).text
    app = import_app("shop:create_app('config')", project)
    assert app.name == "shop" and app.config["SECRET_KEY"] == "x"
    # what the hint named before: importing it patches the process; --app now refuses it
    # unimported, naming the call (test_app_import_unfit)
    assert "gevent" not in sys.modules
    with pytest.raises(BaseException, match=r"WSGI\.py:\d+ calls patch_all\(\)"):
        import_app("WSGI:app", project)
    assert "gevent" not in sys.modules


def test_a_module_that_only_calls_the_factory_is_still_named(tmp_path: Path) -> None:
    """Soft UI Dashboard's ``run.py`` (``app = create_app(Config)``, its server under ``if
    __name__ == "__main__"``) stays ``run:app``: nothing but the app is made on import. One
    that starts its server on import with a computed argument gets no hint (the audit renders
    the templates itself): importing it never returned."""
    from assetpipe.adopt.appspec import entry_call, unfit

    guarded = "app = create_app(Config)\nif __name__ == '__main__':\n    app.run()\n"
    write_tree(tmp_path, {"run.py": guarded})
    assert not unfit(tmp_path / "run.py")
    write_tree(tmp_path, {"run.py": "app = mk.create_app('c', debug=False)\napp.run()\n"})
    assert unfit(tmp_path / "run.py")
    assert entry_call(tmp_path / "run.py", "app", "create_app") == "create_app('c', debug=False)"

    run = "from shop import create_app\napp = create_app(load())\n"
    project = {**NYAA_LIKE, "run.py": run}
    del project["WSGI.py"]
    write_tree(tmp_path / "p", project)
    assert '#   app: "run:app"' in init(tmp_path / "p").text
    write_tree(tmp_path / "p", {"run.py": run + "app.run()\n"})
    assert "#   app:" not in init(tmp_path / "p", force=True).text
