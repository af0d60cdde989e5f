"""``assetpipe watch`` in a real Chromium: a saved stylesheet of the static folder is swapped in
place, as a ``styles`` entry is, when the page links it; the page reloads when another static
stylesheet imports it. flask-base's stylesheets are its Flask-Assets bundles' outputs, static
files linked as ``/static/styles/app.css?fdfc7b77``: every CSS save reloaded the page (an open
CKEditor lost)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetpipe.dev.watch import Watcher
from assetpipe.manifest import Manifest
from tests.conftest import write_tree
from tests.test_watch import CONFIG, SITE, Recorder, edit

pytestmark = [pytest.mark.node, pytest.mark.chromium]

PAGE = (
    "<!doctype html>\n<html><head><title>skin</title>\n"
    '<link rel="stylesheet" href="/static/vendor/skin.css?96d8608e">\n'
    '<link rel="stylesheet" href="/static/vendor/theme.css">\n'
    '<link rel="stylesheet" href="/static/vendor/kept.css">\n</head>\n'
    '<body><p id="p">hello</p><h1>title</h1><h2>kept</h2>\n'
    '<script type="module" src="/static/js/app.js"></script>\n</body></html>\n'
)


@contextlib.contextmanager
def _watching(root: Path, browser: Any, page_html: str) -> Iterator[tuple[Watcher, Path, Any]]:
    """A watcher of a site whose page is ``page_html``, and that page open in Chromium with its
    live-reload client connected and a marker set (gone if the page reloads)."""
    write_tree(
        root,
        {
            **SITE,
            "pipeline.yaml": CONFIG.replace(
                'include: ["icons/**"]',
                'include: ["icons/**", "vendor/**"]\n  keep_names: ["vendor/kept.css"]',
            ),
            "site/templates/index.html": page_html,
            "site/vendor/skin.css": "p { color: rgb(1, 2, 3); }\n",
            "site/vendor/theme.css": '@import "base.css";\n',
            "site/vendor/base.css": "h1 { color: rgb(1, 2, 3); }\n",
            "site/vendor/kept.css": "h2 { color: rgb(1, 2, 3); }\n",
        },
    )
    w = Watcher(root / "pipeline.yaml", port=0, on_line=Recorder().line)
    w.start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(w.url + "/")
        page.wait_for_function("document.body.dataset.js === 'ran'")
        assert w.broker.wait_for_clients(1)
        page.evaluate("window.__marker = 42")
        yield w, root, page
    finally:
        context.close()
        w.close()


@pytest.fixture
def session(tmp_path: Path, browser: Any) -> Iterator[tuple[Watcher, Path, Any]]:
    with _watching(tmp_path, browser, PAGE) as got:
        yield got


#: (file, its new text (one colour), the element it colours: a JS expression)
_SKIN = ("site/vendor/skin.css", "p { color: rgb(200, 0, 0); }\n", "document.getElementById('p')")
_KEPT = ("site/vendor/kept.css", "h2 { color: rgb(0, 200, 0); }\n", "document.querySelector('h2')")
_BASE = ("site/vendor/base.css", "h1 { color: rgb(0, 0, 200); }\n", "document.querySelector('h1')")


def _save_and_see(page: Any, root: Path, rel: str, css: str, element: str) -> None:
    """Save ``css`` to ``root / rel`` and wait until the page's ``element`` has its colour."""
    edit(root / rel, css)
    colour = css.split("color: ")[1].split(";")[0]
    page.wait_for_function(
        f"getComputedStyle({element}).color === '{colour}'",
        timeout=30_000,
    )


def test_a_linked_static_stylesheet_is_swapped_without_a_reload(session: Any) -> None:
    _w, root, page = session
    _save_and_see(page, root, *_SKIN)
    assert page.evaluate("window.__marker") == 42  # the same document: no reload
    entry = Manifest.read(root / "dist/manifest.json")["vendor/skin.css"]
    hrefs = page.eval_on_selector_all('link[rel="stylesheet"]', "ls => ls.map(l => l.href)")
    assert hrefs[0].endswith(f"/static/{entry['file']}")


def test_a_static_stylesheet_another_imports_reloads_the_page(session: Any) -> None:
    _w, root, page = session
    _save_and_see(page, root, *_BASE)
    assert page.evaluate("window.__marker") is None  # reloaded: no <link> names base.css


def test_a_stylesheet_linked_by_its_unhashed_url_is_swapped_too(
    tmp_path: Path, browser: Any
) -> None:
    """Whoogle links its stylesheets through a template function of its own
    (``{{ cb_url('main.css') }}``), which the build cannot rewrite: the page keeps the unhashed
    URL, which the ``css`` event's hashed ``old`` never matched, so a save showed nothing until a
    manual reload. The event names the unhashed URL too (``source``)."""
    page_html = PAGE.replace(
        '<link rel="stylesheet" href="/static/vendor/skin.css?96d8608e">',
        """<link rel="stylesheet" href="{{ '/static/vendor/' ~ 'skin.css' }}">""",
    )
    with _watching(tmp_path, browser, page_html) as (_w, root, page):
        assert page.eval_on_selector("link", "l => l.getAttribute('href')") == (
            "/static/vendor/skin.css"
        )
        _save_and_see(page, root, *_SKIN)
        assert page.evaluate("window.__marker") == 42  # swapped, not reloaded


def test_a_stylesheet_that_keeps_its_name_is_swapped_too(session: Any) -> None:
    """A kept name (``keep_names``; a bundler's file, Airflow's ``flash.65805954dad3c27a3986.css``)
    is the same URL after a save: the swap names the new bytes by a query, twice in a row."""
    _w, root, page = session
    _save_and_see(page, root, *_KEPT)
    _save_and_see(page, root, _KEPT[0], "h2 { color: rgb(0, 0, 250); }\n", _KEPT[2])
    assert page.evaluate("window.__marker") == 42  # the same document: no reload
    hrefs = page.eval_on_selector_all('link[rel="stylesheet"]', "ls => ls.map(l => l.href)")
    assert [h for h in hrefs if "/static/vendor/kept.css?v=" in h], hrefs
