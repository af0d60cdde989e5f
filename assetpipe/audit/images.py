"""The image checks and the per-image render records (what ``images.js`` measured in the page).

Four built-in checks, each a ``Check`` with a level that a budget's ``level:`` can change
(``images_distorted``, ``images_oversized``, ``images_unsized``, ``images_grown``; ``off`` skips
it) and the template:line of the first offending ``<img>`` when a template made it:

- ``images.distorted`` (default ``error``): the rendered aspect ratio differs from the file's,
  by Lighthouse's ``image-aspect-ratio`` rule: the height the rendered width implies at the
  file's ratio is 2 px or more away from the rendered height. Images with an ``object-fit``
  other than ``fill``, pixel-art scaling or SVG files are left out, as in Lighthouse.
- ``images.oversized`` (default ``warn``): the file is more than 1.5x wider than its rendered
  width x the profile's DPR, and Lighthouse's ``uses-responsive-images`` waste (the bytes
  times the share of pixels not displayed) is at least 4 KiB. The value is the bytes wasted.
- ``images.unsized`` (default ``warn``): no ``width`` and ``height`` attributes, and the box
  depends on the image's own size (setting ``width="1" height="1"`` changes it), so its arrival
  shifts the layout; absolutely positioned images are left out.
- ``images.grown`` (default ``warn``): the page downloaded a build output of an image that is
  larger than its source file (report.json/manifest sizes against the source's bytes).

``image_hints`` turns the records into the hints file's ``ImageHint`` entries (per profile),
which the next build reads for ``sizes`` and safe ``width``/``height``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..rewrite.hints import ImageHint
from .budgets import Check
from .locate import Locator

ASPECT_THRESHOLD_PX = 2.0
OVERSIZE_FACTOR = 1.5
WASTE_THRESHOLD = 4096
DEFAULT_LEVELS = {
    "images_distorted": "error",
    "images_oversized": "warn",
    "images_unsized": "warn",
    "images_grown": "warn",
}


def probe_script() -> str:
    """The in-page probe (``images.js``), a function of the source dimensions by URL path."""
    return resources.files(__package__).joinpath("images.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Finding:
    """One offending image: its URL, where a template made it, and what is wrong."""

    url: str
    detail: str
    value: float
    template: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "detail": self.detail, "value": self.value}
        if self.template:
            out.update(template=self.template, line=self.line)
        return out


def _is_svg(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".svg") or url.startswith("data:image/svg")


def distorted(img: dict[str, Any]) -> str | None:
    """Why ``img`` is distorted (Lighthouse's image-aspect-ratio), or ``None``: measured on the
    content box the picture is drawn into, so padding (Bootstrap's ``pt-4`` on a ``w-100``
    image) or a border is not a distortion."""
    if img.get("object_fit", "fill") != "fill" or img.get("pixelated") or _is_svg(img["url"]):
        return None
    # the content box (padding and border excluded); measurements without it: the whole box
    width, height = img.get("content_width", img["width"]), img.get("content_height", img["height"])
    if width <= 0 or height <= 0:
        return None
    ratio = img["natural_width"] / img["natural_height"]
    expected = width / ratio
    if abs(expected - height) < ASPECT_THRESHOLD_PX:
        return None
    shown = width / height
    return (
        f"rendered {width:g}x{height:g} (ratio {shown:.3f}), the file is "
        f"{img['natural_width']}x{img['natural_height']} (ratio {ratio:.3f})"
    )


def wasted_bytes(img: dict[str, Any], dpr: float, nbytes: int) -> int:
    """Lighthouse's uses-responsive-images waste: ``nbytes`` times the share of the file's
    pixels that the rendered box x DPR does not use (0 when not 1.5x too wide)."""
    if _is_svg(img["url"]) or img["natural_width"] <= OVERSIZE_FACTOR * img["width"] * dpr:
        return 0
    used = min(img["width"] * dpr, img["natural_width"]) * min(
        img["height"] * dpr, img["natural_height"]
    )
    actual = img["natural_width"] * img["natural_height"]
    waste: int = round(float(nbytes) * max(0.0, 1 - used / actual))
    return waste


def unsized(img: dict[str, Any]) -> bool:
    return (
        not (img.get("has_width") and img.get("has_height"))
        and bool(img.get("size_depends"))
        and img.get("position") not in ("absolute", "fixed")
    )


def unsized_reason(img: dict[str, Any]) -> str:
    """Which of the size attributes an ``unsized`` image lacks, in words: wikmd's icon with
    ``height="25px"`` was said to have "no width/height attributes"."""
    missing = [a for a in ("width", "height") if not img.get(f"has_{a}")]
    return f"no {' or '.join(missing)} attribute"


def source_dims(locator: Locator) -> dict[str, list[int]]:
    """URL path → the source image's [width, height] for every image output of the build
    (what the build writes as width/height), for the probe."""
    out: dict[str, list[int]] = {}
    for entry in locator.image_entries():
        w, h = entry.get("width"), entry.get("height")
        if not isinstance(w, int) or not isinstance(h, int):
            continue
        for file in [entry["file"], *(v["file"] for v in entry.get("variants", ()))]:
            out[locator.public_path + file] = [w, h]
    return out


def _locate(
    img: dict[str, Any], locator: Locator, template: str | None
) -> tuple[str | None, int | None, str | None]:
    return locator.locate({"tag": "img", "url": img["url"], "src": img.get("src")}, template)


def checks(
    images: list[dict[str, Any]],
    network: list[dict[str, Any]],
    *,
    dpr: float,
    locator: Locator,
    template: str | None,
    levels: dict[str, str],
) -> list[Check]:
    """The four image checks for one page (see the module doc)."""
    bytes_by_url = {r["url"]: r["bytes"] for r in network if r.get("bytes")}
    found: dict[str, list[Finding]] = {k: [] for k in DEFAULT_LEVELS}
    for img in images:
        tpl, line, _key = _locate(img, locator, template)
        why = distorted(img)
        if why:
            found["images_distorted"].append(Finding(img["url"], why, 1, tpl, line))
        nbytes = bytes_by_url.get(img["url"]) or locator.output_size(img["url"]) or 0
        waste = wasted_bytes(img, dpr, nbytes)
        if waste >= WASTE_THRESHOLD:
            found["images_oversized"].append(
                Finding(
                    img["url"],
                    f"{img['natural_width']}px wide, rendered {img['width']:g}px at "
                    f"DPR {dpr:g}: {waste} of {nbytes} B could be saved",
                    waste,
                    tpl,
                    line,
                )
            )
        if unsized(img):
            found["images_unsized"].append(
                Finding(
                    img["url"],
                    f"{unsized_reason(img)} and its box depends on the image's size: it"
                    " shifts the layout when it arrives",
                    1,
                    tpl,
                    line,
                )
            )
    seen = set()
    for r in network:
        if r.get("type") != "image" or r["url"] in seen:
            continue
        seen.add(r["url"])
        grown = locator.growth(r["url"])
        if grown is not None:
            size, source = grown
            img = next((i for i in images if i["url"] == r["url"]), {"url": r["url"]})
            tpl, line, _key = _locate(img, locator, template)
            found["images_grown"].append(
                Finding(
                    r["url"],
                    f"{size} B, larger than its source ({source} B)",
                    size - source,
                    tpl,
                    line,
                )
            )
    out = []
    for name, items in found.items():
        level = levels.get(name, DEFAULT_LEVELS[name])
        if level == "off":
            continue
        check_id = "images." + name.split("_", 1)[1]
        value = sum(f.value for f in items) if name == "images_oversized" else len(items)
        if items:
            first = items[0]
            more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
            message = (
                f"{len(items)} {name.split('_', 1)[1]} image(s): {first.url}: {first.detail}{more}"
            )
        else:
            message = f"no {name.split('_', 1)[1]} images"
        out.append(
            Check(
                check_id,
                level,
                0,
                value,
                not items,
                message,
                template=items[0].template if items else None,
                line=items[0].line if items else None,
                items=tuple(f.to_json() for f in items),
            )
        )
    return out


def image_hints(
    images: list[dict[str, Any]], *, profile: Any, locator: Locator, template: str | None
) -> list[ImageHint]:
    """The hints file's records for the images a template made (template:line known)."""
    out = []
    for img in images:
        tpl, line, key = _locate(img, locator, template)
        if not tpl or not line:
            continue
        out.append(
            ImageHint(
                tpl,
                line,
                key,
                profile.name,
                profile.width,
                float(profile.dpr),
                float(img["width"]),
                float(img["height"]),
                int(img["natural_width"]),
                int(img["natural_height"]),
                bool(img["dimensions_safe"]),
            )
        )
    return out


def placed_tags(
    images: list[dict[str, Any]], locator: Locator, template: str | None
) -> set[tuple[str, int]]:
    """The template ``<img>`` tags (template, line) of a page's ``present_images``: every image
    it rendered, a lazy one never loaded too."""
    out = set()
    for img in images:
        if img.get("url"):
            tpl, line, _key = _locate(img, locator, template)
            if tpl and line:
                out.add((tpl, line))
    return out


def source_size(root: Path, src: str | None) -> int | None:
    """Bytes of a source file (``None`` when it cannot be read)."""
    if not src:
        return None
    try:
        return (root / src).stat().st_size
    except OSError:
        return None
