"""A prebuilt bundle in the static folder: what ``init`` keeps, and what it leaves to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..bundler_manifest import manifest_named, manifests_in
from ..hashing import bundler_hashed

if TYPE_CHECKING:
    from .discover import Project


def prebuilt(project: Project, in_templates: set[str]) -> None:
    """A bundler's output in the static folder, found by its manifest (``bundler_manifest``):
    its content-hashed files keep their names (``static.bundler_manifests``). When no template
    names a file (the app serves the bundle's own ``index.html`` from a view: MLflow's React
    app), the files the bundler did not hash (``index.html``, ``favicon.ico``, ``manifest.json``,
    licence texts) are left to the app's own routes: no page links a hashed copy of them, and
    assetpipe would serve their unhashed URLs ``no-cache`` where the app had its own caching (a
    warm visit revalidated the favicon MLflow serves for 28 days)."""
    project.bundler_manifests = manifests_in(project.static_dir)
    if not project.bundler_manifests:
        return
    named = manifest_named(project.static_dir, project.static_files, project.bundler_manifests)
    project.bundler_files = sorted(f for f in named if bundler_hashed(f, named))
    if project.bundler_files and not (in_templates or project.scripts or project.styles):
        bundled = set(project.bundler_files)
        project.left_to_app = [f for f in project.static_files if f not in bundled]
