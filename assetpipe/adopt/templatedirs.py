"""The template folders ``init`` lists: the app's, then each blueprint's own ``template_folder``
in the order the project's files create them (Flask looks a name up in the app's folder first,
then in the blueprints').

A blueprint folder inside another listed folder (or holding one) is left out, its templates
being listed already (a Django folder is not: Django looks each name up in every ``DIRS``
folder, so Baby Buddy's ``templates/error`` renders ``404.html`` from there, a name its
parent folder lists as ``error/404.html``); one holding a template name an earlier folder has is left out too and
reported: Flask renders the earlier folder's template, and the build refuses a name in two
folders.

``page_templates``: which of the templates render a page (for ``templates.pages``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import KWARG, TEMPLATE_EXT, python_texts, walk

# ``Blueprint("auth", __name__, template_folder="templates")``: its folder is relative to the
# module's own folder, as Flask resolves it (the blueprint's root_path)
_BLUEPRINT = re.compile(r"""\b(?:flask\.)?Blueprint\((?P<args>[^()]*(?:\([^()]*\)[^()]*)*)\)""")


@dataclass
class TemplateDirs:
    """``dirs``: each listed folder with its templates by name (the first is ``first``, the
    app's when it has one); ``blueprints``: the listed blueprint folders after ``first``;
    ``shadowed``: each blueprint folder left out with a name an earlier folder has."""

    first: Path | None = None
    dirs: list[tuple[Path, dict[str, Path]]] = field(default_factory=list)
    blueprints: list[Path] = field(default_factory=list)
    shadowed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        """Every listed template's name."""
        return {n for _, names in self.dirs for n in names}


def blueprint_template_dirs(root: Path) -> list[Path]:
    """The existing ``template_folder``s of the blueprints created under ``root``, each
    resolved against its module's folder, in file order (duplicates once)."""
    out: list[Path] = []
    for path, text in python_texts(root):
        for m in _BLUEPRINT.finditer(text):
            k = re.search(KWARG.format("template_folder"), m.group("args"))
            if k is None:
                continue
            folder = (path.parent / k.group(1)).resolve()
            if folder.is_dir() and folder not in out:
                out.append(folder)
    return out


#: the quoted template names of ``{% extends/include/import/from 'NAME' %}``
_LOADS = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(["'])([^"'{}]+)\1""")


def _names(folder: Path) -> dict[str, Path]:
    """The templates of ``folder`` by name: the files with a template ending, and the files
    of the folder those load by name under another ending (Roundup's ``{% import
    'layout/edit.tmpl' as edit %}``: left out of ``templates.include``, the build's templates
    folder lacked them, and the pages that import them failed there)."""
    names = {p.relative_to(folder).as_posix(): p for p in walk(folder, TEMPLATE_EXT)}
    for path in list(names.values()):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for m in _LOADS.finditer(text):
            name = m.group(2)
            if name not in names and (folder / name).is_file():
                names[name] = folder / name
    return names


def template_dirs(
    app_dir: Path | None, candidates: list[Path], *, first_wins: bool = False
) -> TemplateDirs:
    """The app's templates folder (``None`` when it has none) and the blueprints'
    (``candidates``), as the module docstring says. A folder without a template is not listed
    (the build warns about a listed folder it finds empty: an API app's empty ``templates/``
    made ``build --strict`` fail right after ``init``). ``first_wins``: a folder holding a
    name an earlier one has is listed all the same (Django's folders, built with
    ``templates.first_wins``: the earlier one's template is built, as Django renders it)."""
    out = TemplateDirs()
    own = _names(app_dir) if app_dir is not None else {}
    if app_dir is not None and own:
        out.dirs.append((app_dir, own))
    else:
        app_dir = None
    for folder in candidates:
        nested = any(folder.is_relative_to(d) or d.is_relative_to(folder) for d, _ in out.dirs)
        if nested and not first_wins:
            continue
        names = _names(folder)
        if first_wins:  # an earlier folder's name: that folder's template is the one rendered
            names = {n: p for n, p in names.items() if all(n not in seen for _, seen in out.dirs)}
        clash = next((n for n in sorted(names) for _, seen in out.dirs if n in seen), None)
        if clash is not None and not first_wins:
            out.shadowed.append((folder, clash))
        elif names:
            out.dirs.append((folder, names))
            out.blueprints.append(folder)
    if app_dir is None and out.blueprints:
        out.blueprints.pop(0)
    out.first = out.dirs[0][0] if out.dirs else None
    return out


#: ``{% extends "layout.html" %}``, or an expression naming layouts (calibre-web's
#: ``is_xhr|yesno("fragment.html", "layout.html")``)
_EXTENDS = re.compile(r"\{%-?\s*extends\s+(.*?)-?%\}", re.DOTALL)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def page_templates(texts: list[tuple[str, str]]) -> list[str]:
    """The names of the templates (``(name, text)``) that render a page: each extends a layout
    and no template extends it (a layout extending a base is not a page). The LCP rule's
    first-image clause applies to them: in Flask's flat ``templates/`` the default
    ``templates.pages`` (``pages/**``) matches none, and a book page's cover went lazy."""
    extended = {
        q.group(1) for _, t in texts for m in _EXTENDS.finditer(t) for q in _QUOTED.finditer(m[1])
    }
    return sorted(n for n, t in texts if _EXTENDS.search(t) and n not in extended)
