"""``assetpipe init`` in a Trac environment, met adopting Trac 1.6.

``trac-admin env initenv`` writes ``env/VERSION`` ("Trac Environment Version 1"),
``env/conf/trac.ini``, ``env/htdocs/`` and ``env/templates/``: no ``static/`` folder and no
Flask app, so ``init``, run in the environment or beside it, said "no Flask app with a static
folder found" and sent a Trac user to look for ``Flask(__name__)``. It names the environment now
and the steps of docs/adopting.md's "A Trac environment" (``trac-admin ... deploy``, the
config's ``/chrome/``, ``href.chrome`` and Trac's ``templates.syntax``)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_tree

ENV: dict[str, str | bytes] = {
    "env/VERSION": "Trac Environment Version 1\n",
    "env/conf/trac.ini": "[trac]\nbase_url =\n",
    "env/htdocs/logo.png": b"\x89PNG\r\n\x1a\n",
    "env/templates/site_head.html": (
        '<link rel="stylesheet" href="${href.chrome(\'site/style.css\')}"/>\n'
    ),
    "env/README": "This directory contains a Trac environment.\n",
}


def test_init_names_a_trac_environment_and_its_steps(tmp_path: Path) -> None:
    write_tree(tmp_path, ENV)
    for where, shown in ((tmp_path, "env"), (tmp_path / "env", ".")):
        res = run_cli("init", cwd=where)
        assert res.code == 2, res.out + res.err
        assert f"{shown} is a Trac environment" in res.err, res.err
        assert f"trac-admin {shown} deploy deploy" in res.err
        assert "A Trac environment" in res.err and "Flask(__name__)" not in res.err
        assert not (where / "pipeline.yaml").exists()


def test_a_folder_without_trac_keeps_the_flask_hint(tmp_path: Path) -> None:
    write_tree(tmp_path, {"env/VERSION": "1.2.3\n", "env/conf/trac.ini": "", "app.txt": ""})
    res = run_cli("init", cwd=tmp_path)
    assert res.code == 2 and "no Flask app with a static folder found" in res.err
    assert "Flask(__name__)" in res.err
