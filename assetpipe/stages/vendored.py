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
    """The sourcemap ``raw`` of ``text`` with generated columns moved for the rewrites."""
    doc = json.loads(raw)
    # per generated line: (UTF-16 column where a rewrite ends in the old text, shift so far)
    shifts: list[list[tuple[int, int]]] = []
    for line in text.split("\n"):
        acc = 0
        here: list[tuple[int, int]] = []
        for m in pattern.finditer(line):
            acc += len(renames[m.group(0)]) - len(m.group(0))
            here.append((_u16(line[: m.end()]), acc))
        shifts.append(here)
    lines = str(doc.get("mappings", "")).split(";")
    out: list[str] = []
    for n, line in enumerate(lines):
        here = shifts[n] if n < len(shifts) else []
        if not here or not line:
            out.append(line)
            continue
        col = new_prev = 0
        segs: list[str] = []
        for seg in line.split(","):
            fields = _decode(seg)
            col += fields[0]
            moved = col + next((s for end, s in reversed(here) if end <= col), 0)
            fields[0] = moved - new_prev
            new_prev = moved
            segs.append("".join(_encode(v) for v in fields))
        out.append(",".join(segs))
    doc["mappings"] = ";".join(out)
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _decode(seg: str) -> list[int]:
    values: list[int] = []
    value = shift = 0
    for ch in seg:
        digit = _B64_VALUE[ch]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        values.append(-(value >> 1) if value & 1 else value >> 1)
        value = shift = 0
    return values


def _encode(value: int) -> str:
    v = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit = v & 31
        v >>= 5
        out += _B64[digit | (32 if v else 0)]
        if not v:
            return out
