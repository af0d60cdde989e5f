"""``scripts.log_override`` / ``styles.log_override``: esbuild's ``logOverride``, so that a
warning about vendored code the user does not own (MoinMoin's ``jquery.fileupload.js``:
``impossible-typeof``; pgAdmin's webpack ``style.css``: ``invalid-@charset``) no longer fails
``build --strict`` with nothing to clear it. Real esbuild, through both of its paths: the native
CLI (a plain script) and the Node service (a stylesheet whose ``url()`` names a processed image
needs the url() plugin)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import run_cli, write_tree

TYPEOF = 'export function isList(x) { return typeof x == "array"; }\nconsole.log(isList(1));\n'
CHARSET = 'a { color: red }\n@charset "utf-8";\n.b { background: url(../img/dot.png) }\n'


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _site(root: Path, scripts_extra: str = "", styles_extra: str = "") -> None:
    write_tree(
        root,
        {
            "static/js/vendor/upload.js": TYPEOF,
            "static/css/site.css": CHARSET,
            "static/img/dot.png": _png(),
            "pipeline.yaml": "source: static\noutput: dist\n"
            f"scripts:\n  entries: [js/vendor/upload.js]\n{scripts_extra}"
            f"styles:\n  entries: [css/site.css]\n{styles_extra}"
            'images:\n  include: ["img/*.png"]\n',
        },
    )


def _warnings(root: Path) -> list[str]:
    report = json.loads((root / "dist/report.json").read_text())
    return [w["message"] for w in report["warnings"]]


def test_a_warning_names_its_id_and_the_key_that_silences_it(tmp_path: Path) -> None:
    _site(tmp_path)
    done = run_cli("build", "--strict", cwd=tmp_path)
    assert done.code == 1, done.out + done.err
    assert (
        'The "typeof" operator will never evaluate to "array" [impossible-typeof]'
        " (scripts.log_override: {impossible-typeof: silent} silences it)"
    ) in done.err
    assert (
        '"@charset" must be the first rule in the file [invalid-@charset]'
        " (styles.log_override: {invalid-@charset: silent} silences it)"
    ) in done.err


def test_silent_lets_strict_pass_on_both_esbuild_paths(tmp_path: Path) -> None:
    _site(
        tmp_path,
        "  log_override: {impossible-typeof: silent}\n",
        "  log_override: {invalid-@charset: silent}\n",
    )
    done = run_cli("build", "--strict", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert _warnings(tmp_path) == []
    # the stylesheet went through the url() plugin: its url() names the built image
    css = next((tmp_path / "dist/public/css").glob("site-*.css")).read_text()
    assert "img/dot-8w-" in css, css


def test_error_fails_the_build_and_keeps_the_previous_output(tmp_path: Path) -> None:
    _site(tmp_path)
    assert run_cli("build", cwd=tmp_path).code == 0
    before = (tmp_path / "dist/manifest.json").read_bytes()
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(
        pipeline.read_text().replace(
            "styles:\n", "  log_override: {impossible-typeof: error}\nstyles:\n"
        )
    )
    done = run_cli("build", cwd=tmp_path)
    assert done.code != 0, done.out + done.err
    assert "static/js/vendor/upload.js:1:" in done.err and "typeof" in done.err
    assert (tmp_path / "dist/manifest.json").read_bytes() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"bad id": silent}', "styles.log_override.bad id: expected an esbuild message id"),
        ("{invalid-@charset: loud}", "styles.log_override.invalid-@charset: expected one of"),
    ],
)
def test_a_bad_override_names_file_line_and_key(tmp_path: Path, value: str, message: str) -> None:
    _site(tmp_path, styles_extra=f"  log_override: {value}\n")
    done = run_cli("build", cwd=tmp_path)
    assert done.code == 2, done.out + done.err
    assert "pipeline.yaml:7:" in done.err and message in done.err, done.err
