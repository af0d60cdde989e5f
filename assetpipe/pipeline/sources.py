"""Discovering the source tree, and the stat memo of what each file's content gives.

``Sources.scan(source, memo)`` lists every file under ``source`` (POSIX paths relative to it),
skipping dot-folders, ``node_modules`` and ``__pycache__``. Globs use wcmatch with GLOBSTAR,
BRACE and NEGATE (``**`` spans folders, ``{a,b}`` alternatives, a leading ``!`` excludes what
it matches from what the others do; see ``docs/configuration.md``); a glob whose translation
the config record holds (``know_globs``) is matched from it, as wcmatch would.

The memo (``.assetpipe/cache/hashes.json``), as esbuild's and Vite's caches: per file, its stat
stamp (size, mtime_ns, inode), its content hash and any *facts* a stage derived from its content
(``Sources.fact``: a template's asset references, an image's probe). A file whose stamp is
unchanged is neither read nor hashed; a changed stamp costs one content hash, and facts survive
when the content is the same (a ``touch``, a checkout). So a no-op rebuild reads no source
file. Files outside the tree (an esbuild input under ``node_modules``) are memoised by absolute
path (``Sources.path_sha256``).

A stamp is trusted only if the file had not been modified in the last ``RACY_NS`` when it was
hashed (git's "racily clean" rule): mtimes come from a coarse clock, and a second same-size
save within one tick would otherwise look unchanged. Such an entry is saved without its stamp:
the next build hashes that file again.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field
from pathlib import Path
from typing import Any, TypeVar

from ..fsutil import atomic_write, walk_files
from ..hashing import sha256_file
from ..lazyre import lazy
from ..records import dataclass

SKIP_DIRS = {"node_modules", "__pycache__"}
#: the memo file's format; another value (or the old list form) is ignored: every file is
#: hashed once again
MEMO_FORMAT = 2
#: how recent a modification makes a stamp untrustworthy (see the module docstring)
RACY_NS = 100_000_000
T = TypeVar("T")


#: glob → the regular expressions wcmatch translated it to in an earlier process
#: (``translate_globs``, kept in the config record: ``config.memo``); ``know_globs`` fills it
_TRANSLATED: dict[str, tuple[str, ...]] = {}


def translate_globs(patterns: Iterable[str]) -> dict[str, list[str]]:
    """wcmatch's translation of each of ``patterns`` (``_FLAGS``) into the regular expressions
    a path must fully match one of: an including glob's, or for an excluding one (``!...``)
    those a path it excludes matches."""
    from wcmatch import glob as wglob

    out: dict[str, list[str]] = {}
    for p in dict.fromkeys(patterns):
        include, exclude = wglob.translate([p], flags=_flags(wglob))
        out[p] = list(exclude if excluding(p) else include)
    return out


def excluding(pattern: str) -> bool:
    """Whether ``pattern`` excludes (a leading ``!``; ``\\!`` is a literal ``!``)."""
    return pattern.startswith("!")


def _flags(wglob: Any) -> int:
    """GLOBSTAR (``**``), BRACE (``{a,b}``) and NEGATE (``!...`` excludes)."""
    return int(wglob.GLOBSTAR | wglob.BRACE | wglob.NEGATE)


def know_globs(translated: dict[str, list[str]]) -> None:
    """Match these globs with their translations (``translate_globs`` of an earlier process
    with the same wcmatch), without importing wcmatch (~6 ms of a one-template edit build)."""
    _TRANSLATED.update({p: tuple(r) for p, r in translated.items()})


class _Translated:
    """A matcher made of translated globs: a path matches when an including glob's expression
    matches it whole and no excluding glob's does, as wcmatch's own matcher decides
    (tests/test_globs.py)."""

    def __init__(self, include: list[str], exclude: list[str]) -> None:
        self.include = [re.compile(r) for r in include]
        self.exclude = [re.compile(r) for r in exclude]

    def match(self, rel: str) -> bool:
        return any(r.fullmatch(rel) for r in self.include) and not any(
            r.fullmatch(rel) for r in self.exclude
        )


@functools.lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> Any:
    """The compiled matcher of ``patterns`` (``globmatch`` would otherwise re-parse them on every
    call: ~0.5 ms; compiled once, ~13x less per file), with ``_flags``: from their known
    translations when every pattern has one, else wcmatch's, imported here on first use."""
    if all(p in _TRANSLATED for p in patterns):
        return _Translated(
            [r for p in patterns if not excluding(p) for r in _TRANSLATED[p]],
            [r for p in patterns if excluding(p) for r in _TRANSLATED[p]],
        )
    from wcmatch import glob as wglob

    return wglob.compile(list(patterns), flags=_flags(wglob))


def globmatch(rel: str, patterns: Iterable[str]) -> bool:
    """Whether ``rel`` (relative to source) matches any of ``patterns``."""
    pats = tuple(patterns)
    return bool(pats) and bool(_matcher(pats).match(rel))


_MAGIC = frozenset("*?[{!")
_ESCAPED = lazy(r"\\(.)")


def named_in_skipped(root: Path, patterns: Iterable[str]) -> Iterator[tuple[str, Path]]:
    """``(rel, path)`` of the files under ``root`` that a pattern names inside a folder the scan
    skips: a ``node_modules`` folder of the static folder (fonts a stylesheet names by
    ``url(../node_modules/...)``, a package's files a yarn ``modules-folder`` put there) is
    part of what the app serves, so a glob whose literal part goes into it
    (``node_modules/**``, ``vendor/node_modules/pkg/*.woff2``) is honoured. Only that
    literal folder is walked; a glob that reaches such a folder through a wildcard
    (``**/*.woff2``) does not enter it."""
    seen: set[str] = set()
    for pattern in dict.fromkeys(patterns):
        parts = pattern.split("/")
        literal: list[str] = []
        for part in parts[:-1]:
            if _MAGIC & set(_ESCAPED.sub("", part)):
                break
            literal.append(_ESCAPED.sub(r"\1", part))  # init escapes ``-`` as ``\-``
        if not SKIP_DIRS & set(literal) or any(p.startswith(".") for p in literal):
            continue
        base = "/".join(literal)
        for rel, path, _ in walk_files(str(root / base), ("__pycache__",), hidden=False):
            key = f"{base}/{rel}"
            if key not in seen and globmatch(key, (pattern,)):
                seen.add(key)
                yield key, Path(path)


@dataclass(frozen=True)
class SourceFile:
    """One discovered file. ``rel`` is its manifest key form."""

    rel: str
    path: Path
    size: int
    mtime_ns: int
    inode: int

    def __init__(self, rel: str, path: Path, size: int, mtime_ns: int, inode: int) -> None:
        # written out: a scan makes one per file (``records``' closure is slower)
        setattr_ = object.__setattr__
        setattr_(self, "rel", rel)
        setattr_(self, "path", path)
        setattr_(self, "size", size)
        setattr_(self, "mtime_ns", mtime_ns)
        setattr_(self, "inode", inode)


@dataclass
class MemoStats:
    """What the memo did in one build: ``hashed`` files read and hashed (a stamp changed or
    was unknown), ``hits`` stamps that spared a read, ``facts`` facts computed."""

    hits: int = 0
    hashed: int = 0
    facts: int = 0
    computed: list[str] = field(default_factory=list)


Stamp = tuple[int, int, int]


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class _Memo:
    """The stat memo (see the module docstring), shared by a ``Sources`` and its narrowed
    views. Entries: key (a source key, or an absolute path) → ``{"stamp", "sha256",
    "facts"}``."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] | None = None
        self.racy: set[str] = set()
        self.used: set[str] = set()
        self.dirty = False
        self.stats = MemoStats()

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """The memo's entries, read from its file on first use (a build that reuses the last
        one never reads it)."""
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                try:
                    doc = json.loads(self.path.read_text(encoding="utf-8"))
                    if (
                        isinstance(doc, dict)
                        and doc.get("format") == MEMO_FORMAT
                        and isinstance(doc.get("files"), dict)
                    ):
                        self._entries = doc["files"]
                except (OSError, ValueError):
                    pass
        return self._entries

    def entry(self, key: str, path: Path, stamp: Stamp) -> dict[str, Any]:
        """The memo entry of ``key`` for a file whose stamp is ``stamp``: the memoised one if
        the stamp matches, else a new one (content hashed; facts kept if the content is the
        same)."""
        self.used.add(key)
        old = self.entries.get(key)
        if (
            isinstance(old, dict)
            and old.get("stamp") == list(stamp)
            and isinstance(old.get("sha256"), str)
        ):
            self.stats.hits += 1
            return old
        now = time.time_ns()
        digest = sha256_file(path)
        self.stats.hashed += 1
        facts = old.get("facts") if isinstance(old, dict) and old.get("sha256") == digest else None
        new = {
            "stamp": list(stamp),
            "sha256": digest,
            "facts": facts if isinstance(facts, dict) else {},
        }
        self.entries[key] = new
        if now - stamp[1] < RACY_NS:
            self.racy.add(key)
        else:
            self.racy.discard(key)
        self.dirty = True
        return new

    def save(self, keep: Callable[[str], bool]) -> None:
        if self.path is None or not self.dirty:
            return
        # a racy entry keeps its hash and facts but no stamp: the next build hashes the file
        # again (one read) and keeps the facts if the content is the same
        files = {
            k: {**v, "stamp": None} if k in self.racy else v
            for k, v in self.entries.items()
            if k in self.used or keep(k)
        }
        atomic_write(
            self.path,
            json.dumps(
                {"format": MEMO_FORMAT, "files": files}, sort_keys=True, separators=(",", ":")
            ).encode(),
        )
        self.dirty = False


class Sources:
    """The discovered source tree and the stat memo of its files' content."""

    def __init__(
        self,
        root: Path,
        files: dict[str, SourceFile],
        memo_path: Path | None,
        *,
        memo: _Memo | None = None,
        whole: dict[str, SourceFile] | None = None,
    ) -> None:
        self.root = root
        self.files = files
        self._memo = memo if memo is not None else _Memo(memo_path)
        #: the whole tree's files, for a narrowed view's content hashes (``narrowed``)
        self._whole = files if whole is None else whole

    @classmethod
    def scan(
        cls, root: Path, memo_path: Path | None = None, extra: Iterable[tuple[str, Path]] = ()
    ) -> Sources:
        """Every file under ``root``, plus ``extra`` (key, path) pairs not already found: the
        templates outside ``source`` or behind a symlink (``templatedirs.template_files``)."""
        files = {
            rel: SourceFile(rel, Path(path), st.st_size, st.st_mtime_ns, st.st_ino)
            for rel, path, st in walk_files(str(root), SKIP_DIRS, hidden=False)
        }
        for rel, path in extra:
            if rel not in files:
                try:
                    st = path.stat()
                except OSError:
                    continue
                files[rel] = SourceFile(rel, path, st.st_size, st.st_mtime_ns, st.st_ino)
        return cls(root, dict(sorted(files.items())), memo_path)

    def narrowed(self, keys: Iterable[str]) -> Sources:
        """A view holding only ``keys`` (that exist), sharing this memo: its ``files`` and
        ``match`` give those alone (what a stage rebuilds), while the content hash of any file
        of the whole tree is still answered. The static stage rebuilding one saved file asks
        for every static script's (which of them another imports keeps its name): narrowed to
        flask-base's ``styles/app.css``, that was a ``KeyError`` on a CKEditor script."""
        wanted = set(keys)
        files = {k: f for k, f in self.files.items() if k in wanted}
        return Sources(self.root, files, None, memo=self._memo, whole=self._whole)

    @property
    def whole(self) -> dict[str, SourceFile]:
        """The whole tree's files, also in a narrowed view (``narrowed``: there ``files`` holds
        only the keys a stage rebuilds)."""
        return self._whole

    @property
    def memo_stats(self) -> MemoStats:
        return self._memo.stats

    def __contains__(self, rel: object) -> bool:
        return rel in self.files

    def match(self, patterns: Iterable[str], exclude: Iterable[str] = ()) -> list[SourceFile]:
        """Files matching any glob, in sorted order, minus the keys in ``exclude``."""
        pats = tuple(patterns)
        skip = set(exclude)
        if not pats:
            return []
        matcher = _matcher(pats)
        return [f for rel, f in self.files.items() if rel not in skip and matcher.match(rel)]

    def _entry(self, rel: str) -> dict[str, Any]:
        f = self._whole[rel]
        return self._memo.entry(rel, f.path, (f.size, f.mtime_ns, f.inode))

    def sha256(self, rel: str) -> str:
        """Hex SHA-256 of a source file's content, from the memo when its stamp is unchanged."""
        return str(self._entry(rel)["sha256"])

    def read_sha256(self, rel: str) -> str | None:
        """The content hash this build took of ``rel`` (``sha256``, ``fact``), ``None`` when it
        took none: the hash of what the build read, not of what the file holds now."""
        if rel not in self._memo.used:
            return None
        digest = self._memo.entries.get(rel, {}).get("sha256")
        return digest if isinstance(digest, str) else None

    def fact(self, rel: str, kind: str, compute: Callable[[Path], T]) -> T:
        """What ``compute(path)`` says about a source file's content (a JSON value), memoised
        with its content hash: computed again only when the content changes. ``kind`` names
        the fact and everything else it depends on (a stage, a code digest, an option) as
        ``family/...``: a new fact replaces the file's others of its family, made by other code
        or options, so they do not pile up."""
        entry = self._entry(rel)
        facts: dict[str, Any] = entry["facts"]
        if kind in facts:
            return facts[kind]  # type: ignore[no-any-return]
        value = compute(self._whole[rel].path)
        family = kind.split("/", 1)[0] + "/"
        for stale in [k for k in facts if k.startswith(family)]:
            del facts[stale]
        facts[kind] = value
        self._memo.dirty = True
        self._memo.stats.facts += 1
        self._memo.stats.computed.append(f"{kind}:{rel}")
        return value

    def path_sha256(self, path: Path) -> str:
        """Hex SHA-256 of any file (one outside the source tree), memoised by its absolute path
        and stamp. Raises ``OSError`` when it cannot be read."""
        key = os.path.abspath(path)
        return str(self._memo.entry(key, Path(key), _stamp(os.stat(key)))["sha256"])

    def stamps(self) -> dict[str, list[int]]:
        """Every file's stat stamp, as ``[size, mtime_ns, inode]`` by key."""
        return {rel: [f.size, f.mtime_ns, f.inode] for rel, f in self.files.items()}

    def outside_stamps(self) -> dict[str, list[int]]:
        """The stamps of the files outside the tree this build read (``path_sha256``), by
        absolute path."""
        out: dict[str, list[int]] = {}
        for key in self._memo.used:
            stamp = self._memo.entries.get(key, {}).get("stamp")
            if os.path.isabs(key) and isinstance(stamp, list):
                out[key] = stamp
        return out

    def save_memo(self) -> None:
        """Persist the memo: entries of files that still exist, and those this build used."""
        self._memo.save(lambda k: k in self.files)
