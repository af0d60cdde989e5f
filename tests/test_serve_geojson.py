"""A ``.geojson`` file is served as ``application/geo+json``, as Flask's static route sends it
where the system's ``mime.types`` knows it: Superset's webpack build ships 201 of them (its
country maps); after adoption they came as ``application/octet-stream`` (the middleware's
table ignores the system's file, and Python's own lacks the type)."""

from __future__ import annotations

from pathlib import Path

from assetpipe import build, load_config
from assetpipe.serve.wsgi import AssetMiddleware
from tests.conftest import write_tree
from tests.test_serve_support import request, wsgi_server


def test_geojson_keeps_its_media_type(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pipeline.yaml": "source: static\noutput: dist\nstatic: {include: ['maps/**']}\n",
            "static/maps/france.geojson": '{"type": "FeatureCollection", "features": []}\n',
        },
    )
    build(load_config(tmp_path / "pipeline.yaml"))
    with wsgi_server(AssetMiddleware(None, tmp_path / "dist")) as port:
        r = request(port, "/static/maps/france.geojson")
    assert r.status == 200 and b"FeatureCollection" in r.body
    assert r.headers["content-type"].startswith("application/geo+json")
