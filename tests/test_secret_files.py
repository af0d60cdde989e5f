"""A static folder that holds a file named like a secret (Whoogle writes its session key,
its session files and a cache under ``static/config/``): ``init`` leaves that folder out of
``static.include`` when nothing names a file of it, and ``build`` warns when it publishes such
a file all the same (``secretfiles``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from assetpipe.secretfiles import left_out, secret_like
from tests.conftest import run_cli, write_tree

APP: dict[str, str | bytes] = {
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "templates/index.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/site.css') }}\">\n"
        "<img src=\"{{ url_for('static', filename='certs/badge.svg') }}\">\n"
    ),
    "static/css/site.css": "body { color: red; }\n",
    "static/img/icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    # written by the app at run time, as Whoogle's are: its key, a session, a cache
    "static/config/app.key": "s3cr3t-session-key\n",
    "static/config/session/2029240f6d1128be89ddc32729463129": "user data\n",
    "static/config/ua_cache.json": '{"ua": "x"}\n',
    # a folder a template names a file of: only the key goes
    "static/certs/badge.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    "static/certs/site.pem": "-----BEGIN PRIVATE KEY-----\n",
}


def test_init_leaves_out_a_folder_holding_a_secret_that_nothing_names(tmp_path: Path) -> None:
    """Whoogle's ``static.include`` listed ``config/**``: the build copied its session key
    to a public, immutable name. Now that folder is left out and a comment says why; the
    files a page names stay, and the build publishes no secret."""
    write_tree(tmp_path, APP)
    assert run_cli("init", cwd=tmp_path).code == 0
    text = (tmp_path / "pipeline.yaml").read_text()
    include = yaml.safe_load(text)["static"]["include"]
    assert include == ["certs/badge.svg", "img/**"], include
    assert "# Not copied: certs/site.pem, config/app.key and 2 other file(s)" in text, text
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    public = [p.name for p in (tmp_path / "dist/public").rglob("*") if p.is_file()]
    assert not [n for n in public if n.endswith((".key", ".pem", ".json")) or "20292" in n], public
    assert any(n.startswith("badge") for n in public), public


def test_build_warns_when_it_publishes_a_file_named_like_a_secret(tmp_path: Path) -> None:
    """A hand-written ``static.include: ["**"]`` still publishes it, with a warning that
    names the public URL; ``--strict`` fails on it."""
    write_tree(
        tmp_path,
        {
            "static/site.css": "p{}\n",
            "static/config/app.key": "s3cr3t\n",
            "pipeline.yaml": 'source: static\noutput: dist\nstatic:\n  include: ["**"]\n',
        },
    )
    built = run_cli("build", cwd=tmp_path)
    assert built.code == 0, built.err
    shown = built.out + built.err
    assert "static/config/app.key" in shown and "named like a secret (*.key)" in shown, shown
    assert run_cli("build", "--strict", cwd=tmp_path).code == 1


def test_secret_like_names() -> None:
    """Vite's ``server.fs.deny`` names, private keys and key stores; not look-alikes."""
    for key in ("a/.env", ".env.local", "x/site.PEM", "k/whoogle.key", "c.p12", "r/.git/HEAD"):
        assert secret_like(key) is not None, key
    for key in ("keyboard.js", "css/key.css", "env.js", "img/monkey.png", "keys/readme.txt"):
        assert secret_like(key) is None, key
    # a key at the top of the static folder goes alone; a named one stays
    assert left_out(["site.key", "site.css"], []) == {"site.key": "site.key"}
    assert left_out(["k/site.key", "k/a.css"], ["k/site.key"]) == {}
