"""A Flask subclass that passes Flask its import name itself, in its own ``__init__``.

MoinMoin's app is ``class MoinApp(Flask)`` whose ``__init__`` calls ``super().__init__("moin")``
and then configures itself (blueprints, Flask-Theme, its Jinja loader); ``create_app_ext()``
makes it with ``MoinApp(flask_config_file=...)``, keyword arguments only, and so does its
command line (``moin run``, ``moin index-create``). No ``Flask(__name__)`` or ``MoinApp("moin")``
call reads as an app's creation: ``init`` said "No Flask app found here" and gave the steps of
an app that is not Flask. ``own_init`` finds that ``super().__init__`` call (its import name
gives the app's folders, as ``Flask("moin")`` would), and ``init_end`` the place for the two
lines: the end of that ``__init__``, as ``AssetPipe(self)``, after the class has configured its
own Jinja environment, so every app the class makes is adopted.
"""

from __future__ import annotations

import ast
import re

#: a top-level class with Flask (or Quart) among its bases, after mixins too (Indico's
#: ``class IndicoFlask(PluginFlaskMixin, Flask)``, its app never found before)
SUBCLASS = re.compile(
    r"^class\s+(\w+)\s*\((?:[^()]*?,\s*)?(?:flask\.|quart\.)?(?:Flask|Quart)\s*[,)]", re.M
)
_CLASS = re.compile(r"^class\s", re.M)
#: ``super().__init__(NAME, ...)``, or the base called itself: Lektor's admin UI, ``class
#: WebUI(Flask)``, calls ``Flask.__init__(self, "lektor.admin", static_url_path=...)``
_SUPER_INIT = re.compile(
    r"""\b(?:super\(\)\.__init__\(|(?:flask\.|quart\.)?(?:Flask|Quart)\.__init__\(\s*self\s*,)"""
    r"""\s*(__name__|["'][\w.]+["'])(?P<args>[^)]*)\)"""
)


def own_init(text: str) -> tuple[str, re.Match[str]] | None:
    """(the class, its ``super().__init__(NAME, ...)`` or ``Flask.__init__(self, NAME, ...)``
    call: group 1 ``NAME``, ``args`` the rest) for the first top-level Flask subclass of module
    ``text`` that passes Flask a literal import name (or ``__name__``) in its own body; ``None``
    when none does."""
    for cls in SUBCLASS.finditer(text):
        call = _SUPER_INIT.search(text, cls.end())
        after = _CLASS.search(text, cls.end())
        if call is not None and (after is None or call.start() < after.start()):
            return cls.group(1), call
    return None


def init_end(tree: ast.Module | None, cls: str) -> int | None:
    """The last line of class ``cls``'s ``__init__`` (its last statement's end), where the two
    lines go; ``None`` when the module does not define it so."""
    for node in tree.body if tree is not None else ():
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for fn in node.body:
                if isinstance(fn, ast.FunctionDef) and fn.name == "__init__" and fn.body:
                    return fn.body[-1].end_lineno
    return None
