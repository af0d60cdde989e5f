"""The rewriter over real Jinja2 template sets installed from PyPI by the ``test`` extra
(flask-admin, mkdocs' themes, sphinx's themes, alabaster, flask-debugtoolbar).

Every template is rewritten against a manifest holding every asset it references (a hashed
file, sizes and variants for images), so reference rewrites happen too. For each file: it still
compiles with Jinja2 when the original did (else its lexer tokens are compared); the output minus
the inserted or rewritten text is the input; every ``<img>`` outside the LCP rule got
``loading="lazy"`` (unless it says otherwise itself, or is split across ``{% if %}`` branches).
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from assetpipe.rewrite.lcp import MAX_LEAD
from assetpipe.rewrite.paths import MAX_ALTERNATIVES
from assetpipe.rewrite.rules import Options, rewrite
from assetpipe.rewrite.scanner import scan
from tests.template_corpus import manifest_for, template_files
from tests.test_rewrite_property import check_edits

#: why an image drawn instead of the page's first on another branch is eager too
ALTERNATIVE = "a page's first large image, drawn by this template"


def _template_files() -> list[tuple[str, Path, Path]]:
    files, missing = template_files()
    if missing and os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} not installed: `pip install -e .[test]`")
    return files


FILES = _template_files()
ENV = jinja2.Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])


def _compiles(text: str) -> bool:
    try:
        ENV.parse(text)
    except jinja2.TemplateSyntaxError:
        return False
    return True


@pytest.mark.skipif(not FILES, reason="no template package installed (pip install -e .[test])")
def test_corpus_templates_survive_the_rewrite() -> None:
    counts = {
        "files": 0,
        "imgs": 0,
        "lazy": 0,
        "edits": 0,
        "unresolved": 0,
        "pages_with_lcp": 0,
        "kept": 0,
        "lead": 0,
    }
    for pkg, root, path in FILES:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        name = path.relative_to(root).as_posix()
        man = manifest_for(text, name)
        res = rewrite(text, name, man, Options())
        assert not res.missing, (path, res.missing)
        where = f"{pkg}: {name}"
        check_edits(text, res, {e["file"] for e in man.values()}, set(man))
        if _compiles(text):
            assert _compiles(res.text), where
        else:  # custom tags: the Jinja token stream must be the same
            assert _tokens(text) == _tokens(res.text), where
        # as a page template: only the LCP candidate differs, and it is eager (with the header,
        # logo or small images before it, which stay as they were: eager, nothing added), and
        # so are the images drawn instead of it on another branch of its {% if %}
        page = rewrite(text, name, man, Options(is_page=True))
        eager = [i["why"].split(":")[0] for i in page.images if i["loading"] == "eager"]
        lead = [w for w in eager if w.startswith("before the page's first large image")]
        first, *alternatives = eager[len(lead) :] or [""]
        assert first in ("", "first image of the page"), where
        assert set(alternatives) <= {ALTERNATIVE} and len(alternatives) <= MAX_ALTERNATIVES, where
        assert len(lead) <= MAX_LEAD and (not lead or eager[len(lead) :]), where
        counts["lead"] += len(lead)
        counts["pages_with_lcp"] += len(eager)
        # every <img> outside the LCP rule is lazy
        # (but a layout's header, nav, sidebar or logo image, which is likely above the fold)
        sc = scan(res.text)
        kept = sum(i["why"].startswith("likely above the fold") for i in res.images)
        counts["kept"] += kept
        for tag in sc.tags:
            if tag.name != "img" or tag.opaque or tag.split:
                continue
            counts["imgs"] += 1
            loading = tag.get("loading")
            if loading is None:
                kept -= 1
                assert kept >= 0, (where, sc.line_col(tag.start), res.text[tag.start : tag.end])
            elif res.text[loading.value_start : loading.value_end] == "lazy":
                counts["lazy"] += 1
        counts["files"] += 1
        counts["edits"] += len(res.edits)
        counts["unresolved"] += len(res.unresolved)
    # these sets reference their assets through their own helpers (pathto, admin_static.url,
    # dynamic url_for): all are left alone and listed as unresolved, none is rewritten
    assert counts["files"] >= 80 and counts["imgs"] >= 15 and counts["unresolved"] >= 50, counts
    assert counts["lazy"] + counts["kept"] == counts["imgs"] and counts["kept"] >= 1, counts


def _tokens(text: str) -> list[tuple[str, str]]:
    """The lexer's tokens outside template data, string literals but 'static' excepted."""
    return [(t, v) for _, t, v in ENV.lex(text) if t not in ("data", "string")]
