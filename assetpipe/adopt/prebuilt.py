"""A prebuilt bundle in the static folder: what ``init`` keeps, and what it leaves to the app."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..bundler_manifest import manifest_named, manifests_in
from ..hashing import bundler_hashed


def prebuilt(
    static_dir: Path, static_files: Sequence[str], pages_name_files: bool
) -> tuple[list[str], list[str], list[str]]:
    """A bundler's output in the static folder, found by its manifest (``bundler_manifest``):
    (the manifests, the content-hashed files they list, which keep their names:
    ``static.bundler_manifests``, the files left to the app). When no template names a file
    (``pages_name_files`` false: the app serves the bundle's own ``index.html`` from a view,
    MLflow's React app), the files the bundler did not hash (``index.html``, ``favicon.ico``,
    ``manifest.json``, licence texts) are left to the app's own routes: no page links a hashed
    copy of them, and assetpipe would serve their unhashed URLs ``no-cache`` where the app had
    its own caching (a warm visit revalidated the favicon MLflow serves for 28 days)."""
    manifests = manifests_in(static_dir, static_files)
    if not manifests:
        return [], [], []
    named = manifest_named(static_dir, static_files, manifests)
    hashed = sorted(f for f in named if bundler_hashed(f, named))
    left: list[str] = []
    if hashed and not pages_name_files:
        kept = set(hashed)
        left = [f for f in static_files if f not in kept]
    return manifests, hashed, left
