"""A Plotly Dash app adopted with ``AssetPipe(app)`` on the Dash app (``assetpipe.dashapp``).

Dash writes its page from ``index_string`` (no Jinja template for the build to rewrite) and links
every file of ``assets/`` itself, ``/assets/style.css?m=<mtime>``: adopted on ``app.server``
alone, those links stayed the unhashed, ``no-cache`` names and a warm visit revalidated each.
Given the Dash app, its ``get_asset_url`` names the build's hashed files, served ``immutable``
with Dash's ``?m=`` kept; its callbacks and JSON endpoints answer as before."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.flask import AssetPipe
from tests.conftest import write_tree

dash = pytest.importorskip("dash", reason="pip install -e '.[test]' (Dash is a test extra)")

pytestmark = pytest.mark.node

CSS = ".hero { background: url(img/dot.svg); color: #123456; }\n" * 8
JS = "window.cafe = function () { return 1; };\n" * 8
DOT = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n'


def _app(root: Path, *, adopt: Any) -> Any:
    """A Dash app over ``root/app/assets`` (built first, ``static.include: ["**"]``) with one
    callback; ``adopt`` is what the two lines are given (the Dash app or its server)."""
    write_tree(
        root,
        {
            "pipeline.yaml": "source: app/assets\noutput: dist\npublic_path: /assets/\n"
            'static: {include: ["**"]}\n',
            "app/assets/style.css": CSS,
            "app/assets/app.js": JS,
            "app/assets/img/dot.svg": DOT,
        },
    )
    build(root / "pipeline.yaml")
    from dash import Input, Output, html
    from flask import Flask

    server = Flask("app", root_path=str(root / "app"))
    app = dash.Dash("app", server=server, assets_folder=str(root / "app/assets"))
    AssetPipe(adopt(app))
    app.layout = html.Div(
        [
            html.Button("go", id="go"),
            html.Span(id="out"),
            html.Img(src=app.get_asset_url("img/dot.svg")),
        ]
    )

    def clicked(n: int | None) -> str:
        return f"clicked {n}"

    app.callback(Output("out", "children"), Input("go", "n_clicks"))(clicked)

    (root / "app/assets/late.css").write_text("p { color: red; }\n")  # after the build
    return app


def _links(body: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', body)


def test_dash_links_the_built_files_served_immutable(tmp_path: Path) -> None:
    app = _app(tmp_path, adopt=lambda a: a)
    client = app.server.test_client()
    links = _links(client.get("/").get_data(as_text=True))
    css = next(u for u in links if "/style" in u)
    js = next(u for u in links if "/app" in u)
    assert re.fullmatch(r"/assets/style-[A-Z0-9]{8}\.css\?m=[\d.]+", css), links
    assert re.fullmatch(r"/assets/app-[A-Z0-9]{8}\.js\?m=[\d.]+", js), links
    # a file the build lacks keeps Dash's URL, answered by Dash's own assets route
    late = next(u for u in links if "/late" in u)
    assert late.startswith("/assets/late.css?m="), links
    with client.get(late) as r:
        assert r.get_data(as_text=True) == "p { color: red; }\n"
    for url in (css, js):
        r = client.get(url, headers={"Accept-Encoding": "br"})
        assert r.status_code == 200
        assert "immutable" in r.headers["Cache-Control"], (url, r.headers)
        assert r.headers.get("Content-Encoding") == "br"
    # the built stylesheet names its image by its hashed name; the layout's URL (made after
    # the two lines) is the hashed file too
    body = client.get(css.split("?")[0]).get_data(as_text=True)
    assert re.search(r"url\(img/dot-[A-Z0-9]{8}\.svg\)", body), body
    layout = client.get("/_dash-layout").get_json()
    src = layout["props"]["children"][2]["props"]["src"]
    assert re.fullmatch(r"/assets/img/dot-[A-Z0-9]{8}\.svg", src), src
    # the source names still answer (bookmarks, URLs built before the two lines), no-cache
    with client.get("/assets/style.css") as r:
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"


def test_dash_callbacks_answer_as_before(tmp_path: Path) -> None:
    app = _app(tmp_path, adopt=lambda a: a)
    client = app.server.test_client()
    client.get("/")
    assert _callback(client, ("out", "children"), ("go", "n_clicks"), 2) == "clicked 2"
    assert client.get("/_dash-dependencies").status_code == 200


def test_on_the_server_alone_the_links_stay_as_dash_writes_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``AssetPipe(app.server)`` serves the build (compressed) but cannot reach Dash's links:
    it says to give the Dash app."""
    with caplog.at_level("WARNING", logger="assetpipe"):
        app = _app(tmp_path, adopt=lambda a: a.server)
    assert "is a Dash app's server" in caplog.text and "AssetPipe(app)" in caplog.text
    links = _links(app.server.test_client().get("/").get_data(as_text=True))
    assert any(u.startswith("/assets/style.css?m=") for u in links), links


def test_a_file_edited_since_the_build_is_dash_s_to_link_and_answer(tmp_path: Path) -> None:
    """Under Dash's own ``app.run(debug=True)`` without ``assetpipe watch``, an edit to
    ``assets/style.css`` never showed: Dash's link (and its hot reload's) named the build's
    stale hashed file, and the unhashed URL answered the build's copy too."""
    app = _app(tmp_path, adopt=lambda a: a)
    css = tmp_path / "app/assets/style.css"
    css.write_text(".hero { color: #654321; }\n")
    later = (tmp_path / "dist/manifest.json").stat().st_mtime + 5
    os.utime(css, (later, later))
    client = app.server.test_client()
    # served in production (not debug), the build answers: a file touched by a deploy that
    # left its content (a checkout, a copy) would otherwise lose its hashed name for good
    built = _links(client.get("/").get_data(as_text=True))
    assert any(re.fullmatch(r"/assets/style-[A-Z0-9]{8}\.css\?m=[\d.]+", u) for u in built), built
    app.server.debug = True  # what Dash's app.run(debug=True) sets
    links = _links(client.get("/").get_data(as_text=True))
    assert any(u.startswith("/assets/style.css?m=") for u in links), links
    with client.get("/assets/style.css") as r:
        assert r.get_data(as_text=True) == ".hero { color: #654321; }\n"
    # the files not edited keep their hashed names
    assert any(re.fullmatch(r"/assets/app-[A-Z0-9]{8}\.js\?m=[\d.]+", u) for u in links), links


def test_a_flask_app_embedding_dash_with_its_own_build_is_not_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``AssetPipe(app)`` on a Flask app whose build is its own ``static/`` and that embeds a
    Dash dashboard is no mistake: no warning about Dash's server."""
    from flask import Flask

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": 'source: app/static\noutput: dist\nstatic: {include: ["**"]}\n',
            "app/static/site.css": "body { margin: 0; }\n" * 40,
        },
    )
    build(tmp_path / "pipeline.yaml")
    server = Flask("app", root_path=str(tmp_path / "app"))
    dash.Dash("app", server=server, url_base_pathname="/dash/")
    with caplog.at_level("WARNING", logger="assetpipe"):
        AssetPipe(server)
    assert "Dash app's server" not in caplog.text


PAGE = """\
import dash
from dash import html

dash.register_page(__name__, path="/")

# made at import, while Dash(...) makes the app: before the two lines
layout = html.Div(
    [
        html.Img(src=dash.get_asset_url("img/dot.svg"), id="photo"),
        html.Span("/assets/img/dot.svg", id="text"),
        html.Button("open", id="open"),
        html.Img(id="big"),
    ]
)
"""


def test_urls_dash_get_asset_url_makes_in_pages_and_callbacks_are_hashed(tmp_path: Path) -> None:
    """A page module of ``use_pages=True`` names its photo with ``dash.get_asset_url`` when
    Dash imports it, inside ``Dash(...)``, before the two lines; a callback names another at
    run time with the same function, which reads Dash's module config, not the app's wrapped
    method. Both stayed the unhashed ``/assets/img/dot.svg``, revalidated on every visit."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/assets\noutput: dist\npublic_path: /assets/\n"
            'static: {include: ["**"]}\n',
            "app/assets/img/dot.svg": DOT,
            "app/pages/home.py": PAGE,
        },
    )
    build(tmp_path / "pipeline.yaml")
    from dash import Input, Output
    from flask import Flask

    server = Flask("app", root_path=str(tmp_path / "app"))
    app = dash.Dash(
        "app",
        server=server,
        use_pages=True,
        pages_folder=str(tmp_path / "app/pages"),
        assets_folder=str(tmp_path / "app/assets"),
    )
    AssetPipe(app)
    hashed = r"/assets/img/dot-[A-Z0-9]{8}\.svg"
    page = next(p for p in dash.page_registry.values() if p["path"] == "/")
    photo, text = page["layout"].children[:2]
    assert re.fullmatch(hashed, photo.src), photo.src
    assert text.children == "/assets/img/dot.svg"  # text, not a URL: left as written

    def opened(n: int | None) -> str:
        return str(dash.get_asset_url("img/dot.svg"))

    app.callback(Output("big", "src"), Input("open", "n_clicks"))(opened)
    client = server.test_client()
    client.get("/")
    src = _callback(client, ("big", "src"), ("open", "n_clicks"), 1)
    assert re.fullmatch(hashed, src), src
    with client.get(src) as served:
        assert "immutable" in served.headers["Cache-Control"]


def test_a_dash_app_made_without_a_server_is_adopted_on_the_one_it_is_given(
    tmp_path: Path,
) -> None:
    """``Dash(__name__, server=False)``, the two lines after it (where ``init`` says), then
    ``dash_app.init_app(server)`` in the Flask app's factory: ``AssetPipe`` installed on the
    stand-in server Dash 4 holds until then, Dash's links named the hashed files anyway, and
    the real server answered them 404 (a page without its stylesheet)."""
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/assets\noutput: dist\npublic_path: /dash/assets/\n"
            'static: {include: ["**"]}\n',
            "app/assets/style.css": CSS,
            "app/assets/img/dot.svg": DOT,
        },
    )
    build(tmp_path / "pipeline.yaml")
    from flask import Flask

    app = dash.Dash(
        "app",
        server=False,
        url_base_pathname="/dash/",
        assets_folder=str(tmp_path / "app/assets"),
    )
    AssetPipe(app)
    app.layout = dash.html.Img(src=app.get_asset_url("img/dot.svg"))
    server = Flask("app", root_path=str(tmp_path / "app"))
    app.init_app(server)
    client = server.test_client()
    links = re.findall(r'href="(/dash/assets/[^"?]+)', client.get("/dash/").get_data(as_text=True))
    assert any(re.fullmatch(r"/dash/assets/style-[A-Z0-9]{8}\.css", u) for u in links), links
    src = client.get("/dash/_dash-layout").get_json()["props"]["src"]
    for url in (*links, src):
        with client.get(url) as r:
            assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"], url


def test_a_dash_app_on_its_fastapi_backend(tmp_path: Path) -> None:
    """``Dash(__name__, backend="fastapi")`` (Dash 4): ``app.server`` is a FastAPI app, and the
    two lines ``init`` prints failed on import (``'dict' object has no attribute
    'root_path'``, Dash's config taken for Flask's). The server now gets
    ``assetpipe.starlette.AssetPipe``, and Dash's links name the built files, ``immutable``."""
    pytest.importorskip("fastapi", reason="Dash's FastAPI backend needs fastapi")
    from starlette.testclient import TestClient

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/assets\noutput: dist\npublic_path: /assets/\n"
            'static: {include: ["**"]}\n',
            "app/assets/style.css": CSS,
            "app/assets/img/dot.svg": DOT,
        },
    )
    build(tmp_path / "pipeline.yaml")
    app = dash.Dash("app", backend="fastapi", assets_folder=str(tmp_path / "app/assets"))
    AssetPipe(app)
    app.layout = dash.html.Img(src=app.get_asset_url("img/dot.svg"))
    with TestClient(app.server) as client:
        body = client.get("/").text
        css = re.search(r'href="(/assets/style-[A-Z0-9]{8}\.css)\?m=', body)
        assert css is not None, body
        src = client.get("/_dash-layout").json()["props"]["src"]
        assert re.fullmatch(r"/assets/img/dot-[A-Z0-9]{8}\.svg", src), src
        for url in (css.group(1), src):
            r = client.get(url, headers={"Accept-Encoding": "br"})
            assert r.status_code == 200 and "immutable" in r.headers["cache-control"], url
        assert client.get("/assets/style.css").status_code == 200  # the source name still


def test_a_dash_app_on_its_quart_backend(tmp_path: Path) -> None:
    """A Dash 4 app on Quart (``backend="quart"``, or a Quart server): the lines failed on import;
    the Quart server takes them as a Quart app does (``assetpipe.flask`` serves Quart)."""
    pytest.importorskip("quart", reason="Dash's Quart backend needs quart")
    import asyncio

    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: app/assets\noutput: dist\npublic_path: /assets/\n"
            'static: {include: ["**"]}\n',
            "app/assets/style.css": CSS,
        },
    )
    build(tmp_path / "pipeline.yaml")
    from quart import Quart

    server = Quart("app", root_path=str(tmp_path / "app"))
    app = dash.Dash("app", server=server, assets_folder=str(tmp_path / "app/assets"))
    AssetPipe(app)
    app.layout = dash.html.Div("hi")

    async def fetch(url: str) -> tuple[int, str, str]:
        r = await app.server.test_client().get(url)
        return r.status_code, (await r.get_data()).decode(), r.headers.get("Cache-Control", "")

    body = asyncio.run(fetch("/"))[1]
    css = re.search(r'href="(/assets/style-[A-Z0-9]{8}\.css)\?m=', body)
    assert css is not None, body
    status, _, control = asyncio.run(fetch(css.group(1)))
    assert status == 200 and "immutable" in control


def _callback(client: Any, output: tuple[str, str], trigger: tuple[str, str], value: Any) -> Any:
    """POST one callback as Dash's front end does (``trigger`` set to ``value``); the new value
    of ``output`` (component id, property) it answers."""
    (oid, oprop), (tid, tprop) = output, trigger
    body = {
        "output": f"{oid}.{oprop}",
        "outputs": {"id": oid, "property": oprop},
        "inputs": [{"id": tid, "property": tprop, "value": value}],
        "changedPropIds": [f"{tid}.{tprop}"],
        "state": [],
    }
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["response"][oid][oprop]
