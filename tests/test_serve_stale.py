"""A server left running across builds never 404s a file the current build has (issue 11,
item 7), here at the file table's level with real builds: a miss that races the background
table swap asks the new table, for WSGI and ASGI lookups."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from assetpipe import build
from assetpipe.serve import build_table
from assetpipe.serve.files import FileTable
from assetpipe.serve.holder import TableHolder
from tests.test_serve_support import make_site


@pytest.mark.parametrize("autorefresh", [False, True])
def test_a_miss_racing_the_swap_asks_the_new_table(tmp_path: Path, autorefresh: bool) -> None:
    cfg = make_site(tmp_path)
    build(cfg)
    holder = TableHolder(tmp_path / "dist", "/static/", autorefresh)
    (tmp_path / "src/css/site.css").write_text("body { margin: 4px; }\n")
    build(cfg)
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text())
    url = "/static/" + manifest["css/site.css"]["file"]
    new_table: FileTable = build_table(tmp_path / "dist", "/static/")
    old_table = holder.table
    assert url not in old_table.wsgi_files

    def finished_meanwhile() -> None:
        # the background rebuild completed between the lookup and the check (returns None)
        holder.table = new_table

    holder.check = finished_meanwhile  # type: ignore[method-assign]
    assert holder.find(url) is new_table.wsgi_files[url]
    holder.table = old_table
    assert asyncio.run(holder.afind(url)) is new_table.files[url]
