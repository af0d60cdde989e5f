"""The globs ``init`` writes into pipeline.yaml's lists: each matching exactly the files meant
(a folder as ``folder/**`` where every file of it is meant, else each file by name, escaped
only where it must be), never another asset tool's output (``othertools``)."""

from __future__ import annotations

from wcmatch import glob as wglob

from ..imaging.formats import RASTER
from ..pipeline.sources import SKIP_DIRS
from .discover import Project
from .packaged import packaged

_SPECIAL = set("*?[]{}()!|\\@+")

IMAGE_EXT = "{" + ",".join(sorted({e.lstrip(".") for e in RASTER})) + "}"


def literal(name: str) -> str:
    """``name`` as a glob matching only itself (escaped only where it must be)."""
    return wglob.escape(name) if _SPECIAL & set(name) else name


def image_globs(project: Project) -> list[str]:
    """A glob per image folder; each image of the folder, by name, where another tool's copies
    lie among them (``othertools``: a glob would give those variants too); and each photo at
    the static folder's top that a template names (``Project.top_images``: a hero, a logo)."""
    out: list[str] = []
    left = project.other_output.left_out
    for d in project.image_dirs:
        if any(f.startswith(d + "/") for f in left):
            out += [
                literal(f)
                for f in project.static_files
                if f.startswith(d + "/") and f.lower().endswith(RASTER)
            ]
        else:
            out.append(f"{d}/**/*.{IMAGE_EXT}")
    return out + [literal(f) for f in project.top_images]


def _skipped_below(file: str, folder: str) -> bool:
    """Whether ``file`` lies in a folder the build's scan skips (``node_modules``) below
    ``folder``: ``folder/**`` would not reach it, as only a glob naming that folder by its
    literal folders enters it (Indico's webpack copies Semantic UI's fonts to
    ``dist/mod_assets/_/_/_/node_modules/...``; ``dist/mod_assets/**`` built none of them)."""
    return bool(SKIP_DIRS & set(file[len(folder) :].split("/")[:-1]))


def static_globs(project: Project, claimed: set[str]) -> list[str]:
    """Patterns that match exactly the files of ``project.static_files`` not in ``claimed``:
    ``folder/**`` for the highest folders none of whose files is claimed (nor left out:
    another tool's output, ``othertools``), else each file."""
    left = project.other_output.left_out
    files = [*project.static_files, *(f for f in left if f not in project.static_files)]
    claimed = claimed | set(left)
    out: list[str] = []

    def walk(prefix: str) -> None:
        subdirs: list[str] = []
        for f in files:
            if not f.startswith(prefix):
                continue
            rest = f[len(prefix) :]
            if "/" not in rest:
                if f not in claimed:
                    out.append(literal(f))
            elif (d := prefix + rest.split("/", 1)[0] + "/") not in subdirs:
                subdirs.append(d)
        for d in subdirs:
            if (
                packaged(d)
                or any(f in claimed for f in files if f.startswith(d))
                or any(_skipped_below(f, d) for f in files if f.startswith(d))
            ):
                walk(d)
            else:
                out.append(literal(d[:-1]) + "/**")

    walk("")
    return out
