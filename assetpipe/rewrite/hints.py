"""``lcp-hints.json``: what an audit observed about a project's images, fed back into the build.

The file lives beside pipeline.yaml (``config.root / "lcp-hints.json"``). Users commit it, like a
lock file, so that builds stay reproducible: the build only reads it; ``assetpipe audit`` writes it
(through ``write_hints``). Format, version 2 (version 1, without ``images``, is still read)::

    {
      "version": 2,
      "hints": [
        {"template": "pages/index.html", "line": 12, "src": "img/hero.jpg"}
      ],
      "images": [
        {"template": "pages/index.html", "line": 30, "src": "img/avatar.jpg",
         "profile": "mobile", "viewport": 412, "dpr": 1.75,
         "width": 36.0, "height": 36.0, "natural_width": 800, "natural_height": 800,
         "dimensions_safe": true}
      ]
    }

``hints`` are LCP images that a template made lazy:

- ``template``: the template name (relative to its template dir, as report.json names it);
- ``line``: the 1-based line of the ``<img`` tag in the *source* template (report.json's
  ``templates.<name>.images[].line``); a tag spanning several lines matches any of them;
- ``src`` (optional): the manifest key of the image the tag shows (report.json's ``asset``), or
  the ``src`` attribute as written; when given, it must match too (it keeps a hint from moving to
  another image after an edit shifts lines);
- ``some_pages`` (optional, ``true`` only): an audit saw the tag rendered on a page whose LCP
  was something else (a layout's footer badge, the largest image of a short login page only).

A hint makes its ``<img>`` eager (``fetchpriority="high"``, no ``loading="lazy"``), exactly like a
``templates.eager`` selector; with ``some_pages``, eager without ``fetchpriority``: raised on
every page its layout renders, it would compete with those pages' own LCP images. A hint that
matches no tag is reported as a build warning (stale).

``images`` records, per ``<img>`` tag a template made (same ``template``/``line``/``src`` matching
as above) and per audit profile, what the browser rendered:

- ``profile``: the audit profile (``mobile``, ``desktop``); ``viewport``: its CSS viewport width;
  ``dpr``: its device pixel ratio;
- ``width``/``height``: the rendered CSS box of the image (CSS px, unrounded);
- ``natural_width``/``natural_height``: the intrinsic size of the image the browser loaded;
- ``dimensions_safe``: whether setting ``width``/``height`` attributes equal to the image's
  intrinsic size leaves that rendered box unchanged (measured in the page by the audit), i.e.
  whether the build may add them without distorting the image.

The build uses ``images`` to write ``sizes`` (and to trim widths no page needs) and to decide
where intrinsic ``width``/``height`` are safe. Entries are sorted and de-duplicated on write, so
the file diffs cleanly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import Location, StageError
from ..fsutil import atomic_write
from ..records import dataclass

HINTS_FILE = "lcp-hints.json"
VERSION = 2
READABLE_VERSIONS = (1, 2)


@dataclass(frozen=True, order=True)
class Hint:
    """One observed LCP image: template name, source line, optional asset key or src."""

    template: str
    line: int
    src: str | None = None
    #: the tag was also rendered on a page whose LCP was something else (module doc)
    some_pages: bool = False

    @property
    def tag(self) -> tuple[str, int, str | None]:
        """What identifies the tag the hint is about (``some_pages`` aside)."""
        return self.template, self.line, self.src

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"template": self.template, "line": self.line}
        if self.src is not None:
            out["src"] = self.src
        if self.some_pages:
            out["some_pages"] = True
        return out

    @classmethod
    def from_json(cls, h: dict[str, Any]) -> Hint:
        """The hint ``to_json`` wrote (checked by ``read_all_hints``)."""
        return cls(h["template"], h["line"], h.get("src"), bool(h.get("some_pages", False)))


@dataclass(frozen=True, order=True)
class ImageHint:
    """What one audit profile rendered for one template ``<img>`` tag (see the module doc)."""

    template: str
    line: int
    src: str | None
    profile: str
    viewport: int
    dpr: float
    width: float
    height: float
    natural_width: int
    natural_height: int
    dimensions_safe: bool

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "template": self.template,
            "line": self.line,
            "profile": self.profile,
            "viewport": self.viewport,
            "dpr": self.dpr,
            "width": self.width,
            "height": self.height,
            "natural_width": self.natural_width,
            "natural_height": self.natural_height,
            "dimensions_safe": self.dimensions_safe,
        }
        if self.src is not None:
            out["src"] = self.src
        return out


@dataclass(frozen=True)
class Hints:
    """The whole hints file: LCP hints and per-image render records."""

    lcp: tuple[Hint, ...] = ()
    images: tuple[ImageHint, ...] = ()


def hints_path(root: Path) -> Path:
    """Where the hints file of the project whose config folder is ``root`` lives."""
    return root / HINTS_FILE


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


_IMAGE_FIELDS: dict[str, Any] = {
    "template": lambda v: isinstance(v, str),
    "line": lambda v: _is_int(v) and v > 0,
    "profile": lambda v: isinstance(v, str),
    "viewport": lambda v: _is_int(v) and v > 0,
    "dpr": lambda v: _is_num(v) and v > 0,
    "width": lambda v: _is_num(v) and v >= 0,
    "height": lambda v: _is_num(v) and v >= 0,
    "natural_width": lambda v: _is_int(v) and v >= 0,
    "natural_height": lambda v: _is_int(v) and v >= 0,
    "dimensions_safe": lambda v: isinstance(v, bool),
}


def read_all_hints(path: Path) -> Hints:
    """Read a hints file; empty ``Hints`` when it does not exist. Raises ``StageError`` naming
    the file (and the entry) when it is not valid JSON or not a readable format version."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Hints()
    except (OSError, UnicodeDecodeError) as e:
        raise StageError(f"cannot read LCP hints: {e}", location=Location(str(path))) from e
    try:
        doc = json.loads(raw)
    except ValueError as e:
        line = getattr(e, "lineno", None)
        col = getattr(e, "colno", None)
        raise StageError(
            f"LCP hints are not valid JSON: {e}",
            location=Location(str(path), line, col),
            hint="fix the file or delete it; `assetpipe audit` writes it",
        ) from e
    if (
        not isinstance(doc, dict)
        or doc.get("version") not in READABLE_VERSIONS
        or not isinstance(doc.get("hints"), list)
        or not isinstance(doc.get("images", []), list)
    ):
        raise StageError(
            f'LCP hints: expected {{"version": {VERSION}, "hints": [...], "images": [...]}}',
            location=Location(str(path)),
        )
    lcp = []
    for i, h in enumerate(doc["hints"]):
        ok = (
            isinstance(h, dict)
            and isinstance(h.get("template"), str)
            and _is_int(h.get("line"))
            and h["line"] > 0
            and isinstance(h.get("src", ""), str)
            and isinstance(h.get("some_pages", False), bool)
            and set(h) <= {"template", "line", "src", "some_pages"}
        )
        if not ok:
            raise StageError(
                f'hints[{i}]: expected {{"template": NAME, "line": N, '
                f'"src": KEY (optional), "some_pages": true (optional)}}, got {json.dumps(h)}',
                location=Location(str(path)),
            )
        lcp.append(Hint.from_json(h))
    images = []
    for i, h in enumerate(doc.get("images", [])):
        ok = (
            isinstance(h, dict)
            and set(h) <= {*_IMAGE_FIELDS, "src"}
            and all(name in h and check(h[name]) for name, check in _IMAGE_FIELDS.items())
            and isinstance(h.get("src", ""), str)
        )
        if not ok:
            fields = ", ".join(_IMAGE_FIELDS)
            raise StageError(
                f"images[{i}]: expected an object with {fields} and an optional "
                f"src, got {json.dumps(h)}",
                location=Location(str(path)),
            )
        images.append(
            ImageHint(
                h["template"],
                h["line"],
                h.get("src"),
                h["profile"],
                h["viewport"],
                float(h["dpr"]),
                float(h["width"]),
                float(h["height"]),
                h["natural_width"],
                h["natural_height"],
                h["dimensions_safe"],
            )
        )
    return Hints(tuple(sorted(set(lcp))), tuple(sorted(set(images))))


def read_hints(path: Path) -> list[Hint]:
    """The LCP hints of a hints file (``[]`` when it does not exist); see ``read_all_hints``."""
    return list(read_all_hints(path).lcp)


def write_hints(path: Path, hints: list[Hint], images: list[ImageHint] | None = None) -> None:
    """Write ``hints`` and ``images`` (sorted, de-duplicated) atomically in format version 2.
    ``images=None`` keeps the image records already in the file."""
    if images is None:
        images = list(read_all_hints(path).images)
    doc = {
        "version": VERSION,
        "hints": [h.to_json() for h in sorted(set(hints))],
        "images": [h.to_json() for h in sorted(set(images))],
    }
    atomic_write(path, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8"))
