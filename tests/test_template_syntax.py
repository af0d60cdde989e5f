"""Templates written with other Jinja2 delimiters (``templates.syntax``), met adopting Trac 1.6.

Trac renders its templates and an environment's own (``site_head.html``, ``site_header.html``,
``site_footer.html`` in ``templates/``) with ``${expr}`` for ``{{ expr }}``, ``# if x:`` lines
for ``{% if x %}`` and ``##`` line comments (``trac.util.text.jinja2env``); its sample
``site_head.html`` links the site's stylesheet as ``${href.chrome('site/style.css')}``.

Before the fix the build read such a template with the standard delimiters: every ``${...}``
was text, so ``href="${href.chrome('site/style.css')}"`` was reported as a relative URL and
left unhashed (``templates.static_functions`` listed ``href.chrome`` in vain), ``build
--strict`` passed, an image drawn in a ``# for`` loop was taken for the page's first image
outside any loop, ``<img ${attrs|htmlattr}>`` was read as a tag with a literal attribute
set, and a script loaded by a classic ``<script src="${...}">`` was built as a module. Now ``templates.syntax`` names the app's delimiters; the template is read in standard ones
and the edits are put back into it: the output is the template as written but for the
attributes and file names the build owns, and it renders with Trac's settings.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
from PIL import Image

from assetpipe.config import load_config
from assetpipe.rewrite.rules import Options, rewrite
from assetpipe.rewrite.syntax import Syntax, standard
from assetpipe.serve.pages import make_environment
from tests.conftest import run_cli, write_tree

#: Trac's ``jinja2env`` lexer settings
TRAC = {
    "variable_start_string": "${",
    "variable_end_string": "}",
    "line_statement_prefix": "#",
    "line_comment_prefix": "##",
}
PAGE = """\
{# The site's page, in Trac's syntax. #}
## a line comment naming <img src="${href.chrome('site/banner.jpg')}"> is no tag
<!DOCTYPE html>
<html><head>
<link rel="stylesheet" type="text/css" href="${href.chrome('site/style.css')}"/>
# if wiki:
<link rel="stylesheet" href="${href.chrome('site/print.css')}" media="print"/>
# endif
</head><body>
<p>Ticket <em>{${ticket}}</em> ${ {'a': 'b'}['a'] }</p>
# for photo in photos:
<img src="${photo}" alt="photo">
# endfor
<img ${attrs|xmlattr} alt="attrs">
<img src="${href.chrome('site/banner.jpg')}" alt="banner"> ## the banner
<script src="${href.chrome('site/site.js')}"></script>
</body></html>
"""


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 80, 40)).save(buf, "JPEG")
    return buf.getvalue()


def _project(root: Path, syntax: bool) -> None:
    lines = "".join(f'    {k}: "{v}"\n' for k, v in TRAC.items()) if syntax else ""
    write_tree(
        root,
        {
            "pipeline.yaml": "source: htdocs\npublic_path: /chrome/\ntemplates:\n"
            "  dirs: [site-templates]\n  static_functions: [href.chrome]\n"
            + ("  syntax:\n" + lines if syntax else "")
            + "scripts:\n  entries: [site/site.js]\n"
            + 'static:\n  include: ["site/*.css", "site/*.jpg"]\n',
            "htdocs/site/style.css": "body { color: #223; }\n",
            "htdocs/site/print.css": "body { color: black; }\n",
            "htdocs/site/site.js": "var siteReady = true;\n",
            "htdocs/site/banner.jpg": _jpeg(),
            "site-templates/pages/index.html": PAGE,
        },
    )


def _trac_env(root: Path) -> jinja2.Environment:
    """A Jinja environment with Trac's settings over the build's templates."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / "dist" / "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        **TRAC,  # type: ignore[arg-type]
    )


class _Href:
    @staticmethod
    def chrome(path: str) -> str:
        return "/chrome/" + path


def test_a_trac_template_is_rewritten_byte_for_byte_and_renders(tmp_path: Path) -> None:
    _project(tmp_path, syntax=True)
    done = run_cli("build", "--strict", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    out = (tmp_path / "dist/templates/pages/index.html").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "dist/manifest.json").read_text(encoding="utf-8"))
    names = {k: v["file"] for k, v in manifest.items()}
    for key in ("site/style.css", "site/print.css", "site/site.js", "site/banner.jpg"):
        assert f"href.chrome('{names[key]}')" in out, key
    # the template as written, but for the file names and the attributes the build owns
    back = out
    for key, file in names.items():
        back = back.replace(f"'{file}'", f"'{key}'")
    back = re.sub(r" \{% if loop is not defined or not loop\.first %\}[^{]*\{% endif %\}", "", back)
    back = re.sub(r' (loading="lazy"|decoding="async"|width="\d+"|height="\d+")', "", back)
    assert back == PAGE
    # the comment line's tag is untouched, the loop's image lazy after its first pass only,
    # the tag whose attributes Jinja writes left alone
    assert out.splitlines()[1] == PAGE.splitlines()[1]
    assert '<img src="${photo}" alt="photo" {% if loop is not defined' in out
    assert '<img ${attrs|xmlattr} alt="attrs">' in out
    html = (
        _trac_env(tmp_path)
        .get_template("pages/index.html")
        .render(
            href=_Href(),
            wiki=True,
            ticket=7,
            photos=["/p/1.jpg", "/p/2.jpg"],
            attrs={"src": "/p/x.png"},
        )
    )
    assert f'href="/chrome/{names["site/style.css"]}"' in html
    assert f'<script src="/chrome/{names["site/site.js"]}"></script>' in html
    assert "<em>{7}</em> b" in html
    assert '<img src="/p/1.jpg" alt="photo" >' in html
    assert '<img src="/p/2.jpg" alt="photo" loading="lazy" decoding="async">' in html
    assert "line comment" not in html and "the banner" not in html
    report = json.loads((tmp_path / "dist/report.json").read_text(encoding="utf-8"))
    unresolved = report["templates"]["pages/index.html"]["unresolved"]
    assert not [u for u in unresolved if "href.chrome" in u["value"]], unresolved
    # its <script src="${...}"> tag loads site.js as a classic script: built as one
    tags = report["scripts"]["script_tags"]
    assert [["site/site.js", "classic"]] in tags.values(), tags


def test_the_page_renderer_reads_the_syntax(tmp_path: Path) -> None:
    """``pages:`` (``assetpipe watch`` without ``--app``, ``assetpipe audit``) render the
    build's templates with ``templates.syntax`` too: with Jinja's defaults ``# if`` was text."""
    _project(tmp_path, syntax=True)
    write_tree(
        tmp_path,
        {
            "site-templates/pages/about.html": """\
                <p>${title}</p>
                # if show:
                <link rel="stylesheet" href="/chrome/site/style.css">
                # endif
                """
        },
    )
    assert run_cli("build", cwd=tmp_path).code == 0
    cfg = load_config(tmp_path / "pipeline.yaml")
    page = make_environment(cfg).get_template("pages/about.html").render(title="About", show=0)
    assert page == "<p>About</p>\n"


def test_what_the_report_quotes_is_written_as_the_template_is() -> None:
    """report.json and the build's warnings quote a reference they leave (Trac's ticket.html:
    ``${chrome.htdocs_location}js/threaded_comments.js``) as the template writes it: it was
    quoted in the translation's delimiters, ``{{chrome.htdocs_location}}js/...``, a text the
    template does not hold."""
    text = '<p>x</p>\n<script src="${chrome.htdocs_location}js/threaded.js"></script>\n'
    text += '<img src="${photo.url}" alt="">\n'
    res = rewrite(text, "t.html", {}, Options(public_path="/chrome/", syntax=Syntax(**TRAC)))
    assert [u["value"] for u in res.unresolved] == [
        "${chrome.htdocs_location}js/threaded.js",
        "${photo.url}",
    ]
    assert [i["src"] for i in res.images] == ["${photo.url}"]
    assert res.text.startswith(text.split("<img")[0])


def test_without_the_syntax_the_references_stay_as_written(tmp_path: Path) -> None:
    """What the build did to a Trac template before (and does without ``templates.syntax``)."""
    _project(tmp_path, syntax=False)
    done = run_cli("build", cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    out = (tmp_path / "dist/templates/pages/index.html").read_text(encoding="utf-8")
    assert "href.chrome('site/style.css')" in out


def _shape(node: jinja2.nodes.Node) -> Any:
    """A parse tree without its text data and line numbers (whitespace rules differ between
    line statements and blocks)."""
    if isinstance(node, jinja2.nodes.TemplateData):
        return None
    out: list[Any] = [type(node).__name__]
    for f in node.fields:
        v = getattr(node, f)
        if isinstance(v, jinja2.nodes.Node):
            v = _shape(v)
        elif isinstance(v, list):
            v = [_shape(x) if isinstance(x, jinja2.nodes.Node) else x for x in v]
            v = [x for x in v if x is not None and x != ["Output", []]]
        elif isinstance(v, str):
            v = " ".join(v.split())
        out.append(v)
    return out


TRICKY = """\
# extends "layout.html"
# import "macros.html" as m with context
# block content
  #   set classes = {'a': 1,
                     'b': 2}
  # set rows = [
      1, 2,
    ]
  # for r in rows:
  <a${{'class': 'x', 'href': '/t/%s' % r}|xmlattr}>${_("Row %(n)s", n=r)}</a> ## note
  # if r == 1:
  <b>{${r}}</b> {{ literal braces }} {% if r %}block{% endif %}
  # elif r == 2:
  <i title="a ## b">${m.macro(r, '}')}</i>
  # else:
  #   trans
  plain text
  #   endtrans
  # endif
  # endfor
  {# a comment with ${x} and # hash #}
# endblock content
"""


def test_the_translation_parses_as_jinja_parses_the_original() -> None:
    syntax = Syntax(**TRAC)
    ext = ["jinja2.ext.i18n"]
    app = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=ext, **TRAC)  # type: ignore[arg-type]
    std = standard(TRICKY, syntax)
    assert std is not None
    plain = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=ext)
    assert _shape(plain.parse(std.text)) == _shape(app.parse(TRICKY))
    assert std.text.count("\n") == TRICKY.count("\n")
    for p in std.pieces:  # the source's text is carried over, and mapped back, unchanged
        if p.same:
            assert std.text[p.std : p.std + p.length] == TRICKY[p.orig : p.orig + p.orig_length]
            assert std.original(p.std) == p.orig
    assert standard(TRICKY, Syntax()) is None
