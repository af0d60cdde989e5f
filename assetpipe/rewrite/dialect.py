"""Which template language a template is written in: Jinja2 (the default) or Django's.

Both share ``{% for %}``, ``{% if %}`` and ``{{ }}``, so the rules read them alike; the
dialect matters only where the build *writes* template logic: the loop's first pass
(``Writer.add_after_first_pass``) is ``loop.first`` in Jinja and ``forloop.first`` in Django.
Jinja's test (``loop is not defined or not loop.first``) is valid Django too, but always true
there (Django has no ``loop`` and no ``defined`` test), so a Django page's LCP photo drawn by a
loop went lazy on every pass.
"""

from __future__ import annotations

from ..lazyre import lazy

#: markup only Jinja2 has: whitespace control, ``set``/``macro``/``import``, ``loop.``, ``url_for``
_JINJA_ONLY = lazy(
    r"\{%-|-%\}|\{\{-|-\}\}|\{%[+]?\s*(?:set|macro|import|from|call)\b|\bloop\.\w|\burl_for\("
)
#: markup only Django's language has
_DJANGO_ONLY = lazy(
    r"\{%\s*(?:load|csrf_token|url|empty|comment|cycle|firstof|spaceless|verbatim|widthratio"
    r"|templatetag|blocktrans|blocktranslate|translate|lorem|resetcycle|querystring)\b"
    r"|\bforloop\.\w|\{\{\s*block\.super\s*\}\}"
)


def markup_dialect(text: str) -> str:
    """``jinja`` when ``text`` has markup only Jinja2 has, else ``django`` when it has markup
    only Django's language has, else ``""`` (either)."""
    if _JINJA_ONLY.search(text):
        return "jinja"
    return "django" if _DJANGO_ONLY.search(text) else ""


def is_django(dialect: str, django_project: bool) -> bool:
    """Whether a template of ``markup_dialect`` ``dialect`` is a Django template: it has markup
    only Django's language has, or it belongs to a Django project (``django_project``:
    ``templates.first_wins``, which ``init`` sets for Django's template folders) and has none
    that only Jinja2 has (a project may render some templates with Jinja2)."""
    return dialect == "django" or (dialect == "" and django_project)
