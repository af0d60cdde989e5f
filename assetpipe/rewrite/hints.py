"""``lcp-hints.json``: LCP images an audit observed, fed back into the build.

The file lives beside pipeline.yaml (``config.root / "lcp-hints.json"``). Users commit it, like a
lock file, so that builds stay reproducible: the build only reads it; ``assetpipe audit`` writes it
(through ``write_hints``) when it finds a page whose LCP element is an ``<img>`` that a template
made lazy. Format, version 1::

    {
      "version": 1,
      "hints": [
        {"template": "pages/index.html", "line": 12, "src": "img/hero.jpg"}
      ]
    }

- ``template``: the template name (relative to its template dir, as report.json names it);
- ``line``: the 1-based line of the ``<img`` tag in the *source* template (report.json's
  ``templates.<name>.images[].line``); a tag spanning several lines matches any of them;
- ``src`` (optional): the manifest key of the image the tag shows (report.json's ``asset``), or
  the ``src`` attribute as written; when given, it must match too (it keeps a hint from moving to
  another image after an edit shifts lines).

A hint makes its ``<img>`` eager (``fetchpriority="high"``, no ``loading="lazy"``), exactly like a
``templates.eager`` selector. A hint that matches no tag is reported as a build warning (stale).
Hints are sorted and de-duplicated on write, so the file diffs cleanly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, StageError
from ..fsutil import atomic_write

HINTS_FILE = "lcp-hints.json"
VERSION = 1


@dataclass(frozen=True, order=True)
class Hint:
    """One observed LCP image: template name, source line, optional asset key or src."""

    template: str
    line: int
    src: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"template": self.template, "line": self.line}
        if self.src is not None:
            out["src"] = self.src
        return out


def hints_path(root: Path) -> Path:
    """Where the hints file of the project whose config folder is ``root`` lives."""
    return root / HINTS_FILE


def read_hints(path: Path) -> list[Hint]:
    """Read a hints file; ``[]`` when it does not exist. Raises ``StageError`` naming the file
    (and the entry) when it is not valid JSON or not format version 1."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise StageError(f"cannot read LCP hints: {e}", location=Location(str(path))) from e
    try:
        doc = json.loads(raw)
    except ValueError as e:
        line = getattr(e, "lineno", None)
        col = getattr(e, "colno", None)
        raise StageError(f"LCP hints are not valid JSON: {e}",
                         location=Location(str(path), line, col),
                         hint="fix the file or delete it; `assetpipe audit` writes it") from e
    if not isinstance(doc, dict) or doc.get("version") != VERSION \
            or not isinstance(doc.get("hints"), list):
        raise StageError(f"LCP hints: expected {{\"version\": {VERSION}, \"hints\": [...]}}",
                         location=Location(str(path)))
    out = []
    for i, h in enumerate(doc["hints"]):
        ok = isinstance(h, dict) and isinstance(h.get("template"), str) \
            and isinstance(h.get("line"), int) and not isinstance(h.get("line"), bool) \
            and h["line"] > 0 and isinstance(h.get("src", ""), str) \
            and set(h) <= {"template", "line", "src"}
        if not ok:
            raise StageError(f"hints[{i}]: expected {{\"template\": NAME, \"line\": N, "
                             f"\"src\": KEY (optional)}}, got {json.dumps(h)}",
                             location=Location(str(path)))
        out.append(Hint(h["template"], h["line"], h.get("src")))
    return sorted(set(out))


def write_hints(path: Path, hints: list[Hint]) -> None:
    """Write ``hints`` (sorted, de-duplicated) atomically in format version 1."""
    doc = {"version": VERSION, "hints": [h.to_json() for h in sorted(set(hints))]}
    atomic_write(path, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8"))
