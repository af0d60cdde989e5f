"""The manifest model, a superset of Vite's ``manifest.json``, and the consumer-side reader.

Keys are source paths relative to ``source`` (POSIX), shared esbuild chunks ``_`` + file name.
Each entry is a plain JSON object so backend helpers written for Vite read it unchanged:

- every entry: ``file`` (output path relative to ``public/``), ``src``, ``size``, ``integrity``;
  text outputs: ``encodings``; ``keep_names`` files: ``"immutable": false``;
- scripts: ``isEntry``, ``isDynamicEntry``, ``imports``, ``dynamicImports`` (keys), ``css``,
  ``assets`` (files), ``map``;
- images: ``width``, ``height``, ``variants: [{file, width, height, format, size}]``.

The model is built in memory during a build and written once, deterministically.

What a consumer of a build folder needs (the server's file table, the audit, the Jinja
globals, the Flask extension) is read here and nowhere else: ``stamp_of``/``manifest_stamp``
tell whether a new build was swapped in (one ``stat``), and ``BuildView.read(output)`` gives
the build's manifest, its report.json and the immutable set, the rule being *immutable = the
manifest's files (but ``"immutable": false`` entries) plus report.json's ``retained`` files* (the
retained files are earlier builds' hashed outputs kept so that pages rendered before a swap
still load).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from .fsutil import atomic_write, dump_json
from .logs import logger
from .records import dataclass

ENCODING_SUFFIX = {"br": ".br", "gzip": ".gz", "zstd": ".zst"}
MANIFEST_NAME = "manifest.json"
REPORT_NAME = "report.json"
#: (inode, mtime in ns) of a file: changes whenever a build is swapped in or rewritten
Stamp = tuple[int, int]

log = logger("assetpipe")


class Manifest:
    """Source key → entry. Mutable while a build assembles it; ``write`` is atomic."""

    def __init__(self, entries: Mapping[str, dict[str, Any]] | None = None) -> None:
        self.entries: dict[str, dict[str, Any]] = dict(entries or {})

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str) -> dict[str, Any] | None:
        return self.entries.get(key)

    def add(self, key: str, entry: dict[str, Any]) -> None:
        """Add one entry; every entry needs ``file``. A key added twice is a programming error."""
        if "file" not in entry:
            raise ValueError(f"manifest entry {key!r} has no 'file'")
        if key in self.entries:
            raise ValueError(f"manifest key {key!r} added twice")
        self.entries[key] = entry

    def by_file(self) -> dict[str, str]:
        """Output file → the key whose ``file`` it is."""
        return {e["file"]: k for k, e in self.entries.items()}

    def files(self) -> set[str]:
        """Every public file the manifest names: ``file``, ``map``, ``css``, ``assets``, image
        variants, and their precompressed siblings."""
        out: set[str] = set()
        for e in self.entries.values():
            out.update(entry_files(e))
            for enc in e.get("encodings", ()):
                out.add(e["file"] + ENCODING_SUFFIX[enc])
        return out

    def immutable_files(self) -> set[str]:
        """Files safe to cache for a year: all but those of ``"immutable": false`` entries."""
        mutable = {e["file"] for e in self.entries.values() if e.get("immutable") is False}
        return {
            f
            for f in self.files()
            if f not in mutable
            and not any(f == m + s for m in mutable for s in ENCODING_SUFFIX.values())
        }

    def to_json(self) -> bytes:
        return dump_json(self.entries)

    def write(self, path: Path) -> None:
        atomic_write(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Load a manifest.json; raises ``OSError`` or ``ValueError`` when absent or invalid."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not a manifest (expected a JSON object)")
        return cls(data)


def entry_files(entry: Mapping[str, Any]) -> list[str]:
    """The public files one entry names, its precompressed siblings aside: ``file``, ``css``,
    ``assets``, ``map`` and the image variants' files."""
    names = [entry["file"], *entry.get("css", ()), *entry.get("assets", ())]
    if entry.get("map"):
        names.append(entry["map"])
    names += [v["file"] for v in entry.get("variants", ())]
    return names


def stamp_of(path: str | os.PathLike[str]) -> Stamp | None:
    """Identity of a file (inode, mtime), following symlinks; ``None`` when absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def manifest_stamp(output: str | os.PathLike[str]) -> Stamp | None:
    """Identity of the current build's manifest; follows the output symlink."""
    return stamp_of(Path(output) / MANIFEST_NAME)


_reported_missing: set[Path] = set()


def report_missing_manifest(output: str | os.PathLike[str]) -> Path | None:
    """The absolute path of ``<output>/manifest.json`` when there is no file there and this
    process has not reported that path yet (it then counts as reported); else ``None``. The
    build's consumers that start before (or without) a build — the Flask extension, the serving
    middleware — log a missing build once per path, whichever notices it first; a path whose
    manifest has since appeared is forgotten (reported again if it goes missing)."""
    path = Path(os.path.abspath(Path(output) / MANIFEST_NAME))
    if stamp_of(path) is not None:
        _reported_missing.discard(path)
        return None
    if path in _reported_missing:
        return None
    _reported_missing.add(path)
    return path


@dataclass(frozen=True)
class BuildView:
    """One build folder as its consumers see it (read once; a build folder is never modified in
    place). Reading never fails: a missing or invalid manifest reads as an empty one (nothing is
    immutable, nothing has a source path) and a missing or invalid report.json as ``{}``."""

    #: the build folder (the output symlink resolved once, after taking ``stamp``)
    folder: Path
    manifest: Manifest = field(default_factory=Manifest)
    #: report.json's top-level object
    report: Mapping[str, Any] = field(default_factory=dict)
    #: ``manifest_stamp`` of the output when it was read (``None``: no manifest)
    stamp: Stamp | None = None

    @classmethod
    def read(cls, output: str | os.PathLike[str]) -> BuildView:
        """Read ``<output>/manifest.json`` and ``<output>/report.json``. The stamp is taken
        before the symlink is resolved, so a build swapped in meanwhile is noticed next time."""
        stamp = manifest_stamp(output)
        folder = Path(output).resolve()
        return cls(folder, _read_manifest(folder), _read_report(folder), stamp)

    @property
    def retained(self) -> set[str]:
        """Earlier builds' files kept in this one (report.json's ``retained``)."""
        retained = self.report.get("retained")
        return {r for r in retained if isinstance(r, str)} if isinstance(retained, list) else set()

    def immutable(self) -> set[str]:
        """Public files safe to cache for a year: the manifest's immutable files and the retained ones."""
        return self.manifest.immutable_files() | self.retained

    def templates(self) -> dict[str, dict[str, Any]]:
        """report.json's ``templates`` section: template name → what the rewrite found."""
        templates = self.report.get("templates")
        if not isinstance(templates, dict):
            return {}
        return {k: v for k, v in templates.items() if isinstance(v, dict)}

    def encodings(self) -> dict[str, list[str]]:
        """Output file → the precompressed encodings the build wrote for it."""
        return {e["file"]: list(e.get("encodings") or ()) for e in self.manifest.entries.values()}


def _read_manifest(folder: Path) -> Manifest:
    try:
        manifest = Manifest.read(folder / MANIFEST_NAME)
        manifest.immutable_files()  # validates the entries' shape
        return manifest
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.debug("no usable manifest in %s: %s", folder, exc)
        return Manifest()


def _read_report(folder: Path) -> Mapping[str, Any]:
    try:
        report = json.loads((folder / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}
