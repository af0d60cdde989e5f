"""A staticfiles storage that is a manifest storage by its bases, not by its name.

Review Board's settings name ``djblets.pipeline.storage.PipelineStorage``: djblets' subclass of
django-pipeline's ``PipelineManifestStorage`` (``PipelineMixin, ManifestStaticFilesStorage``),
both installed packages'. ``init`` looked for a manifest storage by its class name (``...
ManifestStaticFilesStorage``) and found none, so it said nothing: the adopted site answered
every page 500 with ``DEBUG`` off (``ValueError: The file 'rb/images/favicon_notify-HASH.ico'
could not be found with <djblets.pipeline.storage.PipelineStorage ...>``: with
``manifest_strict = False`` it hashes a name its manifest lacks by reading the file from
``STATIC_ROOT``, which lacks the build's). ``named_storage`` reads the class the settings name
(``STORAGES["staticfiles"]["BACKEND"]`` or ``STATICFILES_STORAGE``) and its bases, through the
modules' imports, in the project or in an installed package, without importing anything.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from .djangotemplates import installed_module
from .files import parsed_file

#: the dotted storage class of ``STATICFILES_STORAGE`` or of ``STORAGES``' ``"staticfiles"``
_NAMED = re.compile(
    r"""(?:STATICFILES_STORAGE\s*=\s*|["']staticfiles["']\s*:\s*\{[^{}]*?["']BACKEND["']\s*:\s*)"""
    r"""["'](?P<dotted>(?:\w+\.)+\w+)["']"""
)
#: the bases that make a class a manifest storage (Django's, WhiteNoise's)
MANIFEST_BASES = frozenset(
    {"ManifestFilesMixin", "ManifestStaticFilesStorage", "CompressedManifestStaticFilesStorage"}
)
#: how many classes deep the bases are followed
_DEPTH = 8


@dataclass(frozen=True)
class NamedStorage:
    """The storage class the settings name: ``dotted`` as they name it, its module ``file``
    and the line of its ``class`` statement, its ``bases`` as written; ``manifest``: a manifest
    storage by its bases; ``mixed``: ``BuildNames`` among them (it takes the build's names)."""

    dotted: str
    file: Path
    line: int
    bases: str
    manifest: bool
    mixed: bool


def named_storage(root: Path, text: str) -> NamedStorage | None:
    """The storage class a settings module's ``text`` names, found in a module under ``root``
    (or, for a project that is a package, beside ``root``) or of an installed package; ``None``
    for none, one of Django's or WhiteNoise's (read by their names: ``settingsfamily``) or one
    not found."""
    for m in _NAMED.finditer(text):
        dotted = m["dotted"]
        if dotted.startswith(("django.", "whitenoise.")):
            continue
        module, name = dotted.rsplit(".", 1)
        found = _class(_module_file(root, module), name, 0)
        if found is None:
            continue
        file, node = found
        seen = _base_names(file, node, 0)
        return NamedStorage(
            dotted,
            file,
            node.lineno,
            ", ".join(ast.unparse(b) for b in node.bases),
            bool(seen & MANIFEST_BASES),
            "BuildNames" in seen,
        )
    return None


def _module_file(root: Path, module: str) -> Path | None:
    """The file of dotted ``module``: under ``root`` (or its parent, when ``root`` is the
    package the name starts with), else an installed package's."""
    parts = module.split(".")
    for top in (root, root.parent) if root.name == parts[0] else (root,):
        base = top.joinpath(*parts)
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
    return installed_module(module)


def _class(file: Path | None, name: str, depth: int) -> tuple[Path, ast.ClassDef] | None:
    """The ``class name`` statement of module ``file``, or of the module it imports ``name``
    from (a package's ``__init__.py`` re-exporting it)."""
    tree = parsed_file(file) if file is not None else None
    if file is None or tree is None or depth > _DEPTH:
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return file, node
    source = _imported(file, tree, name)
    return _class(source[0], source[1], depth + 1) if source is not None else None


def _imported(file: Path, tree: ast.Module, name: str) -> tuple[Path | None, str] | None:
    """The module file and original name that ``file`` imports ``name`` from (``from M import
    N as name``, relative too); ``None``: not imported so."""
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        for alias in node.names:
            if (alias.asname or alias.name) != name:
                continue
            if node.level == 0:
                return installed_module(node.module or ""), alias.name
            folder = file.parents[node.level - 1]
            base = folder.joinpath(*(node.module or "").split(".")) if node.module else folder
            for path in (base.with_suffix(".py"), base / "__init__.py"):
                if path.is_file():
                    return path, alias.name
            return None, alias.name
    return None


def _base_names(file: Path, node: ast.ClassDef, depth: int) -> set[str]:
    """The names of ``node``'s bases and of theirs, followed through the modules' imports
    until one is a manifest storage's (``MANIFEST_BASES``, not followed into Django)."""
    names: set[str] = set()
    tree = parsed_file(file)
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        names.add(name)
        if not name or name in MANIFEST_BASES or name == "BuildNames" or depth >= _DEPTH:
            continue
        found = _class(file, name, depth + 1) if tree is not None else None
        if found is not None:
            names |= _base_names(found[0], found[1], depth + 1)
    return names
