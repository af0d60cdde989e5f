"""Another asset tool's output in the static folder, for ``init``: what it leaves out.

An app that hashed and compressed its static files with another tool before adopting
assetpipe may still hold that tool's output beside its sources, in the static folder Flask
serves:

- **Flask-Static-Digest** (``flask digest compile``): ``cache_manifest.json`` at the top,
  ``{"css/app.css": "css/app-f53f1226ea670b4c410e5a4aed0153e9.css", ...}``, a copy of every
  file under an MD5-named name, and a ``.gz`` of each (nickjj's docker-flask-example runs it
  in its image; in a checkout where it had run, ``init`` listed 61 files to copy where the
  app has 13);
- **Django's** ``ManifestStaticFilesStorage`` (``collectstatic``): ``staticfiles.json``,
  ``{"paths": {"css/x.css": "css/x.1a2b3c4d5e6f.css"}, ...}``, the same copies;
- **precompressed siblings** ``X.gz``, ``X.br``, ``X.zst`` beside ``X`` (those tools,
  WhiteNoise's compressed storage, ``gzip -k`` for a web server's ``gzip_static``).

assetpipe makes its own hashed names and precompressed siblings, so these are not sources:
listed, they were hashed a second time, copied as files of their own, and counted as scripts and
stylesheets "that no tag loads"; their images got variants of their own. ``init`` leaves them
out (``other_output``) and says which tool made them. The app's static route still serves
them, so an old page naming one keeps working; a template helper such as Flask-Static-Digest's
``static_url_for`` finds no hashed name of the build's in its manifest and falls back to
``url_for``, which ``AssetPipe(app)`` answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the precompressed siblings' suffixes
SIBLING_SUFFIXES = (".gz", ".br", ".zst")
#: digest manifests at the static folder's top: file name → (the tool, where the mapping is
#: in the document, what to do about its output once the build makes its own)
DIGEST_MANIFESTS = {
    "cache_manifest.json": (
        "Flask-Static-Digest",
        (),
        "stop running `flask digest compile` where you deploy (`flask digest clean` removes"
        " its files); its static_url_for() keeps working",
    ),
    "staticfiles.json": (
        "Django's ManifestStaticFilesStorage",
        ("paths",),
        "give `collectstatic` a STATIC_ROOT of its own, not this folder",
    ),
}


@dataclass
class OtherOutput:
    """What ``other_output`` found: the files to leave out, and what made them."""

    left_out: list[str] = field(default_factory=list)
    #: the digest manifests found: name → (the tool that wrote it, what to do about it)
    manifests: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: how many of ``left_out`` are hashed copies named by those manifests
    copies: int = 0
    #: how many are precompressed siblings
    siblings: int = 0


def other_output(static_dir: Path, files: Sequence[str]) -> OtherOutput:
    """The files among ``files`` (keys relative to ``static_dir``) that another tool made from
    the others (module docstring): digest manifests, the copies they name, and the
    precompressed siblings of any file present."""
    present = set(files)
    out = OtherOutput()
    copies: set[str] = set()
    for name, (tool, path, advice) in DIGEST_MANIFESTS.items():
        if name not in present:
            continue
        mapping = _mapping(static_dir / name, path)
        named = {
            copy for source, copy in mapping.items() if source != copy and {source, copy} <= present
        }
        if named:
            out.manifests[name] = (tool, advice)
            copies |= named | {name}
    siblings = {
        f
        for f in present
        if f.endswith(SIBLING_SUFFIXES) and f.rsplit(".", 1)[0] in present and f not in copies
    }
    out.copies = len(copies) - len(out.manifests)
    out.siblings = len(siblings)
    out.left_out = sorted(copies | siblings)
    return out


def _mapping(path: Path, where: tuple[str, ...]) -> dict[str, str]:
    """The ``{source: copy}`` object of a digest manifest (``{}`` if it is not one)."""
    try:
        doc: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    for key in where:
        doc = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(k, str) and isinstance(v, str)}


def describe(found: OtherOutput) -> str:
    """One sentence for ``init``'s note: what was left out, who made it, what to do; ``""``
    when nothing was."""
    if not found.left_out:
        return ""
    parts = [
        f"{tool}'s output ({name}, {found.copies} hashed cop{'y' if found.copies == 1 else 'ies'})"
        for name, (tool, _advice) in found.manifests.items()
    ]
    if found.siblings:
        parts.append(f"{found.siblings} precompressed sibling(s) (.gz, .br, .zst)")
    advice = "".join(f"; {a}" for _tool, a in found.manifests.values())
    return (
        f"{' and '.join(parts)} in the static folder: left out of the build, which makes its own"
        f" hashed names and precompressed siblings; the app's static route still serves them{advice}."
    )
