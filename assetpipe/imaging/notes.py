"""What the never-bigger rule (``imaging.select``) did, in words: report.json's
``images.never_bigger`` document for one source, the warning for a variant that grew with
nothing smaller to serve, and the one line of the build summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .select import SOURCE, Selection

if TYPE_CHECKING:
    from .probe import Probe


def never_bigger(sel: Selection, source_size: int) -> dict[str, Any]:
    """One source's ``images.never_bigger`` entry: the variants ``dropped``, the ``source``
    served instead (its format, width and size), the variants that ``grown``; empty when the
    rule changed nothing."""
    doc: dict[str, Any] = {}
    if sel.dropped:
        doc["dropped"] = sel.dropped
    if sel.source_used:
        v = next(v for v in sel.kept if v.origin == SOURCE)
        doc["source"] = {
            "format": v.format,
            "width": v.width,
            "size": v.size,
            "source_size": source_size,
        }
    if sel.grown:
        doc["grown"] = sel.grown
    return doc


def grown_warnings(sel: Selection, info: Probe) -> list[str]:
    """One warning per variant larger than its source that had to be kept (the source cannot
    be served as is)."""
    return [
        f"the {g['format']} variant at {g['width']}w ({g['size']:,} B) is larger than the "
        f"source ({g['source_size']:,} B) and the source cannot be served as is "
        f"({why_not_plain(info)})"
        for g in sel.grown
    ]


def why_not_plain(info: Probe) -> str:
    """Why the source's metadata-free copy cannot serve (``imaging.plain``)."""
    if info.orientation != 1 and info.format != "JPEG":
        return f"EXIF orientation {info.orientation}"
    if info.mode == "CMYK":
        return "CMYK"
    if info.format in ("JPEG", "PNG", "GIF"):
        return "it did not parse"
    if info.format in ("WEBP", "AVIF"):
        return "it carries EXIF/XMP metadata"
    return f"{info.format} is converted to PNG"


def summary(section: dict[str, Any]) -> str | None:
    """One line for the build summary about the never-bigger rule (report.json's ``images``
    section), or ``None`` when it changed nothing."""
    notes = section.get("never_bigger") or {}
    dropped = sum(len(n.get("dropped", ())) for n in notes.values())
    served = sum(1 for n in notes.values() if "source" in n)
    grown = sum(len(n.get("grown", ())) for n in notes.values())
    if not (dropped or served or grown):
        return None
    parts = []
    if dropped:
        parts.append(
            f"{dropped} variant(s) not emitted (not smaller than the original format, "
            "a wider variant or the source)"
        )
    if served:
        parts.append(f"{served} source file(s) served as is (re-encoding was larger)")
    if grown:
        parts.append(f"{grown} variant(s) larger than their source (see warnings)")
    return "images: " + "; ".join(parts) + " — details in report.json (images.never_bigger)"
