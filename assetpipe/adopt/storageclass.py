"""A manifest storage class of the project's own, which ``init`` asks to take the build's names.

Weblate's settings name ``weblate.utils.static.WeblateManifestStaticFilesStorage``, a subclass
of Django's ``ManifestStaticFilesStorage`` that saves a few files again under their unhashed
names after ``collectstatic`` (its ``always_synced_assets``). ``init`` took it for Django's own
and said to use ``assetpipe.django.ManifestStaticFilesStorage`` in its place, which drops what
the class adds; left as it is, the adopted project failed every page with ``DEBUG`` off
(``ValueError: Missing staticfiles manifest entry``). The note now names the class, its module
and line, and says to give it ``assetpipe.django.BuildNames`` as its first base (the mixin
assetpipe's own storages are made of); a class that has it gets no note. The class is the one
the settings name, a manifest storage by its bases (``storagebases``); an installed package's
(Review Board's djblets ``PipelineStorage``) gets a note saying to name a subclass of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .storagebases import named_storage


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
    """The first storage class one of the settings modules' ``texts`` names that is a manifest
    storage by its bases (``storagebases``, Django's and WhiteNoise's own aside): the project's
    own (a ``StorageClass``) or an installed package's (``InstalledStorage``); ``None`` for
    none."""
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
