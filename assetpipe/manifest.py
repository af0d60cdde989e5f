"""The manifest model (DESIGN §3.4): a superset of Vite's ``manifest.json``.

Keys are source paths relative to ``source`` (POSIX), shared esbuild chunks ``_`` + file name.
Each entry is a plain JSON object so backend helpers written for Vite read it unchanged:

- every entry: ``file`` (output path relative to ``public/``), ``src``, ``size``, ``integrity``;
  text outputs: ``encodings``; ``keep_names`` files: ``"immutable": false``;
- scripts: ``isEntry``, ``isDynamicEntry``, ``imports``, ``dynamicImports`` (keys), ``css``,
  ``assets`` (files), ``map``;
- images: ``width``, ``height``, ``variants: [{file, width, height, format, size}]``.

The model is built in memory during a build and written once, deterministically.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .fsutil import atomic_write, dump_json

ENCODING_SUFFIX = {"br": ".br", "gzip": ".gz", "zstd": ".zst"}


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
            names = [e["file"], *e.get("css", ()), *e.get("assets", ())]
            if e.get("map"):
                names.append(e["map"])
            names += [v["file"] for v in e.get("variants", ())]
            for name in names:
                out.add(name)
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
