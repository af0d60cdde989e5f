"""Where the templates are: resolving ``templates.dirs`` and finding the files in them.

The rule (docs/configuration.md, ``templates``): each entry of ``templates.dirs`` is a folder
relative to the config file's folder, anywhere in the project (``app/templates`` beside ``source: app/static``,
``.``, a symlink). For configs written before that rule, a folder that exists only under
``source`` is found there (unambiguous, so old configs keep working); one that exists in both
places and is not the same folder is a config error asking for the explicit path (a leading
``./`` always means "beside the config"). An absolute folder (an installed package's
templates) is taken as written. A folder that exists in neither is a config error.
Without the key, the default ``templates`` is looked up the same way and may be absent.

Resolved dirs are stored as POSIX paths relative to ``source`` (``templates``,
``../templates``, ``.``), so a template's *source key* is its path relative to ``source``
like every other input: template files outside ``source`` are added to the source scan by
``template_files`` under keys starting with ``../``, which no asset glob can match.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..pipeline.sources import SKIP_DIRS, Sources, globmatch, named_in_skipped
from ..pipeline.staticfolders import folder_files

if TYPE_CHECKING:
    import yaml

    from .model import Config
    from .yaml import Reader


def prefix(d: str) -> str:
    """The source-key prefix of a resolved dir (``""`` for the source folder itself)."""
    return "" if d in (".", "") else d.rstrip("/") + "/"


def dir_path(source: Path, d: str) -> Path:
    """The folder of resolved dir ``d``: ``source / d`` normalised as written, so that
    ``../templates`` beside a ``source`` that is a symlink to a folder elsewhere (Trac's
    ``htdocs`` linked to ``trac-admin deploy``'s) is the folder beside the link, where the
    config names it; the file system climbs from the link's target, and nothing was built."""
    return Path(os.path.normpath(source / d))


def written(folder: Path, root: Path, source: Path) -> str:
    """``folder`` as ``templates.dirs`` writes it for a config in ``root``: relative to
    ``root``, with a leading ``./`` when ``source`` has a folder of that name too, which
    :func:`resolve` reports as ambiguous (Label Studio's ``templates/`` beside its
    ``core/static/templates/`` of images: ``init`` wrote a config its own build refused)."""
    value = Path(os.path.relpath(folder, root)).as_posix()
    under = Path(os.path.normpath(source / value))
    if value == "." or not under.is_dir() or under.samefile(folder):
        return value
    return "./" + value


def template_name(key: str, dirs: tuple[str, ...], include: tuple[str, ...]) -> str | None:
    """The template name (path relative to its dir) of source key ``key``, or ``None``."""
    for d in dirs:
        p = prefix(d)
        if key.startswith(p) and globmatch(key[len(p) :], include):
            return key[len(p) :]
    return None


def resolve(
    reader: Reader, node: yaml.Node | None, root: Path, source: Path
) -> tuple[str, ...] | None:
    """The dirs of ``templates.dirs`` (``node``; ``None``: the key is absent) relative to
    ``source``, recording problems on ``reader``; ``None`` when none could be read."""
    explicit = node is not None
    items: list[tuple[yaml.Node | None, str, str]] = []
    if node is None:
        items.append((None, "templates.dirs", "templates"))
    else:
        for i, item in enumerate(reader.seq(node, "templates.dirs", allow_scalar=True)):
            value = reader.string(item, f"templates.dirs[{i}]")
            if value is not None:
                items.append((item, f"templates.dirs[{i}]", value))
    out: list[str] = []
    for child, path, value in items:
        if not value.strip():
            reader.error(child, path, f"expected a folder, got {value!r}")
            continue
        # an absolute folder (an installed package's templates, as ``source`` may be its
        # static folder) is taken as written
        beside = Path(os.path.normpath(root / value))
        under = Path(os.path.normpath(source / value))
        pinned = value == "." or value.startswith(("./", "/"))
        seen = reader.outside
        if seen.is_dir(beside) and (pinned or not seen.is_dir(under) or seen.same(beside, under)):
            found = beside
        elif seen.is_dir(beside):
            there = Path(os.path.relpath(under, root)).as_posix()
            reader.error(
                child,
                path,
                f"'{value}' is ambiguous: it exists beside the config "
                f"file and under source ({there})",
                hint=f"write './{value}' or '{there}'",
            )
            continue
        elif seen.is_dir(under):
            found = under  # the rule before dirs became relative to the config's folder
        elif explicit:
            reader.error(
                child,
                path,
                f"directory '{value}' does not exist (dirs are relative "
                f"to the config file's folder, {root})",
            )
            continue
        else:
            continue
        out.append(Path(os.path.relpath(found, source)).as_posix())
    if reader.problems and explicit and not out:
        return None
    return tuple(dict.fromkeys(out))


def template_files(
    source: Path, dirs: tuple[str, ...], include: tuple[str, ...], skip: tuple[Path, ...]
) -> Iterator[tuple[str, Path]]:
    """(source key, path) of every template in ``dirs`` not reachable by a plain scan of
    ``source``: dirs outside it and symlinked folders (followed, each real folder once).
    Skips dot-folders, ``node_modules``, virtualenvs and the folders in ``skip`` (the output
    link and ``.assetpipe/``)."""
    skip_real = {os.path.realpath(s) for s in skip}
    for d in dirs:
        seen: set[str] = set()  # each real folder once per dir: a symlink loop ends
        base = dir_path(source, d)
        pre = prefix(d)
        for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
            real = os.path.realpath(dirpath)
            if real in seen or real in skip_real:
                dirnames[:] = []
                continue
            seen.add(real)
            if dirpath != str(base) and os.path.exists(os.path.join(dirpath, "pyvenv.cfg")):
                dirnames[:] = []
                continue
            dirnames[:] = sorted(
                n for n in dirnames if not n.startswith(".") and n not in SKIP_DIRS
            )
            rel_dir = Path(os.path.relpath(dirpath, base)).as_posix()
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                if globmatch(rel, include):
                    yield pre + rel, Path(dirpath) / name


def scan_sources(cfg: Config, *, memo: bool = True) -> Sources:
    """The build's inputs: every file under ``source`` plus the templates ``template_files``
    finds, the files ``static.include`` or ``images.include`` names in a ``node_modules``
    folder (``named_in_skipped``) and those of ``static.folders`` (``staticfolders``) (with the hash memo in ``.assetpipe/cache/hashes.json`` unless ``memo`` is false)."""
    t = cfg.templates
    extra = itertools.chain(
        template_files(cfg.source, t.dirs, t.include, (cfg.output, cfg.state_dir)),
        named_in_skipped(cfg.source, (*cfg.static.include, *cfg.images.include)),
        folder_files(cfg.static.folders),  # after source's: the first file of a key wins
    )
    return Sources.scan(
        cfg.source, cfg.state_dir / "cache" / "hashes.json" if memo else None, extra
    )
