"""The real Jinja2 template sets the ``test`` extra installs (flask-admin, mkdocs' and sphinx's
themes, alabaster, flask-debugtoolbar), and a manifest for any template of them: what the
rewriter's corpus test (``test_rewrite_corpus.py``) and its benchmark (``bench/templates.py``)
both run on."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from assetpipe.rewrite.rules import Options, rewrite

#: package → the folder of its templates inside it
PACKAGES = {
    "flask_admin": "templates",
    "mkdocs": "themes",
    "sphinx": "themes",
    "alabaster": "",
    "flask_debugtoolbar": "templates",
}
IMAGE_EXTS = ("png", "jpg", "jpeg", "gif", "webp")


def template_files() -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """``(package, its templates folder, an .html file)`` for every installed package of
    ``PACKAGES``, sorted; and the packages that are not installed."""
    files: list[tuple[str, Path, Path]] = []
    missing: list[str] = []
    for pkg, sub in PACKAGES.items():
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            missing.append(pkg)
            continue
        root = Path(next(iter(spec.submodule_search_locations))) / sub
        files += [(pkg, root, p) for p in sorted(root.rglob("*.html"))]
    return files, missing


def manifest_for(text: str, name: str) -> dict[str, dict[str, Any]]:
    """Entries for every key the template references, as the asset stages would write them: a
    hashed file with SRI, or for an image its WebP file, size and two width variants."""
    probe = rewrite(text, name, {}, Options())
    man: dict[str, dict[str, Any]] = {}
    for _, _, key, _ in probe.missing:
        stem, _, ext = key.rpartition(".")
        if ext.lower() in IMAGE_EXTS:
            man[key] = {
                "file": f"{stem}-800w-ABCDEFGH.webp",
                "width": 800,
                "height": 600,
                "variants": [
                    {
                        "file": f"{stem}-{w}w-ABCDEFGH.webp",
                        "width": w,
                        "height": w * 3 // 4,
                        "format": "webp",
                        "size": 1,
                    }
                    for w in (480, 800)
                ],
            }
        else:
            man[key] = {"file": f"{stem}-ABCDEFGH.{ext}", "integrity": "sha384-x"}
    return man
