"""The settings modules a Django project runs with, beside the one ``init`` reads.

``init`` reads the settings module whose ``TEMPLATES`` names the DjangoTemplates backend
(``djangoapp.settings_module``). A project often splits its settings: Spirit's ``startproject``
writes ``mysite/settings/base.py`` (``TEMPLATES``, ``STORAGES``) and ``prod.py``, which does
``from .base import *`` and then sets ``STORAGES["staticfiles"]["BACKEND"] =
"django.contrib.staticfiles.storage.ManifestStaticFilesStorage"``. Read alone, ``base.py`` named
no manifest storage: ``init`` gave no note, and the adopted project, started with its
production settings, failed every page (``ValueError: Missing staticfiles manifest entry for
'spirit/stylesheets/styles.all.min-FLYXJ4CI.css'``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .files import parsed_modules
from .storagebases import named_storage

#: WhiteNoise's manifest storage; Django's
WHITENOISE_MANIFEST = "CompressedManifestStaticFilesStorage"
DJANGO_MANIFEST = "ManifestStaticFilesStorage"


#: a manifest storage's name and the dotted path before it
_STORAGE = re.compile(rf"([\w.]*?)({WHITENOISE_MANIFEST}|{DJANGO_MANIFEST})")


def manifest_storage(settings: str, ours: bool = False) -> str:
    """The manifest storage a settings module's text names: WhiteNoise's, Django's, or ``""``
    for none. assetpipe's own (``assetpipe.djangowhitenoise.CompressedManifestStaticFilesStorage``,
    which takes the build's names) counts only with ``ours``: the adopted DRF tutorial and
    django-allauth projects, switched to it as ``init`` said, were told again to switch."""
    named = {m[2] for m in _STORAGE.finditer(settings) if ours or not m[1].startswith("assetpipe.")}
    return next((n for n in (WHITENOISE_MANIFEST, DJANGO_MANIFEST) if n in named), "")


def storage_module(
    family: list[tuple[Path, str]], ours: bool = False, root: Path | None = None
) -> tuple[str, Path | None]:
    """The manifest storage the first module of ``family`` (``settings_family``) that names
    one names (``manifest_storage``), and that module; ``("", None)`` for none. With ``root``
    (the project's folder), a storage class that is a manifest storage by its bases counts as
    Django's (``storagebases``: Review Board's ``djblets.pipeline.storage.PipelineStorage``),
    one with ``BuildNames`` among them only with ``ours``."""
    found = ((manifest_storage(t, ours) or _by_bases(root, t, ours), p) for p, t in family)
    return next(((n, p) for n, p in found if n), ("", None))


def _by_bases(root: Path | None, text: str, ours: bool) -> str:
    """``DJANGO_MANIFEST`` when the settings' ``text`` names a storage class that is a
    manifest storage by its bases (``named_storage``), else ``""``."""
    named = named_storage(root, text) if root is not None else None
    manifest = named is not None and named.manifest and (ours or not named.mixed)
    return DJANGO_MANIFEST if manifest else ""


def settings_family(root: Path, settings: Path, text: str) -> list[tuple[Path, str]]:
    """The settings module (``settings``, its ``text``), the modules under ``root`` it
    star-imports (``imported_settings``), and every module under ``root`` that star-imports
    it, directly or through another such module (``prod.py``'s ``from .base import *``, then a
    ``prod_local.py``'s ``from .prod import *``), each with its text, the settings module
    first."""
    found = {_dotted(root, settings)}
    family = [(settings, text), *imported_settings(root, settings, text)]
    found.update(_dotted(root, p) for p, _ in family)
    modules = [(p, t, tree) for p, t, tree in parsed_modules(root, "import *") if p != settings]
    grew = True
    while grew:
        grew = False
        for path, body, tree in modules:
            name = _dotted(root, path)
            if name in found or not any(t in found for t in _star_imports(tree, name, path)):
                continue
            found.add(name)
            family.append((path, body))
            grew = True
    return family


def imported_settings(root: Path, settings: Path, text: str) -> list[tuple[Path, str]]:
    """The modules under ``root`` that the settings module (``settings``, its ``text``)
    star-imports, and those they star-import in turn, each with its text: django-helpdesk's
    demo settings end in ``try: from .local_settings import *``, where a deployment sets
    WhiteNoise's ``CompressedManifestStaticFilesStorage``; read without it, ``init`` gave no
    note and the adopted project failed every page with ``DEBUG`` off (``Missing staticfiles
    manifest entry``). A module named that does not exist (no local settings yet) adds
    nothing."""
    out: list[tuple[Path, str]] = []
    seen = {settings.resolve()}
    todo = [(settings, text)]
    while todo:
        path, body = todo.pop(0)
        try:
            tree = ast.parse(body)
        except (SyntaxError, ValueError):
            continue
        for name in _star_imports(tree, _dotted(root, path), path):
            base = root.joinpath(*name.split("."))
            for found in (base.with_suffix(".py"), base / "__init__.py"):
                if found.is_file() and found.resolve() not in seen:
                    seen.add(found.resolve())
                    try:
                        read = found.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        break
                    out.append((found, read))
                    todo.append((found, read))
                    break
    return out


def _dotted(root: Path, path: Path) -> str:
    """The module name of ``path`` from ``root`` (a package's ``__init__.py``: the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _star_imports(tree: ast.Module, name: str, path: Path) -> list[str]:
    """The modules ``tree`` (the module ``name`` at ``path``) star-imports, relative imports
    resolved from its package, anywhere in it (a ``try:`` around ``from .local import *``)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not any(a.name == "*" for a in node.names):
            continue
        if node.level == 0:
            out.append(node.module or "")
            continue
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        out.append(".".join([*base, *([node.module] if node.module else [])]))
    return out
