"""SecureDrop's journalist app names its folders by settings read at run time::

    app = Flask(
        __name__,
        template_folder=str(config.JOURNALIST_TEMPLATES_DIR.absolute()),
        static_folder=config.STATIC_DIR.absolute(),
    )

``init`` cut the call's arguments at the first ``)``, never saw ``static_folder``, gave the app
an empty ``journalist_app/static`` of its own and built nothing: "0 template(s)", every file
left unhashed. Now the project's ``static/`` is the source and ``journalist_templates/``, the
folder the setting's name spells, its templates. Real ``init`` and ``build --strict``."""

from __future__ import annotations

from pathlib import Path

from assetpipe.config import load_config
from tests.conftest import run_cli, write_tree

FILES: dict[str, str | bytes] = {
    "sdconfig.py": (
        "from pathlib import Path\n\nROOT = Path(__file__).parent\n\n\nclass Config:\n"
        "    STATIC_DIR = ROOT / 'static'\n"
        "    JOURNALIST_TEMPLATES_DIR = ROOT / 'journalist_templates'\n"
    ),
    "journalist_app/__init__.py": """\
        from flask import Flask, render_template


        def create_app(config):
            app = Flask(
                __name__,
                template_folder=str(config.JOURNALIST_TEMPLATES_DIR.absolute()),
                static_folder=config.STATIC_DIR.absolute(),
            )
            app.add_url_rule("/", "index", lambda: render_template("index.html"))
            return app
        """,
    "journalist.py": "from journalist_app import create_app\nfrom sdconfig import Config\n\n"
    "app = create_app(Config)\n",
    "static/css/sd.css": "body { color: #123456; }\n",
    "journalist_templates/index.html": (
        "<link rel=\"stylesheet\" href=\"{{ url_for('static', filename='css/sd.css') }}\">\n"
    ),
}


def test_folders_named_by_run_time_settings_are_found(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    done = run_cli("init", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert not (tmp_path / "journalist_app/static").exists()
    cfg = load_config(tmp_path / "pipeline.yaml")
    assert cfg.source == tmp_path / "static"
    assert [Path(d).name for d in cfg.templates.dirs] == ["journalist_templates"]
    built = run_cli("build", "--strict", cwd=tmp_path)
    assert built.code == 0, built.err
    page = (tmp_path / "dist/templates/index.html").read_text()
    assert "filename='css/sd-" in page, page
