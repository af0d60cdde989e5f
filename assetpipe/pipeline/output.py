"""The output of a build: the atomic swap, and the files retained from previous builds.

Atomic output, and why this way: every build is written into a new folder
``.assetpipe/builds/<id>/`` and ``<output>`` is a *symlink* to the current one, replaced with
``os.replace`` of a fresh symlink (an atomic rename(2)). A reader that resolves ``dist/...``
sees the whole old build or the whole new one, never a mix, and a failed build just deletes its
folder: the link, and so the previous output, never moved. (Swapping two real directories takes
two renames with a window in between; rsync-style in-place updates expose a mix.) The previous
build folder is kept until the next swap, so a request in flight on it completes. Older folders
leave ``builds/`` after the swap by a rename into ``.assetpipe/.trash/`` (``retire_old_builds``);
the next build deletes them in a background thread while it builds (``sweep``): unlinking a
build's files took 10-40 ms on ext4 (0.5 ms a file under load), time a build ending in a
``rmtree`` spent after its output was ready.

Deploy safety: a production build copies in the hashed files of the previous
``retain_builds - 1`` builds (``retain``), listed in the deploy history ``builds/history.json``
(``record_history``), so a page loaded before a deploy can still fetch its chunks.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import UsageError
from ..fsutil import atomic_write, dump_json, link_or_copy, rmtree
from ..hashing import bundler_hashed, is_hashed
from ..manifest import ENCODING_SUFFIX, Manifest
from .state import claim_output


def write_json(path: Path, doc: Any, previous: Path | None) -> None:
    """Write ``dump_json(doc)`` to ``path``; when ``previous`` (the same file of the build being
    replaced) holds an equal document, its bytes are reused: parsing is several times faster
    than encoding with indentation, the slowest part of writing a large report."""
    if previous is not None:
        try:
            data = previous.read_bytes()
            if json.loads(data) == doc:
                atomic_write(path, data)
                return
        except (OSError, ValueError):
            pass
    atomic_write(path, dump_json(doc))


def check_output(cfg: Config) -> None:
    """Refuse an output that is not ours: claim it for this config (``state.claim_output``),
    accept a missing output, our symlink or an empty folder (removed); anything else is a
    ``UsageError`` (exit 2), never deleted."""
    claim_output(cfg)
    out = cfg.output
    if out.is_symlink() or not out.exists():
        return
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
        return
    raise UsageError(
        f"output '{out}' exists and is not an assetpipe build link",
        hint="assetpipe makes the output a symlink to its current build folder; move or delete "
        "that folder, or choose another output in pipeline.yaml",
    )


def swap(output: Path, build_dir: Path) -> None:
    """Point ``output`` at ``build_dir`` atomically (a new symlink renamed over the old)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    target = os.path.relpath(build_dir, output.parent)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, output)


def _history_path(cfg: Config) -> Path:
    return cfg.state_dir / "builds" / "history.json"


def _read_history(cfg: Config) -> list[dict[str, Any]]:
    try:
        data = json.loads(_history_path(cfg).read_text(encoding="utf-8"))
        return [h for h in data if isinstance(h, dict)] if isinstance(data, list) else []
    except (OSError, ValueError):
        return []


def retain(cfg: Config, manifest: Manifest, public: Path) -> list[str]:
    """Copy into the new ``public/`` the hashed files of the previous ``retain_builds - 1``
    builds (deploy safety: a page loaded before the deploy can still fetch its chunks). They are
    taken from the current output, which already holds every file still inside the window."""
    keep = cfg.retain_builds - 1
    if keep <= 0 or not cfg.output.is_symlink():
        return []
    current_public = cfg.output / "public"
    own = manifest.files()
    wanted: set[str] = set()
    for h in _read_history(cfg)[-keep:]:
        wanted.update(str(f) for f in h.get("files", ()))
    retained = []
    for rel in sorted(wanted - own):
        src = current_public / rel
        base = rel.removesuffix(".br").removesuffix(".gz").removesuffix(".zst")
        if (
            # ours, or a bundler's that an earlier build served immutable (``bundler_hashed``:
            # its manifest listed it then)
            (is_hashed(base) or bundler_hashed(base, wanted))
            and src.is_file()
            and not (public / rel).exists()
        ):
            link_or_copy(src, public / rel)
            retained.append(rel)
    return retained


def record_history(cfg: Config, build_dir: Path, manifest: Manifest) -> None:
    """Append this build's immutable files (with their precompressed siblings) to the deploy
    history ``builds/history.json``, which ``retain`` reads; it keeps the last
    ``max(retain_builds, 2)`` builds."""
    hist = _read_history(cfg)
    public = build_dir / "public"
    files = manifest.immutable_files()
    # precompressed siblings of files without an entry of their own (a script's CSS, maps):
    # one walk of the folder, not a stat per file and encoding
    present = _listing(public)
    files |= {
        f + suffix for f in files for suffix in ENCODING_SUFFIX.values() if f + suffix in present
    }
    hist.append({"id": build_dir.name, "files": sorted(files)})
    atomic_write(_history_path(cfg), dump_json(hist[-max(cfg.retain_builds, 2) :]))


def _listing(root: Path) -> set[str]:
    """Every file under ``root``, as POSIX paths relative to it."""
    out: set[str] = set()
    for dirpath, _dirs, names in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.update(prefix + n for n in names)
    return out


def retire_old_builds(builds: Path, keep: set[str], trash: Path) -> None:
    """Move every build folder under ``builds`` but those named in ``keep`` into ``trash`` (a
    rename each, on the same file system; removed on the spot when the rename fails). ``sweep``
    deletes them later, off a build's critical path."""
    for child in builds.iterdir():
        if child.is_dir() and child.name not in keep:
            try:
                trash.mkdir(exist_ok=True)
                os.rename(child, trash / child.name)
            except OSError:
                rmtree(child)


def sweep(trash: Path) -> threading.Thread | None:
    """Delete ``trash`` (what ``retire_old_builds`` moved there) in a background thread, started
    now; the caller joins it before it returns. ``None`` when there is nothing to delete."""
    if not trash.is_dir():
        return None
    thread = threading.Thread(target=rmtree, args=(trash,), name="assetpipe-sweep", daemon=True)
    thread.start()
    return thread
