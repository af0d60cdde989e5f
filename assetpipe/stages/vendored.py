"""Clean public names for the files esbuild copies from outside the source folder.

esbuild names an asset ``[dir]/[name]-[hash]`` with ``[dir]`` relative to the source folder,
so a font or image a stylesheet in an npm package refers to (leaflet's
``dist/images/layers.png``, bootstrap-icons' ``font/fonts/bootstrap-icons.woff2``) comes out
as ``_.._/node_modules/leaflet/dist/images/layers-HASH.png``. ``relocate`` renames each such
output ``vendor/<package>/<path in the package>`` (``vendor/<path>`` for a file outside the
source that is in no package) and rewrites what names it: the outputs that refer to it (CSS
``url()``, a script's imported URL), the metafile, and the linked sourcemaps (generated
columns after a rewritten name on the same line move by the length difference).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from ..esbuild.result import Result

OUTSIDE = "_.._/"
TEXT_EXTS = (".css", ".js", ".mjs", ".cjs")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {c: i for i, c in enumerate(_B64)}


def vendor_name(path: str) -> str:
    """``_.._/node_modules/leaflet/dist/images/a-H.png`` → ``vendor/leaflet/dist/images/a-H.png``
    (the innermost ``node_modules`` wins; a scoped package keeps its ``@scope/``)."""
    rest = path
    while rest.startswith(OUTSIDE):
        rest = rest[len(OUTSIDE) :]
    marker = "node_modules/"
    at = rest.rfind("/" + marker)
    if at >= 0:
        rest = rest[at + 1 + len(marker) :]
    elif rest.startswith(marker):
        rest = rest[len(marker) :]
    return "vendor/" + rest


def untouched(result: Result) -> dict[str, bytes]:
    """The outputs ``relocate`` leaves byte for byte as they are: no ``_.._/`` name, no text
    output naming one, not the map of such an output (a superset of what it rewrites is
    excluded). The compress stage starts on them while ``relocate`` runs."""
    outside = [p.encode() for p in result.files if p.startswith(OUTSIDE)]
    if not outside:
        return dict(result.files)
    touched = {
        p for p, d in result.files.items() if p.endswith(TEXT_EXTS) and any(o in d for o in outside)
    }
    return {
        p: d
        for p, d in result.files.items()
        if not p.startswith(OUTSIDE) and p not in touched and p.removesuffix(".map") not in touched
    }


def relocate(result: Result) -> Result:
    """``result`` with every output under ``_.._/`` renamed (see the module doc). A name that
    would collide with another output is left as esbuild wrote it."""
    renames: dict[str, str] = {}
    taken = set(result.files)
    for path in sorted(result.files):
        if path.startswith(OUTSIDE):
            new = vendor_name(path)
            if new not in taken:
                renames[path] = new
                taken.add(new)
    if not renames:
        return result
    pattern = re.compile("|".join(re.escape(p) for p in sorted(renames, key=len, reverse=True)))
    files: dict[str, bytes] = {}
    maps: dict[str, bytes] = {}
    for path, data in result.files.items():
        if path.endswith(TEXT_EXTS) and any(p.encode() in data for p in renames):
            text = data.decode("utf-8")
            mapped = path + ".map"
            if mapped in result.files:
                maps[mapped] = shift_map(result.files[mapped], text, pattern, renames)
            data = pattern.sub(lambda m: renames[m.group(0)], text).encode("utf-8")
        files[renames.get(path, path)] = data
    files.update(maps)
    meta = _renamed_metafile(result.metafile, renames)
    return Result(files, meta, result.warnings, result.stored)


def _renamed_metafile(meta: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for path, info in meta.get("outputs", {}).items():
        info = dict(info)
        if "imports" in info:
            info["imports"] = [
                dict(i, path=renames.get(i["path"], i["path"])) for i in info["imports"]
            ]
        outputs[renames.get(path, path)] = info
    return {**meta, "outputs": outputs}


def shift_map(raw: bytes, text: str, pattern: re.Pattern[str], renames: dict[str, str]) -> bytes:
    """The sourcemap ``raw`` of ``text`` with generated columns moved for the rewrites.

    A segment's first field is its column's distance from the segment before it on the line, so
    a shift that moves both by the same amount changes nothing: only the first segment after
    each rewrite gets a new first field, every other segment is kept as written (a minified
    file is one line holding every segment of its map; decoding and encoding them all cost
    ~4 ms per 25 KB of map)."""
    doc = json.loads(raw)
    lines = str(doc.get("mappings", "")).split(";")
    for n, line in enumerate(text.split("\n")):
        if n >= len(lines) or not lines[n]:
            continue
        # where each rewrite ends in the old line (UTF-16 column) and the shift from there on
        ends: list[int] = []
        shifts: list[int] = []
        acc = col = done = 0
        for m in pattern.finditer(line):
            acc += len(renames[m.group(0)]) - len(m.group(0))
            col += _u16(line[done : m.end()])
            done = m.end()
            ends.append(col)
            shifts.append(acc)
        if ends:
            lines[n] = _shifted_line(lines[n], ends, shifts)
    doc["mappings"] = ";".join(lines)
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def _shifted_line(line: str, ends: list[int], shifts: list[int]) -> str:
    """One generated line's segments with each column at or after ``ends[i]`` (and before the
    next end) moved by ``shifts[i]``."""
    segs = line.split(",")
    col = before = 0
    for i, seg in enumerate(segs):
        delta, width = _first(seg)
        col += delta
        at = bisect.bisect_right(ends, col) - 1
        shift = shifts[at] if at >= 0 else 0
        if shift != before:
            segs[i] = _encode(delta + shift - before) + seg[width:]
            before = shift
    return ",".join(segs)


def _u16(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-16-le")) // 2


def _first(seg: str) -> tuple[int, int]:
    """A segment's first VLQ value and how many characters it takes."""
    value = shift = 0
    for i, ch in enumerate(seg):
        digit = _B64_VALUE[ch]
        value += (digit & 31) << shift
        if not digit & 32:
            return (-(value >> 1) if value & 1 else value >> 1), i + 1
        shift += 5
    raise ValueError(f"truncated VLQ segment {seg!r}")


def _encode(value: int) -> str:
    v = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit = v & 31
        v >>= 5
        out += _B64[digit | (32 if v else 0)]
        if not v:
            return out
