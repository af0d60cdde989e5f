"""A manifest storage class of the project's own, which ``init`` asks to take the build's names.

Weblate's settings name ``weblate.utils.static.WeblateManifestStaticFilesStorage``, a subclass
of Django's ``ManifestStaticFilesStorage`` that saves a few files again under their unhashed
names after ``collectstatic`` (its ``always_synced_assets``). ``init`` took it for Django's own
and said to use ``assetpipe.django.ManifestStaticFilesStorage`` in its place, which drops what
the class adds; left as it is, the adopted project failed every page with ``DEBUG`` off
(``ValueError: Missing staticfiles manifest entry``). The note now names the class, its module
and line, and says to give it ``assetpipe.django.BuildNames`` as its first base (the mixin
assetpipe's own storages are made of); a class that has it gets no note.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .files import parsed_file
from .settingsfamily import DJANGO_MANIFEST, WHITENOISE_MANIFEST
from .storagebases import named_storage

#: a dotted storage name in the settings whose class name ends as a manifest storage's
_NAMED = re.compile(r"""["'](?P<module>(?:\w+\.)+)(?P<cls>\w*ManifestStaticFilesStorage)["']""")
#: the packages whose storages are not the project's (Django's, WhiteNoise's, assetpipe's)
_OTHERS = ("django.", "whitenoise.", "assetpipe.")


@dataclass(frozen=True)
class StorageClass:
    """The project's manifest storage class the settings name."""

    dotted: str  # as the settings name it
    shown: str  # its module, relative to the project
    line: int  # of its ``class`` statement
    bases: str  # its bases, as written
    mixed: bool  # it has ``BuildNames`` among them already

    def note(self) -> list[str]:
        """``init``'s note: none once the class takes the build's names."""
        if self.mixed:
            return []
        name = self.dotted.rsplit(".", 1)[1]
        return [
            "",
            f"note: the settings use {self.dotted}, the project's own manifest storage"
            f" ({self.shown}, line {self.line}): with DEBUG off it looks the build's hashed"
            " names up in its own manifest and every page fails (ValueError: Missing"
            " staticfiles manifest entry); give it assetpipe.django.BuildNames as its first"
            " base, so that it also names the build's files and keeps what it adds (what the"
            " build does not rewrite keeps collectstatic's hashed names):"
            f" `class {name}(BuildNames, {self.bases}):`, and"
            " `from assetpipe.django import BuildNames` with its imports.",
        ]


def project_storage(root: Path, texts: Iterable[str]) -> StorageClass | InstalledStorage | None:
    """The first manifest storage class that one of the settings modules' ``texts`` names and
    a module under ``root`` defines, else the first one of an installed package's that is a
    manifest storage by its bases (``InstalledStorage``); ``None`` for none (Django's or
    WhiteNoise's own)."""
    texts = list(texts)
    for text in texts:
        for m in _NAMED.finditer(text):
            module, cls = m["module"], m["cls"]
            if cls in (DJANGO_MANIFEST, WHITENOISE_MANIFEST) or module.startswith(_OTHERS):
                continue
            base = root.joinpath(*module.rstrip(".").split("."))
            for path in (base.with_suffix(".py"), base / "__init__.py"):
                tree = parsed_file(path) if path.is_file() else None
                for node in tree.body if tree is not None else []:
                    if isinstance(node, ast.ClassDef) and node.name == cls:
                        bases = [ast.unparse(b) for b in node.bases]
                        mixed = any(b.rsplit(".", 1)[-1] == "BuildNames" for b in bases)
                        shown = os.path.relpath(path, root)
                        return StorageClass(
                            module + cls, shown, node.lineno, ", ".join(bases), mixed
                        )
    return _by_bases(root, texts)


def _by_bases(root: Path, texts: list[str]) -> StorageClass | InstalledStorage | None:
    """The storage class the settings name that is a manifest storage by its bases only
    (``storagebases``): the project's own (a ``StorageClass``) or an installed package's."""
    for text in texts:
        named = named_storage(root, text)
        if named is None or not named.manifest:
            continue
        if named.file.resolve().is_relative_to(root.resolve()):
            shown = os.path.relpath(named.file, root)
            return StorageClass(named.dotted, shown, named.line, named.bases, named.mixed)
        return InstalledStorage(named.dotted, named.line)
    return None


@dataclass(frozen=True)
class InstalledStorage:
    """An installed package's manifest storage class the settings name (Review Board's
    ``djblets.pipeline.storage.PipelineStorage``), ``line``: its ``class`` statement's."""

    dotted: str
    line: int

    def note(self) -> list[str]:
        """``init``'s note: a subclass of it with ``BuildNames`` first, named in its place."""
        module, name = self.dotted.rsplit(".", 1)
        return [
            "",
            f"note: the settings use {self.dotted}, an installed package's manifest storage"
            f" (a manifest storage by its bases, {module.replace('.', '/')}.py line"
            f" {self.line}): with DEBUG off it looks the build's hashed names up in its own"
            " manifest and every page fails (ValueError: ... could not be found); name in its"
            " place a subclass of it that also names the build's files (what the build does not"
            " rewrite keeps collectstatic's hashed names), written in a module of the project:"
            f" `from assetpipe.django import BuildNames`, `from {module} import {name}` and"
            f" `class Build{name}(BuildNames, {name}): pass`.",
        ]
