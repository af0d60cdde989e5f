"""A Django project's own template tags that give a static file's URL, for
``templates.static_functions`` (``rewrite.djangotags``).

A tag is recognised by what it does, not by its name: a function registered as a
``simple_tag`` (``@register.simple_tag``, with or without arguments) whose body calls
Django's ``static()`` on its first parameter. NetBox's ``static_with_params(path, **params)``
returns ``static(path)`` with a ``?v=`` query added; every page links its stylesheets, bundle
and theme script through it, and without it listed the build rewrote none of them: the
pages' largest files stayed unhashed, revalidated on every visit.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from .asgiapp import called_name
from .files import parsed_modules


def static_tags(root: Path) -> tuple[str, ...]:
    """The names of the project's simple tags whose first parameter is passed to
    ``static()``, sorted."""
    found: set[str] = set()
    for _path, _text, tree in parsed_modules(root, "simple_tag"):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.FunctionDef)
                and any(_is_simple_tag(d) for d in node.decorator_list)
                and node.args.args
                and _passes_to_static(node, node.args.args[0].arg)
            ):
                found.add(node.name)
    return tuple(sorted(found))


def _is_simple_tag(decorator: ast.expr) -> bool:
    """``@register.simple_tag`` or ``@register.simple_tag(...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "simple_tag"


def _passes_to_static(func: ast.FunctionDef, param: str) -> bool:
    """Whether ``func`` calls ``static(param)`` (or ``staticfiles_storage.url(param)``)."""
    for node in ast.walk(func):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        storage = isinstance(f, ast.Attribute) and ast.unparse(f) == "staticfiles_storage.url"
        arg = node.args[0]
        if (
            (called_name(f) == "static" or storage)
            and isinstance(arg, ast.Name)
            and arg.id == param
        ):
            return True
    return False


#: the calls a tag's body renders a template with: ``render_to_string``, a template's
#: ``.render()`` (a tag that returns ``select_template(...)`` renders nothing where it stands:
#: BookWyrm's ``get_header_template``, whose result a page includes itself)
_RENDERS = frozenset({"render_to_string", "render"})


def partial_tags(roots: list[Path]) -> dict[str, str]:
    """Tag name → the template it renders, for ``templates.partial_tags``, over the modules
    under ``roots`` (the project; each installed app's ``templatetags`` folder): an
    ``inclusion_tag("T")`` (or ``filename="T"``), or a ``simple_tag`` whose body renders a
    template it names literally (the last such name: ``select_template([f"...{upc}.html",
    "oscar/catalogue/partials/product.html"])`` falls back on it). django-oscar's catalogue
    draws its product grid with ``{% render_product product %}``: the LCP rule could not see
    the card's photo, the page's largest, and it went lazy with the rest."""
    found: dict[str, str] = {}
    for root in roots:
        for _path, _text, tree in parsed_modules(root, "inclusion_tag", "simple_tag"):
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    for d in node.decorator_list:
                        tag = _rendering_tag(node, d)
                        if tag is not None:
                            found.setdefault(*tag)
    return found


def _rendering_tag(func: ast.FunctionDef, decorator: ast.expr) -> tuple[str, str] | None:
    """(tag name, template name) when ``decorator`` registers ``func`` as a tag that renders
    a template named by a string literal."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call is not None else decorator
    kind = target.attr if isinstance(target, ast.Attribute) else ""
    words = {k.arg: k.value for k in call.keywords} if call is not None else {}
    named = words.get("name")
    name = named.value if isinstance(named, ast.Constant) else func.name
    if kind == "inclusion_tag" and call is not None:
        arg = call.args[0] if call.args else words.get("filename")
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return str(name), arg.value
        return None
    if kind != "simple_tag":
        return None
    if not any(isinstance(n, ast.Call) and called_name(n.func) in _RENDERS for n in ast.walk(func)):
        return None
    parts = {id(v) for n in ast.walk(func) if isinstance(n, ast.JoinedStr) for v in n.values}
    names = [  # the body's whole literal template names (a list it passes, or its variable's)
        n.value
        for n in ast.walk(func)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in parts
        if n.value.endswith(".html")
        and not n.value.startswith(".")
        and not {"%", "{"} & set(n.value)
    ]
    return (str(name), names[-1]) if names else None


def django_template_lines(tags: dict[str, str], manifest: bool, jinja: bool = False) -> list[str]:
    """``templates.partial_tags`` (JSON strings are YAML), ``templates.django_manifest``
    (the settings' storage is Django's or WhiteNoise's manifest storage, which ``init`` has the
    project keep as assetpipe's: ``assetpipe.django``, ``assetpipe.djangowhitenoise``) and
    ``templates.jinja`` (a Jinja2 backend renders them: a loop's first pass is ``loop.first``,
    where Django's ``forloop.first`` is undefined and the LCP photo a loop draws went lazy) in
    pipeline.yaml."""
    out = []
    if jinja:
        out += [
            "  # Django renders these templates with its Jinja2 backend: Jinja's language.",
            "  jinja: true",
        ]
    if tags:
        listed = ", ".join(f"{t}: {json.dumps(n)}" for t, n in sorted(tags.items()))
        out += [
            "  # Tags of the project or its apps that render a template: the LCP rule follows",
            "  # each like an include (the first product card of a grid stays eager).",
            f"  partial_tags: {{{listed}}}",
        ]
    if manifest:
        out += [
            "  # The settings' manifest storage (as assetpipe's) gives a computed",
            "  # {% static EXPR %} collectstatic's hashed name at run time: not warned about.",
            "  django_manifest: true",
        ]
    return out


def static_folder_lines(folders: list[Path], config_dir: Path) -> list[str]:
    """``static.folders``: the folders Django's finders serve after the static folder (its
    later ``STATICFILES_DIRS``, the project apps' ``static/``), relative to ``config_dir``."""
    if not folders:
        return []
    shown = [Path(os.path.relpath(f, config_dir)).as_posix() for f in folders]
    return [
        "  # Django's finders serve these folders' files under the same URL, the first folder",
        "  # holding a name answering: every file copied with a content hash too.",
        f"  folders: {json.dumps(shown)}",
    ]
